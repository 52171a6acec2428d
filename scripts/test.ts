/**
 * `npm test`: runs every test suite and prints one verdict.
 *
 *   npm test                              all suites
 *   npm test -- --suite pglite            only the named suite(s) (repeatable, or comma-separated)
 *   npm test -- src/store                 extra args are passed to every vitest invocation
 *   npm test -- --suite postgres -- -t x  everything after a second `--` goes to vitest verbatim
 *   npm test -- --list                    list suites
 *
 * Suites run one after another (all of them, even after a failure), each with its own environment.
 * The last line of output is always `tests: N passed, N failed[, N skipped]` (totals across suites);
 * the exit code is non-zero if any suite failed, produced no report, or executed zero tests.
 *
 * To add a suite (browser e2e, Kubernetes, ...), append an entry to SUITES below. A suite may have a
 * `preflight` (cheap check run before anything starts, e.g. "is the binary installed") and a `setup`
 * (starts the services it needs and returns extra env, a display title and a teardown).
 *
 * Only Node built-ins plus `pg` (via ./postgres.ts) and ./vitestReport.ts.
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findPgBinaries, startPostgres } from "./postgres.js";
import { readVitestJson } from "./vitestReport.js";
import type { Counts } from "./vitestReport.js";

// ---------------------------------------------------------------------------------------------
// Suite definitions
// ---------------------------------------------------------------------------------------------

/** Environment overrides for a suite's child process; `undefined` removes the variable. */
type EnvOverrides = Record<string, string | undefined>;

interface SuiteSetup {
  /** more env for the suite's command */
  env?: EnvOverrides;
  /** replaces the suite title in the header/summary (e.g. to show the port) */
  title?: string;
  /** stop what setup started; synchronous so it can also run from signal/exit handlers */
  teardown?: () => void;
}

interface Suite {
  /** short id used by `--suite` */
  id: string;
  /** human-readable title: printed as `== suite: <title> ==` */
  title: string;
  /** argv of the test runner; the report args and extra CLI args are appended */
  command: string[];
  env: EnvOverrides;
  /** cheap check before any suite runs; return a message to fail the run */
  preflight?: () => string | undefined;
  setup?: () => Promise<SuiteSetup>;
  /** args that make the runner write a machine-readable report to `file` */
  reportArgs: (file: string) => string[];
  /** read the report written to `file`; throw if it is unusable */
  readReport: (file: string) => Counts;
  /** append the user's extra CLI args to the command (default true) */
  passthroughArgs?: boolean;
}

/** Connection settings that must not leak from the caller's shell into the tests. */
const SCRUBBED_ENV: EnvOverrides = {
  DATABASE_URL: undefined,
  PGHOST: undefined,
  PGHOSTADDR: undefined,
  PGPORT: undefined,
  PGUSER: undefined,
  PGPASSWORD: undefined,
  PGPASSFILE: undefined,
  PGDATABASE: undefined,
  PGSERVICE: undefined,
  PGSERVICEFILE: undefined,
  PGOPTIONS: undefined,
  PGSSLMODE: undefined,
};

const vitest = {
  command: ["npx", "vitest", "run"],
  reportArgs: (file: string) => ["--reporter=default", "--reporter=json", `--outputFile.json=${file}`],
  readReport: readVitestJson,
};

