// The job controller as it was before issue 12 (src/jobs/controller.ts at main
// 0c80867), kept as the baseline of bench/controller.ts so that the benchmark
// still measures it after the controller is rewritten: one sequential pass
// over every active job, started by every pod event and every 2 s, upserting
// every pod row on each pass. The algorithm is unchanged; only the imports
// (../src/...) and the class name (BaselineJobController) differ. It knows
// nothing of held jobs (jobs.held): the benchmark sets no limits, so none is held.
//
// The job controller (JARVICE's jarvice-k8s-scheduler role): turns SUBMITTED
// jobs into pods, follows pod phases into job statuses, deletes pods of
// stopped jobs and orphan pods. It reconciles from what the cluster reports,
// so a restart loses nothing and creates nothing twice.
import type { ClusterBackend } from "../src/cluster/cluster";
import { CoalescedRunner, DEFAULT_BACKOFF, type Backoff } from "../src/lib/coalescedRunner";
import type { AppDef } from "../src/core/appdef";
import { ACTIVE_STATUSES, isActive, nextStep, type JobStatus, type ObservedPod } from "../src/core/jobLifecycle";
import { podPlan } from "../src/core/podPlan";
import type { Db } from "../src/store/db";

export interface BaselineControllerOptions {
  namespace: string;
  resyncMs?: number;
  log?: (msg: string) => void;
  /** retry delays after a failed reconcile (default 100 ms doubling to 10 s) */
  backoff?: Backoff;
}

export class BaselineJobController {
  private stopped = false;
  /** a failed reconcile (the database or the cluster is away) is retried with backoff, 100 ms doubling to 10 s */
  private readonly runner: CoalescedRunner;
  private unwatch: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly log: (msg: string) => void;

  constructor(
    private readonly db: Db,
    private readonly cluster: ClusterBackend,
    private readonly opts: BaselineControllerOptions,
  ) {
    this.log = opts.log ?? (() => {});
    this.runner = new CoalescedRunner(
      () => this.reconcileOnce(),
      () => !this.stopped,
      {
        // one line when an outage starts and one when it ends, not one per attempt
        onError: (e, failures, retryInMs) => {
          if (failures === 1) this.log(`job controller: reconcile failed: ${e.message}; retrying with backoff (next in ${retryInMs} ms, at most every ${(this.opts.backoff ?? DEFAULT_BACKOFF).maxMs} ms)`);
        },
        onRecovered: (failures) => {
          this.log(`job controller: reconcile succeeded again after ${failures} failed attempt(s)`);
        },
      },
      this.opts.backoff,
    );
  }

  start(): void {
    this.stopped = false;
    this.unwatch = this.cluster.watch(() => this.kick());
    this.timer = setInterval(() => this.kick(), this.opts.resyncMs ?? 2000);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.runner.cancel();
    this.unwatch?.();
    if (this.timer) clearInterval(this.timer);
    await this.runner.idle();
  }

  /** Stop reconciling until start() again (a leader that lost its Lease). */
  async pause(): Promise<void> {
    await this.stop();
  }

  /** Ask for a reconcile soon (coalesced: at most one runs at a time, and one more after it). */
  kick(): void {
    this.runner.request();
  }

