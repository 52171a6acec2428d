// The job controller as a work queue of per-job reconcilers (issue 12), on the
// simulated cluster and the test database:
//  - errors are per job: a job whose pods cannot be created is retried with
//    backoff (its error in its substatus text) while other jobs start; a pod the
//    cluster refuses for good ends that job with the server's message;
//  - decide, save, then act: the controller is stopped dead at each step of a
//    job's life and a fresh one started on the same database and cluster: no pod
//    is created twice, no job is lost, every job ends in its right status;
//  - it writes only what changed: no statement at all while idle, none but reads
//    on a resync or a reconcile of unchanged jobs, pod rows batched;
//  - held jobs get no pods; the admission's releaseHeld is asked on resync and
//    after a job ends, and the jobs it releases start.
import { SelectQueryNode, type KyselyPlugin } from "kysely";
import { performance } from "node:perf_hooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { seedDemoCatalog } from "../src/catalog/demo";
import { ClusterRefusal, type ClusterBackend } from "../src/cluster/cluster";
import { SimulatedCluster } from "../src/cluster/simulated";
import { JobController, RETRY_PREFIX, type ControllerOptions } from "../src/jobs/controller";
import { startTestApp, type Creds, type TestApp } from "./app";
import { crashName, isWrite, Mortal, StatementSpy, type CrashPoint } from "./controllerHarness";
import { demoJob, Jarvice, sleep, waitFor } from "./jarviceClient";

let t: TestApp;
let j: Jarvice;
let ada: Creds;
let cluster: SimulatedCluster;
/** the controller the API's kicks go to (each test starts its own) */
let current: JobController | undefined;
const FAST_BACKOFF = { initialMs: 20, maxMs: 200 };

beforeAll(async () => {
  cluster = new SimulatedCluster(
    Array.from({ length: 4 }, (_, i) => ({ name: `sim-node-${i}`, cores: 16, memoryGb: 64 })),
    { multiTenant: false, startDelayMs: 50, tickMs: 20 },
  );
  t = await startTestApp({}, { backend: { cluster, kick: (n) => current?.kick(n) } });
  await seedDemoCatalog(t.opened.db, 16, 64);
  j = new Jarvice(t);
  ada = await t.payer("ada");
  // a machine type for nodes this cluster does not have: its pods wait forever
  const r = await t.call("POST", "/api/machines", { as: t.admin, body: { name: "n-mars", cluster: "embedded", cores: 4, memoryGb: 16, maxNodes: 2, nodeSelector: { zone: "mars" } } });
  expect(r.statusCode, r.body).toBe(201);
});
afterAll(async () => {
  await current?.stop();
  await t?.close();
  await cluster?.close();
});
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

/** Start a controller as the current one; `db` and `cluster` default to the real ones. */
function startController(opts: Partial<ControllerOptions> & { db?: TestApp["opened"]["db"]; cluster?: ClusterBackend } = {}): JobController {
  const { db, cluster: c, ...rest } = opts;
  const controller = new JobController(db ?? t.opened.db, c ?? cluster, { namespace: "jobs", resyncMs: 60_000, backoff: FAST_BACKOFF, ...rest });
  current = controller;
  controller.start();
  return controller;
}

const row = async (n: number) => t.opened.db.selectFrom("jobs").select(["status", "substatus_text", "exitcode", "output", "start_time", "end_time"]).where("number", "=", n).executeTakeFirstOrThrow();
const podsOf = (n: number) => cluster.jobPods(n);
const waitForStatus = (n: number, status: string, timeoutMs = 10_000) =>
  waitFor(async () => (await row(n)).status === status, timeoutMs, () => `job ${n} not ${status}`);
const waitForNoPods = (n: number) => waitFor(async () => (await podsOf(n)).length === 0, 10_000, () => `pods of job ${n} still there`);

/** The real cluster, except that pod creation of jobs on machine `machine` fails as `fail` says. */
function failingFor(machine: string, fail: () => Error | undefined): ClusterBackend {
  return {
    description: cluster.description,
    prepareTenant: () => cluster.prepareTenant(),
    createPods: async (pods) => {
      const e = pods[0]!.metadata.annotations["paddock.io/machine"] === machine ? fail() : undefined;
      if (e) throw e;
      await cluster.createPods(pods);
    },
    deleteJobPods: (n) => cluster.deleteJobPods(n),
    listPods: () => cluster.listPods(),
    jobPods: (n) => cluster.jobPods(n),
    watch: (f) => cluster.watch(f),
    podLogs: (n, i, lines) => cluster.podLogs(n, i, lines),
    servicesSelecting: () => cluster.servicesSelecting(),
    close: async () => {},
  };
}

