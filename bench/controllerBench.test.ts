// The job-controller benchmark's pieces at a small scale: what they compute,
// never how fast (bench/controller.ts measures that): the statement counter
// counts every statement for the right source, the percentiles and windows
// are right, the clients send what they are told to, and a whole run of each
// controller on a dozen jobs reports every job started with the API's cost per
// submission the same for both.
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect, sql } from "kysely";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgliteAsPool } from "../src/store/pglitePool";
import { countsBetween, isRead, StatementCounter, zeroCounts, type Counts } from "./statementCounter";
import { goals, latencyStats, percentile, summaryTable, tenths, throughput, type RunResult, type Sample } from "./controllerReport";
import { submitLoad } from "./submitLoad";
import { runController } from "./controllerRun";
import { startPostgres, type PostgresServer } from "../scripts/postgres";

describe("percentile", () => {
  it("is the nearest rank: the smallest value with at least p% of the values at or below it", () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 99)).toBe(40);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(latencyStats([5, 1, 9, 3])).toEqual({ count: 4, p50: 3, p99: 9, max: 9 });
  });
});

describe("the statement counter", () => {
  interface T {
    t: { x: number };
  }
  let pglite: PGlite;
  let counter: StatementCounter;
  let db: Kysely<T>;
  beforeAll(async () => {
    pglite = await PGlite.create();
    counter = new StatementCounter();
    db = new Kysely<T>({ dialect: new PostgresDialect({ pool: counter.pool(pgliteAsPool(pglite)) }) });
    await counter.run("uncounted", () => sql`create table t (x int)`.execute(db));
  });
  afterAll(async () => db?.destroy());

  it("counts every statement sent, BEGIN and COMMIT included, for the source it runs as; the observer's not at all", async () => {
    const before = counter.snapshot();
    await counter.run("api", async () => {
      await db.selectFrom("t").selectAll().execute();
      await db.selectFrom("t").select("x").where("x", "=", 1).execute();
    });
    await counter.run("controller", () =>
      db.transaction().execute(async (trx) => {
        await trx.insertInto("t").values({ x: 1 }).execute();
        await trx.insertInto("t").values({ x: 2 }).execute();
      }),
    );
    await counter.run("uncounted", () => db.selectFrom("t").selectAll().execute());
    await db.updateTable("t").set({ x: 3 }).where("x", "=", 2).execute(); // outside any source
    expect(countsBetween(before, counter.snapshot())).toEqual<Counts>({ api: 2, controller: 4, other: 1, apiWrites: 0, controllerWrites: 4, otherWrites: 1 });
    expect((await counter.run("uncounted", () => db.selectFrom("t").select("x").orderBy("x").execute())).map((r) => r.x)).toEqual([1, 3]);
  });

  it("keeps the source across timers and awaits started inside it (a controller's resync timer, its kicks)", async () => {
    const before = counter.snapshot();
    await new Promise<void>((resolve, reject) => {
      counter.run("controller", () => {
        setTimeout(() => {
          db.selectFrom("t").selectAll().execute().then(async () => {
            await new Promise((r) => setImmediate(r));
            await db.deleteFrom("t").where("x", "=", 3).execute();
            resolve();
          }, reject);
        }, 5);
      });
    });
    expect(countsBetween(before, counter.snapshot())).toEqual({ ...zeroCounts(), controller: 2, controllerWrites: 1 });
  });

  it("tells reads from writes", () => {
    expect(isRead("select 1")).toBe(true);
    expect(isRead("  SELECT * from jobs")).toBe(true);
    expect(isRead("with a as (select 1) select * from a")).toBe(true);
    expect(isRead("with a as (update jobs set x = 1 returning *) select * from a")).toBe(false);
    expect(isRead("insert into t values (1)")).toBe(false);
    expect(isRead("begin")).toBe(false);
    expect(isRead("commit")).toBe(false);
  });
});

const sample = (t: number, started: number, controller: number, active = started): Sample => ({ t, submitted: started, started, active, counts: { ...zeroCounts(), controller } });

