// Admission Limits through the API (spec/limits-and-queues.md): jobs held
// with the substatus text and released in submission order as jobs end;
// refusal at submit of jobs that can never fit; self-service limits within
// the administrator's; who may set and read which limit; and concurrent
// submits that cannot both pass one limit. No job controller runs here: a
// released job stays SUBMITTED with held=false, and a job "ends" when the
// test sets its status, as the controller would, then calls releaseHeld as
// the controller does when a job ends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoCatalog } from "../src/catalog/demo";
import { releaseHeld } from "../src/jobs/admission";
import { startTestApp, type Creds, type TestApp } from "./app";
import { demoJob, expectError, expectInvalid, expectOk, Jarvice, type Json } from "./jarviceClient";

let t: TestApp;
let j: Jarvice;

beforeAll(async () => {
  t = await startTestApp();
  // n4: 4 cores, n8: 8, n16: 16; at most 4 nodes each
  await seedDemoCatalog(t.opened.db, 16, 64);
  j = new Jarvice(t);
});
afterAll(async () => t?.close());

const db = () => t.opened.db;
const putLimit = (body: Json, as: Creds = t.admin) => t.call("PUT", "/api/limits", { as, body });
async function setLimit(body: Json, as: Creds = t.admin): Promise<Json> {
  return expectOk(await putLimit(body, as));
}
const row = (number: number) => db().selectFrom("jobs").select(["held", "status", "substatus_text"]).where("number", "=", number).executeTakeFirstOrThrow();
const heldOf = async (numbers: number[]) => Promise.all(numbers.map(async (n) => (await row(n)).held));
/** End a job as the job controller would (COMPLETED), then release what that allows, as the controller does. */
async function end(number: number): Promise<number[]> {
  await db().updateTable("jobs").set({ status: "COMPLETED", end_time: Math.floor(Date.now() / 1000) }).where("number", "=", number).execute();
  return releaseHeld(db());
}
const jobsOfTenant = async (payer: string) =>
  Number((await db().selectFrom("jobs as j").innerJoin("users as t", "t.id", "j.tenant_id").select((eb) => eb.fn.countAll<string>().as("n")).where("t.username", "=", payer).executeTakeFirstOrThrow()).n);

