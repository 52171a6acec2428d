// Conformance with the public JARVICE Python client jarviceclient3 1.0.7 from
// PyPI, unchanged: its CLI and its library against Paddock started as the
// README starts it (`npx tsx src/main.ts`, simulated cluster, demo app `demo`
// on machine type `n4`). Every call must succeed as the client sees it (no
// traceback, no `errors`) and return the documented values. The client reads
// an answer only when `Content-Type` is exactly `application/json` or
// `text/plain` (spec/api.md, "Wire rules that existing clients depend on").
// Run by the `conformance` suite of npm test (scripts/test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPaddock, type Paddock } from "../e2e/server";
import { ensureVenv, JarviceClient3, shown, type Account, type Ran } from "./client";
import { JOB_STATUSES, loadJarviceOpenApi, okSchema, schemaProblems, statusEntrySchema, type OpenApi } from "./openapiSchema";

type Json = Record<string, unknown>;

let paddock: Paddock;
let client: JarviceClient3;
let alice: Account;
let doc: OpenApi;

const FINISHED = ["COMPLETED", "COMPLETED WITH ERROR", "TERMINATED", "CANCELED"];

/** A job of the demo app: `sleep <seconds>` on one n4. */
function sleepJob(seconds: number, extra: Json = {}): Json {
  return { app: "demo", application: { command: "sleep", parameters: { seconds } }, machine: { type: "n4", nodes: 1 }, ...extra };
}

/** The CLI printed exactly one JSON document (an `errors` object would come first, as a second document) and exited 0. */
function cliJson(r: Ran): unknown {
  expect(r.code, shown(r)).toBe(0);
  expect(r.stderr, shown(r)).not.toMatch(/Traceback|Unknown content type/);
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`the CLI did not print one JSON answer:\n${shown(r)}`);
  }
}

/** The CLI printed text (tail, output) and no errors. */
function cliText(r: Ran): string {
  expect(r.code, shown(r)).toBe(0);
  expect(r.stderr, shown(r)).not.toMatch(/Traceback|Unknown content type/);
  expect(r.stdout, shown(r)).not.toMatch(/"error"/);
  return r.stdout;
}

/** The library returned (result, errors) with no errors. */
function libResult(r: Ran, noErrors: null | [] = null): unknown {
  expect(r.code, shown(r)).toBe(0);
  const out = JSON.parse(r.stdout) as { result: unknown; errors: unknown };
  expect(out.errors, shown(r)).toEqual(noErrors);
  return out.result;
}

function conforms(route: string, value: unknown, method = "get"): void {
  expect(schemaProblems(doc, okSchema(doc, route, method), value), `${route} answer against the OpenAPI`).toEqual([]);
}

function statusConforms(value: unknown): void {
  expect(schemaProblems(doc, { type: "object", additionalProperties: statusEntrySchema(doc) }, value), "status answer").toEqual([]);
}

/** Raw HTTP, only to wait for the simulated cluster (never to judge the client). */
async function rawStatus(number: number): Promise<string> {
  const q = new URLSearchParams({ username: alice.username, apikey: alice.apikey, number: String(number) });
  const r = await fetch(`${alice.url}/jarvice/status?${q}`);
  const body = (await r.json()) as Record<string, { job_status: string }>;
  return body[String(number)]?.job_status ?? `HTTP ${r.status} ${JSON.stringify(body)}`;
}