describe("throughput and the tenths", () => {
  // 100 jobs, 10 started per second; the controller spends 2 statements per job at first and 20 at the end
  const samples = [sample(0, 0, 0), sample(500, 5, 10), sample(1000, 10, 20), sample(5000, 50, 300), sample(9000, 90, 1000), sample(9500, 95, 1100), sample(10_000, 100, 1200)];

  it("jobs/s runs from the first submission until the target was seen started", () => {
    expect(throughput(samples, 100)).toEqual({ started: 100, seconds: 10, jobsPerS: 10, complete: true });
    expect(throughput(samples, 50)).toEqual({ started: 50, seconds: 5, jobsPerS: 10, complete: true });
  });

  it("a run stopped before the target reports what it reached, as not complete", () => {
    expect(throughput(samples.slice(0, 4), 100)).toEqual({ started: 50, seconds: 5, jobsPerS: 10, complete: false });
    expect(throughput([sample(0, 0, 0)], 100)).toMatchObject({ started: 0, jobsPerS: 0, complete: false });
  });

  it("the first tenth is up to the sample where a tenth had started, the last from the last sample a tenth short of the end", () => {
    expect(tenths(samples)).toEqual({
      first: { jobs: 10, statements: 20, perJob: 2, activeAtEnd: 10 },
      last: { jobs: 10, statements: 200, perJob: 20, activeAtEnd: 100 },
    });
    expect(tenths([sample(0, 0, 0), sample(100, 9, 9)])).toBeUndefined();
  });
});

function result(over: Partial<RunResult> & Pick<RunResult, "controller">, jobsPerS: number, perJob: [number, number], idleWrites: number, p99: number): RunResult {
  const w = (perJob: number) => ({ jobs: 1000, statements: perJob * 1000, perJob, activeAtEnd: 1000 });
  return {
    db: "postgres",
    jobs: 10_000,
    clients: 200,
    ramp: { latency: latencyStats([p99]), submitted: 10_000, failed: 0, submitSeconds: 10, budgetHit: false, throughput: { started: 10_000, seconds: 10_000 / jobsPerS, jobsPerS, complete: true }, toStartP50: 1, toStartP99: 2 },
    statements: { ramp: zeroCounts(), apiPerJob: 10, controllerPerJob: perJob[1], tenths: { first: w(perJob[0]), last: w(perJob[1]) } },
    idle: { seconds: 10, counts: zeroCounts(), statementsPerS: idleWrites, writesPerS: idleWrites, active: 10_000, waiting: 0 },
    probes: [{ rate: 100, jobs: 1000, latency: latencyStats([p99]), failed: 0, activeBefore: 10_000 }],
    backlog: { jobs: 2000, activeBefore: 11_000, started: 2000, seconds: 2000 / jobsPerS, jobsPerS, complete: true, controllerStatements: 4000 },
    samples: [],
    ...over,
  };
}

