// A cluster backend that forwards every call to the one `get()` returns at the
// time of the call: the API of a test app is built before the cluster registry
// whose router it should use (the multi-cluster tests).
import type { ClusterBackend } from "../src/cluster/cluster";

export const lazyBackend = (get: () => ClusterBackend): ClusterBackend => ({
  description: "lazy",
  prepareTenant: (x) => get().prepareTenant(x),
  ensureClaims: (c) => get().ensureClaims!(c),
  createPods: (p) => get().createPods(p),
  deleteJobPods: (n, i) => get().deleteJobPods(n, i),
  listPods: () => get().listPods(),
  jobPods: (n) => get().jobPods!(n),
  watch: (f) => get().watch(f),
  podLogs: (n, i, l) => get().podLogs(n, i, l),
  servicesSelecting: (l) => get().servicesSelecting(l),
  events: (n, p) => get().events!(n, p),
  ready: () => get().ready!(),
  problems: () => get().problems!(),
  close: async () => {},
});
