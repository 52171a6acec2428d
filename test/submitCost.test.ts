// What one submission costs the database, in statements that reach it (BEGIN
// and COMMIT included): issue 12's submit latency at 200 clients is mostly
// statements waiting for a connection, so their number is pinned here (a
// count, not a timing). The job controller is not running: only the request's
// statements are counted.
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoCatalog } from "../src/catalog/demo";
import { startTestApp, type Creds, type TestApp } from "./app";
import { demoJob, expectOk, Jarvice, type Json } from "./jarviceClient";
import { statementsDuring } from "./statements";

let t: TestApp;
let j: Jarvice;
let plain: Creds;
let limited: Creds;

beforeAll(async () => {
  t = await startTestApp();
  j = new Jarvice(t);
  await seedDemoCatalog(t.opened.db, 16, 64);
  plain = await t.payer("plain");
  limited = await t.payer("limited");
  expectOk(await t.call("PUT", "/api/limits", { as: t.admin, body: { scope: "payer", payer: "limited", cpus: 8 } }));
});
afterAll(() => t?.close());

const stored = (number: number) => t.opened.db.selectFrom("jobs").select(["name", "held", "substatus_text", "ipaddr_value"]).where("number", "=", number).executeTakeFirstOrThrow();
const jobWrites = (sql: string[]) => sql.filter((s) => /\b(insert into|update) "jobs"/i.test(s));

async function submitCounted(as: Creds, body: Json) {
  const { result, sql } = await statementsDuring(() => j.submitAs(as, body));
  const answer = expectOk(result) as { name: string; number: number };
  return { answer, sql };
}

describe("statements of one submission", () => {
  it("a plain one (tenant without limits, no ipaddr tag): 3 statements (the credentials, the checks' reads, the INSERT), no transaction, the job written once with its final name", async () => {
    const { answer, sql } = await submitCounted(plain, demoJob());
    expect(sql.length, sql.join("\n")).toBeLessThanOrEqual(3);
    expect(sql.filter((s) => /^\s*(begin|commit)\b/i.test(s))).toEqual([]);
    expect(jobWrites(sql)).toHaveLength(1);
    expect(answer.name).toBe(`jarvice-job-${answer.number}`);
    expect(await stored(answer.number)).toMatchObject({ name: answer.name, held: false, substatus_text: "" });
  });

  it("POST /api/jobs costs the same (the authentication's read instead of the body's credentials)", async () => {
    const { result, sql } = await statementsDuring(() => t.call("POST", "/api/jobs", { as: plain, body: demoJob() }));
    const answer = expectOk(result) as { name: string; number: number };
    expect(sql.length, sql.join("\n")).toBeLessThanOrEqual(3);
    expect(answer.name).toBe(`jarvice-job-${answer.number}`);
  });

  it("with an ipaddr tag: the claim and the job in one transaction, 6 statements", async () => {
    const { answer, sql } = await submitCounted(plain, demoJob({ command: "web", extra: { ipaddr: "web" } }));
    expect(sql.length, sql.join("\n")).toBeLessThanOrEqual(6);
    expect(sql.filter((s) => /^\s*(begin|commit)\b/i.test(s))).toHaveLength(2);
    expect(jobWrites(sql)).toHaveLength(1);
    expect(await stored(answer.number)).toMatchObject({ name: answer.name, ipaddr_value: "plain-web" });
  });

  it("under a limit: decided under the tenant's lock before the insert, the job written once, held or not: 8 statements", async () => {
    const first = await submitCounted(limited, demoJob({ machine: "n8" })); // 8 of 8 CPUs
    expect(first.sql.length, first.sql.join("\n")).toBeLessThanOrEqual(8);
    expect(first.sql.some((s) => s.includes("pg_advisory_xact_lock"))).toBe(true);
    expect(jobWrites(first.sql)).toHaveLength(1);
    expect(await stored(first.answer.number)).toMatchObject({ name: first.answer.name, held: false, substatus_text: "" });

    const second = await submitCounted(limited, demoJob({ machine: "n4" }));
    expect(second.sql.length, second.sql.join("\n")).toBeLessThanOrEqual(8);
    expect(jobWrites(second.sql)).toHaveLength(1);
    expect(await stored(second.answer.number)).toMatchObject({ name: second.answer.name, held: true, substatus_text: "Waiting for limits: tenant limited at 8 of 8 CPUs" });
  });

  it("a submission decided before its row exists still releases the older held jobs the same decision lets go, and queues behind them", async () => {
    // The n8 job of the test above ends without a release pass (as if the controller had not run yet): its
    // room is free, the n4 job still held. The next submission releases the n4 and waits behind it.
    const { db } = t.opened;
    const jobs = await db.selectFrom("jobs as j").innerJoin("users as u", "u.id", "j.tenant_id").select(["j.number", "j.held"]).where("u.username", "=", "limited").orderBy("j.number").execute();
    expect(jobs.map((x) => x.held)).toEqual([false, true]);
    await db.updateTable("jobs").set({ status: "COMPLETED", end_time: Math.floor(Date.now() / 1000) }).where("number", "=", jobs[0]!.number).execute();
    const third = await submitCounted(limited, demoJob({ machine: "n8" }));
    expect(await stored(jobs[1]!.number)).toMatchObject({ held: false, substatus_text: "" });
    expect(await stored(third.answer.number)).toMatchObject({ held: true, substatus_text: "Waiting for limits: tenant limited at 4 of 8 CPUs" });
    expect(jobWrites(third.sql).map((s) => s.split(" ")[0]!.toLowerCase())).toEqual(["update", "with"]);
  });
});

