// The JARVICE-compatible API (/jarvice/*) over HTTP, route by route: the
// happy paths with the OpenAPI's JSON keys, and the 400/401/404 answers
// (a 400 names the field). Then the IP-address tag (`ipaddr`): the
// label-value rules, and label-value ownership between user names with dashes.
// Jobs run on a simulated cluster of 3 nodes (16 cores each: 12 x n4, 6 x n8,
// 3 x n16) driven by the job controller.
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestApp, type Creds, type TestApp } from "./app";
import { demoJob, expectError, expectInvalid, expectOk, Jarvice, json, type Json, type JobEntry } from "./jarviceClient";
import type { PlannedPod } from "../src/core/podPlan";

let t: TestApp;
let j: Jarvice;
let acme: Creds; // payer
let ann: Creds; // acme's team member
let zed: Creds; // payer with a vault in zone "west"
let westZone: number;
let createPods: ReturnType<typeof vi.spyOn>;

/** jobs made in beforeAll */
const jobs = { running: 0, done: 0, queued: 0, annRunning: 0 };

const asAdmin = (method: string, url: string, body?: unknown) => t.call(method, url, { as: t.admin, ...(body !== undefined ? { body } : {}) });

function expectStatusCode(r: LightMyRequestResponse, status: number): Json {
  expect(r.statusCode, r.body).toBe(status);
  return json(r);
}