describe("the goals", () => {
  // the same controller on a tenth of the jobs, at 5 controller statements per job
  const tenthOf = (controller: "baseline" | "new", perJob: number) => result({ controller, jobs: 1000 }, 100, [perJob, perJob], 0, 10);

  it("met when the new controller is 10x faster, bounded per job, silent while idle and quick to answer on PostgreSQL", () => {
    const g = goals(result({ controller: "baseline" }, 20, [3, 40], 900, 300), result({ controller: "new" }, 250, [5, 5.5], 0, 20), { baseline: tenthOf("baseline", 5), new: tenthOf("new", 5) });
    expect(g.map((x) => x.met)).toEqual([true, true, true]);
  });

  it("MISSED otherwise, and not judged when the run cannot tell", () => {
    expect(goals(result({ controller: "baseline" }, 20, [3, 40], 900, 300), result({ controller: "new" }, 150, [5, 9], 0, 80), { new: tenthOf("new", 5) }).map((x) => x.met)).toEqual([false, false, false]);
    // writes while idle break "bounded"
    expect(goals(undefined, result({ controller: "new" }, 150, [5, 5], 0.5, 20), { new: tenthOf("new", 5) })[2]!.met).toBe(false);
    // the throughput goal is judged on the backlog, at 10,000 active jobs
    const small = (r: RunResult) => ({ ...r, backlog: { ...r.backlog!, activeBefore: 900 } });
    expect(goals(small(result({ controller: "baseline" }, 20, [3, 40], 900, 300)), small(result({ controller: "new" }, 250, [5, 5.5], 0, 20)))[1]!.met).toBeUndefined();
    expect(goals(result({ controller: "baseline" }, 20, [3, 40], 900, 300), { ...result({ controller: "new" }, 250, [5, 5.5], 0, 20), backlog: undefined })[1]!.met).toBeUndefined();
    // PGlite, no baseline, fewer jobs: not judged; no run at a tenth: "bounded" not judged
    expect(goals(undefined, result({ controller: "new", db: "pglite", jobs: 500 }, 150, [5, 5], 0, 20), { new: tenthOf("new", 5) }).map((x) => x.met)).toEqual([undefined, undefined, true]);
    expect(goals(undefined, result({ controller: "new" }, 150, [5, 5], 0, 20))[2]!.met).toBeUndefined();
  });

  it("the latency goal holds only when p99 < 50 ms at every paced rate, and says up to which rate it holds", () => {
    const at = (pairs: Array<[number, number]>) => ({ ...result({ controller: "new" }, 250, [5, 5.5], 0, 20), probes: pairs.map(([rate, p99]) => ({ rate, jobs: 1000, latency: latencyStats([p99]), failed: 0, activeBefore: 10_000 })) });
    const met = goals(undefined, at([[25, 10], [50, 20], [100, 40]]))[0]!;
    expect(met.met).toBe(true);
    const missed = goals(undefined, at([[25, 10], [50, 45], [100, 400]]))[0]!;
    expect(missed.met).toBe(false);
    expect(missed.detail).toContain("p99 10.0 ms at 25/s, 45.0 ms at 50/s, 400.0 ms at 100/s");
    expect(missed.detail).toContain("holds up to 50/s");
    expect(goals(undefined, at([[25, 60]]))[0]!.detail).toContain("holds at none of these rates");
    expect(goals(undefined, at([]))[0]!.met).toBeUndefined();
  });

  it("names the CPU steal beside a paced figure, and a miss under steal stays a miss that says so", () => {
    const at = (triples: Array<[number, number, number | undefined]>) => ({
      ...result({ controller: "new" }, 250, [5, 5.5], 0, 20),
      probes: triples.map(([rate, p99, steal]) => ({ rate, jobs: 1000, latency: latencyStats([p99]), failed: 0, activeBefore: 10_000, stealPercent: steal })),
    });
    const quiet = goals(undefined, at([[25, 10, 0.2], [100, 40, undefined]]))[0]!;
    expect(quiet.met).toBe(true);
    expect(quiet.detail).toContain("p99 10.0 ms at 25/s, 40.0 ms at 100/s, with 10000 active jobs, the API in the controller's process");
    expect(goals(undefined, { ...at([[25, 10, 0]]), api: "process" })[0]!.detail).toContain("active jobs, the API in a process of its own");
    const stolen = goals(undefined, at([[25, 10, 3], [50, 90, 2], [100, 120, 24.6]]))[0]!;
    expect(stolen.met).toBe(false);
    expect(stolen.detail).toContain("p99 10.0 ms at 25/s (CPU steal 3%), 90.0 ms at 50/s (CPU steal 2%), 120.0 ms at 100/s (CPU steal 25%)");
    // only the miss at 100/s had steal of 5% or more
    expect(stolen.detail).toContain("took 5% or more of the CPU during the miss at 100/s: measure again");
    expect(goals(undefined, at([[25, 90, 1]]))[0]!.detail).not.toContain("measure again");
    const table = summaryTable(undefined, at([[100, 120, 24.6]]));
    expect(table).toContain("| submit p99 (ms), paced at 100/s at the peak | 120.0 (CPU steal 25%) |");
  });

  it("the table has a column per controller and new/baseline, and the runs at a tenth of the jobs", () => {
    const table = summaryTable(result({ controller: "baseline" }, 20, [3, 40], 900, 300), result({ controller: "new" }, 250, [5, 5.5], 0, 20), { baseline: tenthOf("baseline", 4), new: tenthOf("new", 5) });
    const row = (start: string) => table.split("\n").find((l) => l.startsWith(start));
    expect(row("| jobs/s, submission")).toBe("| jobs/s, submission to PROCESSING STARTING | 20.0 | 250.0 | 12.50 |");
    expect(row("| jobs/s, a backlog")).toBe("| jobs/s, a backlog started by a fresh controller, every earlier job active | 20.0 (2000 of 2000 in 100.0 s, 11000 active) | 250.0 (2000 of 2000 in 8.0 s, 11000 active) | 12.50 |");
    expect(row("| controller statements per started job, at a tenth")).toBe("| controller statements per started job, at a tenth of the jobs (1000) | 4.0 | 5.0 | 1.25 |");
    expect(row("| submit p99 (ms), paced at 100/s")).toBe("| submit p99 (ms), paced at 100/s at the peak | 300.0 | 20.0 | 0.07 |");
  });
});

