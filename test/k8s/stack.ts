// Paddock on a real control plane, for the Kubernetes tier: the harness, the
// chart's RBAC applied as rendered by `helm template`, KWOK nodes, and
// Paddock's roles running under the chart's ServiceAccount identities (tokens
// with no groups), so the tests prove the chart grants enough.
import * as k8s from "@kubernetes/client-node";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, connect, type Server, type Socket } from "node:net";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { startHarness, type Harness } from "./harness";
import { startTestApp, type TestApp } from "../app";
import { KubeCluster } from "../../src/k8s/kubeCluster";
import { PodScheduler } from "../../src/k8s/podScheduler";
import { LeaderElector } from "../../src/k8s/leaderElection";
import { JobController } from "../../src/jobs/controller";
import { releaseHeld } from "../../src/jobs/admission";
import { DEMO_APP } from "../../src/catalog/demo";
import type { ClusterBackend } from "../../src/cluster/cluster";
import type { PlannedPod } from "../../src/core/podPlan";

export const SYSTEM_NS = "jarvice-system";
export const CONTROL_PLANE_USER = `system:serviceaccount:${SYSTEM_NS}:paddock-control-plane`;
/** the scheduler lease's duration in these tests */
export const LEASE_SECONDS = 5;
export const SCHEDULER_USER = `system:serviceaccount:${SYSTEM_NS}:paddock-pod-scheduler`;
const repoRoot = path.resolve(import.meta.dirname, "../..");

export interface Stack {
  harness: Harness;
  admin: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  jobsNamespace: string;
  t: TestApp;
  cluster: KubeCluster;
  controller: JobController;
  scheduler: PodScheduler;
  elector: LeaderElector;
  schedulerLog: string[];
  /** the job controller's log lines (all generations) */
  controllerLog: string[];
  /** restart the job controller and the pod scheduler (new instances, same cluster and database) */
  restartControlPlane(): Promise<void>;
  /** stop the job controller and the pod scheduler gracefully (the lease is released) and leave them down */
  stopControlPlane(): Promise<void>;
  /**
   * Stop them as a crash would: the controller's cluster calls fail from that moment on (a pod
   * creation loop stops half way), the scheduler stops, and the lease is NOT released (a new
   * instance waits for it to expire). With `when`, the kill is armed and happens right after the
   * job controller creates a pod for which `when` answers true; the promise resolves once it happened.
   */
  killControlPlane(opts?: { when?: (pod: PlannedPod, createdSoFar: number) => boolean }): Promise<void>;
  /** start new instances after a stop or a kill; `scheduler: false` starts only the job controller (`scheduler` and `elector` are then undefined) */
  startControlPlane(opts?: { scheduler?: boolean }): Promise<void>;
  /** one more pod scheduler with its own elector on the scheduler lease (see SchedulerInstance) */
  startSchedulerInstance(identity: string): Promise<SchedulerInstance>;
  stop(): Promise<void>;
}

export interface SchedulerInstance {
  identity: string;
  scheduler: PodScheduler;
  elector: LeaderElector;
  /** everything it logged (any level), with the time; "scheduler stopped" when it stopped binding after leading */
  log: Array<{ at: number; level: number; msg: string }>;
  /** cut the elector's connections to the API server (they hang: no reset), as a network partition would; bindings still get through */
  partition(): void;
  /** end the partition */
  heal(): void;
  stop(opts?: { release?: boolean }): Promise<void>;
}

/**
 * A TCP relay to the API server whose connections can be frozen: once cut, every open and new
 * connection hangs (nothing is forwarded, nothing is reset), like a network partition; heal()
 * lets them all through again.
 */
export async function startCuttableRelay(server: string): Promise<{ server: string; cut(): void; heal(): void; close(): Promise<void> }> {
  const target = new URL(server);
  const pairs = new Set<{ client: Socket; upstream?: Socket }>();
  let cut = false;
  const link = (pair: { client: Socket; upstream?: Socket }) => {
    const { client } = pair;
    if (!pair.upstream) {
      const upstream = connect(Number(target.port), target.hostname);
      pair.upstream = upstream;
      upstream.on("error", () => client.destroy());
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    }
    client.pipe(pair.upstream);
    pair.upstream.pipe(client);
    client.resume();
    pair.upstream.resume();
  };
  const relay: Server = createServer((client) => {
    const pair: { client: Socket; upstream?: Socket } = { client };
    pairs.add(pair);
    client.on("error", () => {});
    client.on("close", () => pairs.delete(pair));
    if (cut) client.pause();
    else link(pair);
  });
  await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
  const port = (relay.address() as { port: number }).port;
  return {
    server: `https://127.0.0.1:${port}`,
    cut() {
      cut = true;
      for (const { client, upstream } of pairs) {
        client.unpipe();
        upstream?.unpipe();
        client.pause();
        upstream?.pause();
      }
    },
    heal() {
      cut = false;
      for (const pair of pairs) link(pair);
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream?.destroy();
      }
      await new Promise<void>((r) => relay.close(() => r()));
    },
  };
}

