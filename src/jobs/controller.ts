// The job controller (JARVICE's jarvice-k8s-scheduler role), in
// controller-runtime's shape: pod events (by the job-number label), API
// actions (submit, terminate, shutdown) and a slow resync put job numbers on a
// de-duplicating work queue; a few workers each reconcile ONE job from its row
// and its pods (the cluster's watch cache). A job whose reconcile fails is
// retried with its own backoff, the error in its substatus text; a pod the
// cluster refuses for good ends that job (COMPLETED WITH ERROR, the server's
// message); other jobs never wait for it.
//
// Decide, save, then act: a transition is saved first (compare-and-swap on the
// status, the output captured before it), and only then are pods created or
// deleted, so a crash between the two repeats nothing: a job that ended stays
// ended and its pods go on the next look; a job whose pods exist gets none twice
// (deterministic names). It writes only what changed: no statement at all for a
// job whose status and pod rows are already right.
import { performance } from "node:perf_hooks";
import { ClusterRefusal, type ClusterBackend } from "../cluster/cluster";
import { sql } from "kysely";
import { reusedQuery } from "../store/reusedQuery";
import { CoalescedRunner, DEFAULT_BACKOFF, type Backoff } from "../lib/coalescedRunner";
import { WorkQueue } from "../lib/workQueue";
import { parseAppDef } from "./apps";
import { ACTIVE_STATUSES, isActive, nextStep, type JobStatus, type ObservedPod } from "../core/jobLifecycle";
import { podPlan, type PlannedPod, type PodToleration } from "../core/podPlan";
import { vaultMount, type PlannedClaim, type VaultMount } from "../core/vaultVolumes";
import { WAITING_PREFIX } from "../core/clusterRouting";
import { podRowChanges, type StoredPodRow } from "../core/podRows";
import type { Db } from "../store/db";
import { ControllerStore, type JobRow } from "./controllerStore";
import { countJobsIn, jobMetrics } from "./jobMetrics";

/** Admission Limits (src/jobs/admission.ts): releases held jobs that fit now and answers their numbers. */
export interface Admission {
  releaseHeld(): Promise<number[]>;
}

export interface ControllerOptions {
  namespace: string;
  /**
   * The safety net (default 5 min): one read of every active job and of the cluster's pods; jobs that
   * need work and pods of finished or unknown jobs are queued. Events, not this, drive the controller:
   * pod events from the watch, the API's submissions and stop requests (a call, or the database's
   * NOTIFY), and a resync at once after a missed watch or NOTIFY. controller-runtime's default is 10 h.
   */
  resyncMs?: number;
  /**
   * How often held jobs are offered to admission besides the resync and the end of a job (default 30 s):
   * a safety net for room made some other way (a machine type edited, a job removed by an operator).
   */
  releaseMs?: number;
  /** active jobs a resync reads at a time (default 500) */
  resyncPage?: number;
  log?: (msg: string) => void;
  /** retry delays of a job whose reconcile failed (default 100 ms doubling to 10 s) */
  backoff?: Backoff;
  /** jobs reconciled at once (default 128: their reads and writes share statements, src/jobs/controllerStore.ts, so more workers make bigger batches; 32 started a 2,000-job backlog at half the rate, 512 no faster) */
  workers?: number;
  /** asked on each resync and after a job ends; the jobs it releases are queued */
  admission?: Admission | undefined;
  /**
   * Several clusters (src/jobs/clusterRegistry.ts): whether a catalog cluster is served by this controller's
   * backend, asked on every look. Only jobs whose machine is on such a cluster are reconciled here; pods
   * of jobs active on another cluster are left alone. Without it, every job is this controller's (one cluster).
   */
  owns?: (clusterId: number) => boolean;
  /** The substatus of a job of this cluster while the cluster does not answer (undefined: it answers); such a job waits, retried with backoff. */
  waiting?: (clusterId: number) => string | undefined;
}

/** The job's cluster does not answer: its reconcile waits (retried with backoff), its substatus says so. */
class ClusterUnreachable extends Error {}

export const DEFAULT_RESYNC_MS = 5 * 60_000;

/** How often held jobs are offered to admission besides the resync and job ends. */
export const DEFAULT_RELEASE_MS = 30_000;