describe("the clients", () => {
  let server: http.Server;
  let base: string;
  const bodies: Array<{ c: number; i: number }> = [];
  let healthChecks = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === "/api/health") {
        // the clients' warm-up, answered slowly: the clock must not count it
        healthChecks++;
        setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}'), 300);
        return;
      }
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        const b = JSON.parse(body) as { c: number; i: number };
        bodies.push(b);
        // every seventh submission is refused
        res.writeHead(b.i % 7 === 6 ? 400 : 200, { "content-type": "application/json" }).end(JSON.stringify({ number: b.i }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it("send each submission once, client c the numbers c, c + clients, ...; failures counted apart", async () => {
    bodies.length = 0;
    const answers: boolean[] = [];
    const r = await submitLoad({ baseUrl: base, clients: 3, jobs: 20, body: (c, i) => ({ c, i }), onAnswer: (ok) => answers.push(ok) });
    expect(bodies.map((b) => b.i).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    for (const b of bodies) expect(b.c).toBe(b.i % 3);
    expect(r.ok).toBe(18);
    expect(r.failed).toBe(2);
    expect(r.latencies).toHaveLength(18);
    expect(r.firstFailure).toMatch(/^HTTP 400: /);
    expect(answers.filter(Boolean)).toHaveLength(18);
  });

  it("the clock starts after one warm-up request, which is not counted", async () => {
    bodies.length = 0;
    healthChecks = 0;
    const r = await submitLoad({ baseUrl: base, clients: 2, jobs: 6, rate: 100, body: (c, i) => ({ c, i: i * 7 }) });
    expect(healthChecks).toBe(1);
    expect(r.ok).toBe(6);
    expect(bodies).toHaveLength(6);
    // paced at 100/s, counted from when each should have been sent: the 300 ms warm-up in any of them would show
    expect(Math.max(...r.latencies)).toBeLessThan(250);
  });

  it("paced or not, stop() ends the clients (those in flight finish)", async () => {
    bodies.length = 0;
    let n = 0;
    const r = await submitLoad({ baseUrl: base, clients: 2, jobs: 100, rate: 1000, body: (c, i) => ({ c, i }), stop: () => n >= 5, onAnswer: () => n++ });
    expect(r.ok + r.failed).toBe(bodies.length);
    expect(bodies.length).toBeGreaterThanOrEqual(5);
    expect(bodies.length).toBeLessThanOrEqual(6);
  });
});

/** A dozen jobs by four clients, every phase at a tiny scale. */
const SMALL_RUN = {
  jobs: 12,
  clients: 4,
  budgetMs: 30_000,
  idleMs: 300,
  probeJobs: 4,
  probeRates: [50],
  probeBudgetMs: 10_000,
  backlog: 5,
  sleepSeconds: 3600,
  startDelayMs: 20,
  tickMs: 20,
  sampleMs: 50,
  progressMs: 0,
};

describe("a whole run at a small scale", () => {
  it("each controller starts every job; the API's statements per submission are the same for both; the baseline writes while idle", async () => {
    const lines: string[] = [];
    const runs: RunResult[] = [];
    for (const controller of ["baseline", "new"] as const) {
      runs.push(
        await runController({
          controller,
          db: "pglite",
          ...SMALL_RUN,
          resyncMs: 50,
          say: (l) => lines.push(l),
        }),
      );
    }
    const [baseline, next] = runs as [RunResult, RunResult];
    for (const r of runs) {
      expect(r.ramp).toMatchObject({ submitted: 12, failed: 0, budgetHit: false });
      expect(r.ramp.throughput).toMatchObject({ started: 12, complete: true });
      expect(r.ramp.latency.count).toBe(12);
      expect(r.probes).toMatchObject([{ rate: 50, jobs: 4, failed: 0, activeBefore: 12 }]);
      // a fresh controller starts the 5 jobs submitted while none ran
      expect(r.backlog).toMatchObject({ jobs: 5, started: 5, complete: true, activeBefore: 16 });
      expect(r.backlog!.controllerStatements).toBeGreaterThan(0);
      // every submission costs the API the same statements, and none of the controller's is counted as the API's
      expect(r.statements.apiPerJob).toBeGreaterThan(0);
      expect(r.statements.ramp.api % 12).toBe(0);
      expect(r.statements.ramp.controller).toBeGreaterThan(0);
      expect(r.statements.ramp.other).toBe(0);
      for (let i = 1; i < r.samples.length; i++) expect(r.samples[i]!.started).toBeGreaterThanOrEqual(r.samples[i - 1]!.started);
    }
    expect(next.statements.apiPerJob).toBe(baseline.statements.apiPerJob);
    // every 50 ms a pass upserts the 12 pod rows
    expect(baseline.idle.counts.controllerWrites).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes("[baseline] ramp: 12 submitted"))).toBe(true);
  }, 90_000);
});

