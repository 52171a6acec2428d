// An in-process cluster for `npm start` and benchmarks: nodes from
// configuration, pods placed by the same placement core as
// jarvice-pod-scheduler (all of a job or none), Running after a short start,
// Succeeded after the pod's simulated duration, Failed (DeadlineExceeded) when
// it outlives its activeDeadlineSeconds (the job's wall time), as a kubelet
// would end it. Never the only thing a
// Kubernetes feature is tested against.
import { EventEmitter } from "node:events";
import type { ClusterBackend, ClusterEvent } from "./cluster";
import type { ObservedPod, PodPhase } from "../core/jobLifecycle";
import { PlacementState, type NodeSnapshot } from "../core/placement";
import { podRequests, type PodRequests } from "../core/podRequests";
import { LABEL_JOB_NUMBER, LABEL_POD_INDEX, LABEL_TENANT, type PlannedPod } from "../core/podPlan";

export interface SimulatedNode {
  name: string;
  cores: number;
  memoryGb: number;
  gpus?: number;
  labels?: Record<string, string>;
}

interface SimPod {
  plan: PlannedPod;
  jobNumber: number;
  index: number;
  phase: PodPhase;
  node?: string;
  ip?: string;
  /** bound to its node: when Kubernetes starts counting activeDeadlineSeconds */
  boundAt?: number;
  runningAt?: number;
  log: string[];
  /** a FailedScheduling event was recorded for the current wait */
  waitReported?: boolean;
}

/** Jobs whose events the simulated cluster remembers (the oldest are forgotten, as Kubernetes expires Events). */
const EVENT_JOBS_KEPT = 1000;

/** A planned pod's requests, counted as jarvice-pod-scheduler counts them (not ok if a quantity is unparsable). */
export function requestsOf(plan: PlannedPod): PodRequests {
  return podRequests(plan.spec);
}

export class SimulatedCluster implements ClusterBackend {
  readonly description: string;
  private readonly pods = new Map<string, SimPod>();
  /** pod names by job number: one job's pods without a scan */
  private readonly byJob = new Map<number, Set<string>>();
  private readonly placement = new PlacementState();
  private readonly emitter = new EventEmitter();
  private readonly timer: NodeJS.Timeout;
  private nextIp = 1;
  private readonly eventsByJob = new Map<number, ClusterEvent[]>();
  private readonly nodeTotal: number;

  constructor(
    nodes: SimulatedNode[],
    private readonly opts: { multiTenant: boolean; startDelayMs?: number; defaultDurationSeconds?: number; tickMs?: number },
  ) {
    for (const n of nodes) this.placement.upsertNode(toSnapshot(n));
    this.description = `simulated (${nodes.length} nodes)`;
    this.nodeTotal = nodes.length;
    this.timer = setInterval(() => this.tick(), opts.tickMs ?? 100);
    this.timer.unref();
  }

  async prepareTenant(): Promise<void> {}

  async createPods(plans: PlannedPod[]): Promise<void> {
    const changed = new Set<number>();
    for (const plan of plans) {
      if (this.pods.has(plan.metadata.name)) continue;
      const jobNumber = Number(plan.metadata.labels[LABEL_JOB_NUMBER]);
      changed.add(jobNumber);
      this.pods.set(plan.metadata.name, {
        plan,
        jobNumber,
        index: Number(plan.metadata.labels[LABEL_POD_INDEX]),
        phase: "Pending",
        log: [],
      });
      let names = this.byJob.get(jobNumber);
      if (!names) this.byJob.set(jobNumber, (names = new Set()));
      names.add(plan.metadata.name);
    }
    // Only a real change wakes watchers: a no-op create must not feed a reconcile loop.
    for (const n of changed) this.changed(n);
  }

  async deleteJobPods(jobNumber: number): Promise<void> {
    const names = this.byJob.get(jobNumber);
    if (!names) return;
    for (const name of names) {
      const p = this.pods.get(name)!;
      if (p.phase === "Pending" || p.phase === "Running") this.record(p, "Normal", "Killing", `Stopping container ${p.plan.spec.containers[0]!.name}`);
      this.placement.unbind(name);
      this.pods.delete(name);
    }
    this.byJob.delete(jobNumber);
    this.changed(jobNumber);
  }

  async listPods(): Promise<ObservedPod[]> {
    return [...this.pods.values()].map(observed);
  }

  async jobPods(jobNumber: number): Promise<ObservedPod[]> {
    return [...(this.byJob.get(jobNumber) ?? [])].map((name) => observed(this.pods.get(name)!));
  }

  async jobsWithPods(): Promise<number[]> {
    return [...this.byJob.keys()];
  }

  watch(onChange: (jobNumber?: number) => void): () => void {
    this.emitter.on("change", onChange);
    return () => this.emitter.off("change", onChange);
  }

  async podLogs(jobNumber: number, index: number, lines?: number): Promise<string> {
    const pod = [...(this.byJob.get(jobNumber) ?? [])].map((name) => this.pods.get(name)!).find((p) => p.index === index);
    const log = pod?.log ?? [];
    return (lines ? log.slice(-lines) : log).join("\n");
  }

  async servicesSelecting(): Promise<string[]> {
    return [];
  }

  async events(jobNumber: number, podNames: string[]): Promise<ClusterEvent[]> {
    return (this.eventsByJob.get(jobNumber) ?? []).filter((e) => podNames.includes(e.pod)).map((e) => ({ ...e }));
  }