const SUITES: Suite[] = [
  {
    id: "pglite",
    title: "unit+integration on PGlite",
    ...vitest,
    env: { ...SCRUBBED_ENV, PADDOCK_TEST_DB: "pglite" },
  },
  {
    id: "postgres",
    title: "unit+integration on PostgreSQL",
    ...vitest,
    env: { ...SCRUBBED_ENV, PADDOCK_TEST_DB: "postgres" },
    preflight: () => {
      try {
        findPgBinaries();
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
    setup: async () => {
      const server = await startPostgres({
        log: (l) => console.log(`   ${l}`),
        // registered before the server starts, so a signal during startup still cleans up
        onCreated: (stop) => addCleanup(stop),
      });
      return {
        env: { DATABASE_URL: server.url },
        title: `unit+integration on PostgreSQL ${server.major} (${server.host}:${server.port})`,
        teardown: () => {
          server.stop();
          console.log(`   postgres: stopped ${server.host}:${server.port}, temp dir removed`);
        },
      };
    },
  },
  {
    // The public JARVICE Python client (jarviceclient3 1.0.7 from PyPI, unchanged) drives Paddock started
    // as the README starts it. Its venv (Debian's python3 -m venv) is built by scripts/conformance-venv.sh
    // into a cache outside the work tree when missing (seconds cold, instant warm).
    id: "conformance",
    title: "JARVICE client conformance (jarviceclient3 1.0.7)",
    command: ["npx", "vitest", "run", "--config", "vitest.conformance.config.ts"],
    reportArgs: vitest.reportArgs,
    readReport: vitest.readReport,
    env: { ...SCRUBBED_ENV },
    preflight: () => {
      if (!fs.existsSync("/usr/bin/python3")) return "/usr/bin/python3 is missing: the JARVICE client conformance suite needs Debian's python3 and python3-venv (apt-get update && apt-get install -y python3 python3-venv)";
      const venv = spawnSync("/usr/bin/python3", ["-c", "import venv, ensurepip"], { stdio: "ignore" });
      return venv.status === 0 ? undefined : "/usr/bin/python3 cannot create virtual environments (no venv/ensurepip): the JARVICE client conformance suite needs python3-venv (apt-get update && apt-get install -y python3-venv)";
    },
    setup: async () => {
      await new Promise<void>((resolve, reject) => {
        const build = spawn("bash", [path.resolve(path.dirname(fileURLToPath(import.meta.url)), "conformance-venv.sh")], { stdio: "inherit" });
        build.on("error", reject);
        build.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`scripts/conformance-venv.sh exited with ${code}: jarviceclient3 could not be installed from PyPI`))));
      });
      return {};
    },
  },
  {
    // Tiers 2-4 of spec/k8s-harness.md: a real kube-apiserver + etcd + kube-controller-manager with
    // KWOK as kubelet, np-guard netpolicy and helm as oracles. The binaries are built from the Go
    // module proxy into a cache outside the work tree when missing (tens of minutes cold, seconds warm).
    id: "kubernetes",
    title: "Kubernetes tier (kube-apiserver, etcd, controller-manager, KWOK, netpolicy, helm)",
    command: ["npx", "vitest", "run", "--config", "vitest.k8s.config.ts"],
    reportArgs: vitest.reportArgs,
    readReport: vitest.readReport,
    env: { ...SCRUBBED_ENV, PADDOCK_TEST_DB: "pglite" },
    setup: async () => {
      console.log("   k8s harness: checking the binary cache (scripts/k8s-harness/build.sh)");
      await new Promise<void>((resolve, reject) => {
        const build = spawn("bash", [path.resolve(path.dirname(fileURLToPath(import.meta.url)), "k8s-harness/build.sh")], { stdio: "inherit" });
        build.on("error", reject);
        build.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`scripts/k8s-harness/build.sh exited with ${code}: the Kubernetes tier cannot run`))));
      });
      return {};
    },
  },
  {
    // The portal in Debian's Chromium (playwright-core, no browser download) against Paddock started
    // as the README starts it. The portal is built first (scripts/portal-build.ts; quick when current).
    id: "e2e",
    title: "browser end-to-end (Chromium, portal)",
    command: ["npx", "vitest", "run", "--config", "vitest.e2e.config.ts"],
    reportArgs: vitest.reportArgs,
    readReport: vitest.readReport,
    env: { ...SCRUBBED_ENV, PADDOCK_E2E_BUILD: "0" },
    preflight: () => (fs.existsSync("/usr/bin/chromium") ? undefined : "/usr/bin/chromium is missing: the browser end-to-end suite needs Debian's chromium (apt-get update && apt-get install -y chromium)"),
    setup: async () => {
      await new Promise<void>((resolve, reject) => {
        const build = spawn("npx", ["tsx", path.resolve(path.dirname(fileURLToPath(import.meta.url)), "portal-build.ts")], { stdio: "inherit" });
        build.on("error", reject);
        build.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`building the portal exited with ${code}`))));
      });
      return {};
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Cleanup & signals
// ---------------------------------------------------------------------------------------------

