// One backend per catalog cluster (issue 13): a cluster whose row says how to
// reach it (a kubeconfig Secret or file, a jobs namespace) gets a backend of
// its own, created when the cluster appears and closed when it goes; a cluster
// with neither is the cluster Paddock was started with. Clusters reached the
// same way share a backend (src/core/clusterRouting.ts reachKey).
//
// Reachability is probed per backend (backend.ready()), in the background: a
// cluster that does not answer makes only its own jobs wait (the job controller
// asks `waiting(clusterId)`), and the API shows it (GET /api/clusters,
// /jarvice/ready). A backend that cannot even be built (unreadable kubeconfig)
// is a placeholder that reports why, retried on each sync.
import type { ObservedPod } from "../core/jobLifecycle";
import { reachKey, STARTED_WITH, waitingText, type ClusterReach } from "../core/clusterRouting";
import { LABEL_JOB_NUMBER, type PlannedPod } from "../core/podPlan";
import type { Db } from "../store/db";
import type { ClusterBackend, ClusterEvent } from "../cluster/cluster";

export interface ClusterHealth {
  /** null until the first probe */
  reachable: boolean | null;
  /** why not, when not */
  reason?: string;
  /** nodes the cluster reports (null: it cannot tell, e.g. not allowed to list nodes) */
  nodes: number | null;
}

export interface ClusterEntry {
  id: number;
  name: string;
  zone: number;
  key: string;
}

export interface RegistryOptions {
  /** the cluster Paddock was started with (not closed by the registry) */
  startedWith: ClusterBackend;
  /** jarvice.JARVICE_JOBS_NAMESPACE */
  defaultNamespace: string;
  /** build the backend of a cluster reached another way (its kubeconfig Secret or file, its namespace) */
  connect: (reach: ClusterReach & { name: string; namespace: string }) => Promise<ClusterBackend>;
  /** probe every this long (default 5 s) */
  probeMs?: number;
  /** re-read the clusters table every this long (default 30 s; the API calls sync() after a change) */
  syncMs?: number;
  log?: (msg: string) => void;
  /** the set of backends changed (a controller per backend), or one became reachable again */
  onChange?: () => void;
}

interface Backend {
  key: string;
  /** its jobs namespace */
  namespace: string;
  backend: ClusterBackend;
  /** closed by the registry when no cluster uses it any more */
  owned: boolean;
  health: ClusterHealth;
}

/** A backend whose kubeconfig could not be loaded: it reports why and holds no pods. */
class Unconnected implements ClusterBackend {
  readonly description: string;
  constructor(readonly reason: string) {
    this.description = `not connected (${reason})`;
  }
  private fail(): never {
    throw new Error(this.reason);
  }
  prepareTenant = async (): Promise<void> => this.fail();
  createPods = async (): Promise<void> => this.fail();
  deleteJobPods = async (): Promise<void> => this.fail();
  listPods = async (): Promise<ObservedPod[]> => [];
  watch = (): (() => void) => () => {};
  podLogs = async (): Promise<string> => "";
  servicesSelecting = async (): Promise<string[]> => [];
  ready = async (): Promise<void> => this.fail();
  close = async (): Promise<void> => {};
}

export class ClusterRegistry {
  private clusters = new Map<number, ClusterEntry>();
  private readonly backends = new Map<string, Backend>();
  private probeTimer: NodeJS.Timeout | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private resyncAfter = false;
  private readonly log: (msg: string) => void;
  private closed = false;
  private lastUnknownSync = 0;

  constructor(
    private readonly db: Db,
    private readonly opts: RegistryOptions,
  ) {
    this.log = opts.log ?? (() => {});
    this.backends.set(STARTED_WITH, { key: STARTED_WITH, namespace: opts.defaultNamespace, backend: opts.startedWith, owned: false, health: { reachable: null, nodes: null } });
  }

  /** Read the catalog, probe once, then keep both up to date in the background. */
  async start(): Promise<void> {
    await this.sync();
    await this.probe();
    this.probeTimer = setInterval(() => void this.probe().catch(() => {}), this.opts.probeMs ?? 5000);
    this.probeTimer.unref();
    this.syncTimer = setInterval(() => void this.sync().catch((e: Error) => this.log(`clusters: reading the catalog failed: ${e.message}`)), this.opts.syncMs ?? 30_000);
    this.syncTimer.unref();
  }

