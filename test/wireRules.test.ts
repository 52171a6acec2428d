// The wire rules existing JARVICE clients depend on (spec/api.md, "Wire rules
// that existing clients depend on"), byte for byte: exact media types, GET and
// POST on every /jarvice route, bodies without or with a form Content-Type,
// booleans in any case, typed echoes of the stored submission, the public app
// list, live/ready bodies, the tail/output default and the field an error names.
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestApp, type Creds, type TestApp } from "./app";
import { demoJob, expectError, expectInvalid, expectOk, Jarvice, type Json, type JobEntry } from "./jarviceClient";

let t: TestApp;
let j: Jarvice;
let acme: Creds;
const jobs = { running: 0, done: 0 };

beforeAll(async () => {
  t = await startTestApp({}, { simulated: {} });
  j = new Jarvice(t);
  acme = await t.payer("acme");
  jobs.running = (await j.submit(acme, demoJob())).number;
  jobs.done = (await j.submit(acme, demoJob({ seconds: 1 }))).number;
  await j.waitForState(acme, jobs.running, "PROCESSING STARTING");
  await j.waitForState(acme, jobs.done, "COMPLETED");
});
afterAll(async () => t?.close());

const creds = () => ({ username: acme.username, apikey: acme.apikey });
const form = (o: Record<string, string | number>) => new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)])).toString();

/** A POST to /jarvice/<path> with `payload` sent as it is and exactly the given headers (light-my-request adds no Content-Type to a string). */
function post(path: string, payload: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: "POST", url: `/jarvice/${path}`, payload, headers });
}

async function jobCount(): Promise<number> {
  const r = await t.opened.db.selectFrom("jobs").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
  return Number(r.n);
}

describe("media types: exactly application/json or text/plain, never with a charset", () => {
  it("on JSON answers of /jarvice/*: lists, errors, unknown routes, 501s", async () => {
    for (const r of [
      await j.get("jobs", acme),
      await j.get("status", acme, { number: jobs.running }),
      await j.get("jobs", undefined),
      await j.get("status", acme, { number: 999_999 }),
      await j.get("nonsense", acme),
      await j.get("license", acme),
      await j.get("live", undefined),
    ]) {
      expect(r.headers["content-type"], `${r.statusCode} ${r.body}`).toBe("application/json");
    }
    const s = await j.submitAs(acme, demoJob({ seconds: 1 }));
    expect(s.statusCode).toBe(200);
    expect(s.headers["content-type"]).toBe("application/json");
  });

  it("text/plain for output and tail", async () => {
    for (const route of ["output", "tail"]) {
      const r = await j.get(route, acme, { number: jobs.done });
      expect(r.statusCode).toBe(200);
      expect(r.headers["content-type"]).toBe("text/plain");
    }
  });

  it("on the admin API too (the portal reads the body, whatever the header)", async () => {
    for (const r of [await t.call("GET", "/api/me", { as: t.admin }), await t.call("GET", "/api/me"), await t.call("GET", "/api/health")]) {
      expect(r.headers["content-type"]).toBe("application/json");
    }
  });
});

