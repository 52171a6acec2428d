// The Kubernetes ClusterBackend: job pods in the one jobs namespace, followed
// with an informer (watch, not polling), the tenant NetworkPolicy applied
// before a tenant's first pod exists, pod logs, and the Services whose
// selectors pick a job's pods.
import * as k8s from "@kubernetes/client-node";
import { ClusterRefusal, REFUSAL_STATUSES, type ClusterBackend, type ClusterEvent } from "../cluster/cluster";
import { PaddockError } from "../core/errors";
import type { ObservedPod, PodPhase } from "../core/jobLifecycle";
import { tenantNetworkPolicy, type NetworkSettings, type TenantNetworkPolicy } from "../core/networkPolicy";
import { LABEL_JOB_NUMBER, LABEL_MANAGED_BY, LABEL_POD_INDEX, MANAGED_BY, type PlannedPod } from "../core/podPlan";
import type { PlannedClaim } from "../core/vaultVolumes";

export interface KubeClusterOptions {
  namespace: string;
  multiTenant: boolean;
  network: NetworkSettings;
  log?: (msg: string) => void;
}

const MANAGED = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;

export const statusOf = (e: unknown): number | undefined => (e as { code?: number }).code;

/** The API server's message in a client-node ApiException (its body is the Status object, as text or parsed). */
export function serverMessage(e: unknown): string {
  const body = (e as { body?: unknown }).body;
  let status: unknown = body;
  if (typeof body === "string") {
    try {
      status = JSON.parse(body);
    } catch {
      status = undefined;
    }
  }
  const message = (status as { message?: unknown } | undefined)?.message;
  if (typeof message === "string" && message) return message;
  if (typeof body === "string" && body.trim()) return body.trim().slice(0, 500);
  return `HTTP ${statusOf(e) ?? "?"}`;
}

/**
 * A request the API server refused for good becomes a ClusterRefusal with its message; another answer
 * of the server an Error saying `HTTP <code>: <message>` (with its `code`); anything else is rethrown.
 */
export function refusalOrRethrow(e: unknown): never {
  const code = statusOf(e);
  if (code === undefined) throw e;
  if (REFUSAL_STATUSES.has(code)) throw new ClusterRefusal(code, serverMessage(e));
  throw Object.assign(new Error(`HTTP ${code}: ${serverMessage(e)}`), { code });
}

/** A pod's job number from its labels (undefined: not a job's pod). */
function jobNumberOf(p: k8s.V1Pod): number | undefined {
  const raw = p.metadata?.labels?.[LABEL_JOB_NUMBER];
  const n = Number(raw);
  return raw && Number.isInteger(n) ? n : undefined;
}

export function observedPod(p: k8s.V1Pod): ObservedPod | undefined {
  const labels = p.metadata?.labels ?? {};
  const number = Number(labels[LABEL_JOB_NUMBER]);
  if (!labels[LABEL_JOB_NUMBER] || !Number.isInteger(number)) return undefined;
  // Paddock always sets the index; a pod without one is still the job's, to delete with it.
  const index = labels[LABEL_POD_INDEX] !== undefined && /^\d+$/.test(labels[LABEL_POD_INDEX]) ? Number(labels[LABEL_POD_INDEX]) : -1;
  const terminated = p.status?.containerStatuses?.[0]?.state?.terminated;
  return {
    jobNumber: number,
    index,
    name: p.metadata?.name ?? "",
    phase: (p.status?.phase ?? "Pending") as PodPhase,
    node: p.spec?.nodeName,
    ip: p.status?.podIP,
    ...(terminated ? { exitCode: terminated.exitCode } : {}),
    ...(p.metadata?.deletionTimestamp ? { deleting: true } : {}),
  };
}

const isoOf = (t: Date | string | undefined): string | undefined => (t === undefined ? undefined : new Date(t).toISOString());

/** One Kubernetes Event as the /jarvice/events text shows it. */
export function clusterEvent(e: k8s.CoreV1Event, pod: string): ClusterEvent {
  const time = isoOf(e.lastTimestamp) ?? isoOf(e.eventTime as Date | string | undefined) ?? isoOf(e.firstTimestamp) ?? isoOf(e.metadata?.creationTimestamp) ?? new Date(0).toISOString();
  return { time, pod, type: e.type ?? "Normal", reason: e.reason ?? "", message: e.message ?? "", count: e.count ?? e.series?.count ?? 1 };
}

/** Does a Service selector select these pod labels? (Services match on equality of every selector key.) */
export function selectorSelects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/**
 * The policy as a client-node model. Its serializer renames TypeScript property names to wire names and
 * drops unknown ones: an ingress rule's `from` is the property `_from` (a reserved word). Passing the wire
 * shape through a cast would silently send `ingress: [{}]`, a rule that admits every source.
 */