  async reconcileOnce(): Promise<void> {
    const pods = await this.cluster.listPods();
    const byJob = new Map<number, ObservedPod[]>();
    for (const p of pods) byJob.set(p.jobNumber, [...(byJob.get(p.jobNumber) ?? []), p]);

    const active = await this.db
      .selectFrom("jobs as j")
      .innerJoin("users as u", "u.id", "j.owner_id")
      .innerJoin("users as t", "t.id", "j.tenant_id")
      .innerJoin("machines as m", "m.id", "j.machine_id")
      .innerJoin("apps as a", "a.id", "j.app_id")
      .select(["j.number", "j.status", "j.nodes", "j.stop_requested", "j.argv", "j.env", "j.ipaddr_value", "j.command", "j.walltime", "u.username", "t.username as tenant", "m.name as machine", "m.cores", "m.memory_gb", "m.gpus", "m.node_selector", "a.appdef"])
      .where("j.status", "in", [...ACTIVE_STATUSES])
      .orderBy("j.number")
      .execute();
    const activeNumbers = new Set(active.map((j) => j.number));

    // Pods whose job is finished or unknown: delete them.
    for (const n of byJob.keys()) {
      if (activeNumbers.has(n)) continue;
      const row = await this.db.selectFrom("jobs").select("status").where("number", "=", n).executeTakeFirst();
      if (!row || !isActive(row.status)) {
        if ((byJob.get(n) ?? []).some((p) => !p.deleting)) {
          this.log(`job controller: deleting pods of ${row ? "finished" : "unknown"} job ${n}`);
          await this.cluster.deleteJobPods(n, true);
        }
      }
    }

    for (const job of active) {
      // Pods without an index are not one of the job's planned pods: they go only with the job.
      const observed = (byJob.get(job.number) ?? []).filter((p) => p.index >= 0);
      const step = nextStep({ status: job.status as JobStatus, nodes: job.nodes, stopRequested: job.stop_requested }, observed);
      if (step.createPods) {
        await this.cluster.prepareTenant(job.tenant);
        const argv = job.argv;
        const appdef = JSON.parse(job.appdef) as AppDef;
        await this.cluster.createPods(
          podPlan({
            number: job.number,
            username: job.username,
            tenant: job.tenant,
            image: appdef.image.data,
            command: argv,
            env: job.env,
            machine: { name: job.machine, cores: job.cores, memoryGb: job.memory_gb, gpus: job.gpus, nodeSelector: job.node_selector },
            nodes: job.nodes,
            ipaddr: job.ipaddr_value ?? undefined,
            namespace: this.opts.namespace,
            durationSeconds: simulatedSeconds(argv),
            walltime: job.walltime,
          }),
        );
        this.log(`job controller: created ${job.nodes} pod(s) for job ${job.number}`);
      }
      if (step.status && !isActive(step.status.status) && observed.length > 0) {
        // Keep the output: the pods and their logs go away with the job.
        const output = await this.cluster.podLogs(job.number, 0).catch(() => "");
        await this.db.updateTable("jobs").set({ output }).where("number", "=", job.number).execute();
      }
      if (step.deletePods) await this.cluster.deleteJobPods(job.number, job.stop_requested !== "shutdown");
      if (step.status) {
        const now = Math.floor(Date.now() / 1000);
        const s = step.status;
        await this.db
          .updateTable("jobs")
          .set({
            status: s.status,
            ...(s.start ? { start_time: now } : {}),
            ...(s.end ? { end_time: now } : {}),
            ...(s.exitcode !== undefined ? { exitcode: s.exitcode } : {}),
            ...(s.substatusText !== undefined ? { substatus_text: s.substatusText } : {}),
          })
          .where("number", "=", job.number)
          .where("status", "=", job.status) // never overwrite a newer decision
          .execute();
        this.log(`job controller: job ${job.number} ${job.status} -> ${s.status}`);
      }
      await this.recordPods(job.number, observed);
    }
  }

  private async recordPods(jobNumber: number, pods: ObservedPod[]): Promise<void> {
    for (const p of pods) {
      await this.db
        .insertInto("job_pods")
        .values({ job_number: jobNumber, pod_index: p.index, name: p.name, phase: p.phase, node: p.node ?? null, ip: p.ip ?? null })
        .onConflict((oc) => oc.columns(["job_number", "pod_index"]).doUpdateSet({ phase: p.phase, node: p.node ?? null, ip: p.ip ?? null, updated_at: new Date() }))
        .execute();
    }
  }
}

/** The simulated cluster runs `sleep N` for N seconds; anything else for its default duration. */
function simulatedSeconds(argv: string[]): number | undefined {
  if (argv.length >= 2 && /(^|\/)sleep$/.test(argv[0]!) && /^\d+(\.\d+)?$/.test(argv[1]!)) return Number(argv[1]);
  return undefined;
}
