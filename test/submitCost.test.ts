// What one submission costs the database, in statements that reach it (BEGIN
// and COMMIT included): issue 12's submit latency at 200 clients is mostly
// statements waiting for a connection, so their number is pinned here (a
// count, not a timing). The job controller is not running: only the request's
// statements are counted.
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
  it("a plain one (tenant without limits, no ipaddr tag): 6 statements, no transaction, the job written once with its final name", async () => {
    const { answer, sql } = await submitCounted(plain, demoJob());
    expect(sql.length, sql.join("\n")).toBeLessThanOrEqual(6);
    expect(sql.filter((s) => /^\s*(begin|commit)\b/i.test(s))).toEqual([]);
    expect(jobWrites(sql)).toHaveLength(1);
    expect(answer.name).toBe(`jarvice-job-${answer.number}`);
    expect(await stored(answer.number)).toMatchObject({ name: answer.name, held: false, substatus_text: "" });
  });

  it("POST /api/jobs costs the same (the authentication's read instead of the body's credentials)", async () => {
    const { result, sql } = await statementsDuring(() => t.call("POST", "/api/jobs", { as: plain, body: demoJob() }));
    const answer = expectOk(result) as { name: string; number: number };
    expect(sql.length, sql.join("\n")).toBeLessThanOrEqual(6);
    expect(answer.name).toBe(`jarvice-job-${answer.number}`);
  });

  it("with an ipaddr tag: the claim and the job in one transaction, 9 statements", async () => {
    const { answer, sql } = await submitCounted(plain, demoJob({ command: "web", extra: { ipaddr: "web" } }));
    expect(sql.length, sql.join("\n")).toBeLessThanOrEqual(9);
    expect(sql.filter((s) => /^\s*(begin|commit)\b/i.test(s))).toHaveLength(2);
    expect(jobWrites(sql)).toHaveLength(1);
    expect(await stored(answer.number)).toMatchObject({ name: answer.name, ipaddr_value: "plain-web" });
  });

  it("under a limit: decided under the tenant's lock before the insert, the job written once, held or not", async () => {
    const first = await submitCounted(limited, demoJob({ machine: "n8" })); // 8 of 8 CPUs
    expect(first.sql.length, first.sql.join("\n")).toBeLessThanOrEqual(11);
    expect(first.sql.some((s) => s.includes("pg_advisory_xact_lock"))).toBe(true);
    expect(jobWrites(first.sql)).toHaveLength(1);
    expect(await stored(first.answer.number)).toMatchObject({ name: first.answer.name, held: false, substatus_text: "" });

    const second = await submitCounted(limited, demoJob({ machine: "n4" }));
    expect(second.sql.length, second.sql.join("\n")).toBeLessThanOrEqual(11);
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
