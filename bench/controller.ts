// Job-controller benchmark (issue 12): the controller before issue 12 (kept
// in bench/controllerBaseline.ts) and the current src/jobs/controller.ts, one
// after the other in the same run, each on a fresh database, on the simulated
// cluster, with jobs submitted over HTTP by concurrent clients. For each:
// submit latency p50/p99 (while the clients submit as fast as answered, and
// paced at the peak), jobs/s from the first submission until the jobs reached
// PROCESSING STARTING, database statements per job (the API's and the
// controller's, counted at the connection pool: bench/statementCounter.ts),
// statements/s while idle, and new/baseline; then the issue's goals, met or
// MISSED. The steps of a run are in bench/controllerRun.ts.
// Run: npm run bench -- controller [--help]
import os from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { startPostgres, type PostgresServer } from "../scripts/postgres";
import { goalLines, goals, summaryTable, type RunResult, type SmallRuns } from "./controllerReport";
import { runController, type ApiPlacement, type ControllerKind, type DbKind } from "./controllerRun";

const USAGE = `npm run bench -- controller [options]
  --jobs N          jobs submitted in the ramp (default 10000); each is \`sleep N\` on one n4 pod, N longer than the run,
                    so every job stays active: at the peak, N jobs are active
  --clients N       concurrent clients, one user each (default 200), in tenants of 10 users
  --db pglite|postgres   the database (default pglite, in a temporary data directory as npm start uses one);
                    postgres: the server in DATABASE_URL, else a throwaway server (scripts/postgres.ts)
  --api process|inline   where the API runs: in a process of its own, the controller woken by NOTIFY, as the
                    Helm chart deploys it on PostgreSQL (default with --db postgres); or in the controller's
                    process, as npm start and the chart with the embedded database run it (default, and the
                    only choice, with --db pglite)
  --only baseline|new    run one controller only (default both: baseline first, then new)
  --budget S        each ramp stops after S seconds even if not every job started (default 300): the baseline
                    can be very slow at 10,000 jobs; its throughput is then what it reached, and the table says so
  --idle S          seconds of counting statements with no client traffic after the ramp (default 10; 0: skip)
  --probe N         paced submissions at the peak for the submit-latency goal, at each rate (default 1000; 0: skip)
  --probe-rate R,.. their rates, all clients together, per second, one paced load each (default 25,50,100)
  --probe-budget S  stop each paced load after S seconds (default 60)
  --backlog N       then N more jobs submitted with the controller stopped, and a fresh controller started: its
                    own jobs/s with every earlier job active (default 2000; 0: skip); the throughput goal uses it
  --resync-ms N     the controllers' periodic resync (default: each controller's own; the baseline's is 2 s)
  --start-delay-ms N   simulated pod start, bound to Running (default 50)
  --skip-tenth      skip the run of each controller on a tenth of the jobs (before its full run; no idle count, no
                    probe) that the "statements per job bounded" goal compares the full run with
  -h, --help

Scale down for a quick check: npm run bench -- controller --jobs 500 --clients 50 --idle 3 --probe 100`;

interface Args {
  jobs: number;
  clients: number;
  db: DbKind;
  api: ApiPlacement;
  only: ControllerKind[];
  budgetS: number;
  idleS: number;
  probe: number;
  probeRates: number[];
  probeBudgetS: number;
  backlog: number;
  resyncMs: number | undefined;
  startDelayMs: number;
  tenth: boolean;
}

