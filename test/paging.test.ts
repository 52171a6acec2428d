// Job lists are bounded: /jarvice/jobs, /jarvice/teamjobs and /api/jobs give a
// client that sends no paging parameters the most recent JOB_LIST_MAX jobs,
// and `limit` + `before` (a job number) page through the rest, newest first,
// each job once. 10,000 finished jobs (and some queued ones) are inserted in
// one statement; no job controller runs.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoCatalog } from "../src/catalog/demo";
import { JOB_LIST_MAX } from "../src/jobs/views";
import { startTestApp, type Creds, type TestApp } from "./app";
import { demoJob, Jarvice, type Json } from "./jarviceClient";

const DONE = 10_000;
const QUEUED = 1_200;

let t: TestApp;
let j: Jarvice;
let payer: Creds;
let worker: Creds;
/** numbers of the worker's finished and queued jobs, newest first */
let done: number[];
let queued: number[];

beforeAll(async () => {
  t = await startTestApp();
  await seedDemoCatalog(t.opened.db, 16, 64);
  j = new Jarvice(t);
  payer = await t.payer("bulkpay");
  worker = await t.member("worker", "bulkpay");
  const first = await t.call("POST", "/jarvice/submit", { body: { user: { username: worker.username, apikey: worker.apikey }, ...demoJob({ extra: { ipaddr: "web", job_label: "bulk" } }) } });
  expect(first.statusCode, first.body).toBe(200);
  const template = (first.json() as { number: number }).number;
  const copies = (n: number, status: string) =>
    sql`INSERT INTO jobs (name, owner_id, tenant_id, app_id, command, argv, parameters, env, machine_id, nodes, vault_id, ipaddr_tag, ipaddr_value, status, submit_time, end_time, job_label, submission)
        SELECT 'bulk-' || ${status}::text || '-' || g, j.owner_id, j.tenant_id, j.app_id, j.command, j.argv, j.parameters, j.env, j.machine_id, j.nodes, j.vault_id, j.ipaddr_tag, j.ipaddr_value, ${status}::text, j.submit_time + g, j.submit_time + g + 5, j.job_label, j.submission
        FROM jobs j, generate_series(1, ${n}::integer) g WHERE j.number = ${template}::integer`.execute(t.opened.db);
  await copies(DONE - 1, "COMPLETED");
  await t.opened.db.updateTable("jobs").set({ status: "COMPLETED" }).where("number", "=", template).execute();
  await copies(QUEUED, "SUBMITTED");
  const numbers = async (active: boolean) =>
    (await t.opened.db.selectFrom("jobs").select("number").where("status", active ? "=" : "<>", "SUBMITTED").orderBy("number", "desc").execute()).map((r) => r.number);
  done = await numbers(false);
  queued = await numbers(true);
  expect(done).toHaveLength(DONE);
  expect(queued).toHaveLength(QUEUED);
}, 120_000);
afterAll(async () => t?.close());

const keyed = (r: { statusCode: number; body: string; json(): unknown }): number[] => {
  expect(r.statusCode, r.body.slice(0, 300)).toBe(200);
  return Object.keys(r.json() as Json)
    .map(Number)
    .sort((a, b) => b - a);
};

describe("job lists without paging parameters: the most recent jobs, at most JOB_LIST_MAX", () => {
  it("caps at 1000, documented as JOB_LIST_MAX", () => {
    expect(JOB_LIST_MAX).toBe(1000);
  });

  it.each([
    ["/jarvice/jobs?completed=true", "worker", () => done],
    ["/jarvice/jobs", "worker", () => queued],
    ["/jarvice/teamjobs?completed=true", "payer", () => done],
    ["/jarvice/teamjobs", "payer", () => queued],
  ] as const)("%s as the %s: the newest 1000, well under a megabyte", async (url, who, all) => {
    const as = who === "worker" ? worker : payer;
    const [path, qs] = url.split("?");
    const r = await j.get(path!.replace("/jarvice/", ""), as, Object.fromEntries(new URLSearchParams(qs ?? "")));
    expect(keyed(r)).toEqual(all().slice(0, JOB_LIST_MAX));
    expect(r.body.length).toBeLessThan(JOB_LIST_MAX * 700);
  });

  it("/api/jobs (the portal): the newest 1000 first, and where the next page starts", async () => {
    for (const [q, all] of [
      ["?completed=true", done],
      ["", queued],
      ["?team=true&completed=true", done],
    ] as const) {
      const r = await t.call("GET", `/api/jobs${q}`, { as: q.includes("team") ? payer : worker });
      expect(r.statusCode, r.body.slice(0, 300)).toBe(200);
      const body = r.json() as { jobs: Array<{ job_number: number }>; next: number | null };
      expect(body.jobs.map((e) => e.job_number)).toEqual(all.slice(0, JOB_LIST_MAX));
      expect(body.next).toBe(all[JOB_LIST_MAX - 1]);
      expect(r.body.length).toBeLessThan(JOB_LIST_MAX * 800); // the portal's entries also name the owner's payer (job_owner_payer)
    }
  });
});

