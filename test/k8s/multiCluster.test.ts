// One control plane, two clusters (issue 13), on two real control planes
// (two etcd + kube-apiserver + controller-manager + KWOK): registered as
// clusters in two zones by kubeconfig files, with a jarvice-pod-scheduler in
// each. A job goes only to its machine's cluster (pods and tenant
// NetworkPolicy on that API server alone). The second cluster is reached
// through a relay that can be cut (its connections hang, as in a network
// partition): while cut, its new jobs wait with a substatus saying so,
// /jarvice/ready names it and the first cluster keeps starting jobs; healed,
// the waiting jobs start, each pod created once. The same when the second
// cluster's kube-apiserver is stopped and started again.
import { lazyBackend } from "../lazyBackend";
import * as k8s from "@kubernetes/client-node";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness";
import { applyObjects, CONTROL_PLANE_USER, createKwokNodes, kubeConfigFor, renderChart, SCHEDULER_USER, startCuttableRelay, SYSTEM_NS, waitUntil, withServer } from "./stack";
import { startTestApp, type Creds, type TestApp } from "../app";
import { ClusterRegistry } from "../../src/jobs/clusterRegistry";
import { SimulatedCluster } from "../../src/cluster/simulated";
import { ClusterControllers } from "../../src/jobs/clusterControllers";
import { releaseHeld } from "../../src/jobs/admission";
import { connectKubeCluster } from "../../src/k8s/clusterConnect";
import { PodScheduler } from "../../src/k8s/podScheduler";
import { DEMO_APP } from "../../src/catalog/demo";
import { tenantPolicyName } from "../../src/core/networkPolicy";
import type { PlannedPod } from "../../src/core/podPlan";

const ENV = { JARVICE_SYSTEM_NAMESPACE: SYSTEM_NS, JARVICE_JOBS_MULTI_TENANT: "true" };
const JOB = "jarvice-job-number";

interface Side {
  h: Harness;
  core: k8s.CoreV1Api;
  net: k8s.NetworkingV1Api;
  scheduler: PodScheduler;
}

let east: Side;
let west: Side;
let relay: Awaited<ReturnType<typeof startCuttableRelay>>;
let t: TestApp;
let registry: ClusterRegistry;
let controllers: ClusterControllers;
let jobsNs: string;
let westZone: number;
let eastUser: Creds;
let westPayer: Creds;
/** pod name -> createPods calls naming it, per kubeconfig file */
const createCalls = new Map<string, number>();

async function side(chartArgs: string[] = []): Promise<Side> {
  const h = await startHarness({ users: [CONTROL_PLANE_USER, SCHEDULER_USER] });
  const admin = kubeConfigFor(h);
  const core = admin.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: SYSTEM_NS } } });
  await applyObjects(admin, renderChart(h.bin, { JARVICE_JOBS_MULTI_TENANT: "true" }, chartArgs));
  // four whole-node machines: the tests below keep three west jobs (2 + 1 nodes) running and start another
  await createKwokNodes(core, ["kwok-node-0", "kwok-node-1", "kwok-node-2", "kwok-node-3"], { cpu: "16", memory: "64Gi" });
  // jarvice-pod-scheduler runs in each cluster (the downstream release installs it there)
  const scheduler = new PodScheduler(kubeConfigFor(h, h.users[SCHEDULER_USER]), { multiTenant: true, log: () => {}, resyncMs: 500 });
  await scheduler.start();
  return { h, core, net: admin.makeApiClient(k8s.NetworkingV1Api), scheduler };
}

const ok = async (p: Promise<{ statusCode: number; body: string; json(): unknown }>, status = 201) => {
  const r = await p;
  expect(r.statusCode, r.body).toBe(status);
  return r.json() as Record<string, unknown>;
};

const submit = async (who: Creds, type: string, nodes: number, vault?: string) => {
  const r = await t.call("POST", "/jarvice/submit", {
    body: { app: "demo", application: { command: "sleep", parameters: { seconds: 3600 } }, machine: { type, nodes }, user: who, ...(vault ? { vault: { name: vault } } : {}) },
  });
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { number: number }).number;
};

