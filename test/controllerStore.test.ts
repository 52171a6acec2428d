// The job controller's batched statements (src/jobs/controllerStore.ts) on the
// database the suite runs against (PGlite, and PostgreSQL in its second run):
// one statement answers many reconciles, each exactly as if it had run alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoCatalog } from "../src/catalog/demo";
import { ControllerStore, readJobs, saveTransitions, savePodRows } from "../src/jobs/controllerStore";
import { startTestApp, type TestApp } from "./app";
import { demoJob, Jarvice } from "./jarviceClient";
import { StatementSpy } from "./controllerHarness";

let t: TestApp;
let numbers: number[];

beforeAll(async () => {
  t = await startTestApp();
  await seedDemoCatalog(t.opened.db, 16, 64);
  const j = new Jarvice(t);
  const ada = await t.payer("ada");
  numbers = [];
  for (let i = 0; i < 4; i++) numbers.push((await j.submit(ada, demoJob({ seconds: 60 + i }))).number);
});
afterAll(() => t.close());

const row = (n: number) =>
  t.opened.db.selectFrom("jobs").select(["number", "status", "start_time", "end_time", "exitcode", "substatus_text", "output"]).where("number", "=", n).executeTakeFirstOrThrow();

describe("the controller's batched statements", () => {
  it("reads jobs in the order asked, an unknown number as undefined, with their pod rows", async () => {
    const [a, missing, b] = await readJobs(t.opened.db, [numbers[1]!, 999_999, numbers[0]!]);
    expect(a?.number).toBe(numbers[1]);
    expect(missing).toBeUndefined();
    expect(b?.number).toBe(numbers[0]);
    expect(a?.argv).toEqual(["/bin/sleep", "61"]);
    expect(a?.pod_rows).toEqual([]);
  });

  it("saves each transition only where the status is still the one decided from; unset fields keep what is stored", async () => {
    const [n0, n1, n2] = numbers as [number, number, number];
    await t.opened.db.updateTable("jobs").set({ substatus_text: "kept" }).where("number", "=", n1).execute();
    const saved = await saveTransitions(t.opened.db, [
      { number: n0, from: "SUBMITTED", status: "PROCESSING STARTING", startTime: 1000 },
      { number: n1, from: "PROCESSING STARTING", status: "COMPLETED", endTime: 2000, exitcode: 0, output: "x" }, // stale: n1 is SUBMITTED
      { number: n2, from: "SUBMITTED", status: "COMPLETED WITH ERROR", endTime: 3000, exitcode: 7, substatusText: "it's \"quoted\", {braced}", output: "line 1\nline 2" },
    ]);
    expect(saved).toEqual([true, false, true]);
    expect(await row(n0)).toMatchObject({ status: "PROCESSING STARTING", end_time: expect.anything(), exitcode: null, substatus_text: "", output: null });
    expect(Number((await row(n0)).start_time)).toBe(1000);
    expect(await row(n1)).toMatchObject({ status: "SUBMITTED", exitcode: null, substatus_text: "kept", output: null });
    expect(await row(n2)).toMatchObject({ status: "COMPLETED WITH ERROR", exitcode: 7, substatus_text: 'it\'s "quoted", {braced}', output: "line 1\nline 2" });
    expect(Number((await row(n2)).end_time)).toBe(3000);
  });

  it("inserts and updates pod rows of several jobs in one statement, a pod given twice written once", async () => {
    const [n0, n1] = numbers as [number, number];
    await savePodRows(t.opened.db, [
      { jobNumber: n0, index: 0, name: `jarvice-job-${n0}-0`, phase: "Pending", node: null, ip: null },
      { jobNumber: n1, index: 0, name: `jarvice-job-${n1}-0`, phase: "Pending", node: null, ip: null },
    ]);
    await savePodRows(t.opened.db, [
      { jobNumber: n0, index: 0, name: `jarvice-job-${n0}-0`, phase: "Pending", node: "a", ip: null },
      { jobNumber: n0, index: 0, name: `jarvice-job-${n0}-0`, phase: "Running", node: "a", ip: "10.0.0.1" },
      { jobNumber: n1, index: 1, name: `jarvice-job-${n1}-1`, phase: "Running", node: "b", ip: "10.0.0.2" },
    ]);
    const [a, b] = await readJobs(t.opened.db, [n0, n1]);
    expect(a?.pod_rows).toEqual([{ pod_index: 0, name: `jarvice-job-${n0}-0`, phase: "Running", node: "a", ip: "10.0.0.1" }]);
    expect(b?.pod_rows).toHaveLength(2);
  });

  it("ControllerStore: reconciles asking at the same time share one statement per kind", async () => {
    const spy = new StatementSpy();
    const store = new ControllerStore(t.opened.db.withPlugin(spy));
    const jobs = await Promise.all(numbers.map((n) => store.readJob(n)));
    expect(jobs.map((j) => j?.number)).toEqual(numbers);
    expect(spy.statements).toHaveLength(1);
    spy.reset();
    const n3 = numbers[3]!;
    const saved = await Promise.all([
      store.saveTransition({ number: n3, from: "SUBMITTED", status: "PROCESSING STARTING", startTime: 5 }),
      store.saveTransition({ number: numbers[1]!, from: "COMPLETED", status: "TERMINATED" }),
      store.savePodRows([{ jobNumber: n3, index: 0, name: `jarvice-job-${n3}-0`, phase: "Running", node: "c", ip: null }]),
      store.savePodRows([{ jobNumber: numbers[1]!, index: 0, name: `jarvice-job-${numbers[1]}-0`, phase: "Failed", node: "a", ip: null }]),
      store.savePodRows([]),
    ]);
    expect(saved.slice(0, 2)).toEqual([true, false]);
    expect(spy.statements.map((s) => s.kind).sort()).toEqual(["insert", "update"]);
  });
});