describe("errors are per job", () => {
  it("a job whose pod creation keeps failing is retried with its error shown, while the jobs after it start; it starts once the cluster accepts it", async () => {
    let broken = true;
    startController({ cluster: failingFor("n8", () => (broken ? new Error("etcdserver: request timed out") : undefined)) });
    const stuck = (await j.submit(ada, demoJob({ machine: "n8", seconds: 3600 }))).number;
    const others = [];
    for (let i = 0; i < 5; i++) others.push((await j.submit(ada, demoJob({ seconds: 3600 }))).number);
    for (const n of others) await waitForStatus(n, "PROCESSING STARTING");
    await waitFor(async () => (await row(stuck)).substatus_text === `${RETRY_PREFIX}etcdserver: request timed out`);
    expect((await row(stuck)).status).toBe("SUBMITTED");
    expect(await podsOf(stuck)).toEqual([]);

    broken = false; // the next retry (backoff at most 200 ms here) gets through
    await waitForStatus(stuck, "PROCESSING STARTING");
    expect((await row(stuck)).substatus_text).toBe("");
    for (const n of [stuck, ...others]) expectOk(await j.get("terminate", ada, { number: n }));
    for (const n of [stuck, ...others]) await waitForNoPods(n);
  });

  it("a job whose pods the cluster refuses for good ends COMPLETED WITH ERROR with the server's message; the others start", async () => {
    const message = 'Pod "jarvice-job-x-0" is invalid: spec.containers[0].image: Required value';
    startController({ cluster: failingFor("n8", () => new ClusterRefusal(422, message)) });
    const before = (await j.submit(ada, demoJob({ seconds: 3600 }))).number;
    const refused = (await j.submit(ada, demoJob({ machine: "n8", seconds: 3600 }))).number;
    const after = (await j.submit(ada, demoJob({ seconds: 3600 }))).number;
    await waitForStatus(refused, "COMPLETED WITH ERROR");
    const r = await row(refused);
    expect(r.substatus_text).toBe(`refused by the cluster (HTTP 422): ${message}`);
    expect(Number(r.end_time)).toBeGreaterThan(0);
    expect(Number(r.start_time)).toBe(0);
    for (const n of [before, after]) await waitForStatus(n, "PROCESSING STARTING");
    expect(await podsOf(refused)).toEqual([]);
    for (const n of [before, after]) expectOk(await j.get("terminate", ada, { number: n }));
    for (const n of [before, after]) await waitForNoPods(n);
  });
});

