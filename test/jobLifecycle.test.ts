// Jobs from submission to their end, on the simulated cluster with the job
// controller, followed through the JARVICE API: SUBMITTED -> PROCESSING
// STARTING -> COMPLETED; terminate (TERMINATED, or CANCELED before the start);
// shutdown (COMPLETED); gang placement (all of a job's pods or none); and a
// controller restart in the middle of a job (no pod created twice).
// The cluster: 2 nodes of 16 cores (n16 = a node, n8 = half, n4 = a quarter).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestApp, type Creds, type TestApp } from "./app";
import { demoJob, expectOk, Jarvice, sleep, waitFor } from "./jarviceClient";
import type { ObservedPod } from "../src/core/jobLifecycle";
import type { PlannedPod } from "../src/core/podPlan";

let t: TestApp;
let j: Jarvice;
let ada: Creds;

beforeAll(async () => {
  // a start delay long enough to see SUBMITTED before the pods run
  t = await startTestApp({}, { simulated: { nodes: 2, nodeCores: 16, nodeMemoryGb: 64, startDelayMs: 200, tickMs: 20, resyncMs: 50 } });
  j = new Jarvice(t);
  ada = await t.payer("ada");
});
afterAll(async () => t?.close());

async function podsOf(number: number): Promise<ObservedPod[]> {
  return (await t.cluster!.listPods()).filter((p) => p.jobNumber === number).sort((a, b) => a.index - b.index);
}

const waitForNoPods = (number: number) => waitFor(async () => (await podsOf(number)).length === 0, 10_000, () => `pods of job ${number} still there`);

