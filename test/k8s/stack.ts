// Paddock on a real control plane, for the Kubernetes tier: the harness, the
// chart's RBAC applied as rendered by `helm template`, KWOK nodes, and
// Paddock's roles running under the chart's ServiceAccount identities (tokens
// with no groups), so the tests prove the chart grants enough.
import * as k8s from "@kubernetes/client-node";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { startHarness, type Harness } from "./harness";
import { startTestApp, type TestApp } from "../app";
import { KubeCluster } from "../../src/k8s/kubeCluster";
import { PodScheduler } from "../../src/k8s/podScheduler";
import { LeaderElector } from "../../src/k8s/leaderElection";
import { JobController } from "../../src/jobs/controller";
import { DEMO_APP } from "../../src/catalog/demo";
import type { ClusterBackend } from "../../src/cluster/cluster";

export const SYSTEM_NS = "jarvice-system";
export const CONTROL_PLANE_USER = `system:serviceaccount:${SYSTEM_NS}:paddock-control-plane`;
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
  /** restart the job controller and the pod scheduler (new instances, same cluster and database) */
  restartControlPlane(): Promise<void>;
  stop(): Promise<void>;
}

export function kubeConfigFor(h: Harness, user = h.admin): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(h.kubeconfig(user));
  return kc;
}

/** Render the chart with `helm template` and return its objects. */
export function renderChart(bin: string, values: Record<string, string> = {}, extraArgs: string[] = []): k8s.KubernetesObject[] {
  const sets = Object.entries(values).flatMap(([k, v]) => ["--set-string", `jarvice.${k}=${v}`]);
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
    const parts = {} as Pick<Stack, "cluster" | "controller" | "scheduler" | "elector">;
    // The API follows whichever cluster and controller are current (they are replaced on a restart).
    const delegate: ClusterBackend = {
      get description() {
        return parts.cluster.description;
      },
      prepareTenant: (tenant) => parts.cluster.prepareTenant(tenant),
      createPods: (pods) => parts.cluster.createPods(pods),
      deleteJobPods: (n, immediate) => parts.cluster.deleteJobPods(n, immediate),
      listPods: () => parts.cluster.listPods(),
      watch: (f) => parts.cluster.watch(f),
      podLogs: (n, i, lines) => parts.cluster.podLogs(n, i, lines),
      servicesSelecting: (labels) => parts.cluster.servicesSelecting(labels),
      close: async () => {},
    };
    const t = await startTestApp(env, { backend: { cluster: delegate, kick: () => parts.controller?.kick() } });
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

    const startParts = async (n: number) => {
      parts.cluster = new KubeCluster(cpKc, { namespace: jobsNamespace, multiTenant: settings.JARVICE_JOBS_MULTI_TENANT, network });
      await parts.cluster.start();
      parts.controller = new JobController(t.opened.db, parts.cluster, { namespace: jobsNamespace, resyncMs: 500 });
      parts.controller.start();
      parts.scheduler = new PodScheduler(schedKc, { multiTenant: settings.JARVICE_JOBS_MULTI_TENANT, log: slog, resyncMs: 500 });
      parts.elector = new LeaderElector(schedKc, {
        namespace: SYSTEM_NS,
        name: "jarvice-pod-scheduler",
        identity: `test-scheduler-${n}`,
        leaseSeconds: 5,
        renewMs: 500,
        log: slog,
        onStartedLeading: () => parts.scheduler.start(),
        onStoppedLeading: () => parts.scheduler.stop(),
      });
      parts.elector.start();
    };
    const stopParts = async () => {
      await parts.elector.stop();
      await parts.controller.stop();
      await parts.cluster.close();
    };
    let generation = 0;
    await startParts(generation);

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
      async restartControlPlane() {
        await stopParts();
        await startParts(++generation);
      },
      async stop() {
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