const cleanups: (() => void)[] = [];
let currentChild: ChildProcess | undefined;

function addCleanup(fn: () => void): () => void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    const i = cleanups.indexOf(once);
    if (i >= 0) cleanups.splice(i, 1);
    try {
      fn();
    } catch (err) {
      console.error(`!! cleanup failed: ${(err as Error).message}`);
    }
  };
  cleanups.push(once);
  return once;
}

function runAllCleanups(): void {
  for (const fn of [...cleanups].reverse()) fn();
}

process.on("exit", () => runAllCleanups());

/** results of the suites finished so far, and the one in progress */
const finished: SuiteResult[] = [];
let running: { id: string; title: string } | undefined;
let interruptedBy: { sig: NodeJS.Signals; num: number } | undefined;
let selectedSuites: Suite[] = [];

/** Rows for the selected suites that never started because of an interruption (not counted as failures). */
function unstarted(results: SuiteResult[]): SuiteResult[] {
  return selectedSuites
    .filter((s) => !results.some((r) => r.id === s.id))
    .map((s) => ({ ...notRun(s, `not run: interrupted by ${interruptedBy?.sig ?? "signal"}`), ok: true }));
}

/** Exit right away (no runner active, e.g. during a suite's setup): clean up, summarize, exit. */
function exitInterrupted(sig: NodeJS.Signals, num: number): never {
  runAllCleanups();
  const results = [...finished];
  if (running) results.push({ ...notRunResult(running.id, running.title, `interrupted by ${sig}`), ran: true });
  printSummary([...results, ...unstarted(results)]);
  process.exit(128 + num);
}

for (const [sig, num] of [["SIGINT", 2], ["SIGTERM", 15], ["SIGHUP", 1]] as const) {
  process.on(sig, () => {
    if (interruptedBy) {
      console.error(`\n!! ${sig} received again: exiting now`);
      process.exit(128 + num); // the exit handler still runs the cleanups
    }
    interruptedBy = { sig, num };
    console.error(`\n!! ${sig} received: stopping tests and cleaning up`);
    const pgid = currentChild?.pid;
    if (pgid === undefined) exitInterrupted(sig, num);
    // The runner has its own process group (npx -> sh -> vitest -> workers; npx and sh do not pass
    // signals on): signal all of it. run() then waits for the group, and main() records the suite
    // as interrupted, skips the remaining suites, tears down and prints the summary.
    signalGroup(pgid, sig);
  });
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // group already gone
  }
}

async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

// If we die some other way (uncaught error), do not leave the runner behind either.
process.on("exit", () => {
  if (currentChild?.pid !== undefined) signalGroup(currentChild.pid, "SIGKILL");
});

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

function usage(): string {
  return [
    "usage: npm test -- [--suite ID[,ID]]... [--list] [vitest args...] [-- vitest args...]",
    `suites: ${SUITES.map((s) => s.id).join(", ")}`,
  ].join("\n");
}