export function toClientNetworkPolicy(p: TenantNetworkPolicy): k8s.V1NetworkPolicy {
  return {
    apiVersion: p.apiVersion,
    kind: p.kind,
    metadata: { ...p.metadata, labels: { ...p.metadata.labels } },
    spec: {
      podSelector: p.spec.podSelector,
      policyTypes: [...p.spec.policyTypes],
      ingress: p.spec.ingress.map((rule) => ({ _from: rule.from.map((peer) => ({ ...peer })) })),
    },
  };
}

export class KubeCluster implements ClusterBackend {
  readonly description: string;
  private readonly core: k8s.CoreV1Api;
  private readonly net: k8s.NetworkingV1Api;
  private readonly informer: k8s.Informer<k8s.V1Pod> & k8s.ObjectCache<k8s.V1Pod>;
  private readonly listeners = new Set<(jobNumber?: number) => void>();
  /** the watch cache by job number, then pod name: one job's pods without a scan (kept by the informer's events) */
  private readonly byJob = new Map<number, Map<string, k8s.V1Pod>>();
  /** the job each cached pod was indexed under */
  private readonly jobOfPod = new Map<string, number>();
  private readonly preparedTenants = new Set<string>();
  /** vault claims known to exist (created, or found existing) */
  private readonly ensuredClaims = new Set<string>();
  private readonly log: (msg: string) => void;
  private started: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly opts: KubeClusterOptions,
  ) {
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.net = kc.makeApiClient(k8s.NetworkingV1Api);
    this.log = opts.log ?? (() => {});
    this.description = `kubernetes ${kc.getCurrentCluster()?.server ?? "?"} namespace ${opts.namespace}`;
    const ns = opts.namespace;
    this.informer = k8s.makeInformer(kc, `/api/v1/namespaces/${ns}/pods`, () => this.core.listNamespacedPod({ namespace: ns, labelSelector: MANAGED }), MANAGED);
    const notify = (jobNumber: number | undefined) => {
      for (const l of this.listeners) l(jobNumber);
    };
    const upsert = (p: k8s.V1Pod) => {
      const name = p.metadata?.name ?? "";
      const before = this.jobOfPod.get(name);
      const n = jobNumberOf(p);
      if (before !== undefined && before !== n) this.unindex(name, before);
      if (n !== undefined) {
        let pods = this.byJob.get(n);
        if (!pods) this.byJob.set(n, (pods = new Map()));
        pods.set(name, p);
        this.jobOfPod.set(name, n);
      }
      if (before !== undefined && before !== n) notify(before);
      if (n !== undefined) notify(n);
    };
    this.informer.on("add", upsert);
    this.informer.on("update", upsert);
    this.informer.on("delete", (p) => {
      const name = p.metadata?.name ?? "";
      const n = this.jobOfPod.get(name);
      if (n !== undefined) {
        this.unindex(name, n);
        notify(n);
      }
    });
    this.informer.on("error", (err) => {
      if (this.closed) return; // close() aborted the watch: it must stay stopped
      this.log(`kubernetes: pod watch error (${(err as Error)?.message ?? err}); restarting in 2s`);
      setTimeout(() => void (this.closed ? undefined : this.informer.start().catch(() => {})), 2000);
    });
  }

  private unindex(name: string, jobNumber: number): void {
    this.jobOfPod.delete(name);
    const pods = this.byJob.get(jobNumber);
    pods?.delete(name);
    if (pods?.size === 0) this.byJob.delete(jobNumber);
  }

  /** Start watching (idempotent); resolves once the initial list is in the cache. */
  start(): Promise<void> {
    // a failed first list (the cluster did not answer) is tried again on the next call
    this.started ??= this.informer.start().catch((e: unknown) => {
      this.started = undefined;
      throw e;
    });
    return this.started;
  }

  async prepareTenant(tenant: string): Promise<void> {
    if (!this.opts.multiTenant || this.preparedTenants.has(tenant)) return;
    const policy = toClientNetworkPolicy(tenantNetworkPolicy(tenant, this.opts.namespace, this.opts.network));
    try {
      await this.net.createNamespacedNetworkPolicy({ namespace: this.opts.namespace, body: policy });
      this.log(`kubernetes: created NetworkPolicy ${policy.metadata!.name} for tenant ${tenant}`);
    } catch (e) {
      if (statusOf(e) !== 409) refusalOrRethrow(e);
      // It exists: make sure it says what the settings say now.
      await this.net.replaceNamespacedNetworkPolicy({ name: policy.metadata!.name!, namespace: this.opts.namespace, body: policy }).catch(refusalOrRethrow);
    }
    this.preparedTenants.add(tenant);
  }

  /** Create each claim unless it exists (409: created before, by an earlier job). Never replaced: a bound claim's spec is immutable. */
  async ensureClaims(claims: PlannedClaim[]): Promise<void> {
    for (const claim of claims) {
      if (this.ensuredClaims.has(claim.metadata.name)) continue;
      try {
        await this.core.createNamespacedPersistentVolumeClaim({ namespace: this.opts.namespace, body: claim as unknown as k8s.V1PersistentVolumeClaim });
        this.log(`kubernetes: created PersistentVolumeClaim ${claim.metadata.name} for vault '${claim.metadata.annotations["paddock.io/vault-name"]}'`);
      } catch (e) {
        if (statusOf(e) !== 409) refusalOrRethrow(e);
      }
      this.ensuredClaims.add(claim.metadata.name);
    }
  }

  async createPods(pods: PlannedPod[]): Promise<void> {
    await this.start();
    for (const pod of pods) {
      try {
        await this.core.createNamespacedPod({ namespace: this.opts.namespace, body: pod as unknown as k8s.V1Pod });
      } catch (e) {
        if (statusOf(e) !== 409) refusalOrRethrow(e); // 409: already there, created before a restart
      }
    }
  }

  async deleteJobPods(jobNumber: number, immediate: boolean): Promise<void> {
    await this.core.deleteCollectionNamespacedPod({
      namespace: this.opts.namespace,
      labelSelector: `${MANAGED},${LABEL_JOB_NUMBER}=${jobNumber}`,
      ...(immediate ? { gracePeriodSeconds: 0 } : {}),
    });
  }

  async listPods(): Promise<ObservedPod[]> {
    await this.start();
    return this.informer.list(this.opts.namespace).flatMap((p) => observedPod(p) ?? []);
  }

  async jobPods(jobNumber: number): Promise<ObservedPod[]> {
    await this.start();
    return [...(this.byJob.get(jobNumber)?.values() ?? [])].flatMap((p) => observedPod(p) ?? []);
  }

  async jobsWithPods(): Promise<number[]> {
    await this.start();
    return [...this.byJob.keys()]; // unindex() drops a job whose last pod went
  }

  watch(onChange: (jobNumber?: number) => void): () => void {
    this.listeners.add(onChange);
    void this.start().catch((e) => this.log(`kubernetes: cannot watch pods: ${(e as Error).message}`));
    return () => this.listeners.delete(onChange);
  }

  async podLogs(jobNumber: number, index: number, lines?: number): Promise<string> {
    const pod = [...(this.byJob.get(jobNumber)?.values() ?? [])].find((p) => observedPod(p)?.index === index);
    if (!pod?.metadata?.name) return "";
    try {
      return await this.core.readNamespacedPodLog({ name: pod.metadata.name, namespace: this.opts.namespace, ...(lines ? { tailLines: lines } : {}) });
    } catch {
      return ""; // no kubelet logs (e.g. KWOK), or the pod is gone
    }
  }

  async servicesSelecting(labels: Record<string, string>): Promise<string[]> {
    const list = await this.core.listNamespacedService({ namespace: this.opts.namespace });
    return list.items.filter((s) => selectorSelects(s.spec?.selector, labels)).map((s) => s.metadata!.name!);
  }

  /** core/v1 Events in the jobs namespace whose involvedObject is one of the pods (a field selector per pod). */
  async events(_jobNumber: number, podNames: string[]): Promise<ClusterEvent[]> {
    const out: ClusterEvent[] = [];
    for (const name of podNames) {
      const list = await this.core.listNamespacedEvent({ namespace: this.opts.namespace, fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${name}` }).catch((e: unknown) => {
        // e.g. 403: the control plane's Role lacks `list events` (the chart grants it)
        throw new PaddockError("failed", `cannot list the Kubernetes Events of pod ${name} (HTTP ${statusOf(e) ?? "?"})`);
      });
      for (const e of list.items) out.push(clusterEvent(e, name));
    }
    return out.sort((a, b) => a.time.localeCompare(b.time));
  }

  /** /jarvice/ready: the API server answers a one-pod list in the namespace within 3 s. */
  async ready(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("the Kubernetes API server did not answer within 3 s")), 3000);
    });
    try {
      await Promise.race([this.core.listNamespacedPod({ namespace: this.opts.namespace, labelSelector: MANAGED, limit: 1 }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Nodes of the cluster (needs `list nodes`; the chart's control-plane ClusterRole grants it). */
  async nodeCount(): Promise<number> {
    // one item and the server's count of the rest: cheap on a cluster of thousands of nodes
    const page = await this.core.listNode({ limit: 1 });
    if (page.metadata?.remainingItemCount !== undefined) return page.items.length + page.metadata.remainingItemCount;
    if (!page.metadata?._continue) return page.items.length;
    return (await this.core.listNode({})).items.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await this.informer.stop();
  }
}
