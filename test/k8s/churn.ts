// The churn soak (issue 11): two jarvice-pod-schedulers on one Lease, multi-tenant on,
// on a real kube-apiserver + etcd + KWOK nodes, driven at random from a printed seed:
//  - jobs arrive (1- to 4-pod gangs of several tenants, fractional and whole-node sizes,
//    the pods exactly as src/core/podPlan.ts makes them) and, once running, finish after a
//    random lifetime (pods deleted, or set Succeeded through the status subresource and
//    cleaned up later, as the job controller does);
//  - waiting jobs are terminated (their pods deleted, also half-created or half-bound ones);
//  - the leader is stopped (lease released), killed (lease left to expire, so the standby
//    takes over after the lease duration), restarted under its own identity, or killed
//    exactly when a gang is half bound, and comes back as a new instance;
//  - bindings are refused by the API server itself now and then: a ValidatingAdmissionPolicy
//    on CREATE of pods/binding is switched on for a while (refusing every binding, the
//    second member of each gang, or bindings to a quarter of the nodes) and off again.
// An independent watch checks every binding as it happens (BindingLedger: no node ever hosts
// two tenants, nothing over-committed), lists of pods and nodes are sampled all along and
// checked with test/k8s/bindingCheck.ts, and at the end, with the churn stopped: no gang is
// left partly bound, the oldest waiting job does not fit the free capacity (or it would have
// to be bound), and then, finishing the running jobs, every remaining job gets bound.
//
// Scheduling events counted: pods created, pods bound, pods finished (deleted or Succeeded
// while bound), waiting pods deleted (terminations), bindings refused by the API server
// (kube-apiserver's own request counter for POST pods/binding with a non-2xx code), and
// leader changes (the Lease's holder changing, seen by a watch).
//
// The schedulers run under the chart's jarvice-pod-scheduler identity (a token with no
// groups, authorized only by the RBAC that `helm template` renders from charts/paddock).
import * as k8s from "@kubernetes/client-node";
import { execFileSync } from "node:child_process";
import { Agent, request } from "node:https";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { startHarness, type Harness } from "./harness";
import { BindingLedger, fitsNow, waitingJobs, jobOf } from "./churnAssess";
import { checkBindings } from "./bindingCheck";
import { PodScheduler } from "../../src/k8s/podScheduler";
import { LeaderElector } from "../../src/k8s/leaderElection";
import { MANAGED_BY, podPlan, type PlannedPod } from "../../src/core/podPlan";
import { rng } from "../rng";

export const SYSTEM_NS = "jarvice-system";
export const JOBS_NS = `${SYSTEM_NS}-jobs`;
const SCHEDULER_USER = `system:serviceaccount:${SYSTEM_NS}:paddock-pod-scheduler`;
const LEASE = "jarvice-pod-scheduler";
const repoRoot = path.resolve(import.meta.dirname, "../..");

export interface ChurnOptions {
  /** the RNG seed (printed); default: random */
  seed?: number;
  /** scheduling events to reach before the churn stops */
  events: number;
  /** hard limit on the churn phase (it stops there even short of `events`) */
  maxChurnMs?: number;
  nodes?: number;
  tenants?: number;
  /** jobs not fully bound at most (arrivals pause above it) */
  maxWaiting?: number;
  /** job arrivals per second (while under maxWaiting) */
  arrivalsPerSecond?: number;
  /** a running job's lifetime, uniformly in [min, max] ms */
  lifetimeMs?: [number, number];
  leaseSeconds?: number;
  /** switch the refusal windows off (a control run: only the rest of the churn) */
  refusals?: boolean;
  /** mean time between leader operations / refusal windows */
  leaderOpEveryMs?: number;
  refusalEveryMs?: number;
  sampleEveryMs?: number;
  progressEveryMs?: number;
  /** with the churn stopped: how long the schedulers get to settle, then to bind every remaining job */
  settleMs?: number;
  drainMs?: number;
  log?: (line: string) => void;
}

