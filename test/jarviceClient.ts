// A JARVICE API client for the tests, as scripts call it: GET with `username`
// and `apikey` query parameters, POST /jarvice/submit with the `user` object
// in the body. Plus the assertions the /jarvice/* tests share, and a bounded
// poll for the job controller's asynchronous steps.
import type { LightMyRequestResponse } from "fastify";
import { expect } from "vitest";
import type { Creds, TestApp } from "./app";

export type Json = Record<string, unknown>;

/** The `sched.JobStatusEntry` / `JobEntry` of one job. */
export interface JobEntry extends Json {
  job_number: number;
  job_name: string;
  job_status: string;
  job_substatus: number;
  job_substatus_text: string;
  job_application: string;
  job_command: string;
  job_project: string;
  job_label: string;
  job_submit_time: number;
  job_start_time: number;
  job_end_time: number;
  job_walltime: string;
  job_owner_username: string;
  job_payer: string;
  job_mc_name: string;
  job_mc_scale: number;
  job_exitcode: number;
  job_ipaddr: string;
}

export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

export class Jarvice {
  constructor(readonly t: TestApp) {}

  /** GET /jarvice/<path> as `as` (query-parameter credentials), or without credentials. */
  get(path: string, as: Creds | undefined, params: Record<string, string | number | undefined> = {}): Promise<LightMyRequestResponse> {
    const creds = as ? { username: as.username, apikey: as.apikey } : {};
    return this.t.app.inject({ method: "GET", url: `/jarvice/${path}${query({ ...creds, ...params })}` });
  }

  /** POST /jarvice/submit with `body` as it is. */
  submitRaw(body: Json): Promise<LightMyRequestResponse> {
    return this.t.app.inject({ method: "POST", url: "/jarvice/submit", payload: body });
  }

  /** POST /jarvice/submit as `as`: the `user` object is added to `body` unless it has one. */
  submitAs(as: Creds, body: Json): Promise<LightMyRequestResponse> {
    return this.submitRaw({ user: { username: as.username, apikey: as.apikey }, ...body });
  }

  /** Submit and expect success: {name, number}. */
  async submit(as: Creds, body: Json): Promise<{ name: string; number: number }> {
    const r = await this.submitAs(as, body);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers["content-type"]).toBe("application/json");
    const j = r.json() as { name: string; number: number };
    expect(Object.keys(j).sort()).toEqual(["name", "number"]);
    return j;
  }

  /** The job's status entry as `as` sees it. */
  async status(as: Creds, number: number): Promise<JobEntry> {
    const r = await this.get("status", as, { number });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers["content-type"]).toBe("application/json");
    const j = r.json() as Record<string, JobEntry>;
    expect(Object.keys(j)).toEqual([String(number)]);
    return j[String(number)]!;
  }

  /** Poll the job's status until `done` holds (at most `timeoutMs`). */
  async waitForStatus(as: Creds, number: number, done: (e: JobEntry) => boolean, timeoutMs = 10_000): Promise<JobEntry> {
    let last: JobEntry | undefined;
    await waitFor(
      async () => {
        last = await this.status(as, number);
        return done(last);
      },
      timeoutMs,
      () => `job ${number}: last status ${JSON.stringify(last)}`,
    );
    return last!;
  }

  waitForState(as: Creds, number: number, status: string, timeoutMs = 10_000): Promise<JobEntry> {
    return this.waitForStatus(as, number, (e) => e.job_status === status, timeoutMs);
  }
}

/** A demo-app submission body (app "demo", machine n4 by default). */
export function demoJob(opts: { command?: "sleep" | "web"; seconds?: number; machine?: string; nodes?: number; extra?: Json } = {}): Json {
  const command = opts.command ?? "sleep";
  return {
    app: "demo",
    application: { command, parameters: command === "sleep" ? { seconds: opts.seconds ?? 3600 } : {} },
    machine: { type: opts.machine ?? "n4", nodes: opts.nodes ?? 1 },
    ...(opts.extra ?? {}),
  };
}

/** Repeat `check` until it holds, every 20 ms, for at most `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 10_000, describe?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms${describe ? `: ${describe()}` : ""}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function json(r: LightMyRequestResponse): Json {
  return r.json() as Json;
}

/** The answer is a 400 naming `field`: `{"error": "<field>: ...", "field": "<field>"}`; optionally mentioning `text`. */
export function expectInvalid(r: LightMyRequestResponse, field: string, text?: string | RegExp): Json {
  const what = `${r.statusCode} ${r.body}`;
  expect(r.statusCode, what).toBe(400);
  const j = json(r);
  expect(j.field, what).toBe(field);
  expect(String(j.error).startsWith(`${field}: `), what).toBe(true);
  if (text !== undefined) expect(String(j.error), what).toMatch(text);
  return j;
}

/** The answer has `status` and a JSON body with a string `error`. */
export function expectError(r: LightMyRequestResponse, status: number, text?: string | RegExp): Json {
  const what = `${r.statusCode} ${r.body}`;
  expect(r.statusCode, what).toBe(status);
  expect(r.headers["content-type"], what).toBe("application/json");
  const j = json(r);
  expect(typeof j.error, what).toBe("string");
  if (text !== undefined) expect(String(j.error), what).toMatch(text);
  return j;
}

export function expectOk(r: LightMyRequestResponse): Json {
  expect(r.statusCode, r.body).toBe(200);
  expect(r.headers["content-type"], r.body).toBe("application/json");
  return json(r);
}