  private record(p: SimPod, type: string, reason: string, message: string, now = Date.now()): void {
    let list = this.eventsByJob.get(p.jobNumber);
    if (!list) {
      this.eventsByJob.set(p.jobNumber, (list = []));
      for (const old of this.eventsByJob.keys()) {
        if (this.eventsByJob.size <= EVENT_JOBS_KEPT) break;
        this.eventsByJob.delete(old);
      }
    }
    list.push({ time: new Date(now).toISOString(), pod: p.plan.metadata.name, type, reason, message, count: 1 });
  }

  async nodeCount(): Promise<number> {
    return this.nodeTotal;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.emitter.removeAllListeners();
  }

  private changed(jobNumber: number): void {
    this.emitter.emit("change", jobNumber);
  }

  /** Place pending jobs (gang), start bound pods, finish pods whose time is up. */
  tick(now = Date.now()): void {
    const changed = new Set<number>();
    const pendingByJob = new Map<number, SimPod[]>();
    for (const p of this.pods.values()) {
      if (p.phase === "Pending" && !p.node) pendingByJob.set(p.jobNumber, [...(pendingByJob.get(p.jobNumber) ?? []), p]);
    }
    for (const pods of [...pendingByJob.values()]) {
      const requests = pods.map((p) => requestsOf(p.plan));
      const bad = requests.find((r) => !r.ok);
      if (bad && !bad.ok) {
        for (const p of pods.filter((x) => !x.waitReported)) {
          p.waitReported = true;
          this.record(p, "Warning", "FailedScheduling", `job ${p.jobNumber} is unschedulable: ${bad.problem}`, now);
        }
        continue;
      }
      const decision = this.placement.placeJob(
        pods.map((p, i) => ({ key: p.plan.metadata.name, requests: requests[i]!.requests, tenant: p.plan.metadata.labels[LABEL_TENANT]!, nodeSelector: p.plan.spec.nodeSelector, tolerations: p.plan.spec.tolerations })),
        { multiTenant: this.opts.multiTenant },
      );
      if (!decision.placed) {
        for (const p of pods.filter((x) => !x.waitReported)) {
          p.waitReported = true;
          const gang = pods.length > 1 ? ` (all ${pods.length} pods of job ${p.jobNumber} are placed together; ${decision.pod} did not fit)` : "";
          this.record(p, "Warning", "FailedScheduling", `${decision.message}${gang}`, now);
        }
        continue;
      }
      for (const b of decision.bindings) {
        const p = this.pods.get(b.pod)!;
        p.node = b.node;
        p.ip = `10.244.${Math.floor(this.nextIp / 250)}.${(this.nextIp++ % 250) + 1}`;
        p.boundAt = now;
        p.runningAt = now + (this.opts.startDelayMs ?? 500);
        p.log.push(`[paddock simulated] ${p.plan.metadata.name} scheduled on ${b.node}`);
        this.record(p, "Normal", "Scheduled", `Successfully assigned ${p.plan.metadata.namespace}/${p.plan.metadata.name} to ${b.node}`, now);
        changed.add(p.jobNumber);
      }
    }
    for (const p of this.pods.values()) {
      const deadline = p.plan.spec.activeDeadlineSeconds;
      const deadlineAt = p.boundAt !== undefined && deadline !== undefined ? p.boundAt + deadline * 1000 : Infinity;
      const duration = Number(p.plan.metadata.annotations["paddock.io/simulated-duration"] ?? this.opts.defaultDurationSeconds ?? 10);
      const finishAt = p.runningAt !== undefined ? p.runningAt + duration * 1000 : Infinity;
      if ((p.phase === "Pending" || p.phase === "Running") && now >= deadlineAt && deadlineAt < finishAt) {
        // The kubelet's active deadline: the pod fails, its containers are stopped.
        p.phase = "Failed";
        p.log.push(`[paddock simulated] DeadlineExceeded: stopped after ${deadline}s (the job's wall time)`);
        this.record(p, "Normal", "DeadlineExceeded", "Pod was active on the node longer than the specified deadline", now);
        this.placement.unbind(p.plan.metadata.name);
        changed.add(p.jobNumber);
      } else if (p.phase === "Pending" && p.node && p.runningAt !== undefined && now >= p.runningAt) {
        p.phase = "Running";
        this.record(p, "Normal", "Pulled", `Container image "${p.plan.spec.containers[0]!.image}" already present on machine`, now);
        this.record(p, "Normal", "Started", `Started container ${p.plan.spec.containers[0]!.name}`, now);
        p.log.push(`[paddock simulated] running: ${p.plan.spec.containers[0]!.command.join(" ")}`);
        changed.add(p.jobNumber);
      } else if (p.phase === "Running" && now >= finishAt) {
        p.phase = "Succeeded";
        p.log.push(`[paddock simulated] finished after ${duration}s, exit code 0`);
        this.placement.unbind(p.plan.metadata.name);
        changed.add(p.jobNumber);
      }
    }
    for (const n of changed) this.changed(n);
  }
}

function observed(p: SimPod): ObservedPod {
  return { jobNumber: p.jobNumber, index: p.index, name: p.plan.metadata.name, phase: p.phase, node: p.node, ip: p.ip, ...(p.phase === "Succeeded" ? { exitCode: 0 } : {}) };
}

function toSnapshot(n: SimulatedNode): NodeSnapshot {
  return {
    name: n.name,
    allocatable: { cpu: n.cores * 1000, memory: n.memoryGb * 2 ** 30, pods: 110, ...(n.gpus ? { "nvidia.com/gpu": n.gpus } : {}) },
    labels: { "kubernetes.io/hostname": n.name, ...(n.labels ?? {}) },
    taints: [],
    unschedulable: false,
  };
}
