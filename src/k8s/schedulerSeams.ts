// The seams of jarvice-pod-scheduler (kube-scheduler's shape): the scheduling
// loop (podScheduler.ts) decides with the placement core over one long-lived
// cache (schedulerCache.ts) and a queue of gangs (schedulingQueue.ts); it
// hands bindings to a Binder and what users should see (Events, the
// PodScheduled condition) to a Reporter. Each side is unit-tested against
// fakes of the other through these interfaces, without an API server.

/** How one binding (POST pods/binding) ended. Never a thrown error. */
export type BindResult =
  | { outcome: "bound" }
  /**
   * gone: the pod no longer exists (404);
   * conflict: the pod is already bound (409): the informer will show where;
   * refused: the API server refused this binding (other 4xx: admission, quota, validation) - retry later on the same node;
   * unavailable: timeout, network error, 429 or 5xx - retry soon.
   */
  | { outcome: "gone" | "conflict" | "refused" | "unavailable"; status?: number | undefined; message: string };

export interface BinderLike {
  /** Queue one binding; runs with bounded concurrency and a timeout; resolves when it has ended (never rejects). */
  bind(podKey: string, node: string): Promise<BindResult>;
  /** bindings being sent now */
  readonly inFlight: number;
  /** bindings waiting for a free slot */
  readonly queued: number;
  /** Stop: waits for the bindings in flight; queued ones resolve as "unavailable". */
  close(): Promise<void>;
  /** Open connections ahead of the first burst (optional); never rejects. */
  warm?(): Promise<void>;
}

export interface ReporterLike {
  /** A Normal `Scheduled` Event: "Successfully assigned <ns>/<pod> to <node>". */
  scheduled(podKey: string, node: string): void;
  /**
   * The pod waits: a Warning `FailedScheduling` Event and the `PodScheduled=False` condition (reason
   * `Unschedulable`) with `message`; sent only when the message differs from the last one for this pod.
   */
  waiting(podKey: string, message: string): void;
  /** The pod is bound or gone: forget its last message. */
  forget(podKey: string): void;
  /** Stop sending; drops what is queued. */
  close(): Promise<void>;
}
