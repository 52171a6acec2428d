// The second-release /jarvice routes (spec/api.md): batch, validate, events,
// billing, queues. Each route's happy path, who may call it (member, payer,
// system administrator, another tenant), and bad input answered with a 400
// naming the field. The billing report is checked against core-hours and
// costs computed by hand from finished jobs written straight into the jobs
// table (exact start and end times). Jobs run on the simulated cluster (4
// nodes of 16 cores: machines n4 = 4 cores, n8 = 8, n16 = 16); the events are
// the simulated cluster's (the Kubernetes adapter lists core/v1 Events).
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type Creds, type TestApp } from "./app";
import { demoJob, expectError, expectInvalid, expectOk, Jarvice, waitFor, type Json } from "./jarviceClient";
import { BATCH_SCRIPT_ENV } from "../src/core/batch";
import { DEMO_APP } from "../src/catalog/demo";

let t: TestApp;
let j: Jarvice;
let acme: Creds; // payer
let ann: Creds; // acme's member
let bravo: Creds; // another payer
let bob: Creds; // bravo's member

const post = (path: string, body: unknown, headers: Record<string, string> = {}) => t.app.inject({ method: "POST", url: `/jarvice/${path}`, payload: body as object, headers });
const asUser = (c: Creds) => ({ username: c.username, apikey: c.apikey });

async function jobCount(): Promise<number> {
  const r = await t.opened.db.selectFrom("jobs").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
  return Number(r.n);
}

beforeAll(async () => {
  t = await startTestApp({}, { simulated: {} });
  j = new Jarvice(t);
  acme = await t.payer("acme");
  ann = await t.member("ann", "acme");
  bravo = await t.payer("bravo");
  bob = await t.member("bob", "bravo");
});
afterAll(async () => t?.close());

// ---------------------------------------------------------------------------------------------

describe("POST /jarvice/batch", () => {
  const script = "#!/bin/sh\necho hello from batch\n";

  it("submits the script as a job of the demo app, answered like submit ({name, number})", async () => {
    const r = await post("batch", { user: asUser(ann), container: { jobscript: script }, machine: { type: "n4" } });
    const s = expectOk(r);
    expect(Object.keys(s).sort()).toEqual(["name", "number"]);
    expect(s.name).toBe(`jarvice-job-${s.number as number}`);
    const e = await j.status(ann, s.number as number);
    expect(e).toMatchObject({ job_application: "demo", job_command: "batch", job_status: expect.stringMatching(/^(SUBMITTED|PROCESSING STARTING)$/), job_owner_username: "ann" });
    const row = await t.opened.db.selectFrom("jobs").select(["argv", "env"]).where("number", "=", s.number as number).executeTakeFirstOrThrow();
    expect(row.argv[0]).toBe("/bin/sh");
    expect(row.env).toEqual({ [BATCH_SCRIPT_ENV]: script });
    await j.waitForState(ann, s.number as number, "PROCESSING STARTING");
  });

  it("checks the rest as submit does: machine, credentials, app", async () => {
    const before = await jobCount();
    expectInvalid(await post("batch", { user: asUser(ann), container: {}, machine: { type: "n4" } }), "container.jobscript");
    expectInvalid(await post("batch", { user: asUser(ann), machine: { type: "n4" } }), "container");
    expectInvalid(await post("batch", { user: asUser(ann), container: { jobscript: "echo", image: "docker.io/evil/miner" }, machine: { type: "n4" } }), "container.image");
    expectInvalid(await post("batch", { user: asUser(ann), container: { jobscript: "echo" }, machine: { type: "n4", nodes: 9 } }), "machine.nodes");
    expectInvalid(await post("batch", { user: asUser(ann), container: { jobscript: "echo" } }), "machine");
    expectInvalid(await post("batch", { user: asUser(ann), container: { jobscript: "echo" }, application: "x", machine: { type: "n4" } }), "application");
    expectInvalid(await post("batch", ["not", "an", "object"]), "body");
    expectError(await post("batch", { user: { username: "ann", apikey: "wrong" }, container: { jobscript: "echo" }, machine: { type: "n4" } }), 401);
    expectError(await post("batch", { container: { jobscript: "echo" }, machine: { type: "n4" } }), 401);
    expectError(await post("batch", { user: asUser(ann), app: "nope", container: { jobscript: "echo" }, machine: { type: "n4" } }), 404, /app 'nope'/);
    expectError(await post("batch", { user: asUser(ann), container: { jobscript: "echo" }, machine: { type: "n99" } }), 404, /machine type/);
    expect(await jobCount()).toBe(before);
  });
});

