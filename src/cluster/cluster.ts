// Where job pods run. The job controller is written against this interface;
// two implementations: the in-process simulated cluster (the embedded default
// for `npm start` and benchmarks) and Kubernetes.
import type { ObservedPod } from "../core/jobLifecycle";
import type { PlannedPod } from "../core/podPlan";

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
  /** Create the pods of one job; pods that already exist are left as they are. */
  createPods(pods: PlannedPod[]): Promise<void>;
  /** Delete every pod of a job (graceful unless `immediate`). */
  deleteJobPods(jobNumber: number, immediate: boolean): Promise<void>;
  /** Every pod Paddock manages, as last observed. */
  listPods(): Promise<ObservedPod[]>;
  /** Call `onChange` whenever pods change; returns the unsubscribe function. */
  watch(onChange: () => void): () => void;
  /** Output of a job's pod (pod 0 by default), last `lines` lines. */
  podLogs(jobNumber: number, index: number, lines?: number): Promise<string>;
  /** Names of the Services whose selectors select a pod with these labels. */
  servicesSelecting(labels: Record<string, string>): Promise<string[]>;
  /** The Events of these pods of a job (they outlive the pods for a while), oldest first. Optional: a backend without events shows none. */
  events?(jobNumber: number, podNames: string[]): Promise<ClusterEvent[]>;
  /** Optional, cheap: resolves when the cluster answers, rejects with the reason when it does not (/jarvice/ready). */
  ready?(): Promise<void>;
  close(): Promise<void>;
}