async function jobCount(): Promise<number> {
  const r = await t.opened.db.selectFrom("jobs").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The pods the controller asked the cluster for, for one job. */
function plannedPods(number: number): PlannedPod[] {
  return (createPods.mock.calls as Array<[PlannedPod[]]>).flatMap((c) => c[0]).filter((p) => p.metadata.labels["jarvice-job-number"] === String(number));
}

beforeAll(async () => {
  t = await startTestApp({}, { simulated: { nodes: 3, nodeCores: 16, nodeMemoryGb: 64 } });
  j = new Jarvice(t);
  createPods = vi.spyOn(t.cluster!, "createPods");
  acme = await t.payer("acme", { email: "acme@example.com", fullName: "Acme Payer" });
  ann = await t.member("ann", "acme");
  zed = await t.payer("zed");

  const zone = expectStatusCode(await asAdmin("POST", "/api/zones", { name: "west" }), 201);
  westZone = zone.id as number;
  expectStatusCode(await asAdmin("POST", "/api/clusters", { name: "west-cluster", zone: westZone, backend: "simulated" }), 201);
  expectStatusCode(await asAdmin("POST", "/api/machines", { name: "nw4", cluster: "west-cluster", cores: 4, memoryGb: 16, maxNodes: 2 }), 201);
  expectStatusCode(await asAdmin("POST", "/api/users/zed/vaults", { name: "westdata", kind: "pvc", zone: westZone, storageClass: "standard", size: 10, accessModes: "ReadWriteMany" }), 201);

  jobs.running = (await j.submit(acme, demoJob({ extra: { ipaddr: "api", job_label: "the label", job_project: "proj-1", application: { command: "sleep", parameters: { seconds: 3600 }, walltime: "01:30" } } }))).number;
  jobs.done = (await j.submit(acme, demoJob({ seconds: 1 }))).number;
  jobs.queued = (await j.submit(acme, demoJob({ machine: "n16", nodes: 4 }))).number; // 4 whole nodes: never fits on 3
  jobs.annRunning = (await j.submit(ann, demoJob())).number;
  await j.waitForState(acme, jobs.running, "PROCESSING STARTING");
  await j.waitForState(ann, jobs.annRunning, "PROCESSING STARTING");
  await j.waitForState(acme, jobs.done, "COMPLETED");
});
afterAll(async () => t?.close());

// ---------------------------------------------------------------------------------------------

describe("POST /jarvice/submit", () => {
  it("answers {name, number} and stores the job as the OpenAPI shows it (UNIX seconds, 0 when not yet known)", async () => {
    const before = Math.floor(Date.now() / 1000);
    const s = await j.submit(acme, demoJob({ machine: "n16", nodes: 4, extra: { job_label: "lbl", job_project: "prj", vault: { name: "ephemeral", readonly: true } } }));
    const after = Math.floor(Date.now() / 1000);
    expect(s.name).toBe(`jarvice-job-${s.number}`);
    expect(s.number).toBeGreaterThan(jobs.annRunning);

    const e = await j.status(acme, s.number);
    // every key of sched.JobStatusEntry, with its type
    expect(e).toMatchObject({
      job_name: s.name,
      job_status: "SUBMITTED",
      job_substatus: 0,
      job_application: "demo",
      job_command: "sleep",
      job_project: "prj",
      job_start_time: 0,
      job_end_time: 0,
      job_walltime: "",
    });
    expect(Number.isInteger(e.job_submit_time)).toBe(true);
    expect(e.job_submit_time).toBeGreaterThanOrEqual(before);
    expect(e.job_submit_time).toBeLessThanOrEqual(after);
    // and the JobEntry keys Paddock fills in
    expect(e).toMatchObject({ job_number: s.number, job_label: "lbl", job_owner_username: "acme", job_payer: "acme", job_mc_name: "n16", job_mc_scale: 4, job_nodes: "4", job_ipaddr: "" });
    // the stored submission never keeps the API key
    const stored = e.job_api_submission as Json;
    expect(stored.user).toEqual({ username: "acme" });
    expect(JSON.stringify(e)).not.toContain(acme.apikey);
    expectOk(await j.get("terminate", acme, { number: s.number }));
  });

  it("defaults machine.nodes to 1, takes nodes as a numeric string, and the application's walltime", async () => {
    const s = await j.submit(acme, { app: "demo", application: { command: "sleep", parameters: { seconds: "5" }, walltime: "02:00" }, machine: { type: "n4" } });
    expect(await j.status(acme, s.number)).toMatchObject({ job_mc_scale: 1, job_walltime: "02:00" });
    const s2 = await j.submit(acme, demoJob({ extra: { machine: { type: "n4", nodes: "2" } } }));
    expect((await j.status(acme, s2.number)).job_mc_scale).toBe(2);
    for (const n of [s.number, s2.number]) expectOk(await j.get("terminate", acme, { number: n }));
  });

  it("runs on a machine of another zone with a vault of that zone, or with an unzoned vault", async () => {
    const a = await j.submit(zed, demoJob({ machine: "nw4", nodes: 2, extra: { vault: { name: "westdata" } } }));
    expect((await j.status(zed, a.number)).job_mc_name).toBe("nw4");
    const b = await j.submit(zed, demoJob({ machine: "nw4", extra: { vault: { name: "ephemeral" } } }));
    for (const n of [a.number, b.number]) expectOk(await j.get("terminate", zed, { number: n }));
  });

  const bad = (over: Json): Json => ({ ...demoJob(), ...over });
  it.each<[string, Json, string, RegExp?]>([
    ["no app", bad({ app: undefined }), "app", /is required/],
    ["an empty app", bad({ app: "" }), "app"],
    ["an app that is not a string", bad({ app: 7 }), "app"],
    ["application not an object", bad({ application: "sleep" }), "application"],
    ["no command", bad({ application: { parameters: {} } }), "application.command", /is required/],
    ["an unknown command", bad({ application: { command: "dance" } }), "application.command", /no command 'dance' \(it has (sleep, web|web, sleep)\)/],
    ["parameters not an object", bad({ application: { command: "sleep", parameters: [1] } }), "application.parameters"],
    ["an unknown parameter", bad({ application: { command: "sleep", parameters: { seconds: 5, colour: "red" } } }), "application.parameters.colour", /no such parameter/],
    ["a parameter of the wrong type", bad({ application: { command: "sleep", parameters: { seconds: "soon" } } }), "application.parameters.seconds", /integer/],
    ["a parameter below its minimum", bad({ application: { command: "sleep", parameters: { seconds: 0 } } }), "application.parameters.seconds", /at least 1/],
    ["a parameter above its maximum", bad({ application: { command: "sleep", parameters: { seconds: 86401 } } }), "application.parameters.seconds", /at most 86400/],
    ["a constant parameter set to something else", bad({ application: { command: "web", parameters: { port: "-p 8080" } } }), "application.parameters.port", /constant/],
    ["a malformed walltime", bad({ application: { command: "sleep", walltime: "forever" } }), "application.walltime"],
    ["a job_label that is not a string", bad({ job_label: 5 }), "job_label"],
    ["no machine", bad({ machine: undefined }), "machine", /is required/],
    ["no machine.type", bad({ machine: { nodes: 1 } }), "machine.type", /is required/],
    ["machine.nodes 0", bad({ machine: { type: "n4", nodes: 0 } }), "machine.nodes", /at least 1/],
    ["machine.nodes negative", bad({ machine: { type: "n4", nodes: -2 } }), "machine.nodes"],
    ["machine.nodes fractional", bad({ machine: { type: "n4", nodes: 1.5 } }), "machine.nodes"],
    ["machine.nodes not a number", bad({ machine: { type: "n4", nodes: "two" } }), "machine.nodes"],
    ["machine.nodes beyond the machine's max_nodes", bad({ machine: { type: "n4", nodes: 5 } }), "machine.nodes", /5 is more than the 4 node\(s\) allowed for machine 'n4'/],
    ["vault not an object", bad({ vault: "ephemeral" }), "vault"],
    ["vault.name not a string", bad({ vault: { name: 3 } }), "vault.name"],
    ["vault.readonly not a boolean", bad({ vault: { readonly: "yes" } }), "vault.readonly"],
    ["an ipaddr that is not a string", bad({ ipaddr: 10 }), "ipaddr", /string/],
    ["an application.ipaddr that is not a string", bad({ application: { command: "sleep", parameters: { seconds: 5 }, ipaddr: ["a"] } }), "application.ipaddr", /string/],
  ])("refuses %s with a 400 naming the field, and stores nothing", async (_what, body, field, text) => {
    const before = await jobCount();
    expectInvalid(await j.submitAs(acme, body), field, text);
    expect(await jobCount()).toBe(before);
  });

  it("refuses a body that is not a JSON object (400 naming body)", async () => {
    const r = await t.app.inject({ method: "POST", url: "/jarvice/submit", payload: [demoJob()] });
    expectInvalid(r, "body", /JSON object/);
    expectInvalid(await t.app.inject({ method: "POST", url: "/jarvice/submit", headers: { "content-type": "application/json" }, payload: "{not json" }), "body");
  });

  it("refuses more nodes than a machine of another zone allows (its own max_nodes)", async () => {
    expectInvalid(await j.submitAs(zed, demoJob({ machine: "nw4", nodes: 3, extra: { vault: { name: "westdata" } } })), "machine.nodes", /allowed for machine 'nw4'/);
  });

  it("answers 404 for an app, a machine or a vault that does not exist for the user, and stores nothing", async () => {
    const before = await jobCount();
    expect(expectError(await j.submitAs(acme, { ...demoJob(), app: "nope" }), 404).error).toBe("app 'nope' not found");
    expect(expectError(await j.submitAs(acme, demoJob({ machine: "n99" })), 404).error).toBe("machine type 'n99' not found");
    // nw4 is in zone "west"; acme's vaults are all in Default: the machine does not exist for acme
    expect(expectError(await j.submitAs(acme, demoJob({ machine: "nw4" })), 404).error).toBe("machine type 'nw4' not found");
    expect(expectError(await j.submitAs(acme, demoJob({ extra: { vault: { name: "nope" } } })), 404).error).toBe("vault 'nope' not found");
    // another user's vault is not held: 404, as if it did not exist
    expect(expectError(await j.submitAs(acme, demoJob({ extra: { vault: { name: "westdata" } } })), 404).error).toBe("vault 'westdata' not found");
    expect(await jobCount()).toBe(before);
  });

  it("refuses a machine and a vault of different zones with a 400 naming vault.name", async () => {
    const before = await jobCount();
    expectInvalid(await j.submitAs(zed, demoJob({ machine: "n4", extra: { vault: { name: "westdata" } } })), "vault.name", new RegExp(`machine 'n4' is in zone 0 but vault 'westdata' is in zone ${westZone}`));
    expect(await jobCount()).toBe(before);
  });

  it.each<[string, Json]>([
    ["no user object", {}],
    ["user not an object", { user: "acme" }],
    ["no apikey", { user: { username: "acme" } }],
    ["an empty apikey", { user: { username: "acme", apikey: "" } }],
    ["a wrong apikey", { user: { username: "acme", apikey: "wrong" } }],
    ["an unknown user", { user: { username: "nobody", apikey: "whatever" } }],
  ])("refuses %s with a 401 and stores nothing", async (_what, creds) => {
    const before = await jobCount();
    expectError(await j.submitRaw({ ...demoJob(), ...creds }), 401);
    expect(await jobCount()).toBe(before);
  });

  it("refuses another user's apikey (401)", async () => {
    expectError(await j.submitRaw({ ...demoJob(), user: { username: "acme", apikey: ann.apikey } }), 401);
  });
});

// ---------------------------------------------------------------------------------------------

const AUTHENTICATED = ["status", "jobs", "teamjobs", "teamusers", "info", "connect", "shutdown", "terminate", "output", "tail", "machines", "apps", "appdef", "vault"];
const JOB_ROUTES = ["status", "info", "connect", "shutdown", "terminate", "output", "tail"];

describe("GET /jarvice/* credentials", () => {
  it.each(AUTHENTICATED)("/jarvice/%s answers 401 without credentials (but apps: the public ones), with only a user name, a wrong apikey or an unknown user", async (route) => {
    const q = { number: jobs.running, name: "demo" };
    if (route === "apps") expect(Object.keys(expectOk(await j.get(route, undefined, q)))).toEqual(["demo"]);
    else expectError(await j.get(route, undefined, q), 401);
    expectError(await j.get(route, undefined, { ...q, username: "acme" }), 401);
    expectError(await j.get(route, undefined, { ...q, apikey: acme.apikey }), 401);
    expectError(await j.get(route, { username: "acme", apikey: "wrong" }, q), 401);
    expectError(await j.get(route, { username: "acme", apikey: ann.apikey }, q), 401);
    expectError(await j.get(route, { username: "nobody", apikey: acme.apikey }, q), 401);
    // and nothing was stopped
    expect((await j.status(acme, jobs.running)).job_status).toBe("PROCESSING STARTING");
  });

  it("answers 401 to a disabled user", async () => {
    const dis = await t.member("ann-disabled", "acme");
    expectOk(await j.get("jobs", dis));
    expectStatusCode(await asAdmin("PATCH", "/api/users/ann-disabled", { disabled: true }), 200);
    for (const route of ["jobs", "machines", "apps"]) expectError(await j.get(route, dis), 401);
    expectError(await j.submitAs(dis, demoJob()), 401);
  });
});

describe("GET /jarvice/<job route> input", () => {
  it.each(JOB_ROUTES)("/jarvice/%s: 400 naming name without name or number, 400 naming number for a bad number", async (route) => {
    expectInvalid(await j.get(route, acme), "name", /name or number is required/);
    expectInvalid(await j.get(route, acme, { name: "", number: "" }), "name");
    expectInvalid(await j.get(route, acme, { number: "abc" }), "number");
    expectInvalid(await j.get(route, acme, { number: "-1" }), "number");
  });

  it.each(JOB_ROUTES)("/jarvice/%s: 404 for a job that does not exist, by number or by name, and for a name and number that disagree", async (route) => {
    expect(expectError(await j.get(route, acme, { number: 999_999 }), 404).error).toBe("job not found");
    expect(expectError(await j.get(route, acme, { name: "jarvice-job-999999" }), 404).error).toBe("job not found");
    expect(expectError(await j.get(route, acme, { name: `jarvice-job-${jobs.done}`, number: jobs.running }), 404).error).toBe("job not found");
  });
});

describe("GET /jarvice/status, /jarvice/jobs, /jarvice/teamjobs, /jarvice/teamusers", () => {
  it("status: one job keyed by number, the same by name and by number", async () => {
    const byNumber = expectOk(await j.get("status", acme, { number: jobs.running }));
    const byName = expectOk(await j.get("status", acme, { name: `jarvice-job-${jobs.running}` }));
    const both = expectOk(await j.get("status", acme, { name: `jarvice-job-${jobs.running}`, number: jobs.running }));
    expect(byName).toEqual(byNumber);
    expect(both).toEqual(byNumber);
    const e = byNumber[String(jobs.running)] as JobEntry;
    expect(e).toMatchObject({ job_name: `jarvice-job-${jobs.running}`, job_status: "PROCESSING STARTING", job_label: "the label", job_project: "proj-1", job_walltime: "01:30", job_ipaddr: "acme-api", job_end_time: 0 });
    expect(e.job_start_time).toBeGreaterThanOrEqual(e.job_submit_time);

    const done = await j.status(acme, jobs.done);
    expect(done).toMatchObject({ job_status: "COMPLETED", job_exitcode: 0 });
    expect(done.job_start_time).toBeGreaterThan(0);
    expect(done.job_end_time).toBeGreaterThanOrEqual(done.job_start_time);
  });

  it("jobs: the caller's queued and running jobs keyed by number; completed=true shows the finished ones", async () => {
    const mine = expectOk(await j.get("jobs", acme));
    expect(Object.keys(mine)).toEqual(expect.arrayContaining([String(jobs.running), String(jobs.queued)]));
    expect(Object.keys(mine)).not.toContain(String(jobs.done));
    expect(Object.keys(mine)).not.toContain(String(jobs.annRunning)); // the payer's own jobs only
    for (const [k, e] of Object.entries(mine)) {
      expect((e as JobEntry).job_number).toBe(Number(k));
      expect(["SUBMITTED", "PROCESSING STARTING"]).toContain((e as JobEntry).job_status);
    }
    expect((mine[String(jobs.queued)] as JobEntry).job_status).toBe("SUBMITTED");

    const finished = expectOk(await j.get("jobs", acme, { completed: "true" }));
    expect(Object.keys(finished)).toContain(String(jobs.done));
    expect((finished[String(jobs.done)] as JobEntry).job_status).toBe("COMPLETED");

    expect(Object.keys(expectOk(await j.get("jobs", ann)))).toEqual([String(jobs.annRunning)]);
    expect(expectOk(await j.get("jobs", t.admin, { completed: "false" }))).toEqual({});
  });

  it("teamjobs: the whole team's jobs for the payer and team admins", async () => {
    const team = expectOk(await j.get("teamjobs", acme));
    expect(Object.keys(team)).toEqual(expect.arrayContaining([String(jobs.running), String(jobs.queued), String(jobs.annRunning)]));
    expect((team[String(jobs.annRunning)] as JobEntry).job_owner_username).toBe("ann");
    expect(Object.keys(expectOk(await j.get("teamjobs", acme, { completed: "true" })))).toContain(String(jobs.done));

    const ta = await t.member("acme-admin", "acme", { teamAdmin: true });
    expect(Object.keys(expectOk(await j.get("teamjobs", ta)))).toEqual(expect.arrayContaining([String(jobs.running), String(jobs.queued), String(jobs.annRunning)]));
  });

  it("teamjobs and teamusers: 403 for a plain team member", async () => {
    expectError(await j.get("teamjobs", ann), 403);
    expectError(await j.get("teamusers", ann), 403);
  });

  it("teamusers: the team's members keyed by user name, with name and email", async () => {
    const users = expectOk(await j.get("teamusers", acme));
    expect(users.acme).toEqual({ name: "Acme Payer", email: "acme@example.com" });
    expect(users.ann).toEqual({ name: "ann", email: "" });
    expect(Object.keys(users)).not.toContain("zed");
    expect(Object.keys(users)).not.toContain(t.admin.username);
    expect(Object.keys(expectOk(await j.get("teamusers", zed)))).toEqual(["zed"]);
  });
});

describe("GET /jarvice/info, /jarvice/connect", () => {
  it("info: pod 0's address, its URL, the ipaddr value and the job's pods", async () => {
    const info = expectOk(await j.get("info", acme, { number: jobs.running }));
    const pods = (await t.cluster!.listPods()).filter((p) => p.jobNumber === jobs.running);
    expect(pods).toHaveLength(1);
    expect(pods[0]!.ip).toMatch(/^10\.244\./);
    expect(info).toMatchObject({ address: pods[0]!.ip, url: `http://${pods[0]!.ip}/`, ipaddr: "acme-api", services: [], actions: {} });
    expect(String(info.about)).toContain(`jarvice-job-${jobs.running}`);
    expect(String(info.help)).toContain("jarvice-pod0-job-ipaddr=acme-api");
    expect(info.pods).toEqual([{ index: 0, name: `jarvice-job-${jobs.running}-0`, phase: "Running", node: pods[0]!.node, address: pods[0]!.ip }]);
    // by name too
    expect(expectOk(await j.get("info", acme, { name: `jarvice-job-${jobs.running}` }))).toEqual(info);
    // a job without a tag says so
    const annInfo = expectOk(await j.get("info", ann, { number: jobs.annRunning }));
    expect(annInfo.ipaddr).toBe("");
    expect(String(annInfo.help)).toMatch(/no IP address tag/);
  });

  it("connect: the address (RuntimeConnect keys)", async () => {
    const c = expectOk(await j.get("connect", acme, { number: jobs.running }));
    const info = expectOk(await j.get("info", acme, { number: jobs.running }));
    expect(c).toEqual({ address: info.address, password: "" });
  });

  it("info and connect: 400 naming the parameter sent for a job that is not running", async () => {
    for (const route of ["info", "connect"]) {
      expectInvalid(await j.get(route, acme, { number: jobs.queued }), "number", /not running \(SUBMITTED\)/);
      expectInvalid(await j.get(route, acme, { number: jobs.done }), "number", /not running \(COMPLETED\)/);
      expectInvalid(await j.get(route, acme, { name: `jarvice-job-${jobs.done}` }), "name", /not running \(COMPLETED\)/);
    }
  });
});

describe("GET /jarvice/output, /jarvice/tail", () => {
  it("output of a finished job: pod 0's log as text/plain; lines=N the last N; lines=0 all", async () => {
    const r = await j.get("output", acme, { number: jobs.done });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers["content-type"]).toBe("text/plain");
    expect(r.body).toContain(`jarvice-job-${jobs.done}-0 scheduled on sim-node-`);
    expect(r.body).toContain("running: /bin/sleep 1");
    expect(r.body).toContain("finished after 1s, exit code 0");
    const last = await j.get("output", acme, { number: jobs.done, lines: 1 });
    expect(last.body).toBe("[paddock simulated] finished after 1s, exit code 0");
    expect((await j.get("output", acme, { number: jobs.done, lines: 0 })).body).toBe(r.body);
    expect((await j.get("tail", acme, { number: jobs.done, lines: 100 })).body).toBe(r.body);
  });

  it("tail of a running job: its log so far", async () => {
    const r = await j.get("tail", acme, { number: jobs.running });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.body).toContain("running: /bin/sleep 3600");
    expect((await j.get("tail", acme, { number: jobs.running, lines: 1 })).body).toBe("[paddock simulated] running: /bin/sleep 3600");
    // a queued job has no output yet
    expect((await j.get("output", acme, { number: jobs.queued })).body).toBe("");
  });

  it("refuses a malformed lines with a 400 naming lines", async () => {
    for (const route of ["output", "tail"]) {
      expectInvalid(await j.get(route, acme, { number: jobs.done, lines: "ten" }), "lines");
      expectInvalid(await j.get(route, acme, { number: jobs.done, lines: "-3" }), "lines");
    }
  });
});