const job = (n: number) => t.opened.db.selectFrom("jobs").select(["status", "substatus_text"]).where("number", "=", n).executeTakeFirstOrThrow();
const podsOf = async (s: Side, n: number) => (await s.core.listNamespacedPod({ namespace: jobsNs, labelSelector: `${JOB}=${n}` })).items;
const running = (p: k8s.V1Pod) => Boolean(p.spec?.nodeName && p.status?.phase === "Running");
const waitRunning = (s: Side, n: number, count: number) =>
  waitUntil(`${count} pod(s) of job ${n} Running`, async () => {
    const pods = await podsOf(s, n);
    return pods.length === count && pods.every(running) && pods;
  });
const claims = async (s: Side) => (await s.core.listNamespacedPersistentVolumeClaim({ namespace: jobsNs })).items;
const policies = async (s: Side) => (await s.net.listNamespacedNetworkPolicy({ namespace: jobsNs })).items.map((p) => p.metadata!.name!).sort();

beforeAll(async () => {
  // east is the control plane's own cluster: the chart lets it read the kubeconfig Secret named here, and no other
  [east, west] = [await side(["--set-json", 'clusters.kubeconfigSecrets=["west-kubeconfig"]']), await side()];
  relay = await startCuttableRelay(west.h.server);
  // the control plane's identity on each cluster, as a kubeconfig file; the west one through the relay
  const eastFile = east.h.kubeconfig(east.h.users[CONTROL_PLANE_USER]);
  const westFile = path.join(west.h.dir, "kubeconfig-control-plane-relayed");
  writeFileSync(westFile, withServer(kubeConfigFor(west.h, west.h.users[CONTROL_PLANE_USER]), relay.server).exportConfig());

  t = await startTestApp(ENV, {
    backend: {
      cluster: lazyBackend(() => registry.router()),
      kick: (n) => controllers?.kick(n),
      clusters: { health: (id) => registry?.health(id), sync: () => registry?.sync() ?? Promise.resolve() },
    },
  });
  jobsNs = t.settings.JARVICE_JOBS_NAMESPACE;
  const s = t.settings;
  const kube = {
    multiTenant: true,
    network: { ingressPodLabels: s.JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS, ingressNamespaceLabels: s.JARVICE_JOBS_MULTI_TENANT_INGRESS_NS_LABELS, lbServiceCidrs: s.JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS },
  };
  registry = new ClusterRegistry(t.opened.db, {
    // the control plane's own cluster: no catalog cluster here uses it
    startedWith: new SimulatedCluster([], { multiTenant: true }),
    defaultNamespace: jobsNs,
    connect: async (reach) => {
      const c = await connectKubeCluster(reach, { startedWith: kubeConfigFor(east.h, east.h.users[CONTROL_PLANE_USER]), systemNamespace: SYSTEM_NS, kube });
      const createPods = c.createPods.bind(c);
      c.createPods = async (pods: PlannedPod[]) => {
        for (const p of pods) createCalls.set(p.metadata.name, (createCalls.get(p.metadata.name) ?? 0) + 1);
        return createPods(pods);
      };
      return c;
    },
    probeMs: 500,
    onChange: () => void controllers?.refresh(),
  });
  controllers = new ClusterControllers(t.opened.db, registry, { resyncMs: 500, admission: { releaseHeld: () => releaseHeld(t.opened.db) } });
  await registry.start();
  controllers.start();

  const as = t.admin;
  westZone = (await ok(t.call("POST", "/api/zones", { as, body: { name: "west" } }))).id as number;
  await ok(t.call("POST", "/api/clusters", { as, body: { name: "east", zone: 0, backend: "kubernetes", kubeconfigPath: eastFile } }));
  await ok(t.call("POST", "/api/clusters", { as, body: { name: "west", zone: westZone, backend: "kubernetes", kubeconfigPath: westFile } }));
  await ok(t.call("POST", "/api/machines", { as, body: { name: "ne16", cluster: "east", cores: 16, memoryGb: 64, maxNodes: 3, perNode: 1 } }));
  await ok(t.call("POST", "/api/machines", { as, body: { name: "nw16", cluster: "west", cores: 16, memoryGb: 64, maxNodes: 3, perNode: 1 } }));
  await ok(t.call("POST", "/api/apps", { as, body: { id: "demo", appdef: DEMO_APP } }));
  eastUser = await t.payer("east-co");
  // its vaults are in the west zone: it may run only on the west cluster's machine types
  westPayer = await t.payer("west-co", { vaultOverrides: { vaultEphemeralZone: westZone } });
  // and a persistent vault in the west zone, on a static volume of the west cluster
  await west.core.createPersistentVolume({
    body: {
      metadata: { name: "pv-west" },
      spec: { capacity: { storage: "5Gi" }, accessModes: ["ReadWriteMany"], persistentVolumeReclaimPolicy: "Retain", storageClassName: "", hostPath: { path: "/tmp/pv-west" } },
    },
  });
  await ok(t.call("POST", "/api/users/west-co/vaults", { as, body: { name: "proj", kind: "pvc", zone: westZone, volumeName: "pv-west", size: 5, accessModes: "ReadWriteMany" } }));
}, 300_000);

