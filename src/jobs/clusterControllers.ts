// One job controller per cluster backend (issue 13): each reconciles only the
// jobs whose machine is on one of its clusters, with the pod events of its own
// backend, so a cluster that does not answer holds up only its own jobs. The
// set follows the registry: a controller starts for a cluster that appears and
// stops when its backend goes. A kick goes to every controller (a job that is
// not a controller's costs it one batched read).
import type { ClusterRegistry } from "./clusterRegistry";
import type { Db } from "../store/db";
import { JobController, type ControllerOptions } from "./controller";

export class ClusterControllers {
  private readonly controllers = new Map<string, { controller: JobController; backend: unknown }>();
  private running = false;
  private changing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly registry: ClusterRegistry,
    /** the options every controller gets (the namespace is its cluster's) */
    private readonly opts: Omit<ControllerOptions, "owns" | "waiting" | "namespace">,
  ) {}

  /** The registry changed (call from its onChange): start and stop controllers to match; a resync on every one. */
  refresh(): Promise<void> {
    this.changing = this.changing.then(() => this.apply()).catch(() => {});
    return this.changing;
  }

  private async apply(): Promise<void> {
    const groups = this.registry.groups();
    const keys = new Set(groups.map((g) => g.key));
    for (const [key, c] of this.controllers) {
      const g = groups.find((x) => x.key === key);
      if (keys.has(key) && g?.backend === c.backend) continue;
      this.controllers.delete(key);
      await c.controller.stop();
    }
    for (const g of groups) {
      if (this.controllers.has(g.key)) continue;
      const controller = new JobController(this.db, g.backend, {
        ...this.opts,
        namespace: g.namespace,
        owns: (id) => this.registry.keyOf(id) === g.key,
        waiting: (id) => this.registry.waiting(id),
      });
      this.controllers.set(g.key, { controller, backend: g.backend });
      if (this.running) controller.start();
    }
    if (this.running) for (const c of this.controllers.values()) c.controller.kick();
  }

  start(): void {
    this.running = true;
    for (const c of this.controllers.values()) c.controller.start();
  }

  async pause(): Promise<void> {
    this.running = false;
    for (const c of this.controllers.values()) await c.controller.pause();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.changing;
    for (const c of this.controllers.values()) await c.controller.stop();
  }

  kick(jobNumber?: number): void {
    for (const c of this.controllers.values()) c.controller.kick(jobNumber);
  }

  async idle(): Promise<void> {
    for (const c of this.controllers.values()) await c.controller.idle();
  }

  /** The controller of a backend group (tests). */
  all(): JobController[] {
    return [...this.controllers.values()].map((c) => c.controller);
  }
}