/** Active jobs a resync reads at a time. */
const DEFAULT_RESYNC_PAGE = 500;

/**
 * A resync's page of active jobs: those numbered below `before`, newest first (a job just submitted is the
 * likeliest to need work: a fresh controller finds a waiting backlog on its first pages). reusedQuery: prepared once.
 */
const activeJobsPage = reusedQuery<{ before: number; statuses: string[]; limit: number }>()((db, slot) =>
  db
    .selectFrom("jobs as j")
    .innerJoin("machines as m", "m.id", "j.machine_id")
    .select(["j.number", "j.status", "j.nodes", "j.stop_requested", "j.held", "j.substatus_text", "m.cluster_id"])
    .where("j.status", "=", sql<string>`any(${slot("statuses")}::text[])`)
    .where("j.number", "<", slot("before"))
    .orderBy("j.number", "desc")
    .limit(slot("limit")),
);

/** Above every job number (an integer column). */
const NO_JOB_ABOVE = 2 ** 31 - 1;

/** The stored pod rows of some jobs. */
const podRowsOfJobs = reusedQuery<{ numbers: number[] }>()((db, slot) =>
  db.selectFrom("job_pods as p").select(["p.job_number", "p.pod_index", "p.name", "p.phase", "p.node", "p.ip"]).where("p.job_number", "=", sql<number>`any(${slot("numbers")}::int[])`),
);
/** The substatus text of a job whose reconcile keeps failing starts with this; cleared once it succeeds. */
export const RETRY_PREFIX = "Retrying after an error: ";
const TEXT_MAX = 1000;

/** The longest pause of a resync between two pages (it pauses as long as the page took). */
const RESYNC_PAUSE_MAX_MS = 100;

/** Pods created but not in the watch cache yet: no second create for them before this long. */
const EXPECT_MS = 30_000;

export class JobController {
  private running = false;
  private readonly queue: WorkQueue<number>;
  /** the resync, one at a time; a failed one (database away) is retried with backoff */
  private readonly resyncRunner: CoalescedRunner;
  /** admission's releaseHeld, one at a time, requests during one folded into one more */
  private readonly releaseRunner: CoalescedRunner;
  private unwatch: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private releaseTimer: NodeJS.Timeout | undefined;
  /** the next resync catches up at full speed (see requestResync) */
  private catchUp = false;
  private readonly log: (msg: string) => void;
  private readonly store: ControllerStore;
  /**
   * Pods this controller created that its watch cache does not show yet, by job (controller-runtime's
   * "expectations"): each watch event of the job would otherwise ask the API server to create them again.
   */
  private readonly expecting = new Map<number, { names: Set<string>; until: number }>();

  constructor(
    private readonly db: Db,
    private readonly cluster: ClusterBackend,
    private readonly opts: ControllerOptions,
  ) {
    this.log = opts.log ?? (() => {});
    this.store = new ControllerStore(db);
    const backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.queue = new WorkQueue<number>((n) => this.timedReconcile(n), {
      workers: opts.workers ?? 128,
      backoff,
      onError: (n, e, failures, retryInMs) => this.failed(n, e, failures, retryInMs),
      onRecovered: (n, failures) => this.log(`job controller: job ${n} reconciled again after ${failures} failed attempt(s)`),
    });
    const outage = (what: string) => ({
      onError: (e: Error, failures: number, retryInMs: number) => {
        if (failures === 1) this.log(`job controller: ${what} failed: ${e.message}; retrying with backoff (next in ${retryInMs} ms, at most every ${backoff.maxMs} ms)`);
      },
      onRecovered: (failures: number) => this.log(`job controller: ${what} succeeded again after ${failures} failed attempt(s)`),
    });
    this.resyncRunner = new CoalescedRunner(() => this.resync(), () => this.running, outage("resync"), backoff);
    this.releaseRunner = new CoalescedRunner(() => this.releaseHeld(), () => this.running && this.opts.admission !== undefined, outage("releasing held jobs"), backoff);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    countJobsIn(this.db);
    this.queue.start();
    this.unwatch = this.cluster.watch((n) => (n === undefined ? this.requestResync("catch up") : this.queue.add(n)));
    this.timer = setInterval(() => this.requestResync("paced"), this.opts.resyncMs ?? DEFAULT_RESYNC_MS);
    this.timer.unref();
    if (this.opts.admission) {
      this.releaseTimer = setInterval(() => this.releaseRunner.request(), this.opts.releaseMs ?? DEFAULT_RELEASE_MS);
      this.releaseTimer.unref();
    }
    this.requestResync("catch up");
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unwatch?.();
    this.unwatch = undefined;
    if (this.timer) clearInterval(this.timer);
    if (this.releaseTimer) clearInterval(this.releaseTimer);
    this.releaseTimer = undefined;
    this.resyncRunner.cancel();
    this.releaseRunner.cancel();
    await this.queue.stop();
    await this.resyncRunner.idle();
    await this.releaseRunner.idle();
  }