describe("a run with the API in a process of its own (as the chart deploys it on PostgreSQL)", () => {
  let server: PostgresServer | undefined;
  let url: string;
  beforeAll(async () => {
    if (process.env.DATABASE_URL) url = process.env.DATABASE_URL;
    else {
      server = await startPostgres({ log: () => {} });
      url = server.url;
    }
  }, 60_000);
  afterAll(() => server?.stop());

  it("every job starts, the controller woken by NOTIFY alone; the API's statements are counted in its process", async () => {
    const lines: string[] = [];
    const r = await runController({
      controller: "new",
      db: "postgres",
      api: "process",
      serverUrl: url,
      ...SMALL_RUN,
      // no resync after the first: only the API's NOTIFY can wake the controller for a new job
      resyncMs: 3_600_000,
      say: (l) => lines.push(l),
    });
    expect(r.ramp).toMatchObject({ submitted: 12, failed: 0, budgetHit: false });
    expect(r.ramp.throughput).toMatchObject({ started: 12, complete: true });
    expect(r.probes).toMatchObject([{ rate: 50, jobs: 4, failed: 0, activeBefore: 12 }]);
    expect(r.backlog).toMatchObject({ jobs: 5, started: 5, complete: true });
    // counted in the API's process: three statements per submission, as inline (the NOTIFY is the database's)
    expect(r.statements.ramp.api).toBe(12 * 3);
    expect(r.statements.ramp.controller).toBeGreaterThan(0);
    expect(r.statements.ramp.other).toBe(0);
    expect(r.idle.counts.api + r.idle.counts.controller).toBe(0);
    expect(lines.some((l) => l.includes("API in a process of its own"))).toBe(true);
  }, 120_000);
});