describe("the one read answers as the separate reads did", () => {
  const created = (r: LightMyRequestResponse): Json => {
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as Json;
  };
  let vera: Creds;
  let westVault: number;
  beforeAll(async () => {
    vera = await t.payer("vera");
    await t.payer("wes");
    const west = created(await t.call("POST", "/api/zones", { as: t.admin, body: { name: "west" } })).id as number;
    created(await t.call("POST", "/api/clusters", { as: t.admin, body: { name: "west-cluster", zone: west, backend: "simulated" } }));
    created(await t.call("POST", "/api/machines", { as: t.admin, body: { name: "nw4", cluster: "west-cluster", cores: 4, memoryGb: 16, maxNodes: 2 } }));
    westVault = created(await t.call("POST", "/api/users/wes/vaults", { as: t.admin, body: { name: "westdata", kind: "pvc", zone: west, storageClass: "standard", size: 10 } })).id as number;
  });
  const vaultOf = async (number: number) => (await t.opened.db.selectFrom("jobs").select("vault_id").where("number", "=", number).executeTakeFirstOrThrow()).vault_id;

  it("a vault shared with the user: its zone's machines exist for the user, the job may use it by name, and the default vault stays the user's own", async () => {
    const onWest = demoJob({ machine: "nw4", extra: { vault: { name: "westdata" } } });
    expect((await j.submitAs(vera, onWest)).statusCode).toBe(404);
    created(await t.call("POST", `/api/vaults/${westVault}/shares`, { as: t.admin, body: { username: "vera" } }));
    expect(await vaultOf((await j.submit(vera, onWest)).number)).toBe(westVault);
    const own = await t.opened.db.selectFrom("vaults").innerJoin("users", "users.id", "vaults.owner_id").select("vaults.id").where("users.username", "=", "vera").where("vaults.is_default", "=", true).executeTakeFirstOrThrow();
    expect(await vaultOf((await j.submit(vera, demoJob({ machine: "nw4" }))).number)).toBe(own.id);
  });

  it("keeps the answers' order: an unknown app is a 404 before an unknown machine type, which is one before an unknown vault", async () => {
    const answer = async (body: Json) => (await j.submitAs(vera, body)).json() as { error: string };
    expect((await answer(demoJob({ machine: "nope", extra: { app: "nope", vault: { name: "nope" } } }))).error).toMatch(/app 'nope'/);
    expect((await answer(demoJob({ machine: "nope", extra: { vault: { name: "nope" } } }))).error).toMatch(/machine type 'nope'/);
    expect((await answer(demoJob({ extra: { vault: { name: "nope" } } }))).error).toMatch(/vault 'nope'/);
  });
});