describe("GET and POST on every /jarvice route, with the parameters in the query or the body", () => {
  const routes: Array<[string, () => Record<string, string | number>]> = [
    ["status", () => ({ number: jobs.running })],
    ["info", () => ({ number: jobs.running })],
    ["connect", () => ({ number: jobs.running })],
    // `before`: only the jobs made in beforeAll, which do not change state while the test runs
    ["jobs", () => ({ before: jobs.done })],
    ["teamjobs", () => ({ completed: "true", before: jobs.done + 1 })],
    ["teamusers", () => ({})],
    ["machines", () => ({ name: "n4" })],
    ["apps", () => ({ name: "demo" })],
    ["appdef", () => ({ name: "demo" })],
    ["vault", () => ({})],
    ["output", () => ({ number: jobs.done })],
    ["tail", () => ({ number: jobs.done, lines: 1 })],
  ];

  it.each(routes)("POST /jarvice/%s answers as GET: query, JSON body, form body, credentials in the query and the rest in the body", async (route, params) => {
    const p = params();
    const get = await j.get(route, acme, p);
    expect(get.statusCode, get.body).toBe(200);
    const all = { ...creds(), ...p };
    for (const r of [
      await t.app.inject({ method: "POST", url: `/jarvice/${route}?${form(all)}` }),
      await t.app.inject({ method: "POST", url: `/jarvice/${route}`, payload: all }),
      await post(route, JSON.stringify(all)),
      await post(route, form(all), { "content-type": "application/x-www-form-urlencoded" }),
      await t.app.inject({ method: "POST", url: `/jarvice/${route}?${form(creds())}`, payload: p }),
    ]) {
      expect(r.statusCode, `${route}: ${r.body}`).toBe(200);
      expect(r.headers["content-type"]).toBe(get.headers["content-type"]);
      expect(r.body).toBe(get.body);
    }
  });

  it("POST on shutdown and terminate stops the job; on live and ready answers as GET; a body's numbers and booleans read as their text", async () => {
    const a = await j.submit(acme, demoJob());
    const b = await j.submit(acme, demoJob());
    expect(expectOk(await t.app.inject({ method: "POST", url: "/jarvice/terminate", payload: { ...creds(), number: a.number } }))).toEqual({ status: "terminated" });
    expect(expectOk(await post("shutdown", JSON.stringify({ ...creds(), name: b.name })))).toEqual({ status: "shutdown requested" });
    expect((await post("live", "")).body).toBe('{"status":"OK"}');
    expect((await post("ready", "")).body).toBe('{"status":"OK"}');
    const completed = expectOk(await t.app.inject({ method: "POST", url: "/jarvice/jobs", payload: { ...creds(), completed: true } }));
    expect(Object.keys(completed)).toContain(String(jobs.done));
  });

  it("POST /jarvice/submit keeps its `user` object; GET /jarvice/submit answers (400: no submission) instead of 404", async () => {
    const r = await j.submitAs(acme, demoJob({ seconds: 1 }));
    expect(Object.keys(expectOk(r)).sort()).toEqual(["name", "number"]);
    expectError(await t.app.inject({ method: "GET", url: "/jarvice/submit" }), 400, /^body: /);
  });

  it("an object where a parameter is a string is a 400 naming it", async () => {
    expectInvalid(await t.app.inject({ method: "POST", url: "/jarvice/status", payload: { ...creds(), number: { x: 1 } } }), "number");
  });
});

describe("bodies without a Content-Type or with a form type", () => {
  it("a JSON body with no Content-Type (jobperf) is read as JSON", async () => {
    const r = await post("status", JSON.stringify({ ...creds(), number: jobs.running }));
    expect(r.statusCode, r.body).toBe(200);
    expect(Object.keys(r.json() as Json)).toEqual([String(jobs.running)]);
  });

  it("curl -d '<json>' (application/x-www-form-urlencoded) to /jarvice/submit creates the job", async () => {
    const before = await jobCount();
    const body = JSON.stringify({ user: creds(), ...demoJob({ seconds: 1 }) });
    const r = await post("submit", body, { "content-type": "application/x-www-form-urlencoded" });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers["content-type"]).toBe("application/json");
    const s = r.json() as { name: string; number: number };
    expect(s.name).toBe(`jarvice-job-${s.number}`);
    expect(await jobCount()).toBe(before + 1);
    expect((await j.status(acme, s.number)).job_owner_username).toBe("acme");
  });

  it("text/plain holding JSON, and no Content-Type, submit too", async () => {
    for (const headers of [{ "content-type": "text/plain" }, {}] as Array<Record<string, string>>) {
      const r = await post("submit", JSON.stringify({ user: creds(), ...demoJob({ seconds: 1 }) }), headers);
      expect(r.statusCode, r.body).toBe(200);
    }
  });

  it("a real form body is read as form fields", async () => {
    const r = await post("status", form({ ...creds(), number: jobs.running }), { "content-type": "application/x-www-form-urlencoded" });
    expect(Object.keys(expectOk(r))).toEqual([String(jobs.running)]);
  });

  it("keeps the guards: depth, NUL, the 1 MiB limit; unparseable JSON is a 400 naming body", async () => {
    const deep = `{"user": ${"[".repeat(70)}${"]".repeat(70)}}`;
    const headers = { "content-type": "application/x-www-form-urlencoded" };
    expectInvalid(await post("submit", deep, headers), "body", /nested deeper than 64/);
    expectInvalid(await post("submit", deep), "body", /nested deeper than 64/);
    expectInvalid(await post("status", JSON.stringify({ ...creds(), name: "a\u0000b" }), headers), "name", /NUL/);
    expectInvalid(await post("status", form({ ...creds(), name: "a\u0000b" }), headers), "name", /NUL/);
    expectError(await post("submit", `{"user": "${"x".repeat(1 << 20)}"}`, headers), 413);
    expectInvalid(await post("submit", "{not json", headers), "body");
  });

  it("the admin API still refuses form types and bodies without a type (415): a cross-site form cannot post to it", async () => {
    const basic = `Basic ${Buffer.from(`${t.admin.username}:${t.admin.apikey}`).toString("base64")}`;
    for (const headers of [{ "content-type": "application/x-www-form-urlencoded" }, { "content-type": "text/plain" }, {}]) {
      const r = await t.app.inject({ method: "POST", url: "/api/zones", payload: JSON.stringify({ name: "formzone" }), headers: { ...headers, authorization: basic } });
      expect(r.statusCode, r.body).toBe(415);
      expect(r.headers["content-type"]).toBe("application/json");
    }
  });
});