describe("paging with limit and before walks every job once, newest first", () => {
  it("/jarvice/jobs?completed=true: pages of 1000 from the top down", async () => {
    const seen: number[] = [];
    let before: number | undefined;
    for (let page = 0; page < 20; page++) {
      const got = keyed(await j.get("jobs", worker, { completed: "true", limit: 1000, ...(before !== undefined ? { before } : {}) }));
      if (got.length === 0) break;
      seen.push(...got);
      before = got[got.length - 1];
    }
    expect(seen).toEqual(done);
    expect(new Set(seen).size).toBe(DONE);
  });

  it("/jarvice/teamjobs: pages of 500 of the queued jobs", async () => {
    const seen: number[] = [];
    let before: number | undefined;
    for (let page = 0; page < 10; page++) {
      const got = keyed(await j.get("teamjobs", payer, { limit: 500, ...(before !== undefined ? { before } : {}) }));
      if (got.length === 0) break;
      expect(got.length).toBeLessThanOrEqual(500);
      seen.push(...got);
      before = got[got.length - 1];
    }
    expect(seen).toEqual(queued);
  });

  it("/api/jobs: following `next` until it is null", async () => {
    const seen: number[] = [];
    let next: number | null | undefined;
    for (let page = 0; page < 20 && next !== null; page++) {
      const r = await t.call("GET", `/api/jobs?completed=true&limit=1000${next !== undefined ? `&before=${next}` : ""}`, { as: worker });
      const body = r.json() as { jobs: Array<{ job_number: number }>; next: number | null };
      seen.push(...body.jobs.map((e) => e.job_number));
      next = body.next;
    }
    expect(next).toBeNull();
    expect(seen).toEqual(done);
  });

  it("a small page, and before in the middle", async () => {
    const mid = done[4321]!;
    expect(keyed(await j.get("jobs", worker, { completed: "true", limit: 3, before: mid }))).toEqual(done.slice(4322, 4325));
  });

  it.each([
    ["limit", "0"],
    ["limit", "1001"],
    ["limit", "ten"],
    ["limit", "-5"],
    ["before", "0"],
    ["before", "x"],
    ["before", "99999999999"],
  ])("refuses %s=%s with a 400 naming it", async (field, value) => {
    for (const r of [await j.get("jobs", worker, { [field]: value }), await t.call("GET", `/api/jobs?${field}=${value}`, { as: worker })]) {
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json()).toMatchObject({ field, error: expect.stringMatching(new RegExp(`^${field}: must be an integer from 1 to`)) });
    }
  });
});

describe("each list entry stays small", () => {
  it("keeps the documented keys, and only the documented keys of the stored submission: an unknown 200 KB key is not echoed in every list", async () => {
    const other = await t.payer("other");
    const r = await t.call("POST", "/jarvice/submit", { body: { user: { username: other.username, apikey: other.apikey }, ...demoJob({ extra: { job_project: "p", notes: "n".repeat(200_000) } }) } });
    if (r.statusCode !== 200) {
      // refusing the unknown key outright keeps the lists small too
      expect(r.statusCode, r.body.slice(0, 300)).toBe(400);
      return;
    }
    const listed = await j.get("jobs", other);
    expect(listed.body.length).toBeLessThan(2_000);
    const entry = Object.values(listed.json() as Record<string, Json>)[0]!;
    expect(entry.job_api_submission).toEqual({ app: "demo", application: { command: "sleep", parameters: { seconds: 3600 } }, machine: { type: "n4", nodes: 1 }, job_project: "p", user: { username: "other" } });
    // the JobEntry keys of the OpenAPI that Paddock fills
    for (const key of ["job_number", "job_name", "job_status", "job_substatus", "job_substatus_text", "job_application", "job_command", "job_label", "job_submit_time", "job_start_time", "job_end_time", "job_walltime", "job_owner_username", "job_payer", "job_mc_name", "job_mc_scale", "job_nodes", "job_exitcode", "job_address", "job_api_submission"]) {
      expect(entry, key).toHaveProperty(key);
    }
  });
});
