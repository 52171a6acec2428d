// Tenant isolation on the JARVICE API: another tenant's job does not exist
// for a caller (404, the very answer a nonexistent job gets, on every job
// route), is never listed, and is not changed by a refused terminate or
// shutdown. Within a tenant, a plain member sees only its own jobs; the payer
// and team admins see and stop the team's.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestApp, type Creds, type TestApp } from "./app";
import { demoJob, expectError, expectOk, Jarvice, type JobEntry } from "./jarviceClient";
import type { PlannedPod } from "../src/core/podPlan";

type Role = "payer" | "teamAdmin" | "member" | "member2";
const ROLES: readonly Role[] = ["payer", "teamAdmin", "member", "member2"];

interface Tenant {
  users: Record<Role, Creds>;
  /** a running job of `member` */
  running: number;
  /** a finished job of `member` */
  done: number;
  /** a running job of `member2` */
  running2: number;
}

let t: TestApp;
let j: Jarvice;
let alpha: Tenant;
let bravo: Tenant;

const JOB_ROUTES = ["status", "info", "connect", "shutdown", "terminate", "output", "tail"] as const;
const GHOST = 987_654;

async function tenant(name: string): Promise<Tenant> {
  const payer = await t.payer(name);
  const users: Record<Role, Creds> = {
    payer,
    teamAdmin: await t.member(`${name}ta`, name, { teamAdmin: true }),
    member: await t.member(`${name}m`, name),
    member2: await t.member(`${name}m2`, name),
  };
  const running = (await j.submit(users.member, demoJob({ extra: { ipaddr: "web" } }))).number;
  const done = (await j.submit(users.member, demoJob({ seconds: 1 }))).number;
  const running2 = (await j.submit(users.member2, demoJob())).number;
  return { users, running, done, running2 };
}

let createPods: ReturnType<typeof vi.spyOn>;

beforeAll(async () => {
  t = await startTestApp({}, { simulated: { nodes: 2 } });
  j = new Jarvice(t);
  createPods = vi.spyOn(t.cluster!, "createPods");
  alpha = await tenant("alpha");
  bravo = await tenant("bravo");
  for (const x of [alpha, bravo]) {
    await j.waitForState(x.users.member, x.running, "PROCESSING STARTING");
    await j.waitForState(x.users.member2, x.running2, "PROCESSING STARTING");
    await j.waitForState(x.users.member, x.done, "COMPLETED");
  }
});
afterAll(async () => t?.close());

/** The answer for a job that does not exist, with the same query otherwise. */
async function ghostAnswer(route: string, as: Creds, by: "number" | "name") {
  return j.get(route, as, by === "number" ? { number: GHOST } : { name: `jarvice-job-${GHOST}` });
}

describe("another tenant's job does not exist for the caller", () => {
  for (const role of ROLES) {
    it.each(JOB_ROUTES)(`alpha's ${role}: /jarvice/%s on bravo's jobs answers 404, exactly as for a nonexistent job`, async (route) => {
      const me = alpha.users[role];
      for (const job of [bravo.running, bravo.done, bravo.running2]) {
        for (const by of ["number", "name"] as const) {
          const r = await j.get(route, me, by === "number" ? { number: job } : { name: `jarvice-job-${job}` });
          const ghost = await ghostAnswer(route, me, by);
          expect(ghost.statusCode).toBe(404);
          expect(r.statusCode, `${route} ${by} ${job}: ${r.body}`).toBe(404);
          expect(r.body).toBe(ghost.body);
          expect(r.headers["content-type"]).toBe(ghost.headers["content-type"]);
          expect(r.body).not.toMatch(/bravo|PROCESSING|COMPLETED/);
        }
      }
    });
  }

  it("and the other way round", async () => {
    for (const role of ROLES) {
      for (const route of JOB_ROUTES) {
        const r = await j.get(route, bravo.users[role], { number: alpha.running });
        expect(r.statusCode).toBe(404);
        expect(r.body).toBe((await ghostAnswer(route, bravo.users[role], "number")).body);
      }
    }
  });

  it("a refused terminate or shutdown changes nothing: the job runs on, its pods stay", async () => {
    const podsBefore = (await t.cluster!.listPods()).filter((p) => p.jobNumber === bravo.running);
    expect(podsBefore.map((p) => p.phase)).toEqual(["Running"]);
    const before = await j.status(bravo.users.member, bravo.running);
    for (const role of ROLES) {
      expectError(await j.get("terminate", alpha.users[role], { number: bravo.running }), 404);
      expectError(await j.get("shutdown", alpha.users[role], { name: `jarvice-job-${bravo.running}` }), 404);
    }
    // give the job controller time to act on anything it was (wrongly) asked to do
    await new Promise((r) => setTimeout(r, 300));
    expect(await j.status(bravo.users.member, bravo.running)).toEqual(before);
    const row = await t.opened.db.selectFrom("jobs").select(["status", "stop_requested"]).where("number", "=", bravo.running).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "PROCESSING STARTING", stop_requested: null });
    expect((await t.cluster!.listPods()).filter((p) => p.jobNumber === bravo.running)).toEqual(podsBefore);
  });

  it("another tenant's jobs are never listed in jobs or teamjobs", async () => {
    const bravoJobs = [bravo.running, bravo.done, bravo.running2].map(String);
    for (const role of ROLES) {
      for (const completed of [undefined, "true"]) {
        const mine = expectOk(await j.get("jobs", alpha.users[role], { completed }));
        for (const n of bravoJobs) expect(Object.keys(mine)).not.toContain(n);
        for (const e of Object.values(mine)) expect((e as JobEntry).job_payer).toBe("alpha");
      }
    }
    for (const role of ["payer", "teamAdmin"] as const) {
      for (const completed of [undefined, "true"]) {
        const team = expectOk(await j.get("teamjobs", alpha.users[role], { completed }));
        for (const n of bravoJobs) expect(Object.keys(team)).not.toContain(n);
        for (const e of Object.values(team)) expect((e as JobEntry).job_payer).toBe("alpha");
      }
      const users = expectOk(await j.get("teamusers", alpha.users[role]));
      expect(Object.keys(users).sort()).toEqual(["alpha", "alpham", "alpham2", "alphata"]);
    }
  });
});