describe("POST /jarvice/validate", () => {
  it("answers {valid: true} for a valid AppDef", async () => {
    const r = await post("validate", DEMO_APP);
    expect(expectOk(r)).toEqual({ valid: true });
    expect(r.headers["content-type"]).toMatch(/^application\/json/);
  });

  it("answers 400 naming each problem", async () => {
    const r = await post("validate", { name: "x", image: {}, commands: { run: { parameters: { n: { type: "NUMBER" } } } } });
    const e = expectInvalid(r, "image.data");
    expect(String(e.error)).toContain("commands.run.path: is required");
    expect(String(e.error)).toContain("commands.run.parameters.n.type: must be one of");
    expectInvalid(await post("validate", { name: "x", image: { data: "i" }, commands: {} }), "commands", /at least one command/);
    expectInvalid(await post("validate", [1, 2]), "body");
  });
});

// ---------------------------------------------------------------------------------------------

describe("GET /jarvice/events", () => {
  let running = 0;
  let waiting = 0;
  beforeAll(async () => {
    running = (await j.submit(acme, demoJob({ machine: "n16" }))).number;
    await j.waitForState(acme, running, "PROCESSING STARTING");
    // 4 whole nodes while one is taken: waits, and the scheduler says why.
    waiting = (await j.submit(acme, demoJob({ machine: "n16", nodes: 4 }))).number;
  });

  it("shows system administrators the events of the job's pods, as text", async () => {
    const r = await j.get("events", t.admin, { number: running });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers["content-type"]).toBe("text/plain");
    expect(r.body).toMatch(new RegExp(`^\\S+Z jarvice-job-${running}-0 Normal Scheduled: Successfully assigned \\S+/jarvice-job-${running}-0 to sim-node-\\d`, "m"));
    expect(r.body).toMatch(new RegExp(`jarvice-job-${running}-0 Normal Started: `));
    expect(r.body).not.toContain(`jarvice-job-${waiting}-`);

    let text = "";
    await waitFor(async () => {
      text = (await j.get("events", t.admin, { name: `jarvice-job-${waiting}` })).body;
      return text.includes("FailedScheduling");
    });
    for (let i = 0; i < 4; i++) expect(text).toContain(`jarvice-job-${waiting}-${i} Warning FailedScheduling: `);
  });

  it("is for system administrators only: the job's owner, its payer and others get 403", async () => {
    for (const who of [acme, ann, bravo]) expectError(await j.get("events", who, { number: running }), 403, /system administrators/);
    expectError(await j.get("events", undefined, { number: running }), 401);
  });

  it("404 for a job that does not exist; 400 without name or number", async () => {
    expectError(await j.get("events", t.admin, { number: 999999 }), 404);
    expectInvalid(await j.get("events", t.admin, {}), "name");
    expectInvalid(await j.get("events", t.admin, { number: "x1" }), "number");
  });
});

// ---------------------------------------------------------------------------------------------