describe("booleans in query strings in any case", () => {
  it.each(["true", "True", "TRUE", "1"])("completed=%s lists the finished jobs", async (v) => {
    const list = expectOk(await j.get("jobs", acme, { completed: v }));
    expect(Object.keys(list)).toContain(String(jobs.done));
    expect(Object.keys(list)).not.toContain(String(jobs.running));
  });

  it.each(["false", "False", "FALSE", "0"])("completed=%s lists the active jobs", async (v) => {
    const list = expectOk(await j.get("jobs", acme, { completed: v }));
    expect(Object.keys(list)).toContain(String(jobs.running));
    expect(Object.keys(list)).not.toContain(String(jobs.done));
  });

  it("anything else is a 400 naming the parameter, on every boolean parameter", async () => {
    for (const v of ["yes", "tru", "2", "on"]) {
      expectInvalid(await j.get("jobs", acme, { completed: v }), "completed");
      expectInvalid(await j.get("teamjobs", acme, { completed: v }), "completed");
      expectInvalid(await j.get("vault", acme, { details: v }), "details");
    }
    expectOk(await j.get("vault", acme, { details: "True" }));
  });
});

describe("typed echoes", () => {
  it('a submission with "nodes": "1" and string booleans is echoed with the documented types in /jarvice/jobs', async () => {
    const s = await j.submit(acme, {
      app: "demo",
      application: { command: "sleep", parameters: { seconds: 3600 }, nosubmit: "false" },
      machine: { type: "n4", nodes: "1" },
      publicIP: "True",
      gen_sshkey: 0,
      job_label: "x",
      vault: { readonly: false, password: "secret" },
      undocumented: { a: 1 },
    });
    const entry = (expectOk(await j.get("jobs", acme)) as Record<string, JobEntry>)[String(s.number)]!;
    const echoed = entry.job_api_submission as Json;
    expect(echoed.machine).toEqual({ type: "n4", nodes: 1 });
    expect(echoed.publicIP).toBe(true);
    expect(echoed.gen_sshkey).toBe(false);
    expect(echoed.application).toEqual({ command: "sleep", parameters: { seconds: 3600 }, nosubmit: false });
    expect(echoed.vault).toEqual({ readonly: false });
    expect(echoed.user).toEqual({ username: "acme" });
    expect(echoed).not.toHaveProperty("undocumented");
    // the raw bytes: an integer, not a string
    const raw = (await j.get("status", acme, { number: s.number })).body;
    expect(raw).toContain('"nodes":1');
    expect(raw).not.toContain('"nodes":"1"');
    expectOk(await j.get("terminate", acme, { number: s.number }));
  });

  it("rows stored before typing are typed on the way out", async () => {
    const s = await j.submit(acme, demoJob({ seconds: 1 }));
    await t.opened.db.updateTable("jobs").set({ submission: JSON.stringify({ app: "demo", machine: { type: "n4", nodes: "2" }, publicIP: "TRUE", user: { username: "acme", apikey: "leaked" } }) }).where("number", "=", s.number).execute();
    const echoed = (await j.status(acme, s.number)).job_api_submission;
    expect(echoed).toEqual({ app: "demo", machine: { type: "n4", nodes: 2 }, publicIP: true, user: { username: "acme" } });
  });

  it("times, numbers and machine fields are JSON integers", async () => {
    const e = await j.status(acme, jobs.done);
    for (const k of ["job_number", "job_submit_time", "job_start_time", "job_end_time", "job_substatus", "job_exitcode", "job_mc_scale"]) expect(Number.isInteger(e[k]), k).toBe(true);
    const m = (expectOk(await j.get("machines", acme, { name: "n4" })) as Record<string, Json>).n4!;
    for (const k of ["mc_cores", "mc_slots", "mc_gpus", "mc_ram", "mc_scale_min", "mc_scale_max"]) expect(Number.isInteger(m[k]), k).toBe(true);
    expect(typeof m.mc_price).toBe("number");
  });
});