async function waitForStatus(number: number, want: (s: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  let last = "";
  while (Date.now() < deadline) {
    last = await rawStatus(number);
    if (want(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`job ${number} did not become ${what} in 30 s (last status: ${last})`);
}
const running = (n: number) => waitForStatus(n, (s) => s === "PROCESSING STARTING", "PROCESSING STARTING");
const finished = (n: number) => waitForStatus(n, (s) => FINISHED.includes(s), "finished");

/** Submit through the library (the CLI's submit is tested on its own). */
async function submitted(job: Json): Promise<{ name: string; number: number }> {
  return libResult(await client.lib("submit", { job })) as { name: string; number: number };
}

beforeAll(async () => {
  doc = loadJarviceOpenApi();
  const venv = ensureVenv();
  paddock = await startPaddock({ portal: false });
  const r = await fetch(`${paddock.url}/api/users`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${paddock.admin.username}:${paddock.admin.apikey}`).toString("base64")}` },
    body: JSON.stringify({ username: "alice" }),
  });
  expect(r.status, "creating the user alice as the administrator").toBe(201);
  const created = (await r.json()) as { apikey: string };
  alice = { url: paddock.url, username: "alice", apikey: created.apikey };
  client = new JarviceClient3(venv, alice);
});

afterAll(async () => {
  await paddock?.stop();
});

describe("jarviceclient3 1.0.7 against Paddock", () => {
  // two long jobs, stopped at the end by shutdown and terminate
  let jobA: { name: string; number: number };
  let jobB: { name: string; number: number };

  it("submit (CLI) with an IP-address tag at the top level answers the job's name and number", async () => {
    const answer = cliJson(await client.cli("submit", "-job", JSON.stringify(sleepJob(3600, { ipaddr: "web" })))) as Json;
    expect(answer).toEqual({ name: expect.any(String), number: expect.any(Number) });
    expect(Number.isInteger(answer.number)).toBe(true);
    expect(answer.name).toBe(`jarvice-job-${answer.number}`);
    jobA = answer as typeof jobA;
  });

  it("submit (library) with the IP-address tag inside application, as the OpenAPI has it", async () => {
    jobB = await submitted(sleepJob(3600, { application: { command: "sleep", parameters: { seconds: 3600 }, ipaddr: "lib" } }));
    expect(jobB).toEqual({ name: `jarvice-job-${jobB.number}`, number: expect.any(Number) });
    expect(jobB.number).toBeGreaterThan(jobA.number);
  });

  it("status by number and by name (CLI and library) gives the documented entry", async () => {
    await running(jobA.number);
    await running(jobB.number);
    const byNumber = cliJson(await client.cli("status", "-number", String(jobA.number))) as Record<string, Json>;
    expect(Object.keys(byNumber)).toEqual([String(jobA.number)]);
    statusConforms(byNumber);
    const entry = byNumber[String(jobA.number)]!;
    expect(entry).toMatchObject({ job_name: jobA.name, job_status: "PROCESSING STARTING", job_application: "demo", job_command: "sleep", job_start_time: expect.any(Number) });
    expect(entry.job_submit_time as number).toBeGreaterThan(1_600_000_000);
    expect(entry.job_end_time).toBe(0);

    const byName = cliJson(await client.cli("status", "-name", jobA.name)) as Record<string, Json>;
    expect(byName).toEqual(byNumber);

    const libByNumber = libResult(await client.lib("status", { number: jobB.number })) as Record<string, Json>;
    statusConforms(libByNumber);
    expect(libByNumber[String(jobB.number)]).toMatchObject({ job_name: jobB.name, job_status: "PROCESSING STARTING" });
    const libByName = libResult(await client.lib("status", { name: jobB.name }));
    expect(libByName).toEqual(libByNumber);
  });

  it("info (CLI and library) gives pod 0's address and the job's IP-address tag", async () => {
    const info = cliJson(await client.cli("info", "-number", String(jobA.number))) as Json;
    conforms("/jarvice/info", info);
    expect(info.address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(info.url).toBe(`http://${info.address as string}/`);
    expect(info.ipaddr).toBe("alice-web");
    const byName = libResult(await client.lib("info", { name: jobB.name })) as Json;
    conforms("/jarvice/info", byName);
    expect(byName.ipaddr).toBe("alice-lib");
  });

  it("connect (CLI and library) gives the address and a password string", async () => {
    const c = cliJson(await client.cli("connect", "-number", String(jobA.number))) as Json;
    conforms("/jarvice/connect", c);
    expect(c).toEqual({ address: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/), password: expect.any(String) });
    const l = libResult(await client.lib("connect", { name: jobA.name }));
    expect(l).toEqual(c);
  });

  it("jobs (CLI and library) lists the queued and running jobs keyed by number, typed as documented", async () => {
    const jobs = cliJson(await client.cli("jobs")) as Record<string, Json>;
    conforms("/jarvice/jobs", jobs);
    expect(Object.keys(jobs).sort()).toEqual([String(jobA.number), String(jobB.number)].sort());
    const a = jobs[String(jobA.number)]!;
    expect(a).toMatchObject({ job_number: jobA.number, job_name: jobA.name, job_status: "PROCESSING STARTING", job_application: "demo" });
    expect(a.job_api_submission).toMatchObject({ app: "demo", machine: { type: "n4", nodes: 1 } });
    expect(libResult(await client.lib("jobs"))).toEqual(jobs);
  });

  it("tail and output (CLI and library) give the job's output as text", async () => {
    const tail = cliText(await client.cli("tail", "-number", String(jobA.number)));
    expect(tail).toContain("running: /bin/sleep 3600");
    const output = cliText(await client.cli("output", "-name", jobA.name));
    expect(output).toContain("running: /bin/sleep 3600");
    const oneLine = libResult(await client.lib("tail", { number: jobA.number, lines: 1 })) as string;
    expect(typeof oneLine).toBe("string");
    expect(oneLine.trim().split("\n")).toEqual(["[paddock simulated] running: /bin/sleep 3600"]);
    const all = libResult(await client.lib("output", { name: jobB.name })) as string;
    expect(all).toContain("scheduled on");
    expect(all).toContain("running: /bin/sleep 3600");
  });

  it("summary (CLI) lists each job with its machine, nodes, application, start and connection", async () => {
    const s = cliJson(await client.cli("summary")) as { count: number; items: Json[] };
    expect(s.count).toBe(2);
    const a = s.items.find((i) => String(i.job_number) === String(jobA.number));
    expect(a).toMatchObject({ job_name: jobA.name, machine_type: "n4", nodes: 1, application: "demo", address: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/) });
    expect(a?.started).toMatch(/\d{4}$/); // time.asctime of job_start_time
  });

  it("apps (CLI and library) lists the demo app with its AppDef", async () => {
    const apps = cliJson(await client.cli("apps")) as Record<string, Json>;
    conforms("/jarvice/apps", apps);
    expect(apps.demo).toMatchObject({ id: "demo", data: { commands: { sleep: expect.any(Object), web: expect.any(Object) } } });
    const one = cliJson(await client.cli("apps", "-name", "demo")) as Record<string, Json>;
    expect(Object.keys(one)).toEqual(["demo"]);
    expect(libResult(await client.lib("apps", { name: "demo" }))).toEqual(one);
  });

  it("machines (CLI and library) lists the machine types with integer sizes", async () => {
    const machines = cliJson(await client.cli("machines")) as Record<string, Json>;
    conforms("/jarvice/machines", machines);
    expect(Object.keys(machines).sort()).toEqual(["n16", "n4", "n8"]);
    expect(machines.n4).toMatchObject({ mc_name: "n4", mc_cores: 4, mc_ram: 16, mc_scale_min: 1 });
    const n4 = libResult(await client.lib("machines", { name: "n4" })) as Record<string, Json>;
    expect(n4).toEqual({ n4: machines.n4 });
  });

  it("wait_for (CLI) polls status until the job ends and names its final status", async () => {
    const short = await submitted(sleepJob(2));
    const r = await client.cli("wait_for", "-number", String(short.number));
    expect(r.code, shown(r)).toBe(0);
    expect(r.stderr, shown(r)).not.toMatch(/Traceback/);
    expect(r.stdout).toMatch(new RegExp(`Job ${short.number} ended with Status: COMPLETED\\n$`));
  });

  it("shutdown (CLI) asks the job to stop gracefully; it ends", async () => {
    const r = cliJson(await client.cli("shutdown", "-number", String(jobA.number)));
    conforms("/jarvice/shutdown", r);
    expect(r).toEqual({ status: "shutdown requested" });
    expect(FINISHED).toContain(await finished(jobA.number));
  });

  it("terminate (CLI, by name) stops the job at once: TERMINATED", async () => {
    const r = cliJson(await client.cli("terminate", "-name", jobB.name));
    expect(r).toEqual({ status: "terminated" });
    expect(await finished(jobB.number)).toBe("TERMINATED");
    const status = libResult(await client.lib("status", { number: jobB.number })) as Record<string, Json>;
    expect(status[String(jobB.number)]).toMatchObject({ job_status: "TERMINATED", job_end_time: expect.any(Number) });
    expect(status[String(jobB.number)]!.job_end_time as number).toBeGreaterThan(0);
  });

  it("terminate_all (CLI) terminates every running job of the user", async () => {
    const jobs = [await submitted(sleepJob(3600)), await submitted(sleepJob(3600))];
    for (const j of jobs) await running(j.number);
    const killed = cliJson(await client.cli("terminate_all")) as { number: string; result: Json }[];
    expect(killed.map((k) => Number(k.number)).sort((a, b) => a - b)).toEqual(jobs.map((j) => j.number));
    for (const k of killed) expect(k.result).toEqual({ status: "terminated" });
    for (const j of jobs) expect(await finished(j.number)).toBe("TERMINATED");
    expect(cliJson(await client.cli("jobs"))).toEqual({});
  });

  it("shutdown_all (library) shuts down every running job of the user", async () => {
    const jobs = [await submitted(sleepJob(3600)), await submitted(sleepJob(3600))];
    for (const j of jobs) await running(j.number);
    const killed = libResult(await client.lib("shutdown_all"), []) as { number: string; result: Json }[];
    expect(killed.map((k) => Number(k.number)).sort((a, b) => a - b)).toEqual(jobs.map((j) => j.number));
    for (const k of killed) expect(k.result).toEqual({ status: "shutdown requested" });
    for (const j of jobs) expect(FINISHED).toContain(await finished(j.number));
    expect(libResult(await client.lib("jobs"))).toEqual({});
  });

  it("statuses the client saw are JARVICE's", async () => {
    const completed = await fetch(`${alice.url}/jarvice/jobs?${new URLSearchParams({ username: alice.username, apikey: alice.apikey, completed: "true" })}`);
    const all = (await completed.json()) as Record<string, Json>;
    expect(Object.keys(all).length).toBe(7);
    for (const e of Object.values(all)) expect(JOB_STATUSES).toContain(e.job_status);
  });
});