describe("the spec's lifecycle: a 32-CPU tenant submits five 16-CPU jobs", () => {
  let acme: Creds;
  let beta: Creds;
  let jobs: number[];

  it("two go, three are held with the substatus text; another tenant is unaffected", async () => {
    acme = await t.payer("acme");
    beta = await t.payer("beta");
    const lim = await setLimit({ scope: "payer", payer: "acme", cpus: 32 });
    expect(lim).toMatchObject({ scope: "payer", payer: "acme", cpus: 32, machines: {} });

    jobs = [];
    for (let i = 0; i < 5; i++) jobs.push((await j.submit(acme, demoJob({ machine: "n16" }))).number);
    expect(await heldOf(jobs)).toEqual([false, false, true, true, true]);
    const b = await j.submit(beta, demoJob({ machine: "n16", nodes: 4 }));
    expect((await row(b.number)).held).toBe(false);

    // what the API shows of a held job: SUBMITTED, with why
    const st = await j.status(acme, jobs[2]!);
    expect(st).toMatchObject({ job_status: "SUBMITTED", job_substatus_text: "Waiting for limits: tenant acme at 32 of 32 CPUs" });
    const portal = expectOk(await t.call("GET", `/api/jobs/${jobs[3]}`, { as: acme }));
    expect((portal.job as Json).job_substatus_text).toBe("Waiting for limits: tenant acme at 32 of 32 CPUs");
    expect((await j.status(acme, jobs[0]!)).job_substatus_text).toBe("");
  });

  it("/jarvice/queues counts held and released jobs; /api/limits/effective shows the limit, the usage and the held jobs", async () => {
    const info = expectOk(await j.get("queues", acme, { info: "true" }));
    expect(info.default).toMatchObject({ depth: 6, held: 3, released: 3 });
    const eff = expectOk(await t.call("GET", "/api/limits/effective?user=acme", { as: acme }));
    expect(eff).toEqual({
      tenant: { limit: expect.objectContaining({ scope: "payer", payer: "acme", cpus: 32 }), usage: { cpus: 32, jobs: { n16: 2 } }, held: 3 },
      user: { limit: null, usage: { cpus: 32, jobs: { n16: 2 } }, held: 3 },
    });
  });

  it("each released as one finishes, in submission order", async () => {
    expect(await releaseHeld(db())).toEqual([]);
    expect(await end(jobs[1]!)).toEqual([jobs[2]]);
    expect(await heldOf(jobs.slice(2))).toEqual([false, true, true]);
    expect((await row(jobs[2]!)).substatus_text).toBe("");
    expect(await end(jobs[0]!)).toEqual([jobs[3]]);
    expect(await end(jobs[3]!)).toEqual([jobs[4]]);
    expect(await heldOf(jobs)).toEqual([false, false, false, false, false]);
    await end(jobs[2]!);
    await end(jobs[4]!);
  });

  it("raising the limit releases held jobs at once; removing it releases them all", async () => {
    const more = [];
    for (let i = 0; i < 4; i++) more.push((await j.submit(acme, demoJob({ machine: "n16" }))).number);
    expect(await heldOf(more)).toEqual([false, false, true, true]);
    await setLimit({ scope: "payer", payer: "acme", cpus: 48 });
    expect(await heldOf(more)).toEqual([false, false, false, true]);
    const lim = expectOk(await t.call("GET", "/api/limits", { as: t.admin }));
    const id = (lim.limits as Json[]).find((l) => l.payer === "acme" && l.scope === "payer")!.id;
    expect((await t.call("DELETE", `/api/limits/${id}`, { as: t.admin })).statusCode).toBe(204);
    expect(await heldOf(more)).toEqual([false, false, false, false]);
    for (const n of more) await end(n);
  });
});

