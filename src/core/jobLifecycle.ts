// What the job controller does next for one job, decided from the job's row
// and the pods observed in the cluster. Pure: the controller applies it.
//
// SUBMITTED --pods created, all Running--> PROCESSING STARTING
//   --pod 0 Succeeded--> COMPLETED      --any pod Failed / pods lost--> COMPLETED WITH ERROR
// terminate: TERMINATED (CANCELED if it never started); shutdown: COMPLETED (CANCELED if never started).
// A held job (SUBMITTED, waiting for its Limits) gets no pods until it is released.
// Pod 0 is the job: once it Succeeded the job COMPLETED, whatever the other pods
// did since (stopped by the end of pod 0, or already being deleted).

export const ACTIVE_STATUSES = ["SUBMITTED", "PROCESSING STARTING"] as const;
export type JobStatus = "SUBMITTED" | "PROCESSING STARTING" | "COMPLETED" | "COMPLETED WITH ERROR" | "TERMINATED" | "CANCELED";

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";

export interface ObservedPod {
  jobNumber: number;
  /** -1: the pod carries the job's number but no valid pod index (Paddock did not create it) */
  index: number;
  name: string;
  phase: PodPhase;
  node?: string | undefined;
  ip?: string | undefined;
  exitCode?: number | undefined;
  /** being deleted already */
  deleting?: boolean | undefined;
}

export interface JobState {
  status: JobStatus;
  nodes: number;
  stopRequested: "shutdown" | "terminate" | null;
  /** SUBMITTED and waiting for its Limits (spec/limits-and-queues.md): no pods yet */
  held?: boolean;
}

export interface NextStep {
  createPods?: true;
  deletePods?: true;
  status?: { status: JobStatus; start?: true; end?: true; exitcode?: number; substatusText?: string };
}

export const isActive = (s: string): boolean => (ACTIVE_STATUSES as readonly string[]).includes(s);

export function nextStep(job: JobState, pods: readonly ObservedPod[]): NextStep {
  const live = pods.filter((p) => !p.deleting);
  if (!isActive(job.status)) return live.length > 0 ? { deletePods: true } : {};

  const started = job.status === "PROCESSING STARTING";
  if (job.stopRequested) {
    const status: JobStatus = !started ? "CANCELED" : job.stopRequested === "terminate" ? "TERMINATED" : "COMPLETED";
    return { ...(live.length > 0 ? { deletePods: true as const } : {}), status: { status, end: true, substatusText: `${job.stopRequested} requested` } };
  }

  // Pod 0 succeeded: the job did. Even being deleted (a controller that deleted the pods and
  // stopped before it saved the end), and whatever the other pods did meanwhile.
  const pod0 = pods.find((p) => p.index === 0 && p.phase === "Succeeded");
  if (pod0) {
    const others = live.filter((p) => p !== pod0);
    return { ...(others.length > 0 ? { deletePods: true as const } : {}), status: { status: "COMPLETED", end: true, ...(started ? {} : { start: true as const }), exitcode: pod0.exitCode ?? 0 } };
  }
  const failed = live.find((p) => p.phase === "Failed");
  if (failed) {
    return {
      deletePods: true,
      status: { status: "COMPLETED WITH ERROR", end: true, ...(started ? {} : { start: true as const }), exitcode: failed.exitCode ?? 1, substatusText: `pod ${failed.name} failed` },
    };
  }
  if (started && live.length < job.nodes) {
    return { ...(live.length > 0 ? { deletePods: true as const } : {}), status: { status: "COMPLETED WITH ERROR", end: true, exitcode: 1, substatusText: `${job.nodes - live.length} pod(s) lost` } };
  }
  if (!started) {
    if (job.held) return {};
    if (live.length < job.nodes) return { createPods: true };
    if (live.every((p) => p.phase === "Running")) return { status: { status: "PROCESSING STARTING", start: true } };
  }
  return {};
}