function parseArgs(argv: string[]): { selected: Suite[]; extra: string[] } {
  const ids: string[] = [];
  const extra: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--") {
      extra.push(...argv.slice(i + 1));
      break;
    } else if (a === "--suite" || a === "--suites") {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${usage()}`);
      ids.push(...v.split(","));
    } else if (a.startsWith("--suite=") || a.startsWith("--suites=")) {
      ids.push(...a.slice(a.indexOf("=") + 1).split(","));
    } else if (a === "--list") {
      for (const s of SUITES) console.log(`${s.id.padEnd(12)} ${s.title}`);
      process.exit(0);
    } else if (a === "--help" || a === "-h") {
      console.log(usage());
      process.exit(0);
    } else {
      extra.push(a);
    }
  }
  const wanted = ids.map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((id) => !SUITES.some((s) => s.id === id));
  if (unknown.length) throw new Error(`unknown suite(s): ${unknown.join(", ")}\n${usage()}`);
  const selected = wanted.length ? SUITES.filter((s) => wanted.includes(s.id)) : SUITES;
  return { selected, extra };
}

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

interface SuiteResult extends Counts {
  id: string;
  title: string;
  ok: boolean;
  ran: boolean;
  reasons: string[];
  seconds: number;
}

function childEnv(overrides: EnvOverrides): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

function describeEnv(overrides: EnvOverrides): string {
  const set = Object.entries(overrides).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
  const unset = Object.entries(overrides).filter(([, v]) => v === undefined).map(([k]) => k);
  return `${set.join(" ")}${unset.includes("DATABASE_URL") ? " (DATABASE_URL unset)" : ""}`;
}

function run(cmd: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const [file, ...args] = cmd as [string, ...string[]];
    // detached = own process group, so that on SIGINT/SIGTERM the whole runner tree can be
    // signalled (npx/sh do not pass signals on). Output still streams live (inherited stdio).
    const child = spawn(file, args, { stdio: "inherit", env, detached: true });
    currentChild = child;
    child.on("error", (err) => {
      console.error(`!! could not start ${file}: ${err.message}`);
      currentChild = undefined;
      resolve({ code: null, signal: null }); // 'close' may not follow a failed spawn
    });
    child.on("close", (code, signal) => {
      const pgid = child.pid;
      if (interruptedBy && pgid !== undefined) {
        // give what is left of the runner's process group a few seconds, then kill it
        void waitForGroupExit(pgid, 5_000).then((gone) => {
          if (!gone) signalGroup(pgid, "SIGKILL");
          currentChild = undefined;
          resolve({ code, signal });
        });
        return;
      }
      currentChild = undefined;
      resolve({ code, signal });
    });
  });
}

function notRunResult(id: string, title: string, reason: string): SuiteResult {
  return { id, title, ok: false, ran: false, reasons: [reason], seconds: 0, passed: 0, failed: 0, skipped: 0, fileErrors: 0, failures: [] };
}

function notRun(suite: Suite, reason: string): SuiteResult {
  return notRunResult(suite.id, suite.title, reason);
}

async function runSuite(suite: Suite, extra: string[], reportDir: string): Promise<SuiteResult> {
  const t0 = Date.now();
  let title = suite.title;
  let env: EnvOverrides = { ...suite.env };
  const result: SuiteResult = { id: suite.id, title, ok: true, ran: false, reasons: [], seconds: 0, passed: 0, failed: 0, skipped: 0, fileErrors: 0, failures: [] };

  let teardown: (() => void) | undefined;
  try {
    if (suite.setup) {
      console.log(`\n-- setting up suite ${suite.id}`);
      try {
        const s = await suite.setup();
        if (s.teardown) teardown = addCleanup(s.teardown);
        env = { ...env, ...s.env };
        title = s.title ?? title;
      } catch (err) {
        console.log(`\n== suite: ${title} ==`);
        console.error(`!! setup of suite ${suite.id} failed:\n${(err as Error).message}`);
        const first = ((err as Error).message.split("\n")[0] ?? "").replace(/[;:,]?\s*server log:$/, "");
        return { ...notRun(suite, `setup failed: ${first}`), seconds: (Date.now() - t0) / 1000 };
      }
    }
    result.title = title;
    if (running) running.title = title;

    const reportFile = path.join(reportDir, `${suite.id}.json`);
    const cmd = [...suite.command, ...suite.reportArgs(reportFile), ...(suite.passthroughArgs === false ? [] : extra)];
    console.log(`\n== suite: ${title} ==`);
    console.log(`$ ${describeEnv(env)} ${cmd.join(" ")}\n`);
    const { code, signal } = await run(cmd, childEnv(env));
    result.ran = true;
    if (interruptedBy) result.reasons.push(`interrupted by ${interruptedBy.sig}`);

    if (signal) result.reasons.push(`runner killed by ${signal}`);
    else if (code === null) result.reasons.push(`runner ${cmd[0]} could not be started`);
    else if (code !== 0) result.reasons.push(`runner exited with code ${code}`);

    if (!fs.existsSync(reportFile)) {
      result.reasons.push(`no report written (${reportFile} missing)`);
    } else {
      try {
        Object.assign(result, suite.readReport(reportFile));
      } catch (err) {
        result.reasons.push(`unreadable report: ${(err as Error).message}`);
      }
    }
    if (result.failed > 0) result.reasons.push(`${result.failed} test(s) failed`);
    if (result.fileErrors > 0) result.reasons.push(`${result.fileErrors} test file(s) failed outside of tests (import error, hook, ...)`);
    if (fs.existsSync(reportFile) && result.passed + result.failed === 0) {
      result.reasons.push(`executed zero tests${result.skipped ? ` (${result.skipped} skipped)` : ""}: a suite that runs nothing counts as failed`);
    }
    result.ok = result.reasons.length === 0;
    return result;
  } finally {
    teardown?.();
    result.seconds = (Date.now() - t0) / 1000;
  }
}

/** Failures to count in the totals: failed tests + broken files, or 1 if the suite failed for another reason. */
function failureCount(r: SuiteResult): number {
  const n = r.failed + r.fileErrors;
  return !r.ok && n === 0 ? 1 : n;
}

/** how many failing tests the summary names; more are counted, not listed */
const FAILURES_LISTED = 20;

function printSummary(results: SuiteResult[]): void {
  const rows = results.map((r) => [
    r.title,
    !r.ran ? "NOT RUN" : r.ok ? "ok" : "FAILED",
    String(r.passed),
    String(failureCount(r)),
    String(r.skipped),
    `${r.seconds.toFixed(1)}s`,
  ]);
  const header = ["suite", "result", "passed", "failed", "skipped", "time"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const fmt = (row: string[]) =>
    row.map((c, i) => (i === 0 || i === 1 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ");

  console.log("\n== summary ==");
  console.log(fmt(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(fmt(row));
  for (const r of results) {
    for (const reason of r.reasons) console.log(`  ${r.ok ? "" : "!! "}${r.id}: ${reason}`);
  }
  // Name every failing test here, at the end: CI keeps only the tail of the output.
  const failures = results.flatMap((r) => r.failures.map((f) => ({ suite: r.id, ...f })));
  if (failures.length > 0) {
    console.log("\n== failing tests ==");
    for (const f of failures.slice(0, FAILURES_LISTED)) {
      console.log(`  ${f.suite}: ${f.file} > ${f.test}`);
      if (f.message) console.log(`      ${f.message}`);
    }
    if (failures.length > FAILURES_LISTED) console.log(`  ... and ${failures.length - FAILURES_LISTED} more (see each suite's output above)`);
  }

  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + failureCount(r), 0);
  const skipped = results.reduce((n, r) => n + r.skipped, 0);
  console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
}

