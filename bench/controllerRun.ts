// One run of the job-controller benchmark (bench/controller.ts): Paddock wired
// as src/main.ts wires it (API on a real port, the simulated cluster, a job
// controller, the database with every statement counted), then
//   1. the ramp: `jobs` submissions of `sleep N` by `clients` clients, each
//      sending its next as soon as its last was answered, until every job
//      reached PROCESSING STARTING or the time budget ran out;
//   2. idle: no client traffic, statements counted for a while;
//   3. the probes: paced loads (each of `probeRates` submissions/s from the same
//      clients) with the jobs of the ramp active, for submit latency at the peak;
//   4. the backlog: the controller stopped, `backlog` more jobs submitted, a
//      fresh controller started (a restart, or a failover): jobs/s until all of
//      them reached PROCESSING STARTING, with every earlier job active. This is
//      the controller's own throughput at that scale; the ramp's is bounded by
//      the rate at which the clients can submit.
// An observer polls the jobs' statuses (its statements are not counted) and
// prints progress. The same pieces run at a tiny scale in controllerBench.test.ts.
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { readCpuTimes, stealPercent } from "./cpuSteal";
import { parseSettings } from "../src/config/settings";
import { createScratchDatabase } from "../test/scratchDatabase";
import { ensureFirstAdmin } from "../src/accounts/bootstrap";
import { seedDemoCatalog } from "../src/catalog/demo";
import { SimulatedCluster } from "../src/cluster/simulated";
import { buildServer } from "../src/http/server";
import { JobController } from "../src/jobs/controller";
import { listenForJobs } from "../src/jobs/wake";
import { jobMetrics } from "../src/jobs/jobMetrics";
import { migrateToLatest } from "../src/store/migrate";
import { pgliteAsPool } from "../src/store/pglitePool";
import type { Db } from "../src/store/db";
import type { Database } from "../src/store/schema";
import { BaselineJobController } from "./controllerBaseline";
import { countsBetween, StatementCounter, totalOf } from "./statementCounter";
import { countedPostgres } from "./countedPostgres";
import type { LoadResult } from "./submitLoad";
import { submitLoadOnThread } from "./clientThread";
import { startApiProcess, type ApiProcess } from "./apiProcess";
import { idleOf, latencyStats, percentile, statementsOf, throughput, type RunResult, type Sample } from "./controllerReport";

export type ControllerKind = "baseline" | "new";
export type DbKind = "pglite" | "postgres";

/** The simulated cluster: nodes of 16 cores and 64 GB; every job is one n4 pod (a quarter of a node). */
export const NODE_CORES = 16;
export const NODE_MEMORY_GB = 64;
export const JOBS_PER_NODE = 4;

export interface RunOptions {
  controller: ControllerKind;
  db: DbKind;
  /** the PostgreSQL server (with --db postgres): each run gets a new database on it, dropped afterwards */
  serverUrl?: string | undefined;
  jobs: number;
  clients: number;
  /** the ramp stops after this long even if not every job started (the baseline can be very slow) */
  budgetMs: number;
  /** statements counted with no client traffic, after the ramp (0: skip) */
  idleMs: number;
  /** paced submissions at the peak (0: skip), at each of `probeRates` per second from all clients together, for at most `probeBudgetMs` each */
  probeJobs: number;
  probeRates: number[];
  probeBudgetMs: number;
  /** jobs waiting when a fresh controller starts, after the probe (0: skip) */
  backlog: number;
  /** N of `sleep N`: longer than the run, so that every job stays active */
  sleepSeconds: number;
  /** from bound to Running on the simulated cluster, and its clock */
  startDelayMs: number;
  tickMs: number;
  /** the observer's poll */
  sampleMs: number;
  /** a progress line this often (0: none) */
  progressMs: number;
  /** the controllers' resync (default: their own, 2 s for the baseline) */
  resyncMs?: number | undefined;
  say: (line: string) => void;
  /** where the API's request log and the controller's lines go (default: a file in the temp dir, named in the output) */
  logFile?: string | undefined;
  /**
   * Where the API runs: "inline" in this process with the controller (as npm start runs it, and as the
   * Helm chart does with the embedded database), or "process": a process of its own that wakes the
   * controller through the database's NOTIFY, as the chart deploys it on PostgreSQL (bench/apiProcess.ts). Default: inline.
   */
  api?: ApiPlacement | undefined;
}

export type ApiPlacement = "inline" | "process";