export interface ChurnReport {
  seed: number;
  durationMs: number;
  churnMs: number;
  events: {
    created: number;
    bound: number;
    finished: number;
    terminatedWaiting: number;
    refused: number;
    leaderChanges: number;
    total: number;
  };
  /** what the driver did */
  actions: { jobs: number; pods: number; finishedByDelete: number; finishedBySucceeded: number; terminations: number; refusalWindows: number; leaderOps: Record<string, number> };
  /** POST pods/binding by HTTP code, from kube-apiserver's request counter (whole run) */
  bindingRequests: Record<string, number>;
  samples: number;
  /** the largest number of gangs partly bound in one sample, and the longest time one stayed so (ms) */
  maxPartialGangsInSample: number;
  maxPartialGangAgeMs: number;
  /** every broken invariant (empty on success) */
  failures: string[];
  /** warnings logged by the schedulers (first few) */
  schedulerWarnings: string[];
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** machine shapes (16-CPU / 64Gi nodes): fractional ones, a memory-heavy one, a whole node */
const SHAPES: Array<{ name: string; cores: number; memoryGb: number; weight: number }> = [
  { name: "n2", cores: 2, memoryGb: 8, weight: 2 },
  { name: "n4", cores: 4, memoryGb: 16, weight: 3 },
  { name: "m3", cores: 3, memoryGb: 24, weight: 1 },
  { name: "n8", cores: 8, memoryGb: 32, weight: 2 },
  { name: "n16", cores: 16, memoryGb: 64, weight: 1.5 },
];
const GANG_WEIGHTS: Array<[number, number]> = [
  [1, 4],
  [2, 3],
  [3, 2],
  [4, 2],
];

/** The API server over one keep-alive connection pool (client-node 1.4 opens a connection per request). */
class Api {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false });
  constructor(
    private readonly server: string,
    private readonly token: string,
  ) {}

  call(method: string, p: string, body?: unknown, contentType = "application/json"): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.server}${p}`,
        { method, agent: this.agent, headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { "content-type": contentType } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (d: Buffer) => chunks.push(d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
          res.on("error", reject);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${p}: no answer in 30 s`)));
      req.on("error", reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  async json<T>(method: string, p: string, body?: unknown, contentType?: string): Promise<T> {
    const r = await this.call(method, p, body, contentType);
    if (r.status >= 300) throw Object.assign(new Error(`${method} ${p}: HTTP ${r.status}: ${r.body.slice(0, 300)}`), { status: r.status });
    return JSON.parse(r.body) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** kube-apiserver's counter of POST pods/binding requests, by HTTP code. */
async function bindingRequestCounts(api: Api): Promise<Record<string, number>> {
  const text = (await api.call("GET", "/metrics")).body;
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    if (!line.startsWith("apiserver_request_total{") || !line.includes('resource="pods"') || !line.includes('subresource="binding"') || !line.includes('verb="POST"')) continue;
    const code = /code="(\d+)"/.exec(line)?.[1] ?? "?";
    out[code] = (out[code] ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return out;
}

const diffCounts = (a: Record<string, number>, b: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.keys({ ...a, ...b }).map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)] as const).filter(([, v]) => v !== 0));

/** The chart's objects, as `helm template` renders them (multi-tenant on). */
function chartObjects(bin: string): k8s.KubernetesObject[] {
  const out = execFileSync(
    path.join(bin, "helm"),
    ["template", "paddock", path.join(repoRoot, "charts/paddock"), "--namespace", SYSTEM_NS, "--kube-version", "1.34.0", "--set-json", "jarvice.JARVICE_JOBS_MULTI_TENANT=true"],
    { encoding: "utf8" },
  );
  return parseAllDocuments(out)
    .map((d) => d.toJSON() as k8s.KubernetesObject | null)
    .filter((o): o is k8s.KubernetesObject => o !== null && typeof o === "object" && "kind" in o);
}

/** Refusal policies: each is switched on by creating its binding and off by deleting it. */
const REFUSALS: Array<{ name: string; expression: (nodes: number) => string; what: string }> = [
  { name: "churn-refuse-all", expression: () => "false", what: "every binding" },
  { name: "churn-refuse-second-member", expression: () => "!object.metadata.name.endsWith('-1')", what: "the binding of each gang's pod 1" },
  {
    name: "churn-refuse-some-nodes",
    expression: (nodes) => `!(object.target.name in [${Array.from({ length: Math.max(1, Math.floor(nodes / 4)) }, (_, i) => `'kwok-node-${i}'`).join(", ")}])`,
    what: "bindings to the first quarter of the nodes",
  },
];

interface Job {
  number: number;
  tenant: string;
  shape: (typeof SHAPES)[number];
  pods: PlannedPod[];
  created: number;
  /** creating -> live -> (finishing | terminating) -> done */
  state: "creating" | "live" | "finishing" | "terminating" | "done";
  creation?: Promise<void>;
  fullyBoundAt?: number;
  /** when the driver first saw it partly bound (some members bound, others not) */
  partlyBoundAt?: number;
  lifetimeMs: number;
}