describe("a job's life", () => {
  it("a 2-node job with an IP-address tag: SUBMITTED -> PROCESSING STARTING -> COMPLETED, with its address, labels and output", async () => {
    const spy = vi.spyOn(t.cluster!, "createPods");
    const s = await j.submit(ada, demoJob({ machine: "n8", nodes: 2, seconds: 2, extra: { ipaddr: "lb" } }));

    const first = await j.status(ada, s.number);
    expect(first).toMatchObject({ job_status: "SUBMITTED", job_start_time: 0, job_end_time: 0, job_ipaddr: "ada-lb" });

    const running = await j.waitForState(ada, s.number, "PROCESSING STARTING");
    expect(running.job_start_time).toBeGreaterThanOrEqual(running.job_submit_time);
    expect(running.job_end_time).toBe(0);

    // both pods run, each bound to a node
    const pods = await podsOf(s.number);
    expect(pods.map((p) => [p.index, p.phase])).toEqual([
      [0, "Running"],
      [1, "Running"],
    ]);
    for (const p of pods) expect(p.node).toMatch(/^sim-node-/);
    // the labels: the tag on both pods, the pod-0 label on pod 0 only; identity labels from the job, not from input
    const plans = spy.mock.calls.flatMap((c) => c[0] as PlannedPod[]).filter((p) => p.metadata.labels["jarvice-job-number"] === String(s.number));
    expect(plans.map((p) => p.metadata.name)).toEqual([`jarvice-job-${s.number}-0`, `jarvice-job-${s.number}-1`]);
    expect(plans[0]!.metadata.labels).toMatchObject({ "jarvice-job-ipaddr": "ada-lb", "jarvice-pod0-job-ipaddr": "ada-lb", "jarvice-user": "ada", "jarvice-tenant": "ada" });
    expect(plans[1]!.metadata.labels).toMatchObject({ "jarvice-job-ipaddr": "ada-lb", "jarvice-pod-index": "1" });
    expect(plans[1]!.metadata.labels).not.toHaveProperty("jarvice-pod0-job-ipaddr");
    expect(plans[0]!.spec.schedulerName).toBe("jarvice-pod-scheduler");
    expect(plans[0]!.spec.containers[0]!.command).toEqual(["/bin/sleep", "2"]);
    spy.mockRestore();

    // /jarvice/info while it runs: pod 0's address and the tag's value
    const info = expectOk(await j.get("info", ada, { number: s.number }));
    expect(info.address).toBe(pods[0]!.ip);
    expect(info.url).toBe(`http://${pods[0]!.ip}/`);
    expect(info.ipaddr).toBe("ada-lb");
    expect((info.pods as Array<{ index: number; address: string }>).map((p) => [p.index, p.address])).toEqual([
      [0, pods[0]!.ip],
      [1, pods[1]!.ip],
    ]);
    expect(expectOk(await j.get("connect", ada, { number: s.number }))).toEqual({ address: pods[0]!.ip, password: "" });
    expect((await j.get("tail", ada, { number: s.number })).body).toContain("running: /bin/sleep 2");

    const done = await j.waitForState(ada, s.number, "COMPLETED");
    expect(done.job_exitcode).toBe(0);
    expect(done.job_end_time).toBeGreaterThanOrEqual(done.job_start_time);
    expect(done.job_start_time).toBe(running.job_start_time);
    await waitForNoPods(s.number);

    const out = await j.get("output", ada, { number: s.number });
    expect(out.statusCode).toBe(200);
    expect(out.body).toMatch(new RegExp(`jarvice-job-${s.number}-0 scheduled on sim-node-\\d`));
    expect(out.body).toContain("running: /bin/sleep 2");
    expect(out.body).toContain("finished after 2s, exit code 0");
    expect(Object.keys(expectOk(await j.get("jobs", ada)))).not.toContain(String(s.number));
    expect(Object.keys(expectOk(await j.get("jobs", ada, { completed: "true" })))).toContain(String(s.number));
  });

  it("terminate of a running job: TERMINATED, end time set, its pods gone", async () => {
    const s = await j.submit(ada, demoJob({ machine: "n8", nodes: 2 }));
    const running = await j.waitForState(ada, s.number, "PROCESSING STARTING");
    expect(await podsOf(s.number)).toHaveLength(2);
    expect(expectOk(await j.get("terminate", ada, { number: s.number }))).toEqual({ status: "terminated" });
    const e = await j.waitForState(ada, s.number, "TERMINATED");
    expect(e.job_start_time).toBe(running.job_start_time);
    expect(e.job_end_time).toBeGreaterThanOrEqual(e.job_start_time);
    expect(e.job_substatus_text).toMatch(/terminate/);
    await waitForNoPods(s.number);
    // what it printed until then is kept
    expect((await j.get("output", ada, { number: s.number })).body).toContain("running: /bin/sleep 3600");
  });

  it("shutdown of a running job: COMPLETED, its pods gone", async () => {
    const s = await j.submit(ada, demoJob({ command: "web" }));
    await j.waitForState(ada, s.number, "PROCESSING STARTING");
    expect(expectOk(await j.get("shutdown", ada, { number: s.number }))).toEqual({ status: "shutdown requested" });
    const e = await j.waitForState(ada, s.number, "COMPLETED");
    expect(e.job_end_time).toBeGreaterThan(0);
    expect(e.job_substatus_text).toMatch(/shutdown/);
    await waitForNoPods(s.number);
  });

  it("passes AppDef parameters marked variable as environment variables of every pod", async () => {
    const appdef = {
      name: "Env app",
      image: { type: "docker", data: "busybox" },
      commands: { run: { path: "/bin/sleep", parameters: { seconds: { name: "s", type: "INT", value: 1 }, MODE: { name: "mode", type: "selection", values: ["fast", "slow"], variable: true } } } },
    };
    expect((await t.call("POST", "/api/apps", { as: t.admin, body: { id: "envapp", appdef } })).statusCode).toBe(201);
    const spy = vi.spyOn(t.cluster!, "createPods");
    const s = await j.submit(ada, { app: "envapp", application: { command: "run", parameters: { seconds: 1, MODE: "slow" } }, machine: { type: "n4", nodes: 2 } });
    await j.waitForState(ada, s.number, "COMPLETED");
    const plans = spy.mock.calls.flatMap((c) => c[0] as PlannedPod[]).filter((p) => p.metadata.labels["jarvice-job-number"] === String(s.number));
    spy.mockRestore();
    expect(plans).toHaveLength(2);
    for (const p of plans) {
      expect(p.spec.containers[0]!.env).toContainEqual({ name: "MODE", value: "slow" });
      expect(p.spec.containers[0]!.command).toEqual(["/bin/sleep", "1"]);
    }
  });

  it("the job's wall time reaches every pod as activeDeadlineSeconds, and a job that outlives it ends COMPLETED WITH ERROR", async () => {
    const spy = vi.spyOn(t.cluster!, "createPods");
    const s = await j.submit(ada, demoJob({ nodes: 2, seconds: 3600, extra: { application: { command: "sleep", parameters: { seconds: 3600 }, walltime: "00:00:01" } } }));
    const e = await j.waitForState(ada, s.number, "COMPLETED WITH ERROR");
    const plans = spy.mock.calls.flatMap((c) => c[0] as PlannedPod[]).filter((p) => p.metadata.labels["jarvice-job-number"] === String(s.number));
    spy.mockRestore();
    expect(plans.map((p) => p.spec.activeDeadlineSeconds)).toEqual([1, 1]);
    expect(e.job_substatus_text).toMatch(/pod jarvice-job-\d+-\d failed/);
    expect(e.job_end_time - e.job_start_time).toBeLessThan(60);
    await waitForNoPods(s.number);
  });

  it("a terminate after a shutdown escalates it; a shutdown after a terminate does not soften it", async () => {
    const s = await j.submit(ada, demoJob({ command: "web" }));
    await j.waitForState(ada, s.number, "PROCESSING STARTING");
    await t.controller!.stop(); // hold the requests where the controller would act on them
    const requested = async () => (await t.opened.db.selectFrom("jobs").select("stop_requested").where("number", "=", s.number).executeTakeFirstOrThrow()).stop_requested;
    expectOk(await j.get("shutdown", ada, { number: s.number }));
    expect(await requested()).toBe("shutdown");
    expectOk(await j.get("terminate", ada, { number: s.number }));
    expect(await requested()).toBe("terminate");
    expectOk(await j.get("shutdown", ada, { number: s.number }));
    expect(await requested()).toBe("terminate");
    await t.restartController();
    expect((await j.waitForState(ada, s.number, "TERMINATED")).job_status).toBe("TERMINATED");
    await waitForNoPods(s.number);
  });

  it("a job too big for the cluster stays SUBMITTED with none of its pods placed (gang); terminate cancels it", async () => {
    // 3 whole nodes on a 2-node cluster: 2 of its pods would fit, but a job runs all of its pods or none
    const s = await j.submit(ada, demoJob({ machine: "n16", nodes: 3 }));
    await waitFor(async () => (await podsOf(s.number)).length === 3);
    await sleep(500); // many ticks of the cluster and reconciles of the controller
    const pods = await podsOf(s.number);
    expect(pods.map((p) => [p.phase, p.node ?? null])).toEqual([
      ["Pending", null],
      ["Pending", null],
      ["Pending", null],
    ]);
    expect(await j.status(ada, s.number)).toMatchObject({ job_status: "SUBMITTED", job_start_time: 0, job_end_time: 0 });
    expect((await j.get("info", ada, { number: s.number })).statusCode).toBe(400); // not running

    expect(expectOk(await j.get("terminate", ada, { number: s.number }))).toEqual({ status: "terminated" });
    const e = await j.waitForState(ada, s.number, "CANCELED");
    expect(e.job_start_time).toBe(0);
    expect(e.job_end_time).toBeGreaterThan(0);
    await waitForNoPods(s.number);
  });

  it("a job waits while the cluster is full, starts when room frees, and a queued job that never started is CANCELED", async () => {
    const big = await j.submit(ada, demoJob({ machine: "n16", nodes: 2 })); // the whole cluster
    await j.waitForState(ada, big.number, "PROCESSING STARTING");
    const waiting = await j.submit(ada, demoJob({ machine: "n4" }));
    const canceled = await j.submit(ada, demoJob({ machine: "n4" }));
    await sleep(400);
    for (const n of [waiting.number, canceled.number]) {
      expect((await j.status(ada, n)).job_status).toBe("SUBMITTED");
      expect((await podsOf(n)).map((p) => p.node ?? null)).toEqual([null]);
    }
    expectOk(await j.get("terminate", ada, { number: canceled.number }));
    expect((await j.waitForState(ada, canceled.number, "CANCELED")).job_start_time).toBe(0);
    await waitForNoPods(canceled.number);

    expectOk(await j.get("terminate", ada, { number: big.number }));
    await j.waitForState(ada, big.number, "TERMINATED");
    const started = await j.waitForState(ada, waiting.number, "PROCESSING STARTING");
    expect(started.job_start_time).toBeGreaterThan(0);
    expectOk(await j.get("shutdown", ada, { number: waiting.number }));
    await j.waitForState(ada, waiting.number, "COMPLETED");
  });

  it("terminate and shutdown of a finished job answer 400; status stays", async () => {
    const s = await j.submit(ada, demoJob({ seconds: 1 }));
    await j.waitForState(ada, s.number, "COMPLETED");
    for (const route of ["terminate", "shutdown"]) {
      const r = await j.get(route, ada, { number: s.number });
      expect(r.statusCode, r.body).toBe(400);
    }
    expect((await j.status(ada, s.number)).job_status).toBe("COMPLETED");
  });
});

