// Where job pods run. The job controller is written against this interface;
// two implementations: the in-process simulated cluster (the embedded default
// for `npm start` and benchmarks) and Kubernetes.
import type { ObservedPod } from "../core/jobLifecycle";
import type { PlannedPod } from "../core/podPlan";
import type { PlannedClaim } from "../core/vaultVolumes";

/** A Kubernetes Event about one of a job's pods (scheduling, image pulls, starts, kills). */
export interface ClusterEvent {
  /** when it last happened (ISO 8601) */
  time: string;
  pod: string;
  /** "Normal" or "Warning" */
  type: string;
  reason: string;
  message: string;
  /** how many times it happened (Kubernetes aggregates repeats) */
  count: number;
}

export interface ClusterBackend {
  /** e.g. "simulated (4 nodes)" or "kubernetes https://...", for logs */
  readonly description: string;
  /** Called before a tenant's first pods are created (Kubernetes: its NetworkPolicy). */
  prepareTenant(tenant: string): Promise<void>;
  /**
   * Create the pods of one job; pods that already exist are left as they are. A pod the cluster
   * will never accept (Kubernetes: 400, 403, 422 from the API server) rejects with a ClusterRefusal.
   */
  createPods(pods: PlannedPod[]): Promise<void>;
  /**
   * Make sure these PersistentVolumeClaims (a job's vault) exist before its pods are created; one that
   * exists is left as it is, and none is ever deleted with a job. Optional: a backend without volumes
   * (the simulated cluster) has nothing to do. A claim the cluster refuses rejects with a ClusterRefusal.
   */
  ensureClaims?(claims: PlannedClaim[]): Promise<void>;
  /** Delete every pod of a job (graceful unless `immediate`). */
  deleteJobPods(jobNumber: number, immediate: boolean): Promise<void>;
  /** Every pod Paddock manages, as last observed. */
  listPods(): Promise<ObservedPod[]>;
  /**
   * The pods of one job, as last observed, without listing every pod (an index of the watch cache).
   * Optional: without it the job controller filters listPods().
   */
  jobPods?(jobNumber: number): Promise<ObservedPod[]>;
  /**
   * The numbers of the jobs that have pods, as last observed (the keys of the same index). Optional,
   * with jobPods: with both, the job controller's resync reads pods job by job instead of listing every pod at once.
   */
  jobsWithPods?(): Promise<number[]>;
  /**
   * Call `onChange` whenever pods change, with the job number of the pod that changed when the
   * backend knows it (undefined: something changed, which job is not known); returns the unsubscribe function.
   */
  watch(onChange: (jobNumber?: number) => void): () => void;
  /** Output of a job's pod (pod 0 by default), last `lines` lines. */
  podLogs(jobNumber: number, index: number, lines?: number): Promise<string>;
  /** Names of the Services whose selectors select a pod with these labels. */
  servicesSelecting(labels: Record<string, string>): Promise<string[]>;
  /** The Events of these pods of a job (they outlive the pods for a while), oldest first. Optional: a backend without events shows none. */
  events?(jobNumber: number, podNames: string[]): Promise<ClusterEvent[]>;
  /** Optional, cheap: resolves when the cluster answers, rejects with the reason when it does not (/jarvice/ready). */
  ready?(): Promise<void>;
  /** Optional: how many nodes the cluster has (Administration -> Clusters). */
  nodeCount?(): Promise<number>;
  /** Optional: what does not answer while the rest does (a router over several clusters: "<name>: unreachable (<reason>)"), shown by /jarvice/ready. */
  problems?(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * The cluster refused a request for good (Kubernetes: 400 Bad Request, 403 Forbidden such as a
 * ResourceQuota or LimitRange, 422 Invalid): retrying the same request cannot succeed. `message`
 * is the server's own.
 */
export class ClusterRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ClusterRefusal";
  }
}

/** HTTP statuses that refuse a request for good (anything else may be worth a retry). */
export const REFUSAL_STATUSES: ReadonlySet<number> = new Set([400, 403, 422]);
