// Admission Limits on a real API server (issue 12): tenant acme, limited by its
// administrator to 32 concurrent CPUs, submits five 16-CPU jobs. Two run, three
// are held (SUBMITTED, "Waiting for limits", no pods), and each held job is
// released, oldest first, as a running one ends. Tenant globex, without limits,
// runs its jobs meanwhile.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Creds } from "../app";
import { startStack, waitUntil, type Stack } from "./stack";

let s: Stack;
let acme: Creds;
let globex: Creds;

beforeAll(async () => {
  // 8 nodes of 16 cores: room for 8 jobs on n16, so only the limit holds acme's jobs back
  s = await startStack({ nodes: 8 });
  acme = await s.t.payer("acme");
  globex = await s.t.payer("globex");
  const limit = await s.t.call("PUT", "/api/limits", { as: s.t.admin, body: { scope: "payer", payer: "acme", cpus: 32 } });
  expect(limit.statusCode, limit.body).toBe(200);
});
afterAll(async () => s?.stop());

const submit = async (who: Creds) => {
  const r = await s.t.call("POST", "/jarvice/submit", { body: { app: "demo", application: { command: "sleep", parameters: { seconds: 3600 } }, machine: { type: "n16", nodes: 1 }, user: who } });
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { number: number }).number;
};
const rows = async (numbers: number[]) =>
  new Map((await s.t.opened.db.selectFrom("jobs").select(["number", "status", "held", "substatus_text"]).where("number", "in", numbers).execute()).map((r) => [r.number, r]));
const podsOf = async (n: number) => (await s.core.listNamespacedPod({ namespace: s.jobsNamespace, labelSelector: `jarvice-job-number=${n}` })).items;
const runningJobs = async (numbers: number[]) => {
  const r = await rows(numbers);
  return numbers.filter((n) => r.get(n)!.status === "PROCESSING STARTING");
};

describe("a tenant's CPU limit on a real cluster", () => {
  it("holds the jobs beyond 32 CPUs, releases them oldest first as jobs end, and leaves another tenant alone", async () => {
    const a: number[] = [];
    for (let i = 0; i < 5; i++) a.push(await submit(acme));
    const b = [await submit(globex), await submit(globex)];

    await waitUntil("acme's first two and globex's two run", async () => (await runningJobs([...a, ...b])).length === 4, 60_000);
    expect(await runningJobs(a)).toEqual(a.slice(0, 2));
    expect(await runningJobs(b)).toEqual(b);
    const r = await rows(a);
    for (const n of a.slice(2)) {
      expect(r.get(n)).toMatchObject({ status: "SUBMITTED", held: true });
      expect(r.get(n)!.substatus_text).toMatch(/^Waiting for limits: tenant acme at 32 of 32 CPUs/);
      expect(await podsOf(n), `pods of held job ${n}`).toEqual([]);
    }
    // The API shows the held text too.
    const status = await s.t.call("GET", `/jarvice/status?username=acme&apikey=${acme.apikey}&number=${a[2]}`);
    expect(status.body).toContain("Waiting for limits");

    // Each job that ends releases the oldest held one, and only that one.
    for (let k = 0; k < 3; k++) {
      const t = await s.t.call("GET", `/jarvice/terminate?username=acme&apikey=${acme.apikey}&number=${a[k]}`);
      expect(t.statusCode, t.body).toBe(200);
      const next = a[k + 2]!;
      await waitUntil(`job ${next} released and running`, async () => (await runningJobs([next])).length === 1 && (await podsOf(next)).some((p) => p.status?.phase === "Running"), 60_000);
      const now = await rows(a);
      const held = a.filter((n) => now.get(n)!.held);
      expect(held, `held after job ${a[k]} ended`).toEqual(a.slice(k + 3));
      expect((await runningJobs(a)).length).toBe(2);
    }
    expect(await runningJobs(b)).toEqual(b);
  });
});