describe("GET /jarvice/billing", () => {
  const at = (iso: string) => Date.parse(iso) / 1000;
  const march = { startdate: "2026-03-01", enddate: "2026-03-31" };

  /** Insert a finished job with exact times, straight into the jobs table. */
  async function finishedJob(owner: string, machine: string, nodes: number, start: string, end: string): Promise<number> {
    const db = t.opened.db;
    const u = await db.selectFrom("users").select(["id", "payer_id"]).where("username", "=", owner).executeTakeFirstOrThrow();
    const m = await db.selectFrom("machines").select("id").where("name", "=", machine).executeTakeFirstOrThrow();
    const row = await db
      .insertInto("jobs")
      .values({
        name: `billing-${owner}-${start}`,
        owner_id: u.id,
        tenant_id: u.payer_id ?? u.id,
        app_id: "demo",
        command: "sleep",
        argv: JSON.stringify(["/bin/sleep", "1"]),
        machine_id: m.id,
        nodes,
        status: "COMPLETED",
        submit_time: at(start) - 60,
        start_time: at(start),
        end_time: at(end),
        submission: JSON.stringify({}),
      })
      .returning("number")
      .executeTakeFirstOrThrow();
    return row.number;
  }

  async function setPrice(machine: string, price: number) {
    const list = (await t.call("GET", "/api/machines", { as: t.admin })).json() as { machines: Array<{ id: number; name: string }> };
    const id = list.machines.find((m) => m.name === machine)!.id;
    const r = await t.call("PATCH", `/api/machines/${id}`, { as: t.admin, body: { price } });
    expect(r.statusCode, r.body).toBe(200);
    expect((r.json() as Json).price).toBe(price);
  }

  function csv(r: LightMyRequestResponse): string[] {
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers["content-type"]).toBe("text/csv");
    return r.body.trimEnd().split("\r\n");
  }

  let j4 = 0;
  beforeAll(async () => {
    await setPrice("n4", 1.5); // per node-hour; n4 has 4 cores
    await setPrice("n16", 4); // n16 has 16 cores
    await finishedJob("ann", "n4", 2, "2026-03-02T10:00:00Z", "2026-03-02T13:00:00Z"); // 3 h: 6 node-h, 24 core-h, 9
    await finishedJob("acme", "n16", 1, "2026-03-10T00:00:00Z", "2026-03-10T00:30:00Z"); // 0.5 h: 0.5 node-h, 8 core-h, 2
    await finishedJob("bob", "n16", 2, "2026-03-15T00:00:00Z", "2026-03-15T06:00:00Z"); // 6 h: 12 node-h, 192 core-h, 48
    j4 = await finishedJob("bob", "n4", 1, "2026-03-31T23:00:00Z", "2026-04-01T01:00:00Z"); // 1 h of it in March: 1 node-h, 4 core-h, 1.5
    await finishedJob("ann", "n4", 1, "2026-02-27T00:00:00Z", "2026-02-27T05:00:00Z"); // February: not in the report
    await finishedJob("bob", "n16", 1, "2026-04-02T00:00:00Z", "2026-04-02T05:00:00Z"); // April: not in the report
  });

  it("a month of two payers' jobs, per payer, user and machine type, against hand-computed core-hours", async () => {
    expect(csv(await j.get("billing", t.admin, march))).toEqual([
      "payer,user,billing_code,machine_type,jobs,node_hours,core_hours,cost",
      "acme,acme,0,n16,1,0.5,8,2",
      "acme,ann,0,n4,1,6,24,9",
      "bravo,bob,0,n16,1,12,192,48",
      "bravo,bob,0,n4,1,1,4,1.5",
      "TOTAL,,,,4,19.5,228,60.5",
    ]);
  });

  it("filtered by user (a payer stands for its team) and by machine type", async () => {
    expect(csv(await j.get("billing", t.admin, { ...march, reportuser: "ann" }))).toEqual(["payer,user,billing_code,machine_type,jobs,node_hours,core_hours,cost", "acme,ann,0,n4,1,6,24,9", "TOTAL,,,,1,6,24,9"]);
    expect(csv(await j.get("billing", t.admin, { ...march, reportuser: "acme" })).slice(1)).toEqual(["acme,acme,0,n16,1,0.5,8,2", "acme,ann,0,n4,1,6,24,9", "TOTAL,,,,2,6.5,32,11"]);
    expect(csv(await j.get("billing", t.admin, { ...march, machtypes: "n16" })).slice(1)).toEqual(["acme,acme,0,n16,1,0.5,8,2", "bravo,bob,0,n16,1,12,192,48", "TOTAL,,,,2,12.5,200,50"]);
    const itemized = csv(await j.get("billing", t.admin, { ...march, reportuser: "bob", machtypes: "n4", itemized: "True" }));
    expect(itemized).toHaveLength(3);
    expect(itemized[1]).toBe(`${j4},billing-bob-2026-03-31T23:00:00Z,bravo,bob,0,demo,n4,0,COMPLETED,1,4,1.5,2026-03-31T22:59:00Z,2026-03-31T23:00:00Z,2026-04-01T01:00:00Z,1,1,4,1.5`);
    expect(csv(await j.get("billing", t.admin, { ...march, statuses: "TERMINATED" }))).toEqual(["payer,user,billing_code,machine_type,jobs,node_hours,core_hours,cost", "TOTAL,,,,0,0,0,0"]);
    expect(csv(await j.get("billing", t.admin, { ...march, zone: "Default", jobapp: "demo", billingcode: 0 })).at(-1)).toBe("TOTAL,,,,4,19.5,228,60.5");
    expect(csv(await j.get("billing", t.admin, { ...march, billingcode: 7 })).at(-1)).toBe("TOTAL,,,,0,0,0,0");
  });

  it("a payer reports on its own team only; members get 403", async () => {
    expect(csv(await j.get("billing", acme, march)).slice(1)).toEqual(["acme,acme,0,n16,1,0.5,8,2", "acme,ann,0,n4,1,6,24,9", "TOTAL,,,,2,6.5,32,11"]);
    expect(csv(await j.get("billing", bravo, { ...march, reportuser: "bob" })).at(-1)).toBe("TOTAL,,,,2,13,196,49.5");
    // Another tenant's user reads like one that does not exist.
    const other = expectInvalid(await j.get("billing", acme, { ...march, reportuser: "bob" }), "reportuser");
    const unknown = expectInvalid(await j.get("billing", acme, { ...march, reportuser: "nobody" }), "reportuser");
    expect(String(other.error).replace("bob", "X")).toBe(String(unknown.error).replace("nobody", "X"));
    expectError(await j.get("billing", ann, march), 403);
    expectError(await j.get("billing", bob, march), 403);
    expectError(await j.get("billing", undefined, march), 401);
  });

  it("bad filters answer 400 naming the field", async () => {
    expectInvalid(await j.get("billing", t.admin, { startdate: "2026-02-30", enddate: "2026-03-31" }), "startdate");
    expectInvalid(await j.get("billing", t.admin, { timeperiod: "range", startdate: "2026-03-01" }), "enddate");
    expectInvalid(await j.get("billing", t.admin, { timeperiod: "week" }), "timeperiod");
    expectInvalid(await j.get("billing", t.admin, { statuses: "COMPLETED,DONE" }), "statuses", /'DONE'/);
    expectInvalid(await j.get("billing", t.admin, { itemized: "maybe" }), "itemized");
    expectInvalid(await j.get("billing", t.admin, { billingcode: "gold" }), "billingcode");
    expectInvalid(await j.get("billing", t.admin, { zone: "atlantis" }), "zone");
  });

  it("machines carry a price per node-hour in the admin API; a negative or non-number price is refused", async () => {
    const list = (await t.call("GET", "/api/machines", { as: t.admin })).json() as { machines: Array<{ id: number; name: string; price: number }> };
    expect(list.machines.find((m) => m.name === "n4")!.price).toBe(1.5);
    const id = list.machines.find((m) => m.name === "n8")!.id;
    expectInvalid(await t.call("PATCH", `/api/machines/${id}`, { as: t.admin, body: { price: -1 } }), "price");
    expectInvalid(await t.call("PATCH", `/api/machines/${id}`, { as: t.admin, body: { price: "cheap" } }), "price");
    const created = await t.call("POST", "/api/machines", { as: t.admin, body: { name: "p2", cluster: "embedded", cores: 2, memoryGb: 4, price: 0.25 } });
    expect(created.statusCode, created.body).toBe(201);
    expect((created.json() as Json).price).toBe(0.25);
    const m = expectOk(await j.get("machines", t.admin, { name: "p2" }));
    expect((m.p2 as Json).mc_price).toBe(0.25);
  });
});