  /** Make the backends match the clusters table (one sync at a time; a request during one runs once more after it). */
  sync(): Promise<void> {
    if (this.syncing) {
      this.resyncAfter = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      try {
        do {
          this.resyncAfter = false;
          await this.syncOnce();
        } while (this.resyncAfter && !this.closed);
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    const rows = await this.db.selectFrom("clusters").select(["id", "name", "zone_id", "kubeconfig_secret", "kubeconfig_path", "jobs_namespace"]).orderBy("id").execute();
    const next = new Map<number, ClusterEntry>();
    let changed = false;
    for (const r of rows) {
      const reach: ClusterReach = { kubeconfigSecret: r.kubeconfig_secret, kubeconfigPath: r.kubeconfig_path, jobsNamespace: r.jobs_namespace };
      const key = reachKey(reach, this.opts.defaultNamespace);
      next.set(r.id, { id: r.id, name: r.name, zone: r.zone_id, key });
      const have = this.backends.get(key);
      if (have && !(have.backend instanceof Unconnected)) continue;
      const namespace = r.jobs_namespace ?? this.opts.defaultNamespace;
      let backend: ClusterBackend;
      try {
        backend = await this.opts.connect({ ...reach, name: r.name, namespace });
        this.log(`clusters: ${r.name} is ${backend.description}`);
      } catch (e) {
        const reason = `cannot load its kubeconfig: ${(e as Error).message}`;
        if (have) continue; // still not connected: keep the placeholder (its controller keeps running)
        this.log(`clusters: ${r.name}: ${reason}`);
        backend = new Unconnected(reason);
      }
      if (have) await have.backend.close();
      this.backends.set(key, { key, namespace, backend, owned: true, health: { reachable: null, nodes: null } });
      changed = true;
    }
    // Backends no cluster uses any more go.
    const used = new Set([...next.values()].map((c) => c.key));
    for (const [key, b] of this.backends) {
      if (key === STARTED_WITH || used.has(key)) continue;
      this.backends.delete(key);
      changed = true;
      this.log(`clusters: closing ${b.backend.description} (no cluster uses it)`);
      await b.backend.close().catch(() => {});
    }
    const before = [...this.clusters.values()].map((c) => `${c.id}=${c.key}`).join();
    this.clusters = next;
    if (changed) await this.probe();
    if (changed || before !== [...next.values()].map((c) => `${c.id}=${c.key}`).join()) this.opts.onChange?.();
  }

  /** Ask every backend whether it answers (and how many nodes it has); a backend that answers again triggers onChange. */
  async probe(): Promise<void> {
    let back = false;
    await Promise.all(
      [...this.backends.values()].map(async (b) => {
        const was = b.health.reachable;
        try {
          await within(5000, b.backend.ready?.() ?? Promise.resolve());
          const nodes = b.backend.nodeCount ? await within(3000, b.backend.nodeCount()).catch(() => null) : null;
          b.health = { reachable: true, nodes };
          if (was === false) {
            back = true;
            this.log(`clusters: ${b.backend.description} answers again`);
          }
        } catch (e) {
          b.health = { reachable: false, reason: firstLine(e), nodes: b.health.nodes };
          if (was !== false) this.log(`clusters: ${b.backend.description} does not answer: ${b.health.reason}`);
        }
      }),
    );
    if (back) this.opts.onChange?.();
  }

  /** The catalog clusters as last synced. */
  list(): ClusterEntry[] {
    return [...this.clusters.values()];
  }

  /** A cluster's reachability and node count as last probed (undefined: not a known cluster). */
  health(clusterId: number): ClusterHealth | undefined {
    const c = this.clusters.get(clusterId);
    return c ? this.backends.get(c.key)?.health : undefined;
  }

  /** The distinct backends, each with the ids of the clusters it serves (one job controller each). */
  groups(): Array<{ key: string; namespace: string; backend: ClusterBackend; clusterIds: Set<number> }> {
    const out = new Map<string, { key: string; namespace: string; backend: ClusterBackend; clusterIds: Set<number> }>();
    for (const [key, b] of this.backends) out.set(key, { key, namespace: b.namespace, backend: b.backend, clusterIds: new Set() });
    for (const c of this.clusters.values()) out.get(c.key)?.clusterIds.add(c.id);
    return [...out.values()];
  }

  /**
   * The backend key of a cluster (the controllers ask on every look). A cluster not synced yet (created
   * by an API in another process) makes the registry read the catalog again, at most once a second.
   */
  keyOf(clusterId: number): string | undefined {
    const c = this.clusters.get(clusterId);
    if (!c && !this.closed && Date.now() - this.lastUnknownSync > 1000) {
      this.lastUnknownSync = Date.now();
      void this.sync().catch(() => {});
    }
    return c?.key;
  }

  backendOf(clusterId: number): ClusterBackend | undefined {
    const c = this.clusters.get(clusterId);
    return c ? this.backends.get(c.key)?.backend : undefined;
  }

  /** The substatus of a job of this cluster while the cluster does not answer; undefined when it does. */
  waiting(clusterId: number): string | undefined {
    const c = this.clusters.get(clusterId);
    const h = c ? this.backends.get(c.key)?.health : undefined;
    return c && h?.reachable === false ? waitingText(c.name, h.reason ?? "no answer") : undefined;
  }

  /** Clusters that did not answer their last probe, as "<name>: unreachable (<reason>)". */
  unreachable(): string[] {
    return this.list().flatMap((c) => {
      const h = this.backends.get(c.key)?.health;
      return h?.reachable === false ? [`${c.name}: unreachable (${h.reason ?? "no answer"})`] : [];
    });
  }

  /**
   * One ClusterBackend for the API (job info, output, events): each call goes to the backend of the
   * job's cluster (its machine's), looked up by job number.
   */
  router(): ClusterBackend {
    const forJob = async (n: number): Promise<ClusterBackend> => {
      const row = await this.db.selectFrom("jobs as j").innerJoin("machines as m", "m.id", "j.machine_id").select("m.cluster_id").where("j.number", "=", n).executeTakeFirst();
      return (row ? this.backendOf(row.cluster_id) : undefined) ?? this.opts.startedWith;
    };
    const all = () => [...this.backends.values()].map((b) => b.backend);
    return {
      get description() {
        return "clusters";
      },
      prepareTenant: async () => {},
      createPods: async (pods: PlannedPod[]) => {
        const n = Number(pods[0]?.metadata.labels[LABEL_JOB_NUMBER]);
        if (pods.length > 0) await (await forJob(n)).createPods(pods);
      },
      deleteJobPods: async (n, immediate) => (await forJob(n)).deleteJobPods(n, immediate),
      listPods: async () => (await Promise.all(all().map((b) => b.listPods().catch(() => [])))).flat(),
      jobPods: async (n) => {
        const b = await forJob(n);
        return b.jobPods ? b.jobPods(n) : (await b.listPods()).filter((p) => p.jobNumber === n);
      },
      watch: (f) => {
        const offs = all().map((b) => b.watch(f));
        return () => offs.forEach((off) => off());
      },
      podLogs: async (n, i, lines) => (await forJob(n)).podLogs(n, i, lines),
      servicesSelecting: async (labels) => (await forJob(Number(labels[LABEL_JOB_NUMBER]))).servicesSelecting(labels),
      events: async (n, pods): Promise<ClusterEvent[]> => {
        const b = await forJob(n);
        return b.events ? b.events(n, pods) : [];
      },
      // Not ready only when no cluster answers; some not answering is a warning (unreachable()).
      ready: async () => {
        await this.probe();
        const hs = [...this.backends.entries()].filter(([key]) => key !== STARTED_WITH || this.list().some((c) => c.key === STARTED_WITH) || this.list().length === 0).map(([, b]) => b.health);
        if (hs.length > 0 && hs.every((h) => h.reachable === false)) throw new Error(this.unreachable().join("; ") || hs[0]!.reason || "no cluster answers");
      },
      problems: async () => this.unreachable(),
      close: async () => {},
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.probeTimer) clearInterval(this.probeTimer);
    if (this.syncTimer) clearInterval(this.syncTimer);
    await this.syncing?.catch(() => {});
    for (const b of this.backends.values()) if (b.owned) await b.backend.close().catch(() => {});
  }
}

/** `p`, or a rejection after `ms` (a backend whose connections hang must not stall the probe). */
function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