describe("pods carry the tenant", () => {
  it("a member's pods are labelled with its payer as the tenant, whatever the submission said", async () => {
    const s = await j.submit(bravo.users.member2, demoJob({ extra: { ipaddr: "x", tenant: "alpha", labels: { "jarvice-tenant": "alpha" }, application: { command: "sleep", parameters: { seconds: 3600 }, labels: { "jarvice-tenant": "alpha" } } } }));
    await j.waitForState(bravo.users.member2, s.number, "PROCESSING STARTING");
    const plans = (createPods.mock.calls as Array<[PlannedPod[]]>).flatMap((c) => c[0]);
    for (const [job, user, payer] of [
      [alpha.running, "alpham", "alpha"],
      [bravo.running2, "bravom2", "bravo"],
      [s.number, "bravom2", "bravo"],
    ] as const) {
      const labels = plans.filter((p) => p.metadata.labels["jarvice-job-number"] === String(job)).map((p) => p.metadata.labels);
      expect(labels).toHaveLength(1);
      expect(labels[0]).toMatchObject({ "jarvice-user": user, "jarvice-tenant": payer });
    }
    expectOk(await j.get("terminate", bravo.users.member2, { number: s.number }));
    await j.waitForState(bravo.users.member2, s.number, "TERMINATED");
  });
});

describe("within a tenant", () => {
  it("a plain member sees only its own jobs: its teammate's answer 404 and are not listed", async () => {
    const m = alpha.users.member;
    expect(Object.keys(expectOk(await j.get("jobs", m)))).toEqual([String(alpha.running)]);
    expect(Object.keys(expectOk(await j.get("jobs", m, { completed: "true" })))).toEqual([String(alpha.done)]);
    expect(Object.keys(expectOk(await j.get("jobs", alpha.users.member2)))).toEqual([String(alpha.running2)]);
    for (const route of JOB_ROUTES) {
      const r = await j.get(route, m, { number: alpha.running2 });
      expect(r.statusCode).toBe(404);
      expect(r.body).toBe((await ghostAnswer(route, m, "number")).body);
    }
    expect((await j.status(alpha.users.member2, alpha.running2)).job_status).toBe("PROCESSING STARTING");
  });

  it("a plain member gets 403 on teamjobs and teamusers", async () => {
    for (const role of ["member", "member2"] as const) {
      for (const route of ["teamjobs", "teamusers"]) {
        expectError(await j.get(route, alpha.users[role], { completed: "true" }), 403);
        expectError(await j.get(route, bravo.users[role]), 403);
      }
    }
  });

  it("the payer and team admins see the team's jobs in teamjobs; their own only in jobs", async () => {
    for (const role of ["payer", "teamAdmin"] as const) {
      const me = alpha.users[role];
      expect(Object.keys(expectOk(await j.get("teamjobs", me))).sort()).toEqual([String(alpha.running), String(alpha.running2)].sort());
      expect(Object.keys(expectOk(await j.get("teamjobs", me, { completed: "true" })))).toEqual([String(alpha.done)]);
      expect(expectOk(await j.get("jobs", me))).toEqual({});
      // and may look at a member's job
      expect((await j.status(me, alpha.running)).job_owner_username).toBe("alpham");
      expect(expectOk(await j.get("info", me, { number: alpha.running })).ipaddr).toBe("alpham-web");
      expect((await j.get("output", me, { number: alpha.done })).body).toContain("exit code 0");
    }
  });

  it("a team admin stops a member's job", async () => {
    expect(expectOk(await j.get("terminate", alpha.users.teamAdmin, { number: alpha.running2 }))).toEqual({ status: "terminated" });
    const e = await j.waitForState(alpha.users.member2, alpha.running2, "TERMINATED");
    expect(e.job_end_time).toBeGreaterThan(0);
    // bravo's jobs, alike in every other way, run on
    expect((await j.status(bravo.users.member2, bravo.running2)).job_status).toBe("PROCESSING STARTING");
  });

  it("the system administrator sees every tenant's jobs", async () => {
    expect((await j.status(t.admin, bravo.running)).job_payer).toBe("bravo");
    expect((await j.status(t.admin, alpha.running)).job_payer).toBe("alpha");
  });
});
