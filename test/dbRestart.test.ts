// The PostgreSQL server goes away under a running Paddock: a fast restart and a
// SIGKILL of the postmaster during a burst of requests, and both again with only
// the job controller working. Paddock must stay up, answer 503 with a JSON body
// while the database is away (never a dropped connection, never a 500), and work
// again once the server is back. Runs only in the PostgreSQL suite (vitest.config.ts
// includes it when PADDOCK_TEST_DB=postgres); it starts its own throwaway server,
// since it restarts and kills it.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePort, startPostgres, type PostgresServer } from "../scripts/postgres";

const ROOT = path.resolve(import.meta.dirname, "..");
const UNAVAILABLE = { error: "database unavailable; retry later" };

interface Paddock {
  base: string;
  auth: string;
  child: ChildProcess;
  output: () => string;
  exit: () => string | undefined;
}

let pgServer: PostgresServer;
let paddock: Paddock;
let dataDir: string;
let alice: { username: string; apikey: string };

async function startPaddock(databaseUrl: string): Promise<Paddock> {
  const port = await findFreePort();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "paddock-dbrestart-"));
  const child = spawn("npx", ["tsx", "src/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, PADDOCK_PORT: String(port), PADDOCK_HOST: "127.0.0.1", PADDOCK_DATA_DIR: dataDir, PADDOCK_CLUSTER: undefined, PADDOCK_SIM_START_DELAY_MS: "200" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  let exit: string | undefined;
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  child.on("exit", (code, signal) => (exit = `exit code ${code}, signal ${signal}`));
  const deadline = Date.now() + 90_000;
  for (;;) {
    const m = /username: (\S+)\n\s+password: \S+\n\s+apikey:\s+(\S+)/.exec(out);
    const listening = /API listening on (http:\/\/\S+) /.exec(out);
    if (m && listening) {
      return { base: listening[1]!, auth: `Basic ${Buffer.from(`${m[1]}:${m[2]}`).toString("base64")}`, child, output: () => out, exit: () => exit };
    }
    if (exit !== undefined || Date.now() > deadline) throw new Error(`paddock did not start (${exit ?? "timeout"}):\n${out}`);
    await sleep(200);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  status: number;
  body: unknown;
}

async function call(method: string, url: string, body?: unknown, auth = paddock.auth): Promise<Answer> {
  const r = await fetch(`${paddock.base}${url}`, {
    method,
    headers: { ...(auth ? { authorization: auth } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await r.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = `(not JSON) ${text}`;
  }
  return { status: r.status, body: parsed };
}

const submitBody = (seconds: number) => ({
  app: "demo",
  application: { command: "sleep", parameters: { seconds } },
  machine: { type: "n4", nodes: 1 },
  user: alice,
});

/** What a burst saw: answers by status, and every request that got no answer at all. */
interface BurstResult {
  byStatus: Map<number, number>;
  /** answers that were neither a success nor the 503 (status and body) */
  unexpected: Answer[];
  /** requests with no HTTP answer (connection refused or reset, timeout) */
  dropped: string[];
}

/** Concurrent clients calling GET /api/me, POST /api/users and /jarvice/submit until `done` resolves. */
async function burst(tag: string, done: Promise<void>): Promise<BurstResult> {
  const result: BurstResult = { byStatus: new Map(), unexpected: [], dropped: [] };
  let finished = false;
  void done.then(() => (finished = true));
  let n = 0;
  let lastSubmit = 0;
  const worker = async (w: number) => {
    while (!finished) {
      const i = n++;
      let req: Promise<Answer>;
      if (w === 0 && Date.now() - lastSubmit > 250) {
        // a few jobs, not hundreds: the job submitted after recovery must not queue behind them
        lastSubmit = Date.now();
        req = call("POST", "/jarvice/submit", submitBody(1), "");
      } else if (i % 2 === 0) {
        req = call("GET", "/api/me");
      } else {
        req = call("POST", "/api/users", { username: `${tag}-${i}` });
      }
      try {
        const a = await req;
        result.byStatus.set(a.status, (result.byStatus.get(a.status) ?? 0) + 1);
        const ok = a.status >= 200 && a.status < 300;
        const unavailable = a.status === 503 && JSON.stringify(a.body) === JSON.stringify(UNAVAILABLE);
        if (!ok && !unavailable) result.unexpected.push(a);
        if (a.status === 503) await sleep(50); // a client that honours "retry later"
      } catch (e) {
        result.dropped.push(`${(e as Error).message} (${String((e as { cause?: Error }).cause?.message ?? "")})`);
        await sleep(50);
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, (_, w) => worker(w)));
  return result;
}

/** Paddock answers again and runs a job submitted now. */
async function expectRecovered(): Promise<void> {
  const deadline = Date.now() + 30_000;
  let me: Answer | undefined;
  while (Date.now() < deadline) {
    me = await call("GET", "/api/me");
    if (me.status === 200) break;
    expect(me.status).toBe(503);
    await sleep(200);
  }
  expect(me?.status).toBe(200);
  const created = await call("POST", "/api/users", { username: `after-${Date.now()}` });
  expect(created.status).toBe(201);
  const submitted = await call("POST", "/jarvice/submit", submitBody(1), "");
  expect(submitted.status).toBe(200);
  const number = (submitted.body as { number: number }).number;
  let status = "";
  while (Date.now() < deadline + 30_000) {
    const s = await call("GET", `/jarvice/status?username=${alice.username}&apikey=${alice.apikey}&number=${number}`, undefined, "");
    status = (s.body as Record<string, { job_status: string }>)[number]?.job_status ?? "";
    if (status === "PROCESSING STARTING" || status === "COMPLETED") break;
    await sleep(250);
  }
  expect(status).toMatch(/^(PROCESSING STARTING|COMPLETED)$/);
}

function expectAlive(): void {
  expect(paddock.exit(), `paddock exited; its output:\n${paddock.output()}`).toBeUndefined();
}

function expectOnlySuccessOr503(r: BurstResult): void {
  expectAlive();
  expect(r.dropped, "requests without an answer (the process died or dropped the connection)").toEqual([]);
  expect(r.unexpected, "answers other than 2xx or the JSON 503").toEqual([]);
}

const countOf = (re: RegExp) => (paddock.output().match(re) ?? []).length;

describe("the PostgreSQL server goes away under a running Paddock", () => {
  beforeAll(async () => {
    pgServer = await startPostgres({ log: () => {} });
    paddock = await startPaddock(pgServer.url);
    const created = await call("POST", "/api/users", { username: "alice" });
    expect(created.status).toBe(201);
    alice = { username: "alice", apikey: (created.body as { apikey: string }).apikey };
  }, 120_000);

  afterAll(async () => {
    if (process.env.PADDOCK_DBRESTART_LOG) fs.writeFileSync(process.env.PADDOCK_DBRESTART_LOG, paddock?.output() ?? "");
    if (paddock && paddock.exit() === undefined) {
      try {
        process.kill(-paddock.child.pid!, "SIGTERM");
      } catch {
        // gone
      }
      for (let i = 0; i < 50 && paddock.exit() === undefined; i++) await sleep(100);
      if (paddock.exit() === undefined) process.kill(-paddock.child.pid!, "SIGKILL");
    }
    pgServer?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("(a) pg_ctl restart -m fast during a burst of requests: 503s or successes, then it works again", async () => {
    let end!: () => void;
    const running = burst("a", new Promise<void>((r) => (end = r)));
    await sleep(1_000);
    await pgServer.restart();
    await sleep(1_500);
    end();
    const r = await running;
    console.log(`(a) answers by status: ${JSON.stringify([...r.byStatus])}, without answer: ${r.dropped.length}`);
    expectOnlySuccessOr503(r);
    expect(r.byStatus.get(200) ?? 0).toBeGreaterThan(0);
    await expectRecovered();
    expectAlive();
  }, 120_000);

  it("(b) kill -9 of the postmaster during a burst, started again later: 503s while it is away, then it works again", async () => {
    let end!: () => void;
    const running = burst("b", new Promise<void>((r) => (end = r)));
    await sleep(1_000);
    await pgServer.kill();
    await sleep(2_000); // the burst goes on against a database that is not there
    await pgServer.start();
    await sleep(1_500);
    end();
    const r = await running;
    console.log(`(b) answers by status: ${JSON.stringify([...r.byStatus])}, without answer: ${r.dropped.length}`);
    expectOnlySuccessOr503(r);
    expect(r.byStatus.get(503) ?? 0, "requests while the database was down answer 503").toBeGreaterThan(0);
    await expectRecovered();
    expectAlive();
  }, 120_000);

  it("(c) restart and kill -9 with no client traffic, only the job controller working: it stays up, logs each outage once, and recovers", async () => {
    // Jobs that start and end all the time keep the controller reconciling (every pod change is a
    // reconcile) across both outages, so that one of its queries is in flight when the server goes.
    for (let i = 0; i < 48; i++) expect((await call("POST", "/jarvice/submit", submitBody(2), "")).status).toBe(200);
    await sleep(1_000);
    const failedBefore = countOf(/job controller: reconcile failed/g);

    await pgServer.restart();
    await sleep(2_000);
    expectAlive();

    await pgServer.kill();
    await sleep(3_000); // several reconcile attempts against no server: they back off, the process stays
    expectAlive();
    await pgServer.start();
    await sleep(3_000);
    expectAlive();

    // one line per outage (at most two outages here), not one per attempt
    expect(countOf(/job controller: reconcile failed/g) - failedBefore).toBeLessThanOrEqual(2);
    await expectRecovered();
    expectAlive();
  }, 120_000);
});