describe("decide, save, then act: a controller stopped dead at each step, then a fresh one", () => {
  /** Real pod creations (of a name that did not exist) per pod name, by every controller of a scenario. */
  const created = new Map<string, number>();

  /**
   * Run one job with a controller that dies at `point`, then a fresh one: the point must be reached,
   * every pod created at most once, the job must end `final` with no pods left.
   */
  async function crashScenario(point: CrashPoint, job: { body: Record<string, unknown>; stopWith?: "terminate" | "shutdown"; stopWhen?: "running" | "submitted" }, final: string) {
    created.clear();
    // The job exists before the mortal controller starts (it learns of it from its first resync).
    const stopped = current;
    current = undefined;
    await stopped?.stop();
    const { number } = await j.submit(ada, job.body);
    const mortal = new Mortal(point, number);
    const spy = mortal.spy();
    const first = startController({ db: t.opened.db.withPlugin(spy), cluster: mortal.cluster(cluster, created), resyncMs: 50 });
    if (job.stopWith) {
      if (job.stopWhen === "submitted") await waitFor(async () => (await podsOf(number)).length > 0 || mortal.dead);
      else await waitFor(async () => (await row(number)).status === "PROCESSING STARTING" || mortal.dead);
      expectOk(await j.get(job.stopWith, ada, { number }));
    }
    await waitFor(() => mortal.fired, 10_000, () => `never reached: ${crashName(point)}`);
    await first.stop();

    const fresh = new Mortal();
    startController({ cluster: fresh.cluster(cluster, created), resyncMs: 50 });
    await waitForStatus(number, final);
    await waitForNoPods(number);
    await sleep(150); // a few more resyncs: nothing may change any more
    const r = await row(number);
    expect(r.status).toBe(final);
    const names = [...created.keys()].filter((name) => name.startsWith(`jarvice-job-${number}-`));
    expect(names.every((name) => created.get(name) === 1), JSON.stringify([...created])).toBe(true);
    return { number, row: r, podsCreated: names.length };
  }

  const ONE_SECOND_2_PODS = { body: demoJob({ machine: "n8", nodes: 2, seconds: 1 }) };
  const completes: CrashPoint[] = [
    { at: "create", index: 0, when: "before" },
    { at: "create", index: 0, when: "after" },
    { at: "create", index: 1, when: "after" },
    { at: "podRows", when: "before" },
    { at: "podRows", when: "after" },
    { at: "status", status: "PROCESSING STARTING", when: "before" },
    { at: "status", status: "PROCESSING STARTING", when: "after" },
    { at: "logs" },
    { at: "status", status: "COMPLETED", when: "before" },
    { at: "status", status: "COMPLETED", when: "after" },
    { at: "delete", when: "before" },
    { at: "delete", when: "after" },
  ];
  it.each(completes.map((p) => [crashName(p), p] as const))("a 2-pod job that completes, stopped %s: COMPLETED with its output, each pod created once", async (_name, point) => {
    const { row: r, podsCreated } = await crashScenario(point, ONE_SECOND_2_PODS, "COMPLETED");
    expect(podsCreated).toBe(2);
    expect(r.exitcode).toBe(0);
    expect(r.output).toContain("finished after 1s, exit code 0");
    expect(Number(r.start_time)).toBeGreaterThan(0);
    expect(Number(r.end_time)).toBeGreaterThanOrEqual(Number(r.start_time));
  });

  const terminated: CrashPoint[] = [
    { at: "logs" },
    { at: "status", status: "TERMINATED", when: "after" },
    { at: "delete", when: "before" },
    { at: "delete", when: "after" },
  ];
  it.each(terminated.map((p) => [crashName(p), p] as const))("a running job terminated, stopped %s: TERMINATED, its output kept", async (_name, point) => {
    const { row: r } = await crashScenario(point, { body: demoJob({ machine: "n8", nodes: 2, seconds: 3600 }), stopWith: "terminate", stopWhen: "running" }, "TERMINATED");
    expect(r.substatus_text).toBe("terminate requested");
    expect(r.output).toContain("running: /bin/sleep 3600");
  });

  const canceled: CrashPoint[] = [
    { at: "status", status: "CANCELED", when: "after" },
    { at: "delete", when: "after" },
  ];
  it.each(canceled.map((p) => [crashName(p), p] as const))("a job that cannot fit yet, terminated, stopped %s: CANCELED", async (_name, point) => {
    // on nodes labelled zone=mars, which the cluster does not have: its pods wait
    const { row: r } = await crashScenario(point, { body: demoJob({ machine: "n-mars", nodes: 2 }), stopWith: "terminate", stopWhen: "submitted" }, "CANCELED");
    expect(Number(r.start_time)).toBe(0);
  });
});

describe("writes only what changed", () => {
  it("issues no statement while idle, only reads on a resync or on reconciles of unchanged jobs, and batches pod rows", async () => {
    const spy = new StatementSpy();
    const c = startController({ db: t.opened.db.withPlugin(spy) });
    const three = (await j.submit(ada, demoJob({ machine: "n4", nodes: 3, seconds: 3600 }))).number;
    await waitForStatus(three, "PROCESSING STARTING");
    await waitFor(async () => {
      const rows = await t.opened.db.selectFrom("job_pods").select(["phase", "ip"]).where("job_number", "=", three).execute();
      return rows.length === 3 && rows.every((p) => p.phase === "Running" && p.ip);
    });
    // 9 row changes (3 pods: Pending, bound, Running), batched: at most one statement per change the controller saw.
    const podInserts = spy.statements.filter((s) => s.kind === "insert" && s.table === "job_pods");
    expect(podInserts.length).toBeLessThanOrEqual(3);
    expect(podInserts.reduce((sum, s) => sum + (s.rows ?? 0), 0)).toBeLessThanOrEqual(9);
    expect(podInserts.some((s) => (s.rows ?? 0) > 1)).toBe(true);

    const others = [];
    for (let i = 0; i < 4; i++) others.push((await j.submit(ada, demoJob({ machine: "n4", seconds: 3600 }))).number);
    for (const n of others) await waitForStatus(n, "PROCESSING STARTING");
    await c.idle();
    await sleep(100);

    // Idle: the cluster ticks, nothing changes, the controller says nothing to the database.
    spy.reset();
    await sleep(1000);
    expect(spy.statements).toEqual([]);

    // A resync: one read of the active jobs, one of their pod rows; nothing is due.
    c.kick();
    await sleep(200);
    await c.idle();
    expect(spy.statements.filter(isWrite)).toEqual([]);
    expect(spy.statements.length).toBe(2);

    // Every job reconciled anyway: the five reconciles share one read (src/jobs/controllerStore.ts), no write.
    spy.reset();
    for (const n of [three, ...others]) c.kick(n);
    await sleep(50);
    await c.idle();
    expect(spy.statements.filter(isWrite)).toEqual([]);
    expect(spy.statements).toEqual([{ kind: "select" }]);

    for (const n of [three, ...others]) expectOk(await j.get("terminate", ada, { number: n }));
    for (const n of [three, ...others]) await waitForNoPods(n);
  });
});