describe("refusal at submit: jobs that can never fit get a 400 naming the limit, and nothing is stored", () => {
  let refu: Creds;
  beforeAll(async () => {
    refu = await t.payer("refu");
    await setLimit({ scope: "payer", payer: "refu", cpus: 16, machines: { n4: { nodes: 2 }, n8: {} } });
  });

  it("a machine type the limit does not list, more nodes than it allows, more CPUs than it allows", async () => {
    const before = await jobsOfTenant("refu");
    expectInvalid(await j.submitAs(refu, demoJob({ machine: "n16" })), "machine.type", "machine type 'n16' is not available under the limits of tenant refu (allowed: n4, n8)");
    expectInvalid(await j.submitAs(refu, demoJob({ machine: "n4", nodes: 3 })), "machine.nodes", /3 is more than the 2 node\(s\) per job of machine type 'n4' allowed by the limits of tenant refu/);
    expectInvalid(await j.submitAs(refu, demoJob({ machine: "n8", nodes: 3 })), "machine.nodes", /24 CPUs .* more than the 16-CPU limit of tenant refu/);
    // the portal's submit too
    expectInvalid(await t.call("POST", "/api/jobs", { as: refu, body: demoJob({ machine: "n16" }) }), "machine.type");
    expect(await jobsOfTenant("refu")).toBe(before);
    expect((await row((await j.submit(refu, demoJob({ machine: "n8", nodes: 2 }))).number)).held).toBe(false);
  });

  it("mL: a cluster's maxCpus caps the CPU limit of its jobs", async () => {
    const clusters = expectOk(await t.call("GET", "/api/clusters", { as: t.admin }));
    const c = (clusters.clusters as Json[])[0]!;
    expect(c.maxCpus).toBeNull();
    expect(expectOk(await t.call("PATCH", `/api/clusters/${c.id}`, { as: t.admin, body: { maxCpus: 8 } })).maxCpus).toBe(8);
    expectInvalid(await j.submitAs(refu, demoJob({ machine: "n8", nodes: 2 })), "machine.nodes", /16 CPUs .* more than the 8-CPU limit \(the cluster's mL\) of tenant refu/);
    expectInvalid(await t.call("PATCH", `/api/clusters/${c.id}`, { as: t.admin, body: { maxCpus: 0 } }), "maxCpus");
    expect(expectOk(await t.call("PATCH", `/api/clusters/${c.id}`, { as: t.admin, body: { maxCpus: null } })).maxCpus).toBeNull();
  });
});

describe("self-service limits", () => {
  let team: Creds;
  let admin: Creds;
  let bob: Creds;
  let carol: Creds;
  beforeAll(async () => {
    team = await t.payer("team");
    admin = await t.member("team-admin", "team", { teamAdmin: true });
    bob = await t.member("bob", "team");
    carol = await t.member("carol", "team");
    await setLimit({ scope: "payer", payer: "team", cpus: 64, machines: { n16: { jobs: 3, nodes: 2 }, n8: {} } });
  });

  it("a team default governs each user; a job held only by its user's limit does not hold the others of the tenant", async () => {
    expect(await setLimit({ scope: "team", payer: "team", cpus: 16 }, team)).toMatchObject({ scope: "team", payer: "team", cpus: 16, machines: {} });
    const b1 = await j.submit(bob, demoJob({ machine: "n16" }));
    const b2 = await j.submit(bob, demoJob({ machine: "n16" }));
    const c1 = await j.submit(carol, demoJob({ machine: "n16" }));
    expect(await heldOf([b1.number, b2.number, c1.number])).toEqual([false, true, false]);
    expect((await row(b2.number)).substatus_text).toBe("Waiting for limits: user bob (team default) at 16 of 16 CPUs");

    // a user's own limit overrides the team default, set by a team admin
    expect(await setLimit({ scope: "user", user: "bob", cpus: 32 }, admin)).toMatchObject({ scope: "user", user: "bob", cpus: 32 });
    expect((await row(b2.number)).held).toBe(false);
    const eff = expectOk(await t.call("GET", "/api/limits/effective?user=bob", { as: bob }));
    expect(eff.user).toEqual({ limit: expect.objectContaining({ scope: "user", user: "bob", cpus: 32 }), usage: { cpus: 32, jobs: { n16: 2 } }, held: 0 });
    expect((eff.tenant as Json).usage).toEqual({ cpus: 48, jobs: { n16: 3 } });
    // the tenant's administrator limit: at most 3 n16 jobs at once (the payer is a user of its team: the team default governs it too)
    const p1 = await j.submit(team, demoJob({ machine: "n16" }));
    const p2 = await j.submit(team, demoJob({ machine: "n8" }));
    expect(await heldOf([p1.number, p2.number])).toEqual([true, true]);
    expect((await row(p1.number)).substatus_text).toBe("Waiting for limits: tenant team at 3 of 3 'n16' jobs");
    // p2 would fit the tenant, but p1 waits for the tenant's limit first
    expect((await row(p2.number)).substatus_text).toBe("Waiting for limits: tenant team, behind job " + p1.number);
    await end(c1.number);
    expect(await heldOf([p1.number, p2.number])).toEqual([false, true]);
    expect((await row(p2.number)).substatus_text).toBe("Waiting for limits: user team (team default) at 16 of 16 CPUs");
    for (const n of [b1.number, b2.number, p1.number, p2.number]) await end(n);
  });

  it("a payer or team admin cannot go beyond the administrator limit: 400 naming the field", async () => {
    expectInvalid(await putLimit({ scope: "team", payer: "team", cpus: 128 }, team), "cpus", "cpus: 128 is more than the 64 CPUs the administrator limit of tenant team allows");
    expectInvalid(await putLimit({ scope: "user", user: "bob", machines: { n4: {} } }, admin), "machines.n4", /not available under the administrator limit of tenant team/);
    expectInvalid(await putLimit({ scope: "user", user: "bob", machines: { n16: { jobs: 4 } } }, admin), "machines.n16.jobs");
    expectInvalid(await putLimit({ scope: "team", payer: "team", machines: { n16: { nodes: 3 } } }, team), "machines.n16.nodes");
    // unchanged by the refusals
    const eff = expectOk(await t.call("GET", "/api/limits/effective?user=carol", { as: team }));
    expect((eff.user as Json).limit).toMatchObject({ scope: "team", cpus: 16, machines: {} });
  });

  it("bad input names the field", async () => {
    expectInvalid(await putLimit({ scope: "galaxy" }), "scope");
    expectInvalid(await putLimit({ scope: "payer" }), "payer");
    expectInvalid(await putLimit({ scope: "payer", payer: "bob" }), "payer", /team member, not a payer/);
    expectInvalid(await putLimit({ scope: "billing", billingFrom: 10 }), "billingTo");
    expectInvalid(await putLimit({ scope: "billing", billingFrom: 10, billingTo: 5 }), "billingTo");
    expectInvalid(await putLimit({ scope: "team", payer: "team", user: "bob" }), "user");
    expectInvalid(await putLimit({ scope: "team", payer: "team", cpus: -1 }), "cpus");
    expectInvalid(await putLimit({ scope: "team", payer: "team", machines: { n9000: {} } }), "machines.n9000");
    expectInvalid(await putLimit({ scope: "team", payer: "team", machines: { n8: { jobs: 1, gpus: 2 } } }), "machines.n8");
  });
});

describe("who may set and read which limit", () => {
  let p: Creds;
  let ta: Creds;
  let mem: Creds;
  let otherAdmin: Creds;
  beforeAll(async () => {
    p = await t.payer("rights");
    ta = await t.member("rights-admin", "rights", { teamAdmin: true });
    mem = await t.member("rights-member", "rights");
    await t.payer("rival");
    otherAdmin = await t.member("rival-admin", "rival", { teamAdmin: true });
    await setLimit({ scope: "payer", payer: "rights", cpus: 64 });
    await setLimit({ scope: "team", payer: "rival", cpus: 8 });
  });

  it("members: 403 on the limits, their own effective limits only", async () => {
    expectError(await t.call("GET", "/api/limits", { as: mem }), 403);
    expectError(await putLimit({ scope: "user", user: "rights-member", cpus: 1000 }, mem), 403);
    expectError(await putLimit({ scope: "team", payer: "rights", cpus: 1 }, mem), 403);
    expectOk(await t.call("GET", "/api/limits/effective", { as: mem }));
    expectError(await t.call("GET", "/api/limits/effective?user=rights-admin", { as: mem }), 404);
  });

  it("a team admin of another tenant sees and changes nothing of this one", async () => {
    expectError(await putLimit({ scope: "team", payer: "rights", cpus: 1 }, otherAdmin), 404, /payer 'rights' not found/);
    expectError(await putLimit({ scope: "user", user: "rights-member", cpus: 1 }, otherAdmin), 404);
    expectError(await t.call("GET", "/api/limits/effective?user=rights-member", { as: otherAdmin }), 404);
    const mine = expectOk(await t.call("GET", "/api/limits", { as: ta }));
    const adminId = (mine.limits as Json[]).find((l) => l.scope === "payer")!.id;
    expectError(await t.call("DELETE", `/api/limits/${adminId}`, { as: otherAdmin }), 404);
    const theirs = expectOk(await t.call("GET", "/api/limits", { as: otherAdmin }));
    expect((theirs.limits as Json[]).map((l) => [l.scope, l.payer])).toEqual([["team", "rival"]]);
  });

  it("payers and team admins read the administrator limit but only system administrators set or remove it", async () => {
    const seen = expectOk(await t.call("GET", "/api/limits", { as: p }));
    const admin = (seen.limits as Json[]).find((l) => l.scope === "payer")!;
    expect(admin).toMatchObject({ payer: "rights", cpus: 64 });
    expectError(await putLimit({ scope: "payer", payer: "rights", cpus: 1000 }, p), 403);
    expectError(await putLimit({ scope: "billing", billingFrom: 0, billingTo: 10, cpus: 1000 }, ta), 403);
    expectError(await t.call("DELETE", `/api/limits/${admin.id}`, { as: ta }), 403);
    const mine = await setLimit({ scope: "user", user: "rights-member", cpus: 8 }, ta);
    expect((await t.call("DELETE", `/api/limits/${mine.id}`, { as: p })).statusCode).toBe(204);
    expectError(await t.call("DELETE", `/api/limits/${mine.id}`, { as: p }), 404);
  });

  it("PUT replaces the limit of its scope: one row per scope key", async () => {
    const a = await setLimit({ scope: "team", payer: "rights", cpus: 8, machines: { n8: { jobs: 1 } } }, p);
    const b = await setLimit({ scope: "team", payer: "rights", cpus: 16 }, ta);
    expect(b).toEqual({ id: a.id, scope: "team", payer: "rights", cpus: 16, machines: {} });
    // two administrators saving at once: still one row
    const [x, y] = await Promise.all([setLimit({ scope: "team", payer: "rights", cpus: 4 }, p), setLimit({ scope: "team", payer: "rights", cpus: 6 }, ta)]);
    expect(x.id).toBe(a.id);
    expect(y.id).toBe(a.id);
  });
});

describe("billing codes", () => {
  it("system administrators set a payer's billing code; a billing-range limit governs the payers in it unless a payer has its own", async () => {
    const tier = await t.payer("tier");
    const own = await t.payer("tier-own");
    expect(expectOk(await t.call("PATCH", "/api/users/tier", { as: t.admin, body: { billingCode: 150 } })).billingCode).toBe(150);
    expectOk(await t.call("PATCH", "/api/users/tier-own", { as: t.admin, body: { billingCode: 150 } }));
    expect(expectOk(await t.call("GET", "/api/users/tier", { as: tier })).billingCode).toBe(150);
    expectError(await t.call("PATCH", "/api/users/tier", { as: tier, body: { billingCode: 1 } }), 403);
    const m = await t.member("tier-m", "tier");
    expectInvalid(await t.call("PATCH", "/api/users/tier-m", { as: t.admin, body: { billingCode: 1 } }), "billingCode");
    expect(await setLimit({ scope: "billing", billingFrom: 100, billingTo: 199, cpus: 16 })).toMatchObject({ scope: "billing", billingFrom: 100, billingTo: 199, cpus: 16 });
    await setLimit({ scope: "payer", payer: "tier-own", cpus: 32 });

    const a = [await j.submit(m, demoJob({ machine: "n16" })), await j.submit(tier, demoJob({ machine: "n16" }))];
    expect(await heldOf(a.map((x) => x.number))).toEqual([false, true]);
    expect((await row(a[1]!.number)).substatus_text).toBe("Waiting for limits: tenant tier (billing codes 100-199) at 16 of 16 CPUs");
    const b = [await j.submit(own, demoJob({ machine: "n16" })), await j.submit(own, demoJob({ machine: "n16" }))];
    expect(await heldOf(b.map((x) => x.number))).toEqual([false, false]);
    // the payer sees the range governing it, read-only
    const seen = expectOk(await t.call("GET", "/api/limits", { as: tier }));
    expect((seen.limits as Json[]).map((l) => l.scope)).toEqual(["billing"]);
    for (const x of [...a, ...b]) await end(x.number);
  });
});

describe("concurrent submits against one limit", () => {
  it("never both pass it: of eight 16-CPU jobs submitted at once under 32 CPUs, exactly two go", async () => {
    const race = await t.payer("race");
    await setLimit({ scope: "payer", payer: "race", cpus: 32 });
    const subs = await Promise.all(Array.from({ length: 8 }, () => j.submit(race, demoJob({ machine: "n16" }))));
    const held = await heldOf(subs.map((s) => s.number).sort((x, y) => x - y));
    expect(held.filter((h) => !h)).toHaveLength(2);
    // and the two released are the oldest two: submission order
    expect(held).toEqual([false, false, true, true, true, true, true, true]);
  });
});
