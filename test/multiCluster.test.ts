// One control plane, several clusters (issue 13), on simulated clusters: the
// registry gives each catalog cluster its backend (here: a kubeconfig path per
// simulated cluster), one job controller per backend starts a job only on its
// machine's cluster, and a cluster that does not answer makes only its own jobs
// wait (with a substatus saying so; /jarvice/ready names it) until it answers
// again, each pod then created once. The Kubernetes tier runs the same on two
// real API servers (test/k8s/multiCluster.test.ts).
import { lazyBackend } from "./lazyBackend";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type Creds, type TestApp } from "./app";
import { SimulatedCluster } from "../src/cluster/simulated";
import { ClusterRegistry } from "../src/jobs/clusterRegistry";
import type { ClusterBackend } from "../src/cluster/cluster";
import { ClusterControllers } from "../src/jobs/clusterControllers";
import { releaseHeld } from "../src/jobs/admission";
import { DEMO_APP } from "../src/catalog/demo";
import type { PlannedPod } from "../src/core/podPlan";

/** A simulated cluster that can stop answering, and that counts the pods it really created. */
class Flaky implements ClusterBackend {
  down = false;
  /** pod name -> how many times a create made it (0 or 1 when creation is idempotent) */
  readonly created = new Map<string, number>();
  /** pod creations asked while down */
  askedWhileDown = 0;
  constructor(readonly sim: SimulatedCluster) {}
  get description() {
    return `flaky ${this.sim.description}`;
  }
  private check(): void {
    if (this.down) throw new Error("connect ECONNREFUSED");
  }
  prepareTenant = async () => (this.check(), this.sim.prepareTenant());
  createPods = async (pods: PlannedPod[]) => {
    if (this.down) this.askedWhileDown++;
    this.check();
    const have = new Set((await this.sim.listPods()).map((p) => p.name));
    await this.sim.createPods(pods);
    for (const p of pods) if (!have.has(p.metadata.name)) this.created.set(p.metadata.name, (this.created.get(p.metadata.name) ?? 0) + 1);
  };
  deleteJobPods = async (n: number) => (this.check(), this.sim.deleteJobPods(n));
  listPods = () => this.sim.listPods();
  jobPods = (n: number) => this.sim.jobPods(n);
  watch = (f: (n?: number) => void) => this.sim.watch(f);
  podLogs = (n: number, i: number, l?: number) => this.sim.podLogs(n, i, l);
  servicesSelecting = () => this.sim.servicesSelecting();
  ready = async () => this.check();
  nodeCount = () => this.sim.nodeCount();
  close = () => this.sim.close();
}

const sim = (nodes: number) =>
  new Flaky(new SimulatedCluster(Array.from({ length: nodes }, (_, i) => ({ name: `node-${i}`, cores: 16, memoryGb: 64 })), { multiTenant: true, startDelayMs: 20, tickMs: 10 }));

let t: TestApp;
let registry: ClusterRegistry;
let controllers: ClusterControllers;
const east = sim(4);
const west = sim(5);
const startedWith = sim(1);
let westZone: number;
let eastUser: Creds;
let westPayer: Creds;

const ok = async (p: Promise<{ statusCode: number; body: string; json(): unknown }>, status = 201) => {
  const r = await p;
  expect(r.statusCode, r.body).toBe(status);
  return r.json() as Record<string, unknown>;
};

const submit = async (who: Creds, type: string, nodes: number) => {
  const r = await t.call("POST", "/jarvice/submit", { body: { app: "demo", application: { command: "sleep", parameters: { seconds: 3600 } }, machine: { type, nodes }, user: who } });
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { number: number }).number;
};