interface PodSeen {
  job: number;
  node?: string;
  finished: boolean;
}

/** One scheduler process: a PodScheduler and its LeaderElector; restarting makes new ones (new identity). */
class SchedulerSlot {
  gen = 0;
  scheduler: PodScheduler | undefined;
  elector: LeaderElector | undefined;
  readonly warnings: string[] = [];
  warningCount = 0;
  /** the scheduler's last log lines (level 20 and up), to explain a failure */
  readonly lines: string[] = [];

  constructor(
    readonly name: string,
    private readonly kc: k8s.KubeConfig,
    private readonly leaseSeconds: number,
  ) {}

  get identity(): string {
    return `${this.name}-${this.gen}`;
  }

  get leading(): boolean {
    return this.elector?.isLeader === true;
  }

  /** Start a new instance; `sameIdentity` restarts under the previous identity (a process restarting in place). */
  start(sameIdentity = false): void {
    if (!sameIdentity) this.gen++;
    const identity = this.identity;
    const log = (level: number, msg: string) => {
      if (level < 20) return;
      this.lines.push(`${new Date().toISOString()} ${identity} ${level} ${msg.slice(0, 1200)}`);
      if (this.lines.length > 20_000) this.lines.splice(0, 10_000);
      if (level < 30) return;
      this.warningCount++;
      if (this.warnings.length < 200) this.warnings.push(`${identity}: ${msg.slice(0, 240)}`);
    };
    const scheduler = new PodScheduler(this.kc, { multiTenant: true, log, resyncMs: 1000 });
    const elector = new LeaderElector(this.kc, {
      namespace: SYSTEM_NS,
      name: LEASE,
      identity,
      leaseSeconds: this.leaseSeconds,
      renewMs: 500,
      log,
      onStartedLeading: () => scheduler.start(),
      onStoppedLeading: () => scheduler.stop(),
    });
    this.scheduler = scheduler;
    this.elector = elector;
    elector.start();
  }

  /** Stop: `release` gives the lease up at once; otherwise it is left to expire (a crash). */
  async stop(release: boolean): Promise<void> {
    const { elector, scheduler } = this;
    this.elector = undefined;
    this.scheduler = undefined;
    await elector?.stop({ release });
    await scheduler?.stop();
  }
}