  /** Stop reconciling until start() again (a leader that lost its Lease). */
  async pause(): Promise<void> {
    await this.stop();
  }

  /** Look at job `jobNumber` soon (the API submitted it or asked it to stop); without a number, at every job (a resync). */
  kick(jobNumber?: number): void {
    if (jobNumber === undefined) this.requestResync("catch up");
    else this.queue.add(jobNumber);
  }

  /** Resolves when no reconcile runs or waits (retries waiting for their backoff aside): for tests and benchmarks. */
  async idle(): Promise<void> {
    await this.resyncRunner.idle();
    await this.queue.idle();
  }

  /** One pass over every job that needs work, in this call (no queue); throws the first error. */
  async reconcileOnce(): Promise<void> {
    const due: number[] = [];
    await this.due(false, (n) => due.push(n));
    for (const n of due) await this.reconcile(n);
  }

  /** Make one job's pods and row match: read its row and its pods, decide (nextStep), save, then act. */
  async reconcile(jobNumber: number): Promise<void> {
    const job = await this.store.readJob(jobNumber);
    const pods = await this.podsOf(jobNumber);
    const live = pods.filter((p) => !p.deleting);
    const expected = this.expecting.get(jobNumber);
    const stillExpected = expected !== undefined && Date.now() < expected.until && [...expected.names].some((name) => !pods.some((p) => p.name === name));
    if (expected && !stillExpected) this.expecting.delete(jobNumber);
    if (job && isActive(job.status) && !this.mine(job.cluster_id)) return; // another cluster's controller
    if (!job || !isActive(job.status)) {
      if (live.length > 0) {
        const waiting = job ? this.opts.waiting?.(job.cluster_id) : undefined;
        if (waiting !== undefined) throw new ClusterUnreachable(waiting);
        this.log(`job controller: deleting pods of ${job ? "finished" : "unknown"} job ${jobNumber}`);
        await this.cluster.deleteJobPods(jobNumber, job?.stop_requested !== "shutdown");
      }
      return;
    }

    // Pods without an index are not one of the job's planned pods: they go only with the job.
    const observed = pods.filter((p) => p.index >= 0);
    const waiting = this.opts.waiting?.(job.cluster_id);
    if (waiting !== undefined) {
      // Nothing is decided from a cluster that does not answer (its pods as last seen may be stale).
      if (!job.held && job.substatus_text !== waiting) {
        await this.db.updateTable("jobs").set({ substatus_text: waiting.slice(0, TEXT_MAX) }).where("number", "=", jobNumber).where("status", "=", job.status).where("held", "=", false).execute();
      }
      throw new ClusterUnreachable(waiting);
    }
    const step = nextStep({ status: job.status as JobStatus, nodes: job.nodes, stopRequested: job.stop_requested, held: job.held }, observed);
    const retrying = leftover(job.substatus_text);
    let status = job.status;

    // Save the decision first.
    if (step.status) {
      const s = step.status;
      const ending = !isActive(s.status);
      // The output, before the pods (and their logs) can go.
      const output = ending && observed.length > 0 ? await this.cluster.podLogs(jobNumber, 0) : undefined;
      const now = Math.floor(Date.now() / 1000);
      const saved = await this.store.saveTransition({
        number: jobNumber,
        from: job.status, // compare-and-swap: never overwrite a newer decision
        status: s.status,
        ...(s.start ? { startTime: now } : {}),
        ...(s.end ? { endTime: now } : {}),
        ...(s.exitcode !== undefined ? { exitcode: s.exitcode } : {}),
        ...(s.substatusText !== undefined ? { substatusText: s.substatusText } : retrying ? { substatusText: "" } : {}),
        ...(output !== undefined ? { output } : {}),
      });
      if (!saved) {
        this.queue.add(jobNumber); // decided elsewhere meanwhile: look again
        return;
      }
      this.log(`job controller: job ${jobNumber} ${job.status} -> ${s.status}`);
      status = s.status;
      if (ending) jobMetrics.ended.inc({ status: s.status });
    }

    // Then act.
    if (step.createPods && !stillExpected) {
      let plan;
      try {
        const planned = this.plan(job);
        plan = planned.pods;
        await this.cluster.prepareTenant(job.tenant);
        if (planned.claims.length > 0) await this.cluster.ensureClaims?.(planned.claims);
        await this.cluster.createPods(plan);
      } catch (e) {
        if (e instanceof ClusterRefusal) return this.refused(job, e);
        throw e;
      }
      this.expecting.set(jobNumber, { names: new Set(plan.map((p) => p.metadata.name)), until: Date.now() + EXPECT_MS });
      this.log(`job controller: created ${job.nodes} pod(s) for job ${jobNumber}`);
    }
    await this.recordPods(jobNumber, job.pod_rows, observed);
    if (!isActive(status)) {
      this.expecting.delete(jobNumber);
      if (live.length > 0) await this.cluster.deleteJobPods(jobNumber, job.stop_requested !== "shutdown");
      this.releaseRunner.request();
    } else if (retrying && !step.status) {
      await this.db.updateTable("jobs").set({ substatus_text: "" }).where("number", "=", jobNumber).where("substatus_text", "=", job.substatus_text).execute();
    }
  }