const job = (n: number) => t.opened.db.selectFrom("jobs").select(["status", "substatus_text"]).where("number", "=", n).executeTakeFirstOrThrow();
const podsOf = async (c: Flaky, n: number) => (await c.listPods()).filter((p) => p.jobNumber === n);

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  t = await startTestApp(
    { JARVICE_JOBS_MULTI_TENANT: "true" },
    {
      backend: {
        cluster: lazyBackend(() => registry.router()),
        kick: (n) => controllers?.kick(n),
        clusters: { health: (id) => registry?.health(id), sync: () => registry?.sync() ?? Promise.resolve() },
      },
    },
  );
  const byPath: Record<string, Flaky> = { "/clusters/east.kubeconfig": east, "/clusters/west.kubeconfig": west };
  registry = new ClusterRegistry(t.opened.db, {
    startedWith,
    defaultNamespace: t.settings.JARVICE_JOBS_NAMESPACE,
    connect: async (reach) => {
      const c = reach.kubeconfigPath ? byPath[reach.kubeconfigPath] : undefined;
      if (!c) throw new Error(`no such file ${reach.kubeconfigPath}`);
      return c;
    },
    probeMs: 50,
    onChange: () => void controllers?.refresh(),
  });
  controllers = new ClusterControllers(t.opened.db, registry, { resyncMs: 50, backoff: { initialMs: 20, maxMs: 100 }, admission: { releaseHeld: () => releaseHeld(t.opened.db) } });
  await registry.start();
  controllers.start();

  const as = t.admin;
  westZone = (await ok(t.call("POST", "/api/zones", { as, body: { name: "west" } }))).id as number;
  await ok(t.call("POST", "/api/clusters", { as, body: { name: "east-k", zone: 0, kubeconfigPath: "/clusters/east.kubeconfig" } }));
  await ok(t.call("POST", "/api/clusters", { as, body: { name: "west-k", zone: westZone, kubeconfigPath: "/clusters/west.kubeconfig", jobsNamespace: "west-jobs" } }));
  await ok(t.call("POST", "/api/machines", { as, body: { name: "ne16", cluster: "east-k", cores: 16, memoryGb: 64, maxNodes: 4, perNode: 1 } }));
  await ok(t.call("POST", "/api/machines", { as, body: { name: "nw16", cluster: "west-k", cores: 16, memoryGb: 64, maxNodes: 4, perNode: 1 } }));
  await ok(t.call("POST", "/api/apps", { as, body: { id: "demo", appdef: DEMO_APP } }));
  eastUser = await t.payer("mc-east");
  westPayer = await t.payer("mc-west", { vaultOverrides: { vaultEphemeralZone: westZone } });
});

afterAll(async () => {
  await controllers?.stop();
  await registry?.close();
  await t?.close();
});