describe("a job controller restart", () => {
  /** Calls to createPods for `number` from now on. */
  function countCreates(number: number): () => number {
    // vi.spyOn hands back the method's spy if there is one already: count from here on
    const spy = vi.spyOn(t.cluster!, "createPods");
    const count = () => spy.mock.calls.filter((c) => (c[0] as PlannedPod[]).some((p) => p.metadata.labels["jarvice-job-number"] === String(number))).length;
    const base = count();
    return () => count() - base;
  }

  /** Follow a job to its end, checking on the way that it never has more pods than nodes. */
  async function followToEnd(number: number, nodes: number, status = "COMPLETED") {
    let most = 0;
    await waitFor(async () => {
      most = Math.max(most, (await podsOf(number)).length);
      return (await j.status(ada, number)).job_status === status;
    });
    expect(most).toBeLessThanOrEqual(nodes);
  }

  afterAll(() => {
    vi.restoreAllMocks();
  });

  it("mid-run (PROCESSING STARTING): the new controller creates no pod again and completes the job", async () => {
    const s = await j.submit(ada, demoJob({ machine: "n8", nodes: 2, seconds: 2 }));
    await j.waitForState(ada, s.number, "PROCESSING STARTING");
    const names = (await podsOf(s.number)).map((p) => p.name);
    const creates = countCreates(s.number);
    await t.restartController();
    await followToEnd(s.number, 2);
    expect(creates()).toBe(0);
    expect((await j.status(ada, s.number)).job_exitcode).toBe(0);
    expect((await j.get("output", ada, { number: s.number })).body).toContain("finished after 2s, exit code 0");
    expect(names).toEqual([`jarvice-job-${s.number}-0`, `jarvice-job-${s.number}-1`]);
    await waitForNoPods(s.number);
  });

  it("with the pods created but not yet running (SUBMITTED): no pod created twice, the job starts and completes", async () => {
    const s = await j.submit(ada, demoJob({ machine: "n8", nodes: 2, seconds: 1 }));
    await waitFor(async () => (await podsOf(s.number)).length === 2);
    const creates = countCreates(s.number);
    await t.restartController();
    await j.waitForState(ada, s.number, "PROCESSING STARTING");
    await followToEnd(s.number, 2);
    expect(creates()).toBe(0);
  });

  it("while no controller runs the job finishes; the next controller records COMPLETED with the output", async () => {
    const s = await j.submit(ada, demoJob({ machine: "n4", nodes: 2, seconds: 1 }));
    await j.waitForState(ada, s.number, "PROCESSING STARTING");
    await t.controller!.stop();
    await waitFor(async () => (await podsOf(s.number)).every((p) => p.phase === "Succeeded"));
    expect((await j.status(ada, s.number)).job_status).toBe("PROCESSING STARTING"); // nobody wrote it yet
    const creates = countCreates(s.number);
    await t.restartController();
    await followToEnd(s.number, 2);
    expect(creates()).toBe(0);
    expect((await j.get("output", ada, { number: s.number })).body).toContain("exit code 0");
    await waitForNoPods(s.number);
  });

  it("a terminate asked while no controller runs is carried out by the next one", async () => {
    const s = await j.submit(ada, demoJob({ machine: "n4" }));
    await j.waitForState(ada, s.number, "PROCESSING STARTING");
    await t.controller!.stop();
    expectOk(await j.get("terminate", ada, { number: s.number }));
    await sleep(200);
    expect((await j.status(ada, s.number)).job_status).toBe("PROCESSING STARTING");
    expect(await podsOf(s.number)).toHaveLength(1);
    await t.restartController();
    await j.waitForState(ada, s.number, "TERMINATED");
    await waitForNoPods(s.number);
  });
});