// ---------------------------------------------------------------------------------------------

describe("GET /jarvice/queues", () => {
  it("lists the one default queue; info shows it keyed by name with its depth (jobs SUBMITTED, not started)", async () => {
    expect(expectOk(await j.get("queues", ann))).toEqual(["default"]);
    expect(expectOk(await j.get("queues", ann, { name: "default" }))).toEqual(["default"]);

    // The controller stopped: submitted jobs stay SUBMITTED, so the depth is exact.
    await t.controller!.stop();
    const waiting = async () => Number((await t.opened.db.selectFrom("jobs").select((eb) => eb.fn.countAll<string>().as("n")).where("status", "=", "SUBMITTED").executeTakeFirstOrThrow()).n);
    const before = await waiting();
    await j.submit(bob, demoJob());
    await j.submit(ann, demoJob());
    const info = expectOk(await j.get("queues", bob, { info: "true" }));
    // the first machine type in natural order (n4, n8, n16): the smallest, not the largest (issue 14)
    expect(info).toEqual({ default: { name: "default", app: "demo", machine: "n4", size: 4, depth: before + 2, held: 0, released: before + 2 } });
    expect(expectOk(await j.get("queues", bob, { info: 1, name: "all" }))).toEqual(info);
    await t.restartController();
  });

  it("404 for a queue that does not exist; 400 for a bad info; 401 without credentials", async () => {
    expectError(await j.get("queues", ann, { name: "gpu" }), 404, /queue 'gpu'/);
    expectInvalid(await j.get("queues", ann, { info: "yes" }), "info");
    expectError(await j.get("queues", undefined), 401);
  });
});