/** The same identity as `kc`, talking to `server` instead. */
export function withServer(kc: k8s.KubeConfig, server: string): k8s.KubeConfig {
  const out = new k8s.KubeConfig();
  out.loadFromOptions({
    clusters: kc.clusters.map((c) => ({ ...c, server })),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return out;
}

export function kubeConfigFor(h: Harness, user = h.admin): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(h.kubeconfig(user));
  return kc;
}

/** Render the chart with `helm template` and return its objects. */
export function renderChart(bin: string, values: Record<string, string> = {}, extraArgs: string[] = []): k8s.KubernetesObject[] {
  // Settings are environment strings; the chart's values schema types some of them (boolean, integer).
  const schema = JSON.parse(readFileSync(path.join(repoRoot, "charts/paddock/values.schema.json"), "utf8")) as { properties?: { jarvice?: { properties?: Record<string, { type?: string | string[] }> } } };
  const typeOf = (k: string) => schema.properties?.jarvice?.properties?.[k]?.type;
  const sets = Object.entries(values).flatMap(([k, v]) => {
    const typed = (typeOf(k) === "boolean" && /^(true|false)$/.test(v)) || (typeOf(k) === "integer" && /^-?\d+$/.test(v));
    // --set-json, not --set-string: that still parses "{a,b}" as a list and splits on commas.
    return ["--set-json", `jarvice.${k}=${typed ? v : JSON.stringify(v)}`];
  });
  const out = execFileSync(path.join(bin, "helm"), ["template", "paddock", path.join(repoRoot, "charts/paddock"), "--namespace", SYSTEM_NS, "--kube-version", "1.34.0", ...sets, ...extraArgs], { encoding: "utf8" });
  return parseAllDocuments(out)
    .map((d) => d.toJSON() as k8s.KubernetesObject | null)
    .filter((o): o is k8s.KubernetesObject => o !== null && typeof o === "object" && "kind" in o);
}

export async function applyObjects(kc: k8s.KubeConfig, objects: k8s.KubernetesObject[]): Promise<void> {
  const api = k8s.KubernetesObjectApi.makeApiClient(kc);
  for (const o of objects) {
    try {
      await api.create(o);
    } catch (e) {
      if ((e as { code?: number }).code !== 409) throw new Error(`applying ${o.kind} ${o.metadata?.name}: ${(e as Error).message}`);
    }
  }
}

export async function createKwokNodes(core: k8s.CoreV1Api, names: string[], opts: { cpu: string; memory: string; labels?: Record<string, string> }): Promise<void> {
  for (const name of names) {
    const capacity = { cpu: opts.cpu, memory: opts.memory, pods: "110" };
    await core.createNode({
      body: {
        metadata: { name, annotations: { "kwok.x-k8s.io/node": "fake" }, labels: { "kubernetes.io/hostname": name, type: "kwok", ...(opts.labels ?? {}) } },
        spec: {},
        status: { capacity, allocatable: capacity },
      },
    });
  }
}

export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface StackOptions {
  env?: Record<string, string>;
  nodes?: number;
  nodeCpu?: string;
  nodeMemory?: string;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const harness = await startHarness({ users: [CONTROL_PLANE_USER, SCHEDULER_USER] });
  try {
    const admin = kubeConfigFor(harness);
    const core = admin.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: SYSTEM_NS } } });
    const values = Object.fromEntries(Object.entries(opts.env ?? {}).filter(([k]) => k.startsWith("JARVICE_")));
    await applyObjects(admin, renderChart(harness.bin, values));
    const env = { JARVICE_SYSTEM_NAMESPACE: SYSTEM_NS, ...(opts.env ?? {}) };
    const parts = {} as Pick<Stack, "cluster" | "controller" | "scheduler" | "elector"> & { up?: boolean };
    // The API follows whichever cluster and controller are current (they are replaced on a restart).
    const delegate: ClusterBackend = {
      get description() {
        return parts.cluster.description;
      },
      prepareTenant: (tenant) => parts.cluster.prepareTenant(tenant),
      createPods: (pods) => parts.cluster.createPods(pods),
      ensureClaims: (claims) => parts.cluster.ensureClaims(claims),
      deleteJobPods: (n, immediate) => parts.cluster.deleteJobPods(n, immediate),
      listPods: () => parts.cluster.listPods(),
      jobPods: (n) => parts.cluster.jobPods(n),
      watch: (f) => parts.cluster.watch(f),
      podLogs: (n, i, lines) => parts.cluster.podLogs(n, i, lines),
      servicesSelecting: (labels) => parts.cluster.servicesSelecting(labels),
      events: (n, pods) => parts.cluster.events(n, pods),
      close: async () => {},
    };
    const t = await startTestApp(env, { backend: { cluster: delegate, kick: (n) => parts.controller?.kick(n) } });
    const jobsNamespace = t.settings.JARVICE_JOBS_NAMESPACE;
    await createKwokNodes(
      core,
      Array.from({ length: opts.nodes ?? 4 }, (_, i) => `kwok-node-${i}`),
      { cpu: opts.nodeCpu ?? "16", memory: opts.nodeMemory ?? "64Gi" },
    );

    // The catalog: a Kubernetes cluster in the Default zone, fractional machine types, the demo app.
    const as = t.admin;
    const ok = async (p: Promise<{ statusCode: number; body: string }>) => {
      const r = await p;
      if (r.statusCode >= 300) throw new Error(r.body);
    };
    await ok(t.call("POST", "/api/clusters", { as, body: { name: "kwok", zone: 0, backend: "kubernetes" } }));
    for (const [name, cores, memoryGb] of [
      ["n4", 4, 16],
      ["n8", 8, 32],
      ["n16", 16, 64],
    ] as const) {
      await ok(t.call("POST", "/api/machines", { as, body: { name, cluster: "kwok", cores, memoryGb, maxNodes: 8, perNode: 16 / cores } }));
    }
    await ok(t.call("POST", "/api/apps", { as, body: { id: "demo", appdef: DEMO_APP } }));

    const settings = t.settings;
    const network = {
      ingressPodLabels: settings.JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS,
      ingressNamespaceLabels: settings.JARVICE_JOBS_MULTI_TENANT_INGRESS_NS_LABELS,
      lbServiceCidrs: settings.JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS,
    };
    const cpKc = kubeConfigFor(harness, harness.users[CONTROL_PLANE_USER]);
    const schedKc = kubeConfigFor(harness, harness.users[SCHEDULER_USER]);
    const schedulerLog: string[] = [];
    const slog = (level: number, msg: string) => {
      if (level >= settings.JARVICE_POD_SCHED_LOGLEVEL) schedulerLog.push(`${level} ${msg}`);
    };

    const controllerLog: string[] = [];
    const extraSchedulers: SchedulerInstance[] = [];

    const startParts = async (n: number, opts: { scheduler?: boolean } = {}) => {
      if (parts.up) throw new Error("the control plane is already running");
      parts.up = true;
      const cluster = new KubeCluster(cpKc, { namespace: jobsNamespace, multiTenant: settings.JARVICE_JOBS_MULTI_TENANT, network });
      parts.cluster = cluster;
      await cluster.start();
      // The controller's view of the cluster, which a kill turns off mid-operation.
      let dead = false;
      let armed: { when: (pod: PlannedPod, created: number) => boolean; fire: () => void } | undefined;
      let created = 0;
      const alive = () => {
        if (dead) throw new Error("killed");
      };
      const killable: ClusterBackend = {
        description: cluster.description,
        prepareTenant: async (tenant) => (alive(), cluster.prepareTenant(tenant)),
        ensureClaims: async (claims) => (alive(), cluster.ensureClaims(claims)),
        createPods: async (pods) => {
          for (const pod of pods) {
            alive();
            await cluster.createPods([pod]);
            created++;
            if (armed?.when(pod, created)) {
              dead = true;
              armed.fire();
            }
          }
        },
        deleteJobPods: async (num, immediate) => (alive(), cluster.deleteJobPods(num, immediate)),
        listPods: async () => (alive(), cluster.listPods()),
        jobPods: async (num) => (alive(), cluster.jobPods(num)),
        watch: (f) => cluster.watch(f),
        podLogs: async (num, i, lines) => (alive(), cluster.podLogs(num, i, lines)),
        servicesSelecting: async (labels) => (alive(), cluster.servicesSelecting(labels)),
        close: async () => {},
      };
      const controller = new JobController(t.opened.db, killable, { namespace: jobsNamespace, resyncMs: 500, log: (m) => controllerLog.push(m), admission: { releaseHeld: () => releaseHeld(t.opened.db) } });
      parts.controller = controller;
      controller.start();
      let scheduler: PodScheduler | undefined;
      let elector: LeaderElector | undefined;
      if (opts.scheduler !== false) {
        scheduler = new PodScheduler(schedKc, { multiTenant: settings.JARVICE_JOBS_MULTI_TENANT, log: slog, resyncMs: 500 });
        const sched = scheduler;
        elector = new LeaderElector(schedKc, {
          namespace: SYSTEM_NS,
          name: "jarvice-pod-scheduler",
          identity: `test-scheduler-${n}`,
          leaseSeconds: LEASE_SECONDS,
          renewMs: 500,
          log: slog,
          onStartedLeading: () => sched.start(),
          onStoppedLeading: () => sched.stop(),
        });
        elector.start();
      }
      parts.scheduler = scheduler!;
      parts.elector = elector!;
      const stopAll = async (release: boolean) => {
        await elector?.stop({ release });
        await scheduler?.stop();
        await controller.stop();
        await cluster.close();
        parts.up = false;
      };
      return {
        stop: () => stopAll(true),
        kill: async () => {
          dead = true;
          await stopAll(false);
        },
        arm: (when: (pod: PlannedPod, created: number) => boolean) =>
          new Promise<void>((resolve, reject) => {
            armed = { when, fire: () => void stopAll(false).then(resolve, reject) };
          }),
      };
    };
    type Running = Awaited<ReturnType<typeof startParts>>;
    let current: Running | undefined;
    const stopParts = async () => {
      const c = current;
      current = undefined;
      await c?.stop();
    };
    let generation = 0;
    current = await startParts(generation);

    const startSchedulerInstance = async (identity: string): Promise<SchedulerInstance> => {
      const relay = await startCuttableRelay(harness.server);
      const log: SchedulerInstance["log"] = [];
      const ilog = (level: number, msg: string) => void log.push({ at: Date.now(), level, msg });
      const scheduler = new PodScheduler(schedKc, { multiTenant: settings.JARVICE_JOBS_MULTI_TENANT, log: ilog, resyncMs: 500 });
      // Only the elector goes through the relay: a partition stops its renewals, not the bindings.
      const elector = new LeaderElector(withServer(schedKc, relay.server), {
        namespace: SYSTEM_NS,
        name: "jarvice-pod-scheduler",
        identity,
        leaseSeconds: LEASE_SECONDS,
        renewMs: 500,
        log: ilog,
        onStartedLeading: () => scheduler.start(),
        onStoppedLeading: async () => {
          await scheduler.stop();
          ilog(20, "scheduler stopped");
        },
      });
      elector.start();
      let stopped = false;
      const inst: SchedulerInstance = {
        identity,
        scheduler,
        elector,
        log,
        partition: () => relay.cut(),
        heal: () => relay.heal(),
        async stop(opts = {}) {
          if (stopped) return;
          stopped = true;
          // A partitioned elector cannot release: do not wait for it.
          await Promise.race([elector.stop(opts), new Promise((r) => setTimeout(r, 2000))]);
          await scheduler.stop();
          await relay.close();
        },
      };
      extraSchedulers.push(inst);
      return inst;
    };

    const stack: Stack = {
      harness,
      admin,
      core,
      jobsNamespace,
      t,
      get cluster() {
        return parts.cluster;
      },
      get controller() {
        return parts.controller;
      },
      get scheduler() {
        return parts.scheduler;
      },
      get elector() {
        return parts.elector;
      },
      schedulerLog,
      controllerLog,
      async restartControlPlane() {
        await stopParts();
        current = await startParts(++generation);
      },
      async stopControlPlane() {
        await stopParts();
      },
      async killControlPlane(opts = {}) {
        const c = current;
        if (!c) throw new Error("the control plane is not running");
        if (opts.when) await c.arm(opts.when);
        else await c.kill();
        current = undefined;
      },
      async startControlPlane(opts = {}) {
        current = await startParts(++generation, opts);
      },
      startSchedulerInstance,
      async stop() {
        for (const i of extraSchedulers) await i.stop().catch(() => {});
        await stopParts().catch(() => {});
        await t.close();
        await harness.stop();
      },
    };
    return stack;
  } catch (e) {
    await harness.stop();
    throw e;
  }
}