describe("the resync", () => {
  it("reads the active jobs a page at a time and finds the jobs due on every page", async () => {
    const stopped = current;
    current = undefined;
    await stopped?.stop();
    // submitted with no controller running: only the new controller's first resync can find them
    const numbers: number[] = [];
    for (let i = 0; i < 5; i++) numbers.push((await j.submit(ada, demoJob({ seconds: 3600 }))).number);
    const spy = new StatementSpy();
    const c = startController({ db: t.opened.db.withPlugin(spy), resyncPage: 2, resyncMs: 60_000 });
    for (const n of numbers) await waitForStatus(n, "PROCESSING STARTING");
    // pages of 2, 2 and 1 jobs (newest first), each with its pod rows, and the first reconciles' reads: reads only before any transition
    expect(spy.statements.slice(0, 6)).toEqual(Array.from({ length: 6 }, () => ({ kind: "select" })));
    for (const n of numbers) expectOk(await j.get("terminate", ada, { number: n }));
    for (const n of numbers) await waitForNoPods(n);
    await c.stop();
  });

  it("the periodic resync pauses after each page at least as long as the page took; it still finds the jobs due", async () => {
    const stopped = current;
    current = undefined;
    await stopped?.stop();
    // every read of a page of active jobs (the only controller select with a LIMIT) takes 40 ms here
    const pages: Array<{ start: number; end?: number }> = [];
    const pagesOf = new WeakMap<object, { start: number; end?: number }>();
    const slowPages: KyselyPlugin = {
      transformQuery: (args) => {
        if (SelectQueryNode.is(args.node) && args.node.limit !== undefined) pagesOf.set(args.queryId, pages[pages.push({ start: performance.now() }) - 1]!);
        return args.node;
      },
      transformResult: async (args) => {
        const page = pagesOf.get(args.queryId);
        if (page) {
          await sleep(40);
          page.end = performance.now();
        }
        return args.result;
      },
    };
    const numbers: number[] = [];
    for (let i = 0; i < 3; i++) numbers.push((await j.submit(ada, demoJob({ seconds: 3600 }))).number);
    const c = startController({ db: t.opened.db.withPlugin(slowPages), resyncPage: 1, resyncMs: 1000 }); // a resync here takes ~0.4 s: never two back to back
    for (const n of numbers) await waitForStatus(n, "PROCESSING STARTING");
    await c.idle();
    // a job that needs work now and no event to say so: only the next periodic resync can find it
    const [late] = numbers as [number];
    await t.opened.db.updateTable("jobs").set({ substatus_text: `${RETRY_PREFIX}left over` }).where("number", "=", late).execute();
    pages.length = 0;
    await waitFor(async () => (await row(late)).substatus_text === "", 5000, () => "the periodic resync did not find the job");
    await c.idle(); // the resync hands each page's jobs over as it goes: let it finish
    // pages of one active job each (3 of them at least, then the empty page): after each full one a pause
    const resync = pages.slice(0, 4);
    expect(resync).toHaveLength(4);
    for (let i = 1; i < resync.length; i++) expect(resync[i]!.start - resync[i - 1]!.end!).toBeGreaterThanOrEqual(39);
    for (const n of numbers) expectOk(await j.get("terminate", ada, { number: n }));
    for (const n of numbers) await waitForNoPods(n);
  });

  it("reads each job's pods from the cluster's index, never the whole pod list, and sweeps the pods of a job the database does not know", async () => {
    const stopped = current;
    current = undefined;
    await stopped?.stop();
    let listed = 0;
    const indexed: ClusterBackend = {
      ...failingFor("none", () => undefined),
      listPods: async () => {
        listed++;
        throw new Error("the resync listed every pod");
      },
      jobsWithPods: () => cluster.jobsWithPods(),
    };
    const numbers: number[] = [];
    for (let i = 0; i < 5; i++) numbers.push((await j.submit(ada, demoJob({ seconds: 3600 }))).number);
    let c = startController({ cluster: indexed, resyncPage: 2 });
    for (const n of numbers) await waitForStatus(n, "PROCESSING STARTING");
    await c.stop();
    // a job gone from the database while its pods run: only a resync can find them
    const [gone, ...kept] = numbers as [number, ...number[]];
    await t.opened.db.deleteFrom("jobs").where("number", "=", gone).execute();
    expect(await podsOf(gone)).toHaveLength(1);
    c = startController({ cluster: indexed, resyncPage: 2 });
    await waitForNoPods(gone);
    await c.idle();
    expect(listed).toBe(0);
    for (const n of kept) expect((await row(n)).status).toBe("PROCESSING STARTING");
    for (const n of kept) expectOk(await j.get("terminate", ada, { number: n }));
    for (const n of kept) await waitForNoPods(n);
  });
});