describe("GET /jarvice/shutdown, /jarvice/terminate", () => {
  it("terminate answers {status: terminated}; shutdown {status: shutdown requested}; both 400 on a finished job", async () => {
    const a = await j.submit(acme, demoJob());
    const b = await j.submit(acme, demoJob());
    await j.waitForState(acme, b.number, "PROCESSING STARTING");
    expect(expectOk(await j.get("terminate", acme, { number: a.number }))).toEqual({ status: "terminated" });
    expect(expectOk(await j.get("shutdown", acme, { name: b.name }))).toEqual({ status: "shutdown requested" });
    await j.waitForStatus(acme, a.number, (e) => ["TERMINATED", "CANCELED"].includes(e.job_status));
    await j.waitForState(acme, b.number, "COMPLETED");
    for (const route of ["terminate", "shutdown"]) {
      expectInvalid(await j.get(route, acme, { number: a.number }), "number", /not running/);
      expectInvalid(await j.get(route, acme, { number: jobs.done }), "number", /not running \(COMPLETED\)/);
      expectInvalid(await j.get(route, acme, { name: `jarvice-job-${jobs.done}` }), "name", /not running \(COMPLETED\)/);
    }
  });
});

describe("GET /jarvice/machines, /jarvice/apps, /jarvice/appdef, /jarvice/vault", () => {
  it("machines: those in the user's zones, keyed by name, with the MachineDef mc_* keys", async () => {
    const m = expectOk(await j.get("machines", acme));
    expect(Object.keys(m).sort()).toEqual(["n16", "n4", "n8"]);
    expect(m.n4).toMatchObject({ mc_name: "n4", mc_cores: 4, mc_slots: 4, mc_ram: 16, mc_gpus: 0, mc_scale_min: 1, mc_scale_max: 4, mc_arch: expect.any(String), mc_price: expect.any(Number), mc_description: "a quarter of a node" });
    for (const def of Object.values(m)) for (const k of Object.keys(def as Json)) expect(k).toMatch(/^mc_/);

    const z = expectOk(await j.get("machines", zed));
    expect(Object.keys(z).sort()).toEqual(["n16", "n4", "n8", "nw4"]);
    expect(z.nw4).toMatchObject({ mc_name: "nw4", mc_cores: 4, mc_ram: 16, mc_scale_max: 2 });
  });

  it("machines: name= one machine; vault= those its zone allows; an unknown vault is 404", async () => {
    expect(Object.keys(expectOk(await j.get("machines", acme, { name: "n8" })))).toEqual(["n8"]);
    expect(expectOk(await j.get("machines", acme, { name: "nw4" }))).toEqual({}); // not in acme's zones
    expect(Object.keys(expectOk(await j.get("machines", zed, { vault: "westdata" })))).toEqual(["nw4"]);
    expect(Object.keys(expectOk(await j.get("machines", zed, { vault: "ephemeral" }))).sort()).toEqual(["n16", "n4", "n8", "nw4"]);
    expect(expectError(await j.get("machines", acme, { vault: "westdata" }), 404).error).toBe("vault 'westdata' not found");
  });

  it("apps: the catalog keyed by app id, the AppDef under data; name= one app", async () => {
    const apps = expectOk(await j.get("apps", ann));
    expect(Object.keys(apps)).toEqual(["demo"]);
    expect(apps.demo).toMatchObject({ id: "demo", price: 0, data: { name: "Paddock demo", image: { data: expect.any(String) }, commands: { sleep: expect.any(Object), web: expect.any(Object) } } });
    expect(Object.keys(expectOk(await j.get("apps", ann, { name: "demo" })))).toEqual(["demo"]);
    expect(expectOk(await j.get("apps", ann, { name: "nope" }))).toEqual({});
  });

  it("appdef: one app's AppDef; 400 naming name without one; 404 for an unknown app", async () => {
    const def = expectOk(await j.get("appdef", ann, { name: "demo" }));
    expect(def).toMatchObject({ name: "Paddock demo", commands: { sleep: { path: "/bin/sleep", parameters: { seconds: { type: "INT" } } } } });
    expect(def).toEqual((expectOk(await j.get("apps", ann)).demo as Json).data);
    expectInvalid(await j.get("appdef", ann), "name", /is required/);
    expect(expectError(await j.get("appdef", ann, { name: "nope" }), 404).error).toBe("app 'nope' not found");
  });

  it("vault: the user's vaults; vault= one of them; 404 for a vault not held; 501 for a file listing", async () => {
    const list = (await j.get("vault", zed)).json() as Json[];
    expect(list.map((v) => v.name)).toEqual(["ephemeral", "westdata"]);
    expect(list[1]).toMatchObject({ name: "westdata", kind: "pvc", zone: westZone });
    expect(expectOk(await j.get("vault", zed, { vault: "westdata" }))).toMatchObject({ name: "westdata", zone: westZone });
    expect(expectError(await j.get("vault", acme, { vault: "westdata" }), 404).error).toBe("vault 'westdata' not found");
    expectError(await j.get("vault", zed, { vault: "westdata", path: "/" }), 501, /does not support file listing/);
  });
});

