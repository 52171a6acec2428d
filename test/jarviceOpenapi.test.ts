// Raw HTTP over every path of JARVICE's public OpenAPI
// (../shared/reference/jarvice-openapi.json, read as data here, so a path added
// there fails this test until it has a case): both methods, the documented
// parameters (query string on GET, the same keys as a JSON body on POST), and
// the answer checked against the documented response schema (integers are JSON
// integers, required keys present) with `Content-Type` exactly as the legacy
// clients compare it. Routes the spec lets answer 501 must answer 501 with a
// JSON error. Then the other wire rules of spec/api.md ("Wire rules that
// existing clients depend on"), one case each.
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type Creds, type TestApp } from "./app";
import { JOB_STATUSES, loadJarviceOpenApi, okSchema, schemaProblems, STATUS_ENTRY_KEYS, statusEntrySchema, type OpenApi, type Schema } from "./conformance/openapiSchema";

type Json = Record<string, unknown>;
type Params = Record<string, string | number>;

const doc: OpenApi = loadJarviceOpenApi();
let t: TestApp;
let alice: Creds;
/** a job of alice's that has finished (COMPLETED), and one that keeps running */
let done: { name: string; number: number };
let live: { name: string; number: number };

const JSON_TYPE = "application/json";

function sleepJob(seconds: number, who: Creds, extra: Json = {}): Json {
  return { app: "demo", application: { command: "sleep", parameters: { seconds } }, machine: { type: "n4", nodes: 1 }, user: { username: who.username, apikey: who.apikey }, ...extra };
}

async function submit(job: Json): Promise<{ name: string; number: number }> {
  const r = await t.app.inject({ method: "POST", url: "/jarvice/submit", headers: { "content-type": JSON_TYPE }, payload: JSON.stringify(job) });
  if (r.statusCode !== 200) throw new Error(`submit answered ${r.statusCode}: ${r.body}`);
  return r.json();
}

async function statusOf(number: number): Promise<string> {
  const r = await t.app.inject({ method: "GET", url: `/jarvice/status?${new URLSearchParams({ username: alice.username, apikey: alice.apikey, number: String(number) })}` });
  return (r.json() as Record<string, { job_status: string }>)[String(number)]?.job_status ?? `HTTP ${r.statusCode}`;
}