  /** The cluster refused the job's pods (or its tenant's policy) for good: the job ends with the server's message. */
  private async refused(job: JobRow, e: ClusterRefusal): Promise<void> {
    jobMetrics.reconcileErrors.inc({ outcome: "refused" });
    const text = `refused by the cluster (HTTP ${e.status}): ${e.message}`.slice(0, TEXT_MAX);
    const saved = await this.db
      .updateTable("jobs")
      .set({ status: "COMPLETED WITH ERROR", end_time: Math.floor(Date.now() / 1000), exitcode: 1, substatus_text: text })
      .where("number", "=", job.number)
      .where("status", "=", job.status)
      .executeTakeFirst();
    if (Number(saved.numUpdatedRows) === 0) {
      this.queue.add(job.number);
      return;
    }
    this.log(`job controller: job ${job.number} ${job.status} -> COMPLETED WITH ERROR: ${text}`);
    jobMetrics.ended.inc({ status: "COMPLETED WITH ERROR" });
    // Pods created before the refusal go too (the watch cache may not show them yet: delete by label).
    this.expecting.delete(job.number);
    await this.cluster.deleteJobPods(job.number, true);
    this.releaseRunner.request();
  }

  /** A reconcile failed (not a refusal): the queue retries it with backoff. */
  private failed(jobNumber: number, e: Error, failures: number, retryInMs: number): void {
    jobMetrics.reconcileErrors.inc({ outcome: "retried" });
    if (failures === 1) this.log(`job controller: job ${jobNumber}: ${firstLine(e)}; retrying with backoff (next in ${retryInMs} ms)`);
  }

  private async timedReconcile(jobNumber: number): Promise<void> {
    const end = jobMetrics.reconcileSeconds.startTimer();
    try {
      await this.reconcile(jobNumber);
    } catch (e) {
      await this.showError(jobNumber, e);
      throw e;
    } finally {
      end();
      jobMetrics.queueDepth.set(this.queue.depth);
    }
  }

  /**
   * The error in the job's substatus text, until a reconcile succeeds. Best effort (the error may be
   * the database's); held jobs keep the text that says what they wait for.
   */
  private async showError(jobNumber: number, e: unknown): Promise<void> {
    if (e instanceof ClusterUnreachable) return; // its text is already saved
    const text = `${RETRY_PREFIX}${firstLine(e)}`.slice(0, TEXT_MAX);
    await this.db
      .updateTable("jobs")
      .set({ substatus_text: text })
      .where("number", "=", jobNumber)
      .where("status", "in", [...ACTIVE_STATUSES])
      .where("held", "=", false)
      .where("substatus_text", "<>", text)
      .execute()
      .catch(() => {});
  }