// Every path and method of the JARVICE OpenAPI document (reference/jarvice-openapi.json).
const OPENAPI: Array<["GET" | "POST", string]> = [
  ["GET", "action"],
  ["GET", "appdef"],
  ["GET", "apps"],
  ["POST", "batch"],
  ["GET", "billing"],
  ["GET", "build"],
  ["GET", "connect"],
  ["GET", "events"],
  ["GET", "history"],
  ["GET", "info"],
  ["GET", "jobs"],
  ["GET", "license"],
  ["GET", "live"],
  ["GET", "machines"],
  ["GET", "metrics"],
  ["GET", "output"],
  ["GET", "projects"],
  ["GET", "pull"],
  ["GET", "queues"],
  ["GET", "ready"],
  ["GET", "screenshot"],
  ["GET", "shutdown"],
  ["GET", "signal"],
  ["GET", "status"],
  ["POST", "submit"],
  ["GET", "tail"],
  ["GET", "teamjobs"],
  ["GET", "teamusers"],
  ["GET", "terminate"],
  ["POST", "validate"],
  ["GET", "vault"],
];
// The second-release routes are tested in secondRelease.test.ts.
const SERVED = new Set([...AUTHENTICATED, "submit", "live", "ready", "batch", "validate", "events", "billing", "queues"]);