describe("several clusters", () => {
  it("shows each cluster's zone, how to reach it, whether it answers and its node count", async () => {
    const { clusters } = await ok(t.call("GET", "/api/clusters", { as: t.admin }), 200);
    expect(clusters).toEqual([
      expect.objectContaining({ name: "east-k", zone: 0, kubeconfigPath: "/clusters/east.kubeconfig", kubeconfigSecret: null, jobsNamespace: null, reachable: true, nodes: 4 }),
      expect.objectContaining({ name: "west-k", zone: westZone, kubeconfigPath: "/clusters/west.kubeconfig", jobsNamespace: "west-jobs", reachable: true, nodes: 5 }),
    ]);
  });

  it.each([
    ["kubeconfigSecret", { kubeconfigSecret: "Not_A_Name" }],
    ["jobsNamespace", { jobsNamespace: "a".repeat(64) }],
    ["jobsNamespace", { jobsNamespace: "UPPER" }],
    ["kubeconfigPath", { kubeconfigPath: "relative/file" }],
    ["kubeconfigPath", { kubeconfigSecret: "s", kubeconfigPath: "/f" }],
  ])("refuses a bad %s with a 400 naming it, changing nothing", async (field, bad) => {
    const before = await t.opened.db.selectFrom("clusters").selectAll().orderBy("id").execute();
    const created = await t.call("POST", "/api/clusters", { as: t.admin, body: { name: "bad-k", zone: 0, ...bad } });
    expect(created.statusCode, created.body).toBe(400);
    expect(created.json()).toMatchObject({ field });
    const patched = await t.call("PATCH", "/api/clusters/1", { as: t.admin, body: bad });
    expect(patched.statusCode, patched.body).toBe(400);
    expect(patched.json()).toMatchObject({ field });
    expect(await t.opened.db.selectFrom("clusters").selectAll().orderBy("id").execute()).toEqual(before);
  });

  it("runs a job on its machine's cluster only", async () => {
    const w = await submit(westPayer, "nw16", 2);
    const e = await submit(eastUser, "ne16", 1);
    await waitFor("both jobs running", async () => (await job(w)).status === "PROCESSING STARTING" && (await job(e)).status === "PROCESSING STARTING");
    expect((await podsOf(west, w)).length).toBe(2);
    expect((await podsOf(east, w)).length).toBe(0);
    expect((await podsOf(east, e)).length).toBe(1);
    expect((await podsOf(west, e)).length).toBe(0);
    expect((await startedWith.listPods()).length).toBe(0);
    // the west payer cannot choose the east machine type (its vault zone)
    const r = await t.call("POST", "/jarvice/submit", { body: { app: "demo", application: { command: "sleep", parameters: { seconds: 1 } }, machine: { type: "ne16", nodes: 1 }, user: westPayer } });
    expect(r.statusCode, r.body).toBe(404); // not a machine type it may see
  });

  it("makes only an unreachable cluster's jobs wait, and starts them once it answers, each pod created once", async () => {
    west.down = true;
    const ready = await waitFor("ready to name west-k", async () => {
      const r = await t.call("GET", "/jarvice/ready");
      const body = r.json() as { unreachable?: string[] };
      return r.statusCode === 200 && body.unreachable?.some((u) => u.startsWith("west-k: unreachable")) && body;
    });
    expect(ready).toMatchObject({ status: "OK", unreachable: ["west-k: unreachable (connect ECONNREFUSED)"] });
    const { clusters } = await ok(t.call("GET", "/api/clusters", { as: t.admin }), 200);
    expect(clusters).toEqual([expect.objectContaining({ name: "east-k", reachable: true }), expect.objectContaining({ name: "west-k", reachable: false, unreachableReason: "connect ECONNREFUSED" })]);

    const w = await submit(westPayer, "nw16", 1);
    const w2 = await submit(westPayer, "nw16", 1);
    await waitFor("the west jobs to say they wait", async () => (await job(w)).substatus_text.startsWith("Waiting for cluster west-k: unreachable") && (await job(w2)).substatus_text.startsWith("Waiting"));
    // the east cluster keeps starting jobs meanwhile
    const e = await submit(eastUser, "ne16", 1);
    await waitFor("the east job running", async () => (await job(e)).status === "PROCESSING STARTING");
    expect(await job(w)).toEqual({ status: "SUBMITTED", substatus_text: "Waiting for cluster west-k: unreachable (connect ECONNREFUSED)" });
    expect(west.askedWhileDown).toBe(0);

    west.down = false;
    await waitFor("the west jobs running", async () => (await job(w)).status === "PROCESSING STARTING" && (await job(w2)).status === "PROCESSING STARTING");
    await waitFor("the wait text cleared", async () => (await job(w)).substatus_text === "");
    for (const n of [w, w2]) {
      const pods = await podsOf(west, n);
      expect(pods.length).toBe(1);
      expect(west.created.get(pods[0]!.name)).toBe(1);
    }
    expect((await t.call("GET", "/jarvice/ready")).json()).toEqual({ status: "OK" });
  });

  it("stops a cluster's backend and controller when the cluster goes, and connects one that appears", async () => {
    expect(controllers.all().length).toBe(3); // started-with, east, west
    await ok(t.call("PATCH", "/api/clusters/2", { as: t.admin, body: { kubeconfigPath: "/clusters/nowhere" } }), 200);
    const { clusters } = await ok(t.call("GET", "/api/clusters", { as: t.admin }), 200);
    expect((clusters as Array<Record<string, unknown>>)[1]).toMatchObject({ name: "west-k", reachable: false, unreachableReason: expect.stringMatching(/cannot load its kubeconfig: no such file/) });
    await ok(t.call("PATCH", "/api/clusters/2", { as: t.admin, body: { kubeconfigPath: "/clusters/west.kubeconfig" } }), 200);
  });
});