afterAll(async () => {
  await controllers?.stop();
  await registry?.close();
  await t?.close();
  await relay?.close();
  for (const s of [east, west]) {
    await s?.scheduler.stop();
    await s?.h.stop();
  }
});

describe("one control plane, two clusters", () => {
  it("shows both clusters answering, in their zones", async () => {
    const { clusters } = await ok(t.call("GET", "/api/clusters", { as: t.admin }), 200);
    expect(clusters).toEqual([expect.objectContaining({ name: "east", zone: 0, reachable: true }), expect.objectContaining({ name: "west", zone: westZone, reachable: true })]);
  });

  it("runs each job only on its machine's cluster, its tenant's NetworkPolicy and vault claim there alone", async () => {
    const w = await submit(westPayer, "nw16", 2, "proj");
    const e = await submit(eastUser, "ne16", 1);
    const wPods = await waitRunning(west, w, 2);
    await waitRunning(east, e, 1);
    expect(await podsOf(east, w)).toEqual([]);
    expect(await podsOf(west, e)).toEqual([]);
    expect(new Set(wPods.map((p) => p.spec!.nodeName)).size).toBe(2);
    expect(await policies(west)).toEqual([tenantPolicyName("west-co")]);
    expect(await policies(east)).toEqual([tenantPolicyName("east-co")]);
    // the west payer's persistent vault: one claim, on the west API server only, bound to the west volume
    const [claim, ...more] = await claims(west);
    expect(more).toEqual([]);
    expect(claim!.metadata!.labels).toMatchObject({ "app.kubernetes.io/managed-by": "paddock" });
    expect(claim!.spec!.volumeName).toBe("pv-west");
    expect(await claims(east)).toEqual([]);
    for (const p of wPods) expect(p.spec!.volumes).toContainEqual(expect.objectContaining({ persistentVolumeClaim: { claimName: claim!.metadata!.name } }));
    expect(await job(w)).toMatchObject({ status: "PROCESSING STARTING" });
  });

  it("makes the west cluster's jobs wait while it cannot be reached, keeps starting east jobs, and starts them once it answers, each pod created once", async () => {
    relay.cut();
    const ready = await waitUntil("/jarvice/ready to name the west cluster", async () => {
      const r = await t.call("GET", "/jarvice/ready");
      const body = r.json() as { status: string; unreachable?: string[] };
      return r.statusCode === 200 && body.unreachable?.length === 1 && body;
    });
    expect(ready.unreachable![0]).toMatch(/^west: unreachable \(.+\)$/);

    const w = await submit(westPayer, "nw16", 1);
    const waiting = await waitUntil("the west job to say it waits", async () => {
      const j = await job(w);
      return j.substatus_text.startsWith("Waiting for cluster west: unreachable (") && j;
    });
    expect(waiting.status).toBe("SUBMITTED");
    // the east cluster is not held up
    const e = await submit(eastUser, "ne16", 1);
    await waitRunning(east, e, 1);
    expect(await podsOf(west, w)).toEqual([]); // read on the west API server directly, not through the relay
    expect((await job(w)).status).toBe("SUBMITTED");

    relay.heal();
    const pods = await waitRunning(west, w, 1);
    await waitUntil("the west job running, the wait text gone", async () => {
      const j = await job(w);
      return j.status === "PROCESSING STARTING" && j.substatus_text === "";
    });
    expect(createCalls.get(pods[0]!.metadata!.name!)).toBe(1);
    // nothing was created twice for any job (deterministic names: a second create would be a 409, never a second pod)
    expect([...createCalls.values()].every((n) => n === 1), JSON.stringify([...createCalls])).toBe(true);
    const uid = pods[0]!.metadata!.uid;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await podsOf(west, w)).map((p) => p.metadata!.uid)).toEqual([uid]);
    expect((await t.call("GET", "/jarvice/ready")).json()).toEqual({ status: "OK" });
  });

  it("makes the west cluster's jobs wait while its kube-apiserver is stopped, and starts them once it is back, each pod created once", async () => {
    await west.h.stopApiServer();
    await waitUntil("/jarvice/ready to name the west cluster", async () => {
      const body = (await t.call("GET", "/jarvice/ready")).json() as { unreachable?: string[] };
      return body.unreachable?.some((u) => u.startsWith("west: unreachable (")) ?? false;
    });
    const w = await submit(westPayer, "nw16", 1);
    await waitUntil("the west job to say it waits", async () => (await job(w)).substatus_text.startsWith("Waiting for cluster west: unreachable ("));
    const e = await submit(eastUser, "ne16", 1);
    await waitRunning(east, e, 1);
    expect((await job(w)).status).toBe("SUBMITTED");

    await west.h.startApiServer();
    const pods = await waitRunning(west, w, 1);
    await waitUntil("the west job running, the wait text gone", async () => {
      const j = await job(w);
      return j.status === "PROCESSING STARTING" && j.substatus_text === "";
    });
    expect(createCalls.get(pods[0]!.metadata!.name!)).toBe(1);
    expect([...createCalls.values()].every((n) => n === 1), JSON.stringify([...createCalls])).toBe(true);
  });

  it("reaches a cluster through a kubeconfig Secret on its own cluster, read with the chart's narrow rights", async () => {
    const westKubeconfig = withServer(kubeConfigFor(west.h, west.h.users[CONTROL_PLANE_USER]), west.h.server).exportConfig();
    for (const name of ["west-kubeconfig", "not-allowed"]) {
      await east.core.createNamespacedSecret({ namespace: SYSTEM_NS, body: { metadata: { name }, stringData: { kubeconfig: westKubeconfig } } });
    }
    const as = t.admin;
    await ok(t.call("POST", "/api/clusters", { as, body: { name: "west-by-secret", zone: westZone, backend: "kubernetes", kubeconfigSecret: "west-kubeconfig" } }));
    await ok(t.call("POST", "/api/clusters", { as, body: { name: "west-forbidden", zone: westZone, backend: "kubernetes", kubeconfigSecret: "not-allowed" } }));
    const row = (clusters: unknown, name: string) => (clusters as Array<Record<string, unknown>>).find((c) => c.name === name)!;
    const seen = await waitUntil("both Secret clusters probed", async () => {
      const { clusters } = await ok(t.call("GET", "/api/clusters", { as }), 200);
      return row(clusters, "west-by-secret").reachable === true && row(clusters, "west-forbidden").reachable === false && clusters;
    });
    expect(row(seen, "west-by-secret")).toMatchObject({ kubeconfigSecret: "west-kubeconfig", nodes: 4 });
    // the chart grants get on the listed Secret only: the other is refused by the API server, and said so without its contents
    expect(String(row(seen, "west-forbidden").unreachableReason)).toMatch(/cannot read Secret jarvice-system\/not-allowed \(HTTP 403\)/);
    expect(JSON.stringify(seen)).not.toContain("certificate-authority-data");
  });
});
