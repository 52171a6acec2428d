// How a catalog cluster is reached (issue 13), decided without I/O: by a
// kubeconfig in a Secret of the system namespace, by a kubeconfig file, or
// neither ("the cluster Paddock was started with"); and in which jobs
// namespace. Clusters reached the same way share one backend (and one
// reconciler), so two catalog clusters on the started-with cluster never
// fight over its pods.

export interface ClusterReach {
  kubeconfigSecret: string | null;
  kubeconfigPath: string | null;
  /** null: the started-with jobs namespace (jarvice.JARVICE_JOBS_NAMESPACE) */
  jobsNamespace: string | null;
}

/** The key of the started-with cluster in its default jobs namespace. */
export const STARTED_WITH = "started-with";

/** One key per distinct way of reaching a cluster (same key: same backend). */
export function reachKey(c: ClusterReach, defaultNamespace: string): string {
  const ns = c.jobsNamespace ?? defaultNamespace;
  if (c.kubeconfigSecret) return `secret:${c.kubeconfigSecret}|${ns}`;
  if (c.kubeconfigPath) return `file:${c.kubeconfigPath}|${ns}`;
  return ns === defaultNamespace ? STARTED_WITH : `started-with|${ns}`;
}

/** The substatus of a job that waits for its cluster to answer again. */
export const WAITING_PREFIX = "Waiting for cluster ";
export const waitingText = (cluster: string, reason: string): string => `${WAITING_PREFIX}${cluster}: unreachable (${reason})`;

/** DNS-1123 label: a namespace. */
export function namespaceProblem(v: string): string | undefined {
  if (v.length < 1 || v.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v)) return "must be a Kubernetes namespace name (lowercase letters, digits and '-', at most 63)";
  return undefined;
}

/** DNS-1123 subdomain: a Secret name. */
export function secretNameProblem(v: string): string | undefined {
  if (v.length < 1 || v.length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v)) return "must be a Kubernetes Secret name (lowercase letters, digits, '-' and '.', at most 253)";
  return undefined;
}

/** An absolute file path without control characters. */
export function kubeconfigPathProblem(v: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (v.length < 2 || v.length > 4096 || !v.startsWith("/") || /[\u0000-\u001f]/.test(v)) return "must be an absolute file path";
  return undefined;
}