describe("the rest of the OpenAPI, live and ready", () => {
  it("live and ready answer 200 without credentials", async () => {
    expect(expectOk(await t.app.inject({ method: "GET", url: "/jarvice/live" }))).toEqual({ status: "OK" });
    expect(expectOk(await t.app.inject({ method: "GET", url: "/jarvice/ready" }))).toEqual({ status: "OK" });
  });

  it.each(OPENAPI.filter(([, p]) => !SERVED.has(p)))("%s /jarvice/%s is not built yet: 501 with a JSON error", async (method, path) => {
    const url = `/jarvice/${path}?username=acme&apikey=${encodeURIComponent(acme.apikey)}`;
    const r = await t.app.inject({ method, url, ...(method === "POST" ? { payload: { user: { username: "acme", apikey: acme.apikey } } } : {}) });
    expect(expectError(r, 501).error).toMatch(new RegExp(`/jarvice/${path} is not implemented`));
    // anonymous callers get the same answer
    expectError(await t.app.inject({ method, url: `/jarvice/${path}` }), 501);
  });

  it("no path of the OpenAPI answers 'no route'", async () => {
    for (const [method, path] of OPENAPI) {
      const r = await t.app.inject({ method, url: `/jarvice/${path}?username=acme&apikey=${encodeURIComponent(acme.apikey)}`, ...(method === "POST" ? { payload: {} } : {}) });
      expect(r.body, `${method} /jarvice/${path}`).not.toMatch(/no route/);
    }
    // while a path that is not in it does
    expect(expectError(await t.app.inject({ method: "GET", url: "/jarvice/nonsense" }), 404).error).toMatch(/no route/);
  });
});