describe("GET /jarvice/apps without credentials", () => {
  it("lists the public apps; wrong credentials are still a 401", async () => {
    const anonymous = await j.get("apps", undefined);
    expect(Object.keys(expectOk(anonymous))).toEqual(["demo"]);
    expect(anonymous.body).toBe((await j.get("apps", acme)).body);
    expectError(await j.get("apps", { username: "acme", apikey: "wrong" }), 401);
    expectError(await j.get("apps", undefined, { username: "acme" }), 401);
  });
});

describe("live and ready", () => {
  it('answer {"status": "OK"} with a 200', async () => {
    for (const path of ["live", "ready"]) {
      const r = await j.get(path, undefined);
      expect(r.statusCode).toBe(200);
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.body).toBe('{"status":"OK"}');
    }
  });

  it("ready answers 503 with the reason while the database does not answer", async () => {
    const spy = vi.spyOn(t.opened.db, "selectFrom").mockImplementationOnce(() => {
      throw new Error("connection refused");
    });
    try {
      const r = await j.get("ready", undefined);
      expect(r.statusCode).toBe(503);
      expect(r.json()).toEqual({ status: "not ready", error: "database: connection refused" });
    } finally {
      spy.mockRestore();
    }
    expect((await j.get("live", undefined)).statusCode).toBe(200);
  });

  it("and while the cluster does not answer, when the backend can tell", async () => {
    const cluster = t.cluster as unknown as { ready?: () => Promise<void> };
    cluster.ready = () => Promise.reject(new Error("the Kubernetes API server did not answer within 3 s"));
    try {
      const r = await j.get("ready", undefined);
      expect(r.statusCode).toBe(503);
      expect(r.body).toBe('{"status":"not ready","error":"cluster: the Kubernetes API server did not answer within 3 s"}');
    } finally {
      delete cluster.ready;
    }
    expect((await j.get("ready", undefined)).statusCode).toBe(200);
  });
});

describe("tail and output: the last 100 lines unless lines says otherwise", () => {
  it("default 100, lines=N the last N, lines=0 all", async () => {
    const lines = Array.from({ length: 150 }, (_, i) => `line ${i + 1}`);
    const s = await j.submit(acme, demoJob({ seconds: 1 }));
    await j.waitForState(acme, s.number, "COMPLETED");
    await t.opened.db.updateTable("jobs").set({ output: lines.join("\n") }).where("number", "=", s.number).execute();
    for (const route of ["tail", "output"]) {
      expect((await j.get(route, acme, { number: s.number })).body).toBe(lines.slice(-100).join("\n"));
      expect((await j.get(route, acme, { number: s.number, lines: 3 })).body).toBe("line 148\nline 149\nline 150");
      expect((await j.get(route, acme, { number: s.number, lines: 0 })).body).toBe(lines.join("\n"));
    }
  });
});

describe("errors name the parameter that was sent", () => {
  it("terminate, shutdown, info, connect on a finished job: `number` when the number was sent, `name` when the name was", async () => {
    for (const route of ["terminate", "shutdown", "info", "connect"]) {
      expectInvalid(await j.get(route, acme, { number: jobs.done }), "number", /not running \(COMPLETED\)/);
      expectInvalid(await j.get(route, acme, { name: `jarvice-job-${jobs.done}` }), "name", /not running \(COMPLETED\)/);
    }
  });

  it("status, info, terminate on a missing job: a 404 naming `number` or `name`", async () => {
    for (const route of ["status", "info", "terminate"]) {
      expect(expectError(await j.get(route, acme, { number: 999_999 }), 404)).toEqual({ error: "job not found", field: "number" });
      expect(expectError(await j.get(route, acme, { name: "jarvice-job-999999" }), 404)).toEqual({ error: "job not found", field: "name" });
    }
  });
});