describe("held jobs and admission", () => {
  it("gives a held job no pods; releaseHeld is asked on resync and after a job ends, and the job it releases starts", async () => {
    const releasable = new Set<number>();
    let asked = 0;
    const admission = {
      releaseHeld: async () => {
        asked++;
        const numbers = [...releasable];
        releasable.clear();
        if (numbers.length === 0) return [];
        await t.opened.db.updateTable("jobs").set({ held: false, substatus_text: "" }).where("number", "in", numbers).execute();
        return numbers;
      },
    };
    // Submitted while no controller runs, then held (as admission would at submit).
    const held = (await j.submit(ada, demoJob({ seconds: 3600 }))).number;
    await t.opened.db.updateTable("jobs").set({ held: true, substatus_text: "Waiting for limits: test" }).where("number", "=", held).execute();
    const c = startController({ admission, resyncMs: 60_000 });
    await c.idle();
    expect(asked).toBe(1); // the first resync
    const short = (await j.submit(ada, demoJob({ seconds: 1 }))).number;
    await waitForStatus(short, "PROCESSING STARTING");
    await sleep(300);
    expect(await podsOf(held)).toEqual([]);
    expect((await row(held)).status).toBe("SUBMITTED");
    expect((await row(held)).substatus_text).toBe("Waiting for limits: test");

    releasable.add(held);
    const before = asked;
    await waitForStatus(short, "COMPLETED");
    // The end of `short` asked admission, which released `held`: it starts without waiting for the resync.
    await waitForStatus(held, "PROCESSING STARTING", 5000);
    expect(asked).toBeGreaterThan(before);
    expectOk(await j.get("terminate", ada, { number: held }));
    await waitForNoPods(held);
  });

  it("offers held jobs to admission on its own timer, long before the next resync", async () => {
    let asked = 0;
    let releasable: number | undefined;
    const admission = {
      releaseHeld: async () => {
        asked++;
        const n = releasable;
        releasable = undefined;
        if (n === undefined) return [];
        await t.opened.db.updateTable("jobs").set({ held: false, substatus_text: "" }).where("number", "=", n).execute();
        return [n];
      },
    };
    const held = (await j.submit(ada, demoJob({ seconds: 3600 }))).number;
    await t.opened.db.updateTable("jobs").set({ held: true, substatus_text: "Waiting for limits: test" }).where("number", "=", held).execute();
    startController({ admission, resyncMs: 3_600_000, releaseMs: 100 });
    await waitFor(() => asked >= 3, 5000, () => `releaseHeld asked ${asked} time(s)`);
    expect((await row(held)).status).toBe("SUBMITTED");
    // room made without a job ending: the next tick releases it, and it starts
    releasable = held;
    await waitForStatus(held, "PROCESSING STARTING", 5000);
    expectOk(await j.get("terminate", ada, { number: held }));
    await waitForNoPods(held);
  });

  it("a held job that is terminated is CANCELED", async () => {
    const held = (await j.submit(ada, demoJob({ seconds: 3600 }))).number;
    await t.opened.db.updateTable("jobs").set({ held: true }).where("number", "=", held).execute();
    startController();
    expectOk(await j.get("terminate", ada, { number: held }));
    await waitForStatus(held, "CANCELED");
    expect(await podsOf(held)).toEqual([]);
  });
});

function expectOk(r: { statusCode: number; body: string }) {
  expect(r.statusCode, r.body).toBe(200);
  return r;
}