// ---------------------------------------------------------------------------------------------

describe("the IP-address tag (ipaddr)", () => {
  let ip: Creds; // "ipuser": 63 - 6 - 1 = 56 characters left for a tag
  beforeAll(async () => {
    ip = await t.payer("ipuser");
  });

  /** Submit with `tag` (top level), expect success, read the status, stop the job. */
  async function accepted(as: Creds, extra: Json): Promise<JobEntry> {
    const s = await j.submit(as, demoJob({ extra }));
    const e = await j.status(as, s.number);
    expectOk(await j.get("terminate", as, { number: s.number }));
    return e;
  }

  it("takes a tag of exactly the characters left (63 - len(username) - 1) and refuses one more, saying the limit and what is left", async () => {
    const tag = `${"a".repeat(55)}Z`;
    expect((await accepted(ip, { ipaddr: tag })).job_ipaddr).toBe(`ipuser-${tag}`);
    expect(`ipuser-${tag}`).toHaveLength(63);

    const before = await jobCount();
    const err = expectInvalid(await j.submitAs(ip, demoJob({ extra: { ipaddr: `${tag}b` } })), "ipaddr");
    expect(String(err.error)).toMatch(/\b64 characters\b/);
    expect(String(err.error)).toMatch(/the limit is 63/);
    expect(String(err.error)).toMatch(/leaves 56 characters for the tag/);
    // far too long: refused the same way, never truncated
    const long = expectInvalid(await j.submitAs(ip, demoJob({ extra: { application: { command: "sleep", parameters: { seconds: 5 }, ipaddr: "x".repeat(100) } } })), "ipaddr");
    expect(String(long.error)).toMatch(/the limit is 63.*leaves 56 characters/);
    expect(await jobCount()).toBe(before);
  });

  it("counts the room from the user's own name", async () => {
    const longName = `u${"v".repeat(39)}`; // 40 characters: 22 left
    const lu = await t.payer(longName);
    expect((await accepted(lu, { ipaddr: "t".repeat(22) })).job_ipaddr).toHaveLength(63);
    expectInvalid(await j.submitAs(lu, demoJob({ extra: { ipaddr: "t".repeat(23) } })), "ipaddr", /leaves 22 characters for the tag/);
  });

  it.each([
    ["a space", "my tag", /letters, digits.*" "/],
    ["a slash", "a/b", /letters, digits.*"\/"/],
    ["a colon", "host:80", /letters, digits/],
    ["a non-ASCII letter", "café", /letters, digits/],
    ["a star", "web*", /letters, digits/],
    ["a trailing '-'", "web-", /must end with a letter or digit/],
    ["a trailing '.'", "web.", /must end with a letter or digit/],
    ["a trailing '_'", "web_", /must end with a letter or digit/],
  ])("refuses a tag with %s (400 naming ipaddr)", async (_what, tag, text) => {
    const before = await jobCount();
    expectInvalid(await j.submitAs(ip, demoJob({ extra: { ipaddr: tag } })), "ipaddr", text);
    expectInvalid(await j.submitAs(ip, demoJob({ extra: { application: { command: "sleep", parameters: { seconds: 5 }, ipaddr: tag } } })), "ipaddr", text);
    expect(await jobCount()).toBe(before);
  });

  it("keeps the tag's case and puts <user>-<tag> on the pods: jarvice-job-ipaddr on all, jarvice-pod0-job-ipaddr on pod 0", async () => {
    const s = await j.submit(ip, demoJob({ nodes: 2, extra: { ipaddr: "FooBar" } }));
    expect((await j.status(ip, s.number)).job_ipaddr).toBe("ipuser-FooBar");
    await j.waitForState(ip, s.number, "PROCESSING STARTING");
    expect(expectOk(await j.get("info", ip, { number: s.number })).ipaddr).toBe("ipuser-FooBar");
    const pods = plannedPods(s.number);
    expect(pods.map((p) => p.metadata.labels)).toEqual([
      expect.objectContaining({ "jarvice-job-ipaddr": "ipuser-FooBar", "jarvice-pod0-job-ipaddr": "ipuser-FooBar", "jarvice-pod-index": "0", "jarvice-user": "ipuser", "jarvice-tenant": "ipuser" }),
      expect.objectContaining({ "jarvice-job-ipaddr": "ipuser-FooBar", "jarvice-pod-index": "1" }),
    ]);
    expect(pods[1]!.metadata.labels).not.toHaveProperty("jarvice-pod0-job-ipaddr");
    expectOk(await j.get("terminate", ip, { number: s.number }));
  });

  it("takes the tag at the top level, in application.ipaddr, or in both when they agree; refuses two different tags naming ipaddr", async () => {
    expect((await accepted(ip, { ipaddr: "top" })).job_ipaddr).toBe("ipuser-top");
    expect((await accepted(ip, { application: { command: "sleep", parameters: { seconds: 5 }, ipaddr: "inner" } })).job_ipaddr).toBe("ipuser-inner");
    expect((await accepted(ip, { ipaddr: "same", application: { command: "sleep", parameters: { seconds: 5 }, ipaddr: "same" } })).job_ipaddr).toBe("ipuser-same");
    const before = await jobCount();
    expectInvalid(await j.submitAs(ip, demoJob({ extra: { ipaddr: "one", application: { command: "sleep", parameters: { seconds: 5 }, ipaddr: "two" } } })), "ipaddr", /'one' differs from application.ipaddr 'two'/);
    // the case counts: "Web" and "web" are two tags
    expectInvalid(await j.submitAs(ip, demoJob({ extra: { ipaddr: "Web", application: { command: "sleep", parameters: { seconds: 5 }, ipaddr: "web" } } })), "ipaddr");
    expect(await jobCount()).toBe(before);
    // an empty tag is no tag
    expect((await accepted(ip, { ipaddr: "" })).job_ipaddr).toBe("");
  });

  it("ownership: bob's x-web and bob-x's web are one value; the first user keeps it and the other gets a 409 that names nobody", async () => {
    const bob = await t.payer("bob");
    const bobx = await t.payer("bob-x");
    expect((await accepted(bob, { ipaddr: "x-web" })).job_ipaddr).toBe("bob-x-web");
    const before = await jobCount();

    const r2 = await j.submitAs(bobx, demoJob({ extra: { application: { command: "sleep", parameters: { seconds: 5 }, ipaddr: "web" } } }));
    const e2 = expectError(r2, 409);
    expect(e2).toEqual({ error: "ipaddr: the label value 'bob-x-web' is already used by another user's jobs; choose another tag", field: "ipaddr" });
    expect(await jobCount()).toBe(before);

    // every other value is first come, first served, whoever could also produce it
    expect((await accepted(bob, { ipaddr: "web" })).job_ipaddr).toBe("bob-web");
    expect((await accepted(bobx, { ipaddr: "api" })).job_ipaddr).toBe("bob-x-api");
    expect(String(expectError(await j.submitAs(bob, demoJob({ extra: { ipaddr: "x-api" } })), 409).error)).toBe("ipaddr: the label value 'bob-x-api' is already used by another user's jobs; choose another tag");
  });

  it("the same tag on several jobs of one user is fine (one Service across jobs)", async () => {
    const a = await j.submit(ip, demoJob({ extra: { ipaddr: "pool" } }));
    const b = await j.submit(ip, demoJob({ extra: { ipaddr: "pool" } }));
    for (const n of [a.number, b.number]) {
      expect((await j.status(ip, n)).job_ipaddr).toBe("ipuser-pool");
      expectOk(await j.get("terminate", ip, { number: n }));
    }
  });

  it("ownership: a user without dash-prefix relatives passes with any valid tag", async () => {
    const solo = await t.payer("solo");
    expect((await accepted(solo, { ipaddr: "x-web" })).job_ipaddr).toBe("solo-x-web");
    expect((await accepted(solo, { ipaddr: "a-b-c" })).job_ipaddr).toBe("solo-a-b-c");
  });

  it("user names are never refused because of tags: carol-d after carol's d-web (by the admin or carol), dora after dora-x's web", async () => {
    const carol = await t.payer("carol");
    expect((await accepted(carol, { ipaddr: "d-web" })).job_ipaddr).toBe("carol-d-web");
    expectStatusCode(await asAdmin("POST", "/api/users", { username: "carol-d" }), 201);
    expectStatusCode(await t.call("POST", "/api/users", { as: carol, body: { username: "carol-d2" } }), 201);

    const dorax = await t.payer("dora-x");
    expect((await accepted(dorax, { ipaddr: "web" })).job_ipaddr).toBe("dora-x-web");
    const dora = await t.payer("dora");
    // dora + x-web is dora-x's value: refused without naming dora-x; dora's other tags are hers
    expect(expectError(await j.submitAs(dora, demoJob({ extra: { ipaddr: "x-web" } })), 409).error).toBe("ipaddr: the label value 'dora-x-web' is already used by another user's jobs; choose another tag");
    expect((await accepted(dora, { ipaddr: "web" })).job_ipaddr).toBe("dora-web");
  });
});