export interface BenchDatabase {
  db: Db;
  /** the controller's (as src/store/db.ts opens `background`): on PostgreSQL a pool of its own, 4 connections; on PGlite `db` */
  controllerDb: Db;
  describe: string;
  /** PostgreSQL: the database's URL (for another process, and for LISTEN) */
  url?: string | undefined;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database whose statements `counter` counts, opened as
 * src/store/db.ts opens Paddock's (PGlite in a data directory through the
 * one-connection pool; or a pg.Pool of 10 connections), with the pool wrapped.
 */
export async function openBenchDatabase(kind: DbKind, counter: StatementCounter, serverUrl?: string): Promise<BenchDatabase> {
  if (kind === "pglite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "paddock-bench-controller-"));
    const pglite = await PGlite.create({ dataDir: dir });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: counter.pool(pgliteAsPool(pglite)) }) });
    await counter.run("uncounted", () => migrateToLatest(db as Kysely<unknown>));
    return {
      db,
      controllerDb: db,
      describe: `PGlite in ${dir}`,
      close: async () => {
        await db.destroy();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (!serverUrl) throw new Error("--db postgres needs a server");
  const scratch = await createScratchDatabase(serverUrl, "paddock_bench");
  const url = new URL(scratch.url);
  let closing = false;
  const db = countedPostgres(url.toString(), 10, counter, "the API's pool", () => closing);
  const controllerDb = countedPostgres(url.toString(), 4, counter, "the controller's pool", () => closing);
  await counter.run("uncounted", () => migrateToLatest(db as Kysely<unknown>));
  return {
    db,
    controllerDb,
    describe: `PostgreSQL ${url.host}/${scratch.name} (API pool 10, controller pool 4 connections)`,
    url: url.toString(),
    close: async () => {
      closing = true; // dropping the database ends connections pg.Pool may still be closing
      await db.destroy();
      await controllerDb.destroy();
      await scratch.drop();
    },
  };
}

interface JobCounts {
  /** still SUBMITTED */
  waiting: number;
  started: number;
  active: number;
  /** ended (the benchmark's jobs should not end while it runs) */
  ended: number;
}

/** Jobs by status, read without being counted. */
async function jobCounts(db: Db, counter: StatementCounter): Promise<JobCounts> {
  const rows = await counter.run("uncounted", () => db.selectFrom("jobs").select(["status", (eb) => eb.fn.countAll<string>().as("n")]).groupBy("status").execute());
  const n = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  const all = rows.reduce((a, r) => a + Number(r.n), 0);
  const waiting = n("SUBMITTED");
  const starting = n("PROCESSING STARTING");
  return { waiting, started: all - waiting, active: waiting + starting, ended: all - waiting - starting };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Users {
  clients: Array<{ username: string; apikey: string }>;
}

/** One user per client: payers of 10 users each (the payer and 9 members), created through the admin API. */
export async function createUsers(baseUrl: string, admin: { username: string; apikey: string }, clients: number): Promise<Users> {
  const auth = `Basic ${Buffer.from(`${admin.username}:${admin.apikey}`).toString("base64")}`;
  const create = async (body: Record<string, unknown>) => {
    const r = await fetch(`${baseUrl}/api/users`, { method: "POST", headers: { authorization: auth, "content-type": "application/json" }, body: JSON.stringify(body) });
    const text = await r.text();
    if (r.status !== 201) throw new Error(`creating user ${String(body.username)}: HTTP ${r.status}: ${text.slice(0, 300)}`);
    const j = JSON.parse(text) as { user: { username: string }; apikey: string };
    return { username: j.user.username, apikey: j.apikey };
  };
  const out: Users["clients"] = [];
  for (let p = 0; p * 10 < clients; p++) {
    const payer = await create({ username: `bench-p${p}` });
    out.push(payer);
    const members = Math.min(9, clients - p * 10 - 1);
    out.push(...(await Promise.all(Array.from({ length: members }, (_, m) => create({ username: `bench-p${p}-u${m}`, payer: payer.username })))));
  }
  return { clients: out };
}

export { submission } from "./benchSubmission";

/** The job controller under test, through the shape both share. */
interface Controller {
  start(): void;
  stop(): Promise<void>;
  kick?: (...args: never[]) => void;
}

export async function runController(o: RunOptions): Promise<RunResult> {
  const say = (line: string) => o.say(`  [${o.controller}] ${line}`);
  const counter = new StatementCounter();
  const opened = await openBenchDatabase(o.db, counter, o.serverUrl);
  const logFile = o.logFile ?? path.join(os.tmpdir(), `paddock-bench-controller-${o.db}-${o.controller}-${process.pid}.log`);
  const logStream = fs.createWriteStream(logFile);
  const stops: Array<() => Promise<void>> = [];
  try {
    const db = opened.db;
    const { settings } = parseSettings({});
    const ctx = { db, settings };
    const admin = await counter.run("uncounted", async () => {
      const first = await ensureFirstAdmin(ctx);
      await seedDemoCatalog(db, NODE_CORES, NODE_MEMORY_GB);
      return first!;
    });
    const nodes = Math.ceil((o.jobs + o.probeJobs * o.probeRates.length + o.backlog) / JOBS_PER_NODE) + 2;
    // created as the controller: its clock's pod changes wake the controller, whose work they are
    const cluster = counter.run(
      "controller",
      () =>
        new SimulatedCluster(
          Array.from({ length: nodes }, (_, i) => ({ name: `sim-node-${i}`, cores: NODE_CORES, memoryGb: NODE_MEMORY_GB })),
          { multiTenant: settings.JARVICE_JOBS_MULTI_TENANT, startDelayMs: o.startDelayMs, tickMs: o.tickMs },
        ),
    );
    stops.push(() => cluster.close());
    let controllerLines = 0;
    const log = (m: string) => {
      controllerLines++;
      logStream.write(`${new Date().toISOString()} ${m}\n`);
    };
    const copts = { namespace: settings.JARVICE_JOBS_NAMESPACE, log, ...(o.resyncMs !== undefined ? { resyncMs: o.resyncMs } : {}) };
    const cdb = opened.controllerDb;
    const newController = (): Controller => (o.controller === "baseline" ? new BaselineJobController(cdb, cluster, copts) : new JobController(cdb, cluster, copts));
    let controller = newController();
    counter.run("controller", () => controller.start());
    stops.unshift(() => controller.stop());

    const kickController = (...args: unknown[]) => counter.run("controller", () => (controller.kick as ((...a: unknown[]) => void) | undefined)?.apply(controller, args));
    let address: string;
    let apiProcess: ApiProcess | undefined;
    let apiWhere: string;
    if ((o.api ?? "inline") === "process") {
      // As the chart deploys it on PostgreSQL: the API in a process of its own, waking this process's
      // controller through the database's NOTIFY (src/main.ts's split); its statements are counted there.
      if (!opened.url) throw new Error("--api process needs --db postgres (PGlite is one process's database)");
      const listener = listenForJobs(opened.url, { onJob: (n) => kickController(n), onMissed: () => kickController() });
      stops.unshift(() => listener.close());
      await listener.listening;
      const proc = (apiProcess = await startApiProcess({ databaseUrl: opened.url, logFile: `${logFile}.api` }));
      stops.unshift(() => proc.close());
      address = proc.address;
      apiWhere = `API in a process of its own (pid ${proc.pid}, the controller woken by the database's NOTIFY; its log ${logFile}.api)`;
    } else {
      // The API as main.ts runs it (request log at info, here into the log file). Listening inside the
      // "api" source makes every connection, and so every request, count its statements as the API's;
      // a submission's wake-up of the controller counts as the controller's.
      const app = await buildServer(ctx, { logger: { level: "info", stream: logStream }, cluster, kick: kickController });
      address = await counter.run("api", () => app.listen({ port: 0, host: "127.0.0.1" }));
      stops.unshift(() => app.close());
      apiWhere = "API in this process with the controller";
    }
    /** The statement totals, the API process's fetched first. */
    const snapshot = async () => {
      if (apiProcess) counter.setExternal(await apiProcess.counts());
      return counter.snapshot();
    };
    const users = await createUsers(address, admin, o.clients);
    say(`${opened.describe}; simulated cluster of ${nodes} nodes; ${apiWhere} on ${address}; ${users.clients.length} users in ${Math.ceil(o.clients / 10)} tenants; log ${logFile}`);

    // 1. The ramp.
    const base = await snapshot();
    const t0 = performance.now();
    const elapsed = () => performance.now() - t0;
    let budgetHit = false;
    let submittedOk = 0;
    let loadDone = false;
    const samples: Sample[] = [{ t: 0, submitted: 0, started: 0, active: 0, counts: countsBetween(base, base) }];
    const load = submitLoadOnThread({
      baseUrl: address,
      clients: o.clients,
      jobs: o.jobs,
      users: users.clients,
      sleepSeconds: o.sleepSeconds,
      stop: () => budgetHit,
      onAnswer: (ok) => {
        if (ok) submittedOk++;
      },
    }).finally(() => (loadDone = true));
    let lastProgress = 0;
    let seen: JobCounts = { waiting: 0, started: 0, active: 0, ended: 0 };
    for (;;) {
      await sleep(o.sampleMs);
      const jc = (seen = await jobCounts(db, counter));
      const s: Sample = { t: elapsed(), submitted: submittedOk, started: jc.started, active: jc.active, counts: countsBetween(base, await snapshot()) };
      samples.push(s);
      const complete = loadDone && s.started >= submittedOk;
      if (o.progressMs > 0 && (s.t - lastProgress >= o.progressMs || complete)) {
        lastProgress = s.t;
        say(
          `${(s.t / 1000).toFixed(1)} s: ${s.submitted} submitted (${((s.submitted * 1000) / s.t).toFixed(0)}/s), ${s.started} started (${((s.started * 1000) / s.t).toFixed(1)}/s), ${s.active} active; ` +
            `statements: API ${s.counts.api}, controller ${s.counts.controller}${s.counts.other ? `, other ${s.counts.other}` : ""}${jc.ended ? `; ${jc.ended} jobs ENDED (unexpected)` : ""}`,
        );
      }
      if (complete) break;
      if (s.t >= o.budgetMs) {
        budgetHit = true;
        say(`time budget of ${o.budgetMs / 1000} s reached: ${s.submitted} of ${o.jobs} submitted, ${s.started} started; stopping the ramp`);
        break;
      }
    }
    const loaded: LoadResult = await load;
    // the jobs started by then, as the database recorded them (whole seconds)
    const startedRows = await counter.run("uncounted", () => db.selectFrom("jobs").select(["submit_time", "start_time"]).where("start_time", ">", 0).execute());
    const toStart = startedRows.map((r) => Number(r.start_time) - Number(r.submit_time));
    const rampCounts = samples[samples.length - 1]!.counts;
    const target = budgetHit ? o.jobs : loaded.ok;
    const tp = throughput(samples, target);
    const last = samples[samples.length - 1]!;

    // 2. Idle.
    let idle = idleOf(0, countsBetween(base, base), seen.active, seen.waiting);
    if (o.idleMs > 0) {
      await sleep(Math.min(2000, o.idleMs));
      const i0 = await snapshot();
      const ti = performance.now();
      await sleep(o.idleMs);
      const counts = countsBetween(i0, await snapshot());
      const jc = await jobCounts(db, counter);
      idle = idleOf((performance.now() - ti) / 1000, counts, jc.active, jc.waiting);
      say(`idle for ${idle.seconds.toFixed(1)} s with ${jc.active} active jobs (${jc.waiting} not started): ${totalOf(counts)} statements (${idle.statementsPerS.toFixed(1)}/s), of them ${counts.controllerWrites + counts.apiWrites + counts.otherWrites} not reads`);
    }

    // 3. The probes, slowest first.
    const probes: RunResult["probes"] = [];
    for (const rate of o.probeJobs > 0 ? [...o.probeRates].sort((x, y) => x - y) : []) {
      const before = await jobCounts(db, counter);
      const tp0 = performance.now();
      let probeStop = false;
      const timer = setTimeout(() => (probeStop = true), o.probeBudgetMs);
      // how long the process's event loop (API, controller and simulated cluster) was busy
      const loopDelay = monitorEventLoopDelay({ resolution: 10 });
      loopDelay.enable();
      const cpu0 = readCpuTimes();
      const resync0 = await resyncTotals();
      const p = await submitLoadOnThread({
        baseUrl: address,
        clients: o.clients,
        jobs: o.probeJobs,
        rate,
        users: users.clients,
        sleepSeconds: o.sleepSeconds,
        stop: () => probeStop,
      });
      clearTimeout(timer);
      loopDelay.disable();
      const steal = stealPercent(cpu0, readCpuTimes());
      const resync1 = await resyncTotals();
      const resyncs = resync1.count - resync0.count;
      const probe = { rate, jobs: p.ok, latency: latencyStats(p.latencies), failed: p.failed, activeBefore: before.active, stealPercent: steal };
      probes.push(probe);
      say(
        `paced: ${p.ok} submissions at ${rate}/s with ${before.active} active jobs in ${((performance.now() - tp0) / 1000).toFixed(1)} s: p50 ${probe.latency.p50.toFixed(1)} ms, p99 ${probe.latency.p99.toFixed(1)} ms; ` +
          `${apiProcess ? "the controller process's " : ""}event loop delay p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms` +
          `${steal !== undefined ? `; CPU steal ${steal.toFixed(1)}%` : ""}` +
          `; controller resyncs during the load ${resyncs}${resyncs > 0 ? ` (${((resync1.seconds - resync0.seconds) * 1000).toFixed(0)} ms in all)` : ""}` +
          `${p.failed ? `; ${p.failed} failed (${p.firstFailure})` : ""}${probeStop ? `; stopped at its budget of ${o.probeBudgetMs / 1000} s` : ""}`,
      );
      // the next rate starts with this one's jobs started
      const tw = performance.now();
      while ((await jobCounts(db, counter)).waiting > 0 && performance.now() - tw < o.budgetMs) await sleep(o.sampleMs);
    }

    // 4. The backlog.
    let backlog: RunResult["backlog"];
    if (o.backlog > 0) {
      // the probe's jobs started first, so that the backlog's count only its own
      const tw = performance.now();
      while ((await jobCounts(db, counter)).waiting > 0 && performance.now() - tw < o.budgetMs) await sleep(o.sampleMs);
      await counter.run("controller", () => controller.stop());
      const before = await jobCounts(db, counter);
      let backlogStop = false;
      const timer = setTimeout(() => (backlogStop = true), o.budgetMs);
      const b = await submitLoadOnThread({ baseUrl: address, clients: o.clients, jobs: o.backlog, users: users.clients, sleepSeconds: o.sleepSeconds, stop: () => backlogStop });
      clearTimeout(timer);
      const target = before.started + b.ok;
      const c0 = await snapshot();
      const r0 = await resyncTotals();
      const tb = performance.now();
      controller = newController();
      counter.run("controller", () => controller.start());
      let jc = await jobCounts(db, counter);
      while (jc.started < target && performance.now() - tb < o.budgetMs) {
        await sleep(25);
        jc = await jobCounts(db, counter);
      }
      const seconds = (performance.now() - tb) / 1000;
      const counts = countsBetween(c0, await snapshot());
      const r1 = await resyncTotals();
      const started = jc.started - before.started;
      backlog = { jobs: b.ok, activeBefore: before.active, started, seconds, jobsPerS: started / seconds, complete: jc.started >= target, controllerStatements: counts.controller };
      say(
        `backlog: ${b.ok} jobs submitted with the controller stopped and ${before.active} jobs active${b.failed ? ` (${b.failed} failed: ${b.firstFailure})` : ""}; a fresh controller started ${started} of them in ${seconds.toFixed(2)} s: ` +
          `${backlog.jobsPerS.toFixed(1)} jobs/s${backlog.complete ? "" : " (at the time budget)"}; ${counts.controller} controller statements (${(counts.controller / Math.max(1, started)).toFixed(2)} per job)` +
          `${r1.count > r0.count ? `; its resync at start (every active job read) ${((r1.seconds - r0.seconds) * 1000).toFixed(0)} ms` : ""}`,
      );
    }

    const result: RunResult = {
      controller: o.controller,
      db: o.db,
      api: apiProcess ? "process" : "inline",
      jobs: o.jobs,
      clients: o.clients,
      ramp: {
        latency: latencyStats(loaded.latencies),
        submitted: loaded.ok,
        failed: loaded.failed,
        firstFailure: loaded.firstFailure,
        submitSeconds: loaded.seconds,
        budgetHit,
        throughput: tp,
        toStartP50: percentile(toStart, 50),
        toStartP99: percentile(toStart, 99),
      },
      statements: statementsOf(rampCounts, loaded.ok, last.started, samples),
      idle,
      probes,
      backlog,
      samples,
    };
    say(
      `ramp: ${loaded.ok} submitted in ${loaded.seconds.toFixed(1)} s (p50 ${result.ramp.latency.p50.toFixed(1)} ms, p99 ${result.ramp.latency.p99.toFixed(1)} ms)${loaded.failed ? `, ${loaded.failed} failed (${loaded.firstFailure})` : ""}; ` +
        `${tp.started} started in ${tp.seconds.toFixed(1)} s: ${tp.jobsPerS.toFixed(1)} jobs/s${tp.complete ? "" : " (at the time budget)"}; ${controllerLines} controller log lines`,
    );
    return result;
  } finally {
    for (const s of stops) await s().catch((e: Error) => o.say(`  [${o.controller}] while stopping: ${e.message}`));
    await opened.close().catch((e: Error) => o.say(`  [${o.controller}] closing the database: ${e.message}`));
    await new Promise((r) => logStream.end(r));
  }
}

/** The job controller's resyncs so far in this process (its jarvice_k8s_scheduler_resync_duration_seconds): how many, how long in all. */
async function resyncTotals(): Promise<{ count: number; seconds: number }> {
  const values = (await jobMetrics.resyncSeconds.get()).values;
  const of = (name: string) => values.find((v) => v.metricName === name)?.value ?? 0;
  return { count: of("jarvice_k8s_scheduler_resync_duration_seconds_count"), seconds: of("jarvice_k8s_scheduler_resync_duration_seconds_sum") };
}