export async function runChurn(opts: ChurnOptions): Promise<ChurnReport> {
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = rng(seed);
  const log = opts.log ?? ((l: string) => console.log(l));
  const nodeCount = opts.nodes ?? 16;
  const tenants = Array.from({ length: opts.tenants ?? 5 }, (_, i) => `tenant-${String.fromCharCode(97 + i)}`);
  const maxWaiting = opts.maxWaiting ?? 8;
  const arrivals = opts.arrivalsPerSecond ?? 6;
  const [lifeMin, lifeMax] = opts.lifetimeMs ?? [500, 4000];
  const leaseSeconds = opts.leaseSeconds ?? 3;
  const leaderOpEvery = opts.leaderOpEveryMs ?? 7000;
  const refusalEvery = opts.refusalEveryMs ?? 5000;
  const sampleEvery = opts.sampleEveryMs ?? 1000;
  const progressEvery = opts.progressEveryMs ?? 10_000;
  const maxChurnMs = opts.maxChurnMs ?? 10 * 60_000;
  const settleMs = opts.settleMs ?? 30_000;
  const drainMs = opts.drainMs ?? 60_000;
  log(`churn: seed ${seed} (set CHURN_SEED=${seed} to replay the same choices), ${nodeCount} KWOK nodes of 16 CPU / 64Gi, ${tenants.length} tenants, target ${opts.events} scheduling events, lease ${leaseSeconds} s`);

  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  const weighted = <T>(items: Array<[T, number]>) => {
    let r = random() * items.reduce((s, [, w]) => s + w, 0);
    for (const [v, w] of items) if ((r -= w) < 0) return v;
    return items[items.length - 1]![0];
  };
  const between = (a: number, b: number) => a + random() * (b - a);

  const started = Date.now();
  const failures: string[] = [];
  const fail = (m: string) => {
    if (failures.length < 200) failures.push(m);
    log(`churn: FAILURE ${m}`);
  };

  const harness: Harness = await startHarness({ controllerManager: false, users: [SCHEDULER_USER] });
  const adminKc = new k8s.KubeConfig();
  adminKc.loadFromFile(harness.kubeconfig());
  const schedKc = new k8s.KubeConfig();
  schedKc.loadFromFile(harness.kubeconfig(harness.users[SCHEDULER_USER]));
  const api = new Api(harness.server, harness.admin.token);
  const slots = [new SchedulerSlot("sched-a", schedKc, leaseSeconds), new SchedulerSlot("sched-b", schedKc, leaseSeconds)];
  const informers: Array<k8s.Informer<k8s.KubernetesObject>> = [];
  let closing = false;

  try {
    // The cluster: namespaces, the chart's RBAC (the scheduler's identity), nodes, refusal policies.
    const objects = k8s.KubernetesObjectApi.makeApiClient(adminKc);
    await objects.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: SYSTEM_NS } });
    for (const o of chartObjects(harness.bin)) {
      if (!["Namespace", "ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"].includes(o.kind!)) continue;
      await objects.create(o).catch((e: { code?: number; message?: string }) => {
        if (e.code !== 409) throw new Error(`applying ${o.kind} ${o.metadata?.name}: ${e.message}`);
      });
    }
    // No controller-manager: the ServiceAccount admission plugin needs the namespace's default account.
    await api.json("POST", `/api/v1/namespaces/${JOBS_NS}/serviceaccounts`, { metadata: { name: "default" } }).catch(() => {});
    const capacity = { cpu: "16", memory: "64Gi", pods: "110" };
    for (let i = 0; i < nodeCount; i++) {
      const name = `kwok-node-${i}`;
      await api.json("POST", "/api/v1/nodes", {
        metadata: { name, annotations: { "kwok.x-k8s.io/node": "fake" }, labels: { "kubernetes.io/hostname": name, type: "kwok" } },
        spec: {},
        status: { capacity, allocatable: capacity },
      });
    }
    for (const r of REFUSALS) {
      await api.json("POST", "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies", {
        metadata: { name: r.name },
        spec: {
          failurePolicy: "Fail",
          matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods/binding"] }] },
          validations: [{ expression: r.expression(nodeCount), message: `churn soak: refusing ${r.what}` }],
        },
      });
    }
    const nodesList = await api.json<k8s.V1NodeList>("GET", "/api/v1/nodes");

    // The independent watch: events counted and every binding checked as it is seen.
    const ledger = new BindingLedger(true);
    for (const n of nodesList.items) ledger.setNode(n);
    const ev = { created: 0, bound: 0, finished: 0, terminatedWaiting: 0, refused: 0, leaderChanges: 0 };
    const total = () => ev.created + ev.bound + ev.finished + ev.terminatedWaiting + ev.refused + ev.leaderChanges;
    const seen = new Map<string, PodSeen>();
    const jobs = new Map<number, Job>();
    let lastBindAt = Date.now();
    let midGangArmed: (() => void) | undefined;
    const boundOf = (j: Job) => j.pods.filter((p) => seen.get(p.metadata.name)?.node).length;
    const onPod = (p: k8s.V1Pod) => {
      const name = p.metadata!.name!;
      let s = seen.get(name);
      if (!s) {
        s = { job: jobOf(p), finished: false };
        seen.set(name, s);
        ev.created++;
      }
      if (ledger.apply(p) === "bound") {
        ev.bound++;
        lastBindAt = Date.now();
      }
      if (p.spec?.nodeName && !s.node) s.node = p.spec.nodeName;
      if (!s.finished && (p.status?.phase === "Succeeded" || p.status?.phase === "Failed")) {
        s.finished = true;
        ev.finished++;
      }
      const job = jobs.get(s.job);
      if (job && s.node && midGangArmed && job.pods.length > 1) {
        const b = boundOf(job);
        if (b > 0 && b < job.pods.length) midGangArmed();
      }
    };
    const podInformer = k8s.makeInformer(adminKc, `/api/v1/namespaces/${JOBS_NS}/pods`, () => adminKc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: JOBS_NS }));
    podInformer.on("add", onPod);
    podInformer.on("update", onPod);
    podInformer.on("delete", (p) => {
      const name = p.metadata!.name!;
      const s = seen.get(name);
      ledger.remove(name);
      if (!s || s.finished) return;
      s.finished = true;
      if (s.node) ev.finished++;
      else ev.terminatedWaiting++;
    });
    let lastHolder: string | undefined;
    const onLease = (l: k8s.V1Lease) => {
      const h = l.spec?.holderIdentity;
      if (l.metadata?.name !== LEASE || !h || h === lastHolder) return;
      lastHolder = h;
      ev.leaderChanges++;
    };
    const leaseInformer = k8s.makeInformer(adminKc, `/apis/coordination.k8s.io/v1/namespaces/${SYSTEM_NS}/leases`, () =>
      adminKc.makeApiClient(k8s.CoordinationV1Api).listNamespacedLease({ namespace: SYSTEM_NS }),
    );
    leaseInformer.on("add", onLease);
    leaseInformer.on("update", onLease);
    for (const inf of [podInformer, leaseInformer] as Array<k8s.Informer<k8s.KubernetesObject>>) {
      informers.push(inf);
      inf.on("error", () => {
        if (!closing) setTimeout(() => void (closing ? undefined : inf.start().catch(() => {})), 200);
      });
      await inf.start();
    }
    const requestsBefore = await bindingRequestCounts(api);

    // The checker, sampled: lists of pods and nodes from the API server.
    let samples = 0;
    let maxPartial = 0;
    let maxPartialAge = 0;
    const partialSince = new Map<string, number>();
    const sample = async (final = false) => {
      const [pods, nodes] = await Promise.all([api.json<k8s.V1PodList>("GET", `/api/v1/namespaces/${JOBS_NS}/pods`), api.json<k8s.V1NodeList>("GET", "/api/v1/nodes")]);
      const c = checkBindings(pods.items, nodes.items, { multiTenant: true, managedValue: MANAGED_BY });
      samples++;
      for (const v of c.violations) fail(`sample ${samples}: tenant exclusivity: ${JSON.stringify(v)}`);
      for (const o of c.overcommits) fail(`sample ${samples}: over-commit: ${JSON.stringify(o)}`);
      maxPartial = Math.max(maxPartial, c.partialGangs.length);
      const now = Date.now();
      const partialNow = new Set(c.partialGangs.map((g) => g.job));
      for (const j of partialNow) maxPartialAge = Math.max(maxPartialAge, now - (partialSince.get(j) ?? (partialSince.set(j, now), now)));
      for (const j of [...partialSince.keys()]) if (!partialNow.has(j)) partialSince.delete(j);
      return { pods: pods.items, nodes: nodes.items, check: c, final };
    };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await sample().catch((e) => log(`churn: sample failed: ${(e as Error).message}`));
        await sleep(sampleEvery);
      }
    })();

    // The schedulers.
    for (const s of slots) s.start();
    const tLead = Date.now();
    while (!slots.some((s) => s.leading)) {
      if (Date.now() - tLead > 30_000) throw new Error("no scheduler became leader within 30 s");
      await sleep(100);
    }

    // The driver.
    const actions = { jobs: 0, pods: 0, finishedByDelete: 0, finishedBySucceeded: 0, terminations: 0, refusalWindows: 0, leaderOps: {} as Record<string, number> };
    const inflight = new Set<Promise<unknown>>();
    const track = (p: Promise<unknown>) => {
      const q = p.catch((e) => log(`churn: driver action failed: ${(e as Error).message}`)).finally(() => inflight.delete(q));
      inflight.add(q);
    };
    const podPath = (name: string) => `/api/v1/namespaces/${JOBS_NS}/pods/${name}`;
    const deletePod = async (name: string) => {
      const r = await api.call("DELETE", `${podPath(name)}?gracePeriodSeconds=0`);
      if (r.status >= 300 && r.status !== 404) throw new Error(`DELETE ${name}: HTTP ${r.status}: ${r.body.slice(0, 200)}`);
    };
    let nextNumber = 1000;
    const arrive = () => {
      const number = nextNumber++;
      const shape = weighted(SHAPES.map((s) => [s, s.weight] as [typeof s, number]));
      const size = weighted(GANG_WEIGHTS);
      const tenant = pick(tenants);
      const pods = podPlan({
        number,
        username: tenant,
        tenant,
        image: "busybox",
        command: ["sleep", "3600"],
        machine: { name: shape.name, cores: shape.cores, memoryGb: shape.memoryGb, gpus: 0, nodeSelector: {} },
        nodes: size,
        namespace: JOBS_NS,
      });
      const job: Job = { number, tenant, shape, pods, created: 0, state: "creating", lifetimeMs: between(lifeMin, lifeMax) };
      jobs.set(number, job);
      actions.jobs++;
      // Pods one by one, as the job controller creates them; a termination may stop it half way.
      job.creation = (async () => {
        for (const p of pods) {
          if (job.state !== "creating") return;
          await api.json("POST", `/api/v1/namespaces/${JOBS_NS}/pods`, p);
          job.created++;
          actions.pods++;
          if (random() < 0.3) await sleep(between(5, 60));
        }
        if (job.state === "creating") job.state = "live";
      })();
      track(job.creation.catch(async (e) => {
        log(`churn: creating job ${number} failed (${(e as Error).message}); removing it`);
        await terminate(job, false);
      }));
    };
    const terminate = async (job: Job, count = true) => {
      job.state = "terminating";
      await job.creation?.catch(() => {});
      if (count) actions.terminations++;
      for (const p of job.pods.slice(0, job.created)) await deletePod(p.metadata.name);
      job.state = "done";
    };
    const finish = async (job: Job) => {
      job.state = "finishing";
      if (random() < 0.5) {
        actions.finishedByDelete++;
        for (const p of job.pods) await deletePod(p.metadata.name);
      } else {
        actions.finishedBySucceeded++;
        for (const p of job.pods) {
          const r = await api.call("PATCH", `${podPath(p.metadata.name)}/status`, { status: { phase: "Succeeded" } }, "application/merge-patch+json");
          if (r.status >= 300 && r.status !== 404) throw new Error(`Succeeded ${p.metadata.name}: HTTP ${r.status}: ${r.body.slice(0, 200)}`);
          if (job.pods.length > 1) await sleep(between(0, 100));
        }
        // The job controller removes finished pods a little later.
        await sleep(between(500, 3000));
        for (const p of job.pods) await deletePod(p.metadata.name);
      }
      job.state = "done";
    };

    // Refusal windows.
    let refusalOn: string | undefined;
    const refusalBinding = (name: string) => `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/${name}`;
    const refusalWindow = async () => {
      const r = pick(REFUSALS);
      refusalOn = r.name;
      actions.refusalWindows++;
      await api.json("POST", "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings", { metadata: { name: r.name }, spec: { policyName: r.name, validationActions: ["Deny"] } });
      await sleep(between(500, 3000));
      await api.call("DELETE", refusalBinding(r.name));
      refusalOn = undefined;
    };

    // Leader operations: one at a time.
    let leaderOp: Promise<void> | undefined;
    const leaderOperation = async () => {
      const kind = weighted<string>([
        ["release", 2],
        ["kill", 2],
        ["restart-in-place", 1],
        ["kill-mid-gang", 3],
      ]);
      let label = kind;
      if (kind === "kill-mid-gang") {
        // Wait (at most 5 s) for a gang to be seen half bound, then kill the leader at once.
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            midGangArmed = undefined;
            label = "kill (no gang seen half bound within 5 s)";
            resolve();
          }, 5000);
          midGangArmed = () => {
            midGangArmed = undefined;
            clearTimeout(t);
            resolve();
          };
        });
      }
      const leader = slots.find((s) => s.leading);
      if (!leader) return;
      actions.leaderOps[label] = (actions.leaderOps[label] ?? 0) + 1;
      await leader.stop(kind === "release");
      await sleep(kind === "restart-in-place" ? 0 : between(300, 3000));
      leader.start(kind === "restart-in-place");
    };

    // The churn.
    const churnStart = Date.now();
    let nextLeaderOp = churnStart + between(0.5, 1.5) * leaderOpEvery;
    let nextRefusal = churnStart + between(0.5, 1.5) * refusalEvery;
    let nextProgress = churnStart + progressEvery;
    let refusalsBase = requestsBefore;
    let refusedSoFar = 0;
    const liveJobs = () => [...jobs.values()].filter((j) => j.state === "creating" || j.state === "live");
    const progress = async () => {
      const now = await bindingRequestCounts(api).catch(() => undefined);
      if (now) {
        refusedSoFar += Object.entries(diffCounts(refusalsBase, now)).filter(([c]) => !c.startsWith("2")).reduce((s, [, v]) => s + v, 0);
        refusalsBase = now;
        ev.refused = refusedSoFar;
      }
      const live = liveJobs();
      const waiting = live.filter((j) => boundOf(j) < j.pods.length).length;
      log(
        `churn: ${Math.round((Date.now() - churnStart) / 1000)} s: ${total()} scheduling events (created ${ev.created}, bound ${ev.bound}, finished ${ev.finished}, waiting deleted ${ev.terminatedWaiting}, refused ${ev.refused}, leader changes ${ev.leaderChanges}); jobs running ${live.length - waiting}, waiting ${waiting}; samples ${samples}; failures ${failures.length}; leader ${slots.find((s) => s.leading)?.identity ?? "none"}`,
      );
    };
    let tick = Date.now();
    while (total() < opts.events && Date.now() - churnStart < maxChurnMs) {
      await sleep(50);
      const now = Date.now();
      const dt = (now - tick) / 1000;
      tick = now;
      const live = liveJobs();
      const waiting = live.filter((j) => boundOf(j) < j.pods.length);
      // Gangs stuck partly bound for over 5 s do not hold arrivals back (a scheduler that leaves
      // them so would otherwise stall the churn; the end of the soak reports them).
      const queued = waiting.filter((j) => j.partlyBoundAt === undefined || now - j.partlyBoundAt < 5000);
      if (queued.length < maxWaiting && random() < arrivals * dt) arrive();
      for (const j of live) {
        if (j.state !== "live") continue;
        if (boundOf(j) === j.pods.length) {
          j.fullyBoundAt ??= now;
          if (now - j.fullyBoundAt > j.lifetimeMs) track(finish(j));
        }
      }
      // Terminations: a job still queued (nothing bound), or one caught in the middle of its
      // bindings - but never a gang that has been stuck partly bound for more than 2 s: that
      // would wipe out the evidence the end of the soak looks for.
      for (const j of waiting) {
        const b = boundOf(j);
        if (b > 0 && b < j.pods.length && j.created === j.pods.length) j.partlyBoundAt ??= now;
        else j.partlyBoundAt = undefined;
      }
      const terminable = waiting.filter((j) => j.partlyBoundAt === undefined ? boundOf(j) === 0 : now - j.partlyBoundAt < 2000);
      if (terminable.length > 0 && random() < 0.4 * dt) track(terminate(pick(terminable)));
      if (opts.refusals !== false && now >= nextRefusal && !refusalOn) {
        nextRefusal = now + between(0.5, 1.5) * refusalEvery;
        track(refusalWindow());
      }
      if (now >= nextLeaderOp && !leaderOp) {
        nextLeaderOp = now + between(0.5, 1.5) * leaderOpEvery;
        leaderOp = leaderOperation()
          .catch((e) => log(`churn: leader operation failed: ${(e as Error).message}`))
          .finally(() => (leaderOp = undefined));
      }
      if (now >= nextProgress) {
        nextProgress = now + progressEvery;
        await progress();
      }
    }
    const churnMs = Date.now() - churnStart;
    log(`churn: churn stopped after ${Math.round(churnMs / 1000)} s; settling (no arrivals, no finishes, no refusals, no leader changes)`);

    // The end: stop all churn, restart any stopped scheduler, remove the refusals.
    midGangArmed?.();
    await leaderOp;
    await Promise.all([...inflight]);
    if (refusalOn) await api.call("DELETE", refusalBinding(refusalOn));
    for (const s of slots) if (!s.elector) s.start();

    // Settle: wait until no gang is partly bound and the oldest waiting job does not fit
    // the free capacity, with no binding for 2 s; at the deadline, whatever is left is a failure.
    const settleStart = Date.now();
    let settled: Awaited<ReturnType<typeof sample>> | undefined;
    for (;;) {
      await sleep(500);
      const s = await sample();
      const waiting = waitingJobs(s.pods);
      const headFits = waiting.length > 0 && fitsNow(waiting[0]!, s.pods, s.nodes);
      const quiet = Date.now() - lastBindAt > 2000;
      if (quiet && s.check.partialGangs.length === 0 && !headFits) {
        settled = s;
        break;
      }
      if (Date.now() - settleStart > settleMs) {
        settled = s;
        for (const g of s.check.partialGangs) fail(`after ${Math.round(settleMs / 1000)} s without churn, a gang is still partly bound: ${JSON.stringify(g)}`);
        if (headFits) {
          const n = waiting[0]!.job;
          const about = slots.flatMap((sl) => sl.lines.filter((l) => l.includes(`${JOBS_NS}/${n} `) || l.includes(`${JOBS_NS}/${n}:`) || l.includes(`-${n}-`))).sort().slice(-12);
          fail(`after ${Math.round(settleMs / 1000)} s without churn, the oldest waiting job ${waiting[0]!.job} (${waiting[0]!.unbound} pod(s) of tenant ${waiting[0]!.tenant}) fits the free capacity but is not bound; the schedulers said about it:\n  ${about.join("\n  ") || "(nothing)"}`);
        }
        break;
      }
    }
    const settleTook = Date.now() - settleStart;
    const stillWaiting = waitingJobs(settled.pods);
    const fittingButWaiting = stillWaiting.filter((w) => fitsNow(w, settled!.pods, settled!.nodes)).map((w) => w.job);
    log(
      `churn: settled in ${(settleTook / 1000).toFixed(1)} s: ${stillWaiting.length} job(s) waiting (${fittingButWaiting.length} of which would fit the free capacity alone: ${fittingButWaiting.join(", ") || "none"}), partly bound gangs ${settled.check.partialGangs.length}`,
    );

    // Drain: finish the running jobs; every remaining job must get bound (each fits an empty cluster).
    const drainStart = Date.now();
    const everBound = new Set<number>();
    for (;;) {
      const pods = (await api.json<k8s.V1PodList>("GET", `/api/v1/namespaces/${JOBS_NS}/pods`)).items.filter((p) => !p.metadata?.deletionTimestamp);
      const byJob = new Map<number, k8s.V1Pod[]>();
      for (const p of pods) byJob.set(jobOf(p), [...(byJob.get(jobOf(p)) ?? []), p]);
      for (const [j, mine] of byJob) {
        if (mine.every((p) => p.spec?.nodeName)) {
          everBound.add(j);
          await Promise.all(mine.map((p) => deletePod(p.metadata!.name!)));
        }
      }
      if (byJob.size === 0) break;
      if (Date.now() - drainStart > drainMs) {
        for (const [j, mine] of byJob) {
          const bound = mine.filter((p) => p.spec?.nodeName).length;
          fail(`drain: job ${j} (${mine.length} pod(s), ${bound} bound) was not bound within ${Math.round(drainMs / 1000)} s in a cluster that its jobs were leaving`);
        }
        break;
      }
      await sleep(300);
    }
    log(`churn: drained in ${((Date.now() - drainStart) / 1000).toFixed(1)} s: ${everBound.size} job(s) bound and finished`);

    sampling = false;
    await sampler;
    await sample(true);
    const requestsAfter = await bindingRequestCounts(api);
    const bindingRequests = diffCounts(requestsBefore, requestsAfter);
    ev.refused = Object.entries(bindingRequests).filter(([c]) => !c.startsWith("2")).reduce((s, [, v]) => s + v, 0);
    for (const p of ledger.problems) fail(`watch: ${p}`);
    const report: ChurnReport = {
      seed,
      durationMs: Date.now() - started,
      churnMs,
      events: { ...ev, total: total() },
      actions,
      bindingRequests,
      samples,
      maxPartialGangsInSample: maxPartial,
      maxPartialGangAgeMs: maxPartialAge,
      failures,
      schedulerWarnings: slots.flatMap((s) => s.warnings).slice(0, 20),
    };
    log(
      `churn: done in ${Math.round(report.durationMs / 1000)} s (churn ${Math.round(churnMs / 1000)} s), seed ${seed}: ${report.events.total} scheduling events (created ${ev.created}, bound ${ev.bound}, finished ${ev.finished}, waiting deleted ${ev.terminatedWaiting}, refused ${ev.refused}, leader changes ${ev.leaderChanges}); ` +
        `jobs ${actions.jobs} (${actions.pods} pods), terminations ${actions.terminations}, refusal windows ${actions.refusalWindows}, leader operations ${JSON.stringify(actions.leaderOps)}; ` +
        `POST pods/binding by code ${JSON.stringify(bindingRequests)}; ${samples} samples checked (gangs partly bound: at most ${maxPartial} in one sample, one for ${(maxPartialAge / 1000).toFixed(1)} s at most); scheduler warnings ${slots.reduce((s, x) => s + x.warningCount, 0)}; failures ${failures.length}`,
    );
    return report;
  } finally {
    closing = true;
    for (const s of slots) await s.stop(true).catch(() => {});
    for (const inf of informers) await inf.stop().catch(() => {});
    api.close();
    await harness.stop();
  }
}