  /**
   * Ask for a resync. The periodic one is "paced" (it yields the CPU between pages: nothing is known
   * to be missing); one at start, after a missed watch or NOTIFY, or asked by kick() "catches up" at
   * full speed, as jobs may be waiting for it. A catch-up asked while a paced one waits wins.
   */
  private requestResync(how: "paced" | "catch up"): void {
    if (how === "catch up") this.catchUp = true;
    this.resyncRunner.request();
  }

  private async resync(): Promise<void> {
    const end = jobMetrics.resyncSeconds.startTimer();
    const paced = !this.catchUp;
    this.catchUp = false;
    this.releaseRunner.request();
    try {
      await this.due(paced, (n) => this.queue.add(n));
    } catch (e) {
      if (!paced) this.catchUp = true; // its retry still catches up
      throw e;
    }
    jobMetrics.queueDepth.set(this.queue.depth);
    end();
  }

  /**
   * Calls `onDue` with each job a reconcile would change something for, from the active jobs, their pod
   * rows and their pods as the cluster was last observed: active jobs whose next step is not "nothing",
   * whose pod rows are stale or whose retry text is left over; and finished or unknown jobs that still
   * have live pods.
   *
   * It runs beside the API and the workers, so it takes its time rather than the CPU: the jobs are read
   * a page at a time (newest first), each page's pod rows with it and each job's pods from the watch
   * cache's index; the jobs due on a page are handed over before the next page is read, and after each
   * page a paced resync pauses as long as the page took (a catch-up only lets the event loop turn).
   * Read in one go at 10,000 active jobs, the 20,000 rows and the pass over them held the event loop
   * long enough to put a ~100 ms tail on every request answered meanwhile (submit p99 with the resync
   * 103 ms, without it 27 ms, in `npm run bench -- controller`); paged but back to back, the burst of
   * CPU still stalled an API in its own process on a 2-core machine.
   */
  private async due(paced: boolean, onDue: (jobNumber: number) => void): Promise<void> {
    const pods = await this.podIndex();
    const active = new Set<number>();
    const page = this.opts.resyncPage ?? DEFAULT_RESYNC_PAGE;
    for (let before = NO_JOB_ABOVE; ; ) {
      const t0 = performance.now();
      const jobs = (await activeJobsPage.execute(this.db, { before, statuses: [...ACTIVE_STATUSES], limit: page })).rows;
      if (jobs.length === 0) break;
      const rows = (await podRowsOfJobs.execute(this.db, { numbers: jobs.map((j) => j.number) })).rows;
      const rowsByJob = groupBy<StoredPodRow & { job_number: number }>(rows, (r) => r.job_number);
      for (const j of jobs) {
        active.add(j.number);
        if (!this.mine(j.cluster_id)) continue;
        if (this.opts.waiting?.(j.cluster_id) !== undefined) {
          if (!j.held) onDue(j.number); // shows the wait (and retries until the cluster answers)
          continue;
        }
        const observed = (await pods.of(j.number)).filter((p) => p.index >= 0);
        const step = nextStep({ status: j.status as JobStatus, nodes: j.nodes, stopRequested: j.stop_requested, held: j.held }, observed);
        if (step.createPods || step.deletePods || step.status || leftover(j.substatus_text) || podRowChanges(rowsByJob.get(j.number) ?? [], observed).length > 0) onDue(j.number);
      }
      if (jobs.length < page) break;
      before = jobs[jobs.length - 1]!.number;
      if (paced) await pause(Math.min(RESYNC_PAUSE_MAX_MS, performance.now() - t0));
      else await new Promise<void>((r) => setImmediate(r)); // a turn of the event loop for the requests answered meanwhile
    }
    // The sweep: pods of finished or unknown jobs.
    for (const n of await pods.jobs()) if (!active.has(n) && (await pods.of(n)).some((p) => !p.deleting)) onDue(n);
  }