function parse(argv: string[]): Args {
  const parsed = (() => {
    try {
      return parseArgs({
        args: argv,
        options: {
          jobs: { type: "string", default: "10000" },
          clients: { type: "string", default: "200" },
          db: { type: "string", default: "pglite" },
          api: { type: "string" },
          only: { type: "string" },
          budget: { type: "string", default: "300" },
          idle: { type: "string", default: "10" },
          probe: { type: "string", default: "1000" },
          "probe-rate": { type: "string", default: "25,50,100" },
          "probe-budget": { type: "string", default: "60" },
          backlog: { type: "string", default: "2000" },
          "resync-ms": { type: "string" },
          "start-delay-ms": { type: "string", default: "50" },
          "skip-tenth": { type: "boolean" },
          help: { type: "boolean", short: "h" },
        },
      });
    } catch (e) {
      return usageError((e as Error).message);
    }
  })();
  const values = parsed.values;
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, v: string | undefined, min = 1) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) usageError(`--${name}: expected a whole number >= ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
  if (values.db !== "pglite" && values.db !== "postgres") usageError(`--db: pglite or postgres, got ${JSON.stringify(values.db)}`);
  if (values.api !== undefined && values.api !== "process" && values.api !== "inline") usageError(`--api: process or inline, got ${JSON.stringify(values.api)}`);
  if (values.api === "process" && values.db !== "postgres") usageError("--api process needs --db postgres: PGlite is the database of one process");
  if (values.only !== undefined && values.only !== "baseline" && values.only !== "new") usageError(`--only: baseline or new, got ${JSON.stringify(values.only)}`);
  return {
    jobs: int("jobs", values.jobs),
    clients: int("clients", values.clients),
    db: values.db,
    api: values.api ?? (values.db === "postgres" ? "process" : "inline"),
    only: values.only ? [values.only] : ["baseline", "new"],
    budgetS: int("budget", values.budget),
    idleS: int("idle", values.idle, 0),
    probe: int("probe", values.probe, 0),
    probeRates: values["probe-rate"].split(",").map((v) => int("probe-rate", v.trim())),
    probeBudgetS: int("probe-budget", values["probe-budget"]),
    backlog: int("backlog", values.backlog, 0),
    resyncMs: values["resync-ms"] !== undefined ? int("resync-ms", values["resync-ms"]) : undefined,
    startDelayMs: int("start-delay-ms", values["start-delay-ms"], 0),
    tenth: !values["skip-tenth"],
  };
}

function usageError(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

const say = (line: string) => console.log(line);

async function main(): Promise<void> {
  const a = parse(process.argv.slice(2));
  const started = performance.now();
  const cpus = os.cpus();
  // every job outlives the run: the ramp, the idle count, the probe, and some slack
  const sleepSeconds = 2 * a.budgetS + a.idleS + a.probeBudgetS * a.probeRates.length + 600;
  say("Paddock job-controller benchmark: the controller before issue 12 (baseline) and the current one, each on a fresh database, in one run");
  say(`  machine: ${os.availableParallelism?.() ?? cpus.length} CPU(s) (${cpus[0]?.model.trim() ?? "unknown"}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  say(`  workload: ${a.jobs} jobs (\`sleep ${sleepSeconds}\` on one n4 pod each) submitted over HTTP (POST /jarvice/submit) by ${a.clients} clients, each sending its next when its last was answered; ramp budget ${a.budgetS} s`);
  if (a.tenth) say(`  before each controller's full run, one on a tenth of the jobs (${Math.max(1, Math.round(a.jobs / 10))}) for its statements per job at two scales`);
  say(`  then ${a.idleS} s idle (statements counted, no clients), then ${a.probe} paced submissions at each of ${a.probeRates.join(", ")}/s (budget ${a.probeBudgetS} s each) with the ramp's jobs active`);
  if (a.backlog > 0) say(`  then ${a.backlog} jobs submitted with the controller stopped, and a fresh controller started: its own jobs/s with every earlier job active`);
  say(
    a.api === "process"
      ? "  Paddock as the Helm chart deploys it on PostgreSQL: the API in a process of its own (request log at info into a file), the job controller in this process (with the simulated cluster) woken by the database's NOTIFY; the clients on a thread of this process"
      : "  Paddock in this process as npm start runs it (API on a port, request log at info into a file, the simulated cluster, one job controller); the clients on a thread of this process",
  );

  let server: PostgresServer | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (a.db === "postgres" && !serverUrl) {
    server = await startPostgres({ log: (l) => say(`  ${l}`), onCreated: (stop) => process.once("exit", stop) });
    serverUrl = server.url;
    say(`  database: throwaway PostgreSQL ${server.version} (fsync off, as the test suite runs it), a new database per run`);
  } else if (a.db === "postgres") {
    say(`  database: PostgreSQL from DATABASE_URL (${new URL(serverUrl!).host}), a new database per run`);
  } else {
    say("  database: PGlite in a new temporary data directory per run");
  }
  process.once("SIGINT", () => {
    server?.stop();
    process.exit(130);
  });

  const results: Partial<Record<ControllerKind, RunResult>> = {};
  const small: SmallRuns = {};
  const tenth = Math.max(1, Math.round(a.jobs / 10));
  try {
    for (const kind of a.only) {
      const run = (jobs: number, full: boolean) =>
        runController({
          controller: kind,
          db: a.db,
          api: a.api,
          serverUrl,
          jobs,
          clients: a.clients,
          budgetMs: a.budgetS * 1000,
          idleMs: full ? a.idleS * 1000 : 0,
          probeJobs: full ? a.probe : 0,
          probeRates: a.probeRates,
          probeBudgetMs: a.probeBudgetS * 1000,
          backlog: full ? a.backlog : 0,
          sleepSeconds,
          startDelayMs: a.startDelayMs,
          tickMs: 100,
          sampleMs: 500,
          progressMs: 5000,
          resyncMs: a.resyncMs,
          say,
        });
      const title = kind === "baseline" ? "Baseline: the controller before issue 12 (bench/controllerBaseline.ts)" : "New: src/jobs/controller.ts";
      if (a.tenth && tenth < a.jobs) {
        say(`\n${title}, on a tenth of the jobs (${tenth})`);
        small[kind] = await run(tenth, false);
      }
      say(`\n${title}${a.tenth && tenth < a.jobs ? `, on all ${a.jobs} jobs` : ""}`);
      results[kind] = await run(a.jobs, true);
    }
  } finally {
    server?.stop();
  }

  say(`\nSummary (Markdown; ${a.db}, ${a.jobs} jobs, ${a.clients} clients; one run of each)\n`);
  say(summaryTable(results.baseline, results.new, small));
  say("\nGoals (issue 12):");
  for (const l of goalLines(goals(results.baseline, results.new, small))) say(l);
  say(
    "\nNotes: submit latency is the HTTP round trip seen by the clients; in the ramp each client sends its next submission when its last is answered, " +
      "so latency is about clients / submissions per second there (Little's law); the paced figures are at a rate the server can take, with every ramp job active. " +
      "jobs/s counts from the first submission until the last job was seen in PROCESSING STARTING (polled every 0.5 s). Statements are counted at the connection pool " +
      "(BEGIN and COMMIT included), the API's per submitted job and the controller's per started job; the observer's polls are not counted.",
  );
  say(`\ntotal time ${((performance.now() - started) / 1000).toFixed(0)} s; load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} (noisy when above the CPU count)`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