async function until(number: number, want: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await statusOf(number)) !== want) {
    if (Date.now() > deadline) throw new Error(`job ${number} did not become ${want} (now ${await statusOf(number)})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function runningJob(): Promise<{ name: string; number: number }> {
  const j = await submit(sleepJob(3600, alice));
  await until(j.number, "PROCESSING STARTING");
  return j;
}

/** GET with the parameters in the query string, or POST with the same keys as a JSON body. */
function call(method: "GET" | "POST", route: string, params: Params | Json, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  if (method === "GET") {
    const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
    return t.app.inject({ method, url: `${route}${q.size ? `?${q}` : ""}`, headers });
  }
  return t.app.inject({ method, url: route, headers: { "content-type": JSON_TYPE, ...headers }, payload: JSON.stringify(params) });
}

const creds = (who: Creds): Params => ({ username: who.username, apikey: who.apikey });

/** The answer's problems against a schema ([] when it conforms). */
const problems = (schema: Schema, body: unknown) => schemaProblems(doc, schema, body);

/** Where the OpenAPI's 200 schema contradicts its own description (`{'status': ...}`, `{name, number}`), the description and spec/api.md win. */
const STATUS_SCHEMA: Schema = { type: "object", required: ["status"], properties: { status: { type: "string" } } };
const SUBMITTED_SCHEMA: Schema = { type: "object", required: ["name", "number"], properties: { name: { type: "string" }, number: { type: "integer" } } };

interface Case {
  /** who calls: alice (a payer), the system administrator, or nobody */
  who?: "alice" | "admin";
  /** the documented parameters (query routes) or body (POST routes) to send */
  params: (job: { name: string; number: number }) => Params | Json;
  /** the route acts on a job it stops: a fresh running job per call */
  freshJob?: boolean;
  /** 200 (default) or 501 with a JSON error */
  status?: 200 | 501;
  /** the Content-Type of a 200, exactly (default application/json) */
  type?: RegExp | string;
  /** replaces the OpenAPI's 200 schema (see STATUS_SCHEMA) */
  schema?: Schema;
  check?: (body: unknown, job: { name: string; number: number }) => void;
}

const jobParams = (j: { number: number }) => ({ ...creds(alice), number: j.number });

const CASES: Record<string, Case> = {
  "/jarvice/action": { params: (j) => ({ ...jobParams(j), action: "reset" }), status: 501 },
  "/jarvice/appdef": { params: () => ({ ...creds(alice), name: "demo" }), check: (b) => expect(b).toMatchObject({ name: "Paddock demo", commands: { sleep: {}, web: {} } }) },
  "/jarvice/apps": { params: () => ({ ...creds(alice), name: "demo" }), check: (b) => expect(Object.keys(b as Json)).toEqual(["demo"]) },
  "/jarvice/batch": {
    params: () => ({ container: { image: "docker.io/library/busybox:1.36", jobscript: "#!/bin/sh\necho batch\n" }, machine: { type: "n4", nodes: 1 }, user: creds(alice) }),
    schema: SUBMITTED_SCHEMA,
  },
  "/jarvice/billing": {
    who: "admin",
    params: () => ({ ...creds(t.admin), reportuser: "alice", machtypes: "n4", statuses: "COMPLETED", itemized: "true", timeperiod: "current" }),
    type: /^text\/(csv|plain)$/,
    check: (b) => expect(typeof b === "string" && b.split("\n")[0]!.includes(",")).toBe(true),
  },
  "/jarvice/build": { params: () => ({ ...creds(alice), target: "demo" }), status: 501 },
  "/jarvice/connect": { params: jobParams, check: (b) => expect(b).toEqual({ address: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/), password: expect.any(String) }) },
  "/jarvice/events": { who: "admin", params: (j) => ({ ...creds(t.admin), number: j.number }), type: "text/plain" },
  "/jarvice/history": { params: () => ({ ...creds(alice), target: "demo" }), status: 501 },
  "/jarvice/info": { params: jobParams, check: (b) => expect(b).toMatchObject({ address: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/) }) },
  "/jarvice/jobs": {
    params: () => ({ ...creds(alice), completed: "true" }),
    check: (b) => {
      expect(Object.keys(b as Json)).toContain(String(done.number));
      expect(Object.keys(b as Json)).not.toContain(String(live.number));
    },
  },
  "/jarvice/license": { params: () => creds(alice), status: 501 },
  "/jarvice/live": { params: () => ({}), check: (b) => expect(b).toEqual({ status: "OK" }) },
  "/jarvice/machines": { params: () => ({ ...creds(alice), name: "n4" }), check: (b) => expect(b).toMatchObject({ n4: { mc_name: "n4", mc_cores: 4, mc_ram: 16 } }) },
  "/jarvice/metrics": { params: jobParams, status: 501 },
  "/jarvice/output": { params: (j) => ({ ...jobParams(j), lines: 1 }), type: "text/plain", check: (b) => expect(b).toBe("[paddock simulated] running: /bin/sleep 3600") },
  "/jarvice/projects": { params: () => creds(alice), status: 501 },
  "/jarvice/pull": { params: () => ({ ...creds(alice), repo: "docker.io/library/busybox:1.36", target: "demo" }), status: 501 },
  // The OpenAPI's description: "an array of (string) available queues or when info=true, a JSON payload with
  // queue information"; its schema (an array of Queue) fits neither, and the JARVICE HPC client reads the info
  // payload as Queues keyed by name. The description and that client win.
  "/jarvice/queues": {
    params: () => ({ ...creds(alice), info: 1 }),
    schema: { type: "object", additionalProperties: { $ref: "#/components/schemas/Queue" } },
    check: (b) => expect(Object.keys(b as Json)).toContain("default"),
  },
  "/jarvice/ready": { params: () => ({}), schema: STATUS_SCHEMA, check: (b) => expect(b).toEqual({ status: "OK" }) },
  "/jarvice/screenshot": { params: jobParams, status: 501 },
  "/jarvice/shutdown": { params: jobParams, freshJob: true, check: (b) => expect(b).toEqual({ status: "shutdown requested" }) },
  "/jarvice/signal": { params: (j) => ({ ...jobParams(j), signal: 10 }), status: 501 },
  "/jarvice/status": {
    params: jobParams,
    schema: { type: "object", additionalProperties: statusEntrySchema(doc) },
    check: (b, j) => {
      expect(Object.keys(b as Json)).toEqual([String(j.number)]);
      expect((b as Record<string, Json>)[String(j.number)]).toMatchObject({ job_name: j.name, job_status: "PROCESSING STARTING" });
    },
  },
  "/jarvice/submit": { params: () => sleepJob(3600, alice, { ipaddr: "web" }), schema: SUBMITTED_SCHEMA },
  "/jarvice/tail": { params: (j) => ({ ...jobParams(j), lines: 1 }), type: "text/plain", check: (b) => expect(b).toBe("[paddock simulated] running: /bin/sleep 3600") },
  "/jarvice/teamjobs": { params: () => ({ ...creds(alice), completed: "false" }), check: (b) => expect(Object.keys(b as Json)).toContain(String(live.number)) },
  "/jarvice/teamusers": { params: () => creds(alice), check: (b) => expect(Object.keys(b as Json)).toEqual(["alice"]) },
  "/jarvice/terminate": { params: jobParams, freshJob: true, schema: STATUS_SCHEMA, check: (b) => expect(b).toEqual({ status: "terminated" }) },
  "/jarvice/validate": { params: () => DEMO_APPDEF(), check: (b) => expect(b).toEqual({ valid: true }) },
  "/jarvice/vault": {
    // an ephemeral vault keeps no files: its listing is empty
    params: () => ({ ...creds(alice), vault: "ephemeral", path: "/" }),
    check: (b) => expect(b).toEqual([]),
  },
};

/** The demo app's AppDef as /jarvice/appdef answers it (fetched in beforeAll), for /jarvice/validate. */
let demoAppdef: Json = {};
const DEMO_APPDEF = () => demoAppdef;

beforeAll(async () => {
  t = await startTestApp({}, { simulated: {} });
  alice = await t.payer("alice");
  const r = await t.app.inject({ method: "GET", url: `/jarvice/appdef?${new URLSearchParams({ ...creds(alice), name: "demo" } as Record<string, string>)}` });
  demoAppdef = r.json();
  done = await submit(sleepJob(1, alice));
  await until(done.number, "COMPLETED");
  live = await runningJob();
}, 60_000);

afterAll(async () => {
  await t?.close();
});

/** What a 200 must look like for this route and method. */
async function expectOk(route: string, method: "GET" | "POST", c: Case, r: LightMyRequestResponse, job: { name: string; number: number }): Promise<void> {
  const where = `${method} ${route}: ${r.statusCode} ${r.headers["content-type"]} ${r.body.slice(0, 300)}`;
  expect(r.statusCode, where).toBe(200);
  const type = c.type ?? JSON_TYPE;
  if (typeof type === "string") expect(r.headers["content-type"], where).toBe(type);
  else expect(r.headers["content-type"], where).toMatch(type);
  const declared = doc.paths[route]!.get ?? doc.paths[route]!.post!;
  const schema = c.schema ?? okSchema(doc, route, doc.paths[route]!.get ? "get" : "post");
  const body: unknown = type === JSON_TYPE ? r.json() : r.body;
  expect(problems(schema, body), `${where}\nagainst ${JSON.stringify(schema).slice(0, 200)}`).toEqual([]);
  expect(declared.responses["200"], `${route} documents a 200`).toBeDefined();
  c.check?.(body, job);
}

describe("every path of the JARVICE OpenAPI, GET and POST", () => {
  it("has a case here for every path the OpenAPI lists, with every required parameter", () => {
    const paths = Object.keys(doc.paths).sort();
    expect(paths.length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(CASES).sort()).toEqual(paths);
    const job = { name: "jarvice-job-1", number: 1 };
    for (const route of paths) {
      const op = doc.paths[route]!.get ?? doc.paths[route]!.post!;
      const sent = Object.keys(CASES[route]!.params(job));
      for (const p of op.parameters ?? []) if (p.required) expect(sent, `${route} sends its required parameter ${p.name}`).toContain(p.name);
    }
  });

  for (const route of Object.keys(doc.paths).sort()) {
    const c = CASES[route];
    const bodyRoute = !doc.paths[route]!.get;
    for (const method of ["GET", "POST"] as const) {
      // a route declared with a body (submit, batch, validate) is POST-only in substance; its GET must still be served (not 404/405)
      const title =
        bodyRoute && method === "GET"
          ? `GET ${route} is served (a JSON answer, not 404/405)`
          : `${method} ${route}${c?.status === 501 ? " answers 501 with a JSON error" : " answers as documented"}`;
      it(title, async () => {
        expect(c, `no case for ${route}`).toBeDefined();
        const job = c!.freshJob ? await runningJob() : live;
        if (bodyRoute && method === "GET") {
          const r = await t.app.inject({ method: "GET", url: `${route}?${new URLSearchParams(creds(alice) as Record<string, string>)}` });
          expect([404, 405], `GET ${route} is served: ${r.statusCode} ${r.body}`).not.toContain(r.statusCode);
          expect(r.headers["content-type"]).toBe(JSON_TYPE);
          return;
        }
        const r = await call(method, route, c!.params(job));
        if (c!.status === 501) {
          expect(r.statusCode, `${method} ${route}: ${r.body}`).toBe(501);
          expect(r.headers["content-type"]).toBe(JSON_TYPE);
          expect(r.json()).toMatchObject({ error: expect.stringContaining(route.slice("/jarvice/".length)) });
          return;
        }
        await expectOk(route, method, c!, r, job);
      });
    }
  }
});

describe("the wire rules of spec/api.md", () => {
  it("errors are exactly application/json too (400, 401, 404)", async () => {
    const bad = await call("GET", "/jarvice/status", { ...creds(alice), number: "x1" });
    const unauth = await call("GET", "/jarvice/jobs", { username: "alice", apikey: "wrong" });
    const missing = await call("GET", "/jarvice/status", { ...creds(alice), number: 999999 });
    expect([bad.statusCode, unauth.statusCode, missing.statusCode]).toEqual([400, 401, 404]);
    for (const r of [bad, unauth, missing]) {
      expect(r.headers["content-type"]).toBe(JSON_TYPE);
      expect(r.json()).toMatchObject({ error: expect.any(String) });
    }
  });

  it("a JSON body with no Content-Type, or with a form type (curl -d), is read as JSON", async () => {
    for (const headers of [{}, { "content-type": "application/x-www-form-urlencoded" }]) {
      const r = await t.app.inject({ method: "POST", url: "/jarvice/submit", headers, payload: JSON.stringify(sleepJob(1, alice)) });
      expect(r.statusCode, `${JSON.stringify(headers)}: ${r.body}`).toBe(200);
      expect(r.headers["content-type"]).toBe(JSON_TYPE);
      expect(problems(SUBMITTED_SCHEMA, r.json())).toEqual([]);
    }
  });

  it("a query route takes its parameters as a form body on POST", async () => {
    const r = await t.app.inject({
      method: "POST",
      url: "/jarvice/status",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ ...(creds(alice) as Record<string, string>), number: String(live.number) }).toString(),
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers["content-type"]).toBe(JSON_TYPE);
    expect(Object.keys(r.json() as Json)).toEqual([String(live.number)]);
  });

  it("booleans in query strings are taken in any case; anything else is a 400 naming the field", async () => {
    for (const v of ["true", "True", "TRUE", "1"]) {
      const r = await call("GET", "/jarvice/jobs", { ...creds(alice), completed: v });
      expect(Object.keys(r.json() as Json), `completed=${v}`).toContain(String(done.number));
      expect(Object.keys(r.json() as Json), `completed=${v}`).not.toContain(String(live.number));
    }
    for (const v of ["false", "False", "FALSE", "0"]) {
      const r = await call("GET", "/jarvice/jobs", { ...creds(alice), completed: v });
      expect(Object.keys(r.json() as Json), `completed=${v}`).toContain(String(live.number));
      expect(Object.keys(r.json() as Json), `completed=${v}`).not.toContain(String(done.number));
    }
    const r = await call("GET", "/jarvice/jobs", { ...creds(alice), completed: "yes" });
    expect(r.statusCode).toBe(400);
    expect(r.headers["content-type"]).toBe(JSON_TYPE);
    expect(r.json()).toMatchObject({ error: expect.stringMatching(/^completed: /) });
  });

  it("the stored submission is echoed with the documented types, whatever type the client sent", async () => {
    const j = await submit(sleepJob(3600, alice, { machine: { type: "n4", nodes: "1" } }));
    for (const route of ["/jarvice/jobs", "/jarvice/teamjobs"]) {
      const r = await call("GET", route, creds(alice));
      expect(r.headers["content-type"]).toBe(JSON_TYPE);
      const jobs = r.json() as Record<string, Json>;
      expect(problems(okSchema(doc, route), jobs), route).toEqual([]);
      expect(jobs[String(j.number)]!.job_api_submission, route).toMatchObject({ machine: { type: "n4", nodes: 1 } });
    }
  });

  it("GET /jarvice/apps without credentials lists the public apps", async () => {
    const r = await call("GET", "/jarvice/apps", {});
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers["content-type"]).toBe(JSON_TYPE);
    expect(problems(okSchema(doc, "/jarvice/apps"), r.json())).toEqual([]);
    expect(Object.keys(r.json() as Json)).toContain("demo");
  });

  it("tail and output give the last 100 lines unless lines says otherwise (0: all)", async () => {
    const j = await runningJob();
    // the simulated pod's log, made longer than the default
    const pods = (t.cluster as unknown as { pods: Map<string, { jobNumber: number; index: number; log: string[] }> }).pods;
    const pod0 = [...pods.values()].find((p) => p.jobNumber === j.number && p.index === 0)!;
    for (let i = 1; i <= 150; i++) pod0.log.push(`line ${i}`);
    const total = pod0.log.length;
    for (const route of ["/jarvice/tail", "/jarvice/output"]) {
      const byDefault = await call("GET", route, jobParams(j));
      expect(byDefault.headers["content-type"]).toBe("text/plain");
      expect(byDefault.body.split("\n"), route).toHaveLength(100);
      expect(byDefault.body.split("\n").at(-1)).toBe("line 150");
      const all = await call("GET", route, { ...jobParams(j), lines: 0 });
      expect(all.body.split("\n"), `${route} lines=0`).toHaveLength(total);
      const five = await call("GET", route, { ...jobParams(j), lines: 5 });
      expect(five.body.split("\n"), `${route} lines=5`).toEqual(["line 146", "line 147", "line 148", "line 149", "line 150"]);
    }
  });

  it("live and ready answer {\"status\": \"OK\"}", async () => {
    for (const route of ["/jarvice/live", "/jarvice/ready"]) {
      const r = await call("GET", route, {});
      expect(r.statusCode).toBe(200);
      expect(r.headers["content-type"]).toBe(JSON_TYPE);
      expect(r.json()).toEqual({ status: "OK" });
    }
  });

  it("terminate, shutdown and info on a finished job name `number` when the job was given by number", async () => {
    for (const route of ["/jarvice/terminate", "/jarvice/shutdown", "/jarvice/info", "/jarvice/connect"]) {
      const byNumber = await call("GET", route, jobParams(done));
      expect(byNumber.statusCode, `${route}: ${byNumber.body}`).toBe(400);
      expect(byNumber.headers["content-type"]).toBe(JSON_TYPE);
      expect(byNumber.json(), route).toMatchObject({ field: "number", error: expect.stringMatching(/^number: /) });
      const byName = await call("GET", route, { ...creds(alice), name: done.name });
      expect(byName.json(), route).toMatchObject({ field: "name", error: expect.stringMatching(/^name: /) });
    }
  });

  it("every job entry and status the API gives validates against the OpenAPI with the spec's keys", async () => {
    const r = await call("GET", "/jarvice/status", jobParams(done));
    const entry = (r.json() as Record<string, Json>)[String(done.number)]!;
    for (const k of STATUS_ENTRY_KEYS) expect(entry, k).toHaveProperty(k);
    expect(JOB_STATUSES).toContain(entry.job_status);
    for (const k of ["job_submit_time", "job_start_time", "job_end_time", "job_substatus"]) expect(Number.isInteger(entry[k]), k).toBe(true);
    expect(entry.job_end_time as number).toBeGreaterThan(0);
  });
});