  /** The cluster's pods by job: its watch cache's index when it has one, else one listing grouped here. */
  private async podIndex(): Promise<{ of: (jobNumber: number) => Promise<ObservedPod[]>; jobs: () => Promise<number[]> }> {
    const { jobPods, jobsWithPods } = this.cluster;
    if (jobPods && jobsWithPods) return { of: (n) => this.podsOf(n), jobs: () => jobsWithPods.call(this.cluster) };
    const byJob = groupBy(await this.cluster.listPods(), (p) => p.jobNumber);
    return { of: async (n) => byJob.get(n) ?? [], jobs: async () => [...byJob.keys()] };
  }

  /** Is a job of this catalog cluster this controller's? */
  private mine(clusterId: number): boolean {
    return this.opts.owns === undefined || this.opts.owns(clusterId);
  }

  private async releaseHeld(): Promise<void> {
    const admission = this.opts.admission;
    if (!admission) return;
    for (const n of await admission.releaseHeld()) this.queue.add(n);
  }

  private async podsOf(jobNumber: number): Promise<ObservedPod[]> {
    if (this.cluster.jobPods) return this.cluster.jobPods(jobNumber);
    return (await this.cluster.listPods()).filter((p) => p.jobNumber === jobNumber);
  }

  /** The job's pods, and the claim of its vault to ensure first; a vault that cannot be mounted (its sub-path) refuses the job. */
  private plan(job: JobRow): { pods: PlannedPod[]; claims: PlannedClaim[] } {
    const argv = job.argv;
    const appdef = parseAppDef(job.appdef);
    const vault = jobVault(job, this.opts.namespace);
    const pods = podPlan({
      number: job.number,
      username: job.username,
      tenant: job.tenant,
      image: appdef.image.data,
      command: argv,
      env: job.env,
      machine: { name: job.machine, cores: job.cores, memoryGb: job.memory_gb, gpus: job.gpus, nodeSelector: job.node_selector, tolerations: job.tolerations as PodToleration[] },
      nodes: job.nodes,
      ipaddr: job.ipaddr_value ?? undefined,
      namespace: this.opts.namespace,
      durationSeconds: simulatedSeconds(argv),
      walltime: job.walltime,
      vault,
    });
    return { pods, claims: vault?.claim ? [vault.claim] : [] };
  }

  /** The pod rows that changed (phase, node, address), in one statement (shared with other reconciles); none when nothing did. */
  private async recordPods(jobNumber: number, stored: StoredPodRow[], observed: ObservedPod[]): Promise<void> {
    const changes = podRowChanges(stored, observed);
    await this.store.savePodRows(changes.map((c) => ({ jobNumber, index: c.index, name: c.name, phase: c.phase, node: c.node, ip: c.ip })));
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** A substatus this controller wrote about a failure or a wait, to clear once the job's reconcile succeeds. */
const leftover = (text: string): boolean => text.startsWith(RETRY_PREFIX) || text.startsWith(WAITING_PREFIX);

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(1, ms)));

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0]!;

/** The simulated cluster runs `sleep N` for N seconds; anything else for its default duration. */
function simulatedSeconds(argv: string[]): number | undefined {
  if (argv.length >= 2 && /(^|\/)sleep$/.test(argv[0]!) && /^\d+(\.\d+)?$/.test(argv[1]!)) return Number(argv[1]);
  return undefined;
}

/** The job's vault as volume, mount and claim (undefined: no vault); a vault that cannot be mounted is a refusal. */
function jobVault(job: JobRow, namespace: string): VaultMount | undefined {
  if (job.vault_name === null || job.vault_kind === null) return undefined;
  const m = vaultMount(
    {
      name: job.vault_name,
      kind: job.vault_kind,
      owner: job.vault_owner ?? job.username,
      storageClass: job.vault_storage_class,
      volumeName: job.vault_volume_name,
      accessModes: job.vault_access_modes ?? "",
      sizeGb: job.vault_size_gb,
      subpath: job.vault_subpath,
      nfsServer: job.vault_nfs_server,
      nfsPath: job.vault_nfs_path,
    },
    { username: job.username, upn: job.upn, sam: job.sam },
    { readonly: job.vault_readonly, namespace },
  );
  if (!m.ok) throw new ClusterRefusal(422, `cannot mount vault '${job.vault_name}': ${m.problem}`);
  return m;
}