async function main(): Promise<number> {
  // Run from the repository root regardless of the caller's cwd.
  process.chdir(path.resolve(path.dirname(fileURLToPath(import.meta.url)), ".."));

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const { selected, extra } = parsed;
  selectedSuites = selected;
  console.log(`test: suites ${selected.map((s) => s.id).join(", ")}${extra.length ? `; extra runner args: ${extra.join(" ")}` : ""}`);

  // Preflight every selected suite first: a missing prerequisite fails the run before anything starts.
  const preflightFailures = selected.flatMap((s) => {
    const msg = s.preflight?.();
    return msg ? [{ suite: s, msg }] : [];
  });
  if (preflightFailures.length) {
    for (const { suite, msg } of preflightFailures) {
      console.error(`\n!! suite ${suite.id} cannot run:\n${msg.replace(/^/gm, "!!   ")}`);
    }
    const failedIds = new Set(preflightFailures.map((f) => f.suite.id));
    printSummary(
      selected.map((s) =>
        failedIds.has(s.id)
          ? notRun(s, `preflight failed: ${preflightFailures.find((f) => f.suite.id === s.id)?.msg.split("\n")[0]}`)
          : { ...notRun(s, "not run because another suite's preflight failed"), ok: true },
      ),
    );
    return 1;
  }

  const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), "paddock-test-"));
  addCleanup(() => fs.rmSync(reportDir, { recursive: true, force: true }));

  for (const suite of selected) {
    if (interruptedBy) break;
    running = { id: suite.id, title: suite.title };
    finished.push(await runSuite(suite, extra, reportDir));
    running = undefined;
  }
  runAllCleanups();
  printSummary([...finished, ...unstarted(finished)]);
  if (interruptedBy) return 128 + interruptedBy.num;
  return finished.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    runAllCleanups();
    console.error(err);
    console.log("tests: 0 passed, 1 failed");
    process.exitCode = 1;
  },
);
