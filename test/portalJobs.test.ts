// The portal's session job routes (/api/jobs*, /api/ipaddr/check): the same
// rules as /jarvice/* with the session user. Another tenant's job answers
// exactly as a nonexistent one on every route and is never listed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type Creds, type TestApp } from "./app";

let t: TestApp;
let alice: Creds;
let alicePayer: Creds;
let bob: Creds;
let bobx: Creds;
let job: number;

const JOB = { app: "demo", application: { command: "sleep", parameters: { seconds: 60 } }, machine: { type: "n4", nodes: 2 }, ipaddr: "web" };

async function waitFor<T>(f: () => Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  t = await startTestApp({}, { simulated: {} });
  alicePayer = await t.payer("acme");
  alice = await t.member("alice", "acme");
  await t.payer("globex");
  bob = await t.member("bob", "globex");
  bobx = await t.member("bob-x", "globex");
  const r = await t.call("POST", "/api/jobs", { as: alice, body: JOB });
  expect(r.statusCode, r.body).toBe(200);
  job = (r.json() as { number: number }).number;
});
afterAll(async () => t?.close());

describe("portal job routes", () => {
  it("submit as the session user, and see the job reach PROCESSING STARTING with its tag", async () => {
    const info = await waitFor(async () => {
      const r = (await t.call("GET", `/api/jobs/${job}`, { as: alice })).json() as { job: { job_status: string }; info: { ipaddr: string; pods: unknown[] } | null };
      return r.info ? r : undefined;
    }, "PROCESSING STARTING");
    expect(info.job.job_status).toBe("PROCESSING STARTING");
    expect(info.info!.ipaddr).toBe("alice-web");
    expect(info.info!.pods).toHaveLength(2);
    const listed = (await t.call("GET", "/api/jobs", { as: alice })).json() as { jobs: Array<{ job_number: number; job_owner_username: string }> };
    expect(listed.jobs.map((j) => j.job_number)).toContain(job);
    const team = (await t.call("GET", "/api/jobs?team=true", { as: alicePayer })).json() as { jobs: Array<{ job_number: number }> };
    expect(team.jobs.map((j) => j.job_number)).toContain(job);
  });

  it("checks tags with the submission's rules and messages, including label-value ownership", async () => {
    const ok = (await t.call("POST", "/api/ipaddr/check", { as: alice, body: { tag: "web" } })).json();
    expect(ok).toMatchObject({ ok: true, value: "alice-web", prefix: "alice-", remaining: 63 - 6 - 3 });
    const long = "x".repeat(60);
    const tooLong = (await t.call("POST", "/api/ipaddr/check", { as: alice, body: { tag: long } })).json() as { ok: boolean; problem: string; remaining: number };
    expect(tooLong.ok).toBe(false);
    expect(tooLong.remaining).toBe(57 - 60);
    const submitted = await t.call("POST", "/api/jobs", { as: alice, body: { ...JOB, ipaddr: long } });
    expect(submitted.statusCode).toBe(400);
    expect(submitted.json()).toEqual({ error: `ipaddr: ${tooLong.problem}`, field: "ipaddr" });
    // bob-x uses bob-x-web first: bob + x-web is then another user's value (and the answer names nobody)
    expect((await t.call("POST", "/api/ipaddr/check", { as: bob, body: { tag: "x-web" } })).json()).toMatchObject({ ok: true, conflict: false });
    expect((await t.call("POST", "/api/jobs", { as: bobx, body: { ...JOB, ipaddr: "web" } })).statusCode).toBe(200);
    const ambiguous = (await t.call("POST", "/api/ipaddr/check", { as: bob, body: { tag: "x-web" } })).json() as { ok: boolean; conflict: boolean; problem: string };
    expect(ambiguous).toMatchObject({ ok: false, conflict: true, problem: "the label value 'bob-x-web' is already used by another user's jobs; choose another tag" });
    const refused = await t.call("POST", "/api/jobs", { as: bob, body: { ...JOB, ipaddr: "x-web" } });
    expect(refused.statusCode).toBe(409);
    expect((refused.json() as { error: string }).error).toBe(`ipaddr: ${ambiguous.problem}`);
  });

  it("never shows, stops or lists another tenant's job: the answer a nonexistent job gets", async () => {
    const ghost = 987_654;
    for (const [method, path, body] of [
      ["GET", "", undefined],
      ["GET", "/output", undefined],
      ["POST", "/stop", { how: "terminate" }],
    ] as const) {
      const theirs = await t.call(method, `/api/jobs/${job}${path}`, { as: bob, ...(body ? { body } : {}) });
      const none = await t.call(method, `/api/jobs/${ghost}${path}`, { as: bob, ...(body ? { body } : {}) });
      expect(theirs.statusCode, `${method} ${path}`).toBe(404);
      expect(theirs.body).toBe(none.body);
    }
    for (const q of ["", "?completed=true"]) {
      const mine = (await t.call("GET", `/api/jobs${q}`, { as: bob })).json() as { jobs: unknown[] };
      expect(JSON.stringify(mine)).not.toContain("alice");
    }
    const still = (await t.call("GET", `/api/jobs/${job}`, { as: alice })).json() as { job: { job_status: string } };
    expect(still.job.job_status).toBe("PROCESSING STARTING");
  });

  it("terminates the caller's own job", async () => {
    const r = await t.call("POST", `/api/jobs/${job}/stop`, { as: alice, body: { how: "terminate" } });
    expect(r.json()).toEqual({ status: "terminated" });
    await waitFor(async () => {
      const s = (await t.call("GET", `/api/jobs/${job}`, { as: alice })).json() as { job: { job_status: string } };
      return s.job.job_status === "TERMINATED" ? true : undefined;
    }, "TERMINATED");
  });
});
