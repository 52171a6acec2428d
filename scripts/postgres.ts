/**
 * Throwaway PostgreSQL server for the test orchestrator (scripts/test.ts).
 *
 * Starts a private cluster in a fresh temp dir, listening only on 127.0.0.1 at a free
 * port, with durability switched off (it is deleted afterwards anyway). A password-less
 * superuser `paddock` is created by initdb; authentication is `trust`.
 *
 * PostgreSQL refuses to run as root, so when we are root the server binaries run as the
 * `postgres` OS user (created by Debian's postgresql package) through `runuser`.
 *
 * Uses only Node built-ins plus `pg`.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export const PG_SUPERUSER = "paddock";
const PG_OS_USER = "postgres";
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_S = 10;

export class PostgresUnavailableError extends Error {}

export interface PgBinaries {
  binDir: string;
  /** e.g. "15.14" */
  version: string;
  /** e.g. 15 */
  major: number;
}

export interface PostgresServer {
  host: string;
  port: number;
  version: string;
  major: number;
  /** postgres://paddock@127.0.0.1:PORT/postgres */
  url: string;
  /** Server log file (inside the temp dir, gone after stop()). */
  logFile: string;
  /** Stop the server and delete the temp dir. Idempotent; synchronous so it also works from exit/signal handlers. */
  stop(): void;
  /**
   * Outage drills (test/dbRestart.test.ts). `restart()` is `pg_ctl restart -m fast`: a fast shutdown
   * (sessions end with 57P01 admin_shutdown) and a start on the same port and data directory.
   * `kill()` sends SIGKILL to the postmaster (its backends notice and end their sessions); `start()`
   * starts it again on the same port (crash recovery), waiting until it accepts connections.
   */
  restart(): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
}

const REQUIRED_BINARIES = ["initdb", "postgres", "pg_ctl"];

function hasServerBinaries(dir: string): boolean {
  return REQUIRED_BINARIES.every((b) => {
    try {
      fs.accessSync(path.join(dir, b), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function compareVersionDirs(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Locate PostgreSQL server binaries: $PADDOCK_PG_BINDIR, else the newest
 * /usr/lib/postgresql/<version>/bin (Debian/Ubuntu layout), else `pg_config --bindir`.
 * Throws PostgresUnavailableError (with install instructions) if none is usable.
 */
export function findPgBinaries(): PgBinaries {
  const candidates: string[] = [];
  const override = process.env.PADDOCK_PG_BINDIR;
  if (override) {
    candidates.push(override);
  } else {
    const root = "/usr/lib/postgresql";
    let versions: string[] = [];
    try {
      versions = fs.readdirSync(root).filter((v) => /^\d+(\.\d+)*$/.test(v));
    } catch {
      // not a Debian-style install
    }
    versions.sort(compareVersionDirs).reverse();
    candidates.push(...versions.map((v) => path.join(root, v, "bin")));
    const viaPgConfig = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
    if (viaPgConfig.status === 0 && viaPgConfig.stdout.trim()) candidates.push(viaPgConfig.stdout.trim());
  }

  const binDir = candidates.find(hasServerBinaries);
  if (!binDir) {
    const where = override
      ? `PADDOCK_PG_BINDIR=${override} (no initdb/postgres/pg_ctl there)`
      : "/usr/lib/postgresql/*/bin and `pg_config --bindir`";
    throw new PostgresUnavailableError(
      [
        `PostgreSQL server binaries not found (looked in ${where}).`,
        "The PostgreSQL suite is mandatory and is never skipped. Install the server with:",
        "    apt-get install -y postgresql",
        "(or point PADDOCK_PG_BINDIR at a directory containing initdb, postgres and pg_ctl).",
      ].join("\n"),
    );
  }

  const out = execFileSync(path.join(binDir, "postgres"), ["--version"], { encoding: "utf8" });
  // "postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)"
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(out);
  if (!m?.[1]) throw new PostgresUnavailableError(`cannot parse \`postgres --version\` output: ${out.trim()}`);
  const version = m[2] === undefined ? m[1] : `${m[1]}.${m[2]}`;
  return { binDir, version, major: Number(m[1]) };
}

/** Ask the kernel for a free TCP port on 127.0.0.1 by binding port 0. */
export function findFreePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      if (addr === null || typeof addr === "string") {
        srv.close();
        reject(new Error("could not determine a free port"));
        return;
      }
      const { port } = addr;
      srv.close(() => resolve(port));
    });
  });
}

interface RunAs {
  /** argv prefix that runs a command as the PostgreSQL OS user ([] when not root) */
  prefix: string[];
  uid?: number;
  gid?: number;
}

function resolveRunAs(): RunAs {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const id = (flag: string): number => {
    const r = spawnSync("id", [flag, PG_OS_USER], { encoding: "utf8" });
    if (r.status !== 0) {
      throw new PostgresUnavailableError(
        `running as root, but there is no '${PG_OS_USER}' OS user to run PostgreSQL as ` +
          "(PostgreSQL refuses to run as root). `apt-get install -y postgresql` creates it; " +
          "alternatively run the tests as a non-root user.",
      );
    }
    return Number(r.stdout.trim());
  };
  const uid = id("-u");
  const gid = id("-g");
  if (spawnSync("runuser", ["--version"], { stdio: "ignore" }).error) {
    throw new PostgresUnavailableError("running as root but `runuser` (util-linux) is not available");
  }
  return { prefix: ["runuser", "-u", PG_OS_USER, "--"], uid, gid };
}

function argv(runAs: RunAs, cmd: string, args: string[]): [string, string[]] {
  const full = [...runAs.prefix, cmd, ...args];
  return [full[0] as string, full.slice(1)];
}

/** Run a command asynchronously, collecting stdout+stderr. */
function runCollect(
  cmd: string,
  args: string[],
  cwd: string,
  onSpawn: (c: ChildProcess) => void,
): Promise<{ code: number | null; status: string; output: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
    onSpawn(c);
    let output = "";
    c.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    c.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    c.on("error", (err) => resolve({ code: null, status: err.message, output }));
    c.on("close", (code, signal) => resolve({ code, status: signal ? `signal ${signal}` : `exit code ${code}`, output }));
  });
}

const TMP_PREFIX = "paddock-pg-";
const OWNER_FILE = "paddock-owner.pid";

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // already gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A run killed with SIGKILL cannot clean up after itself. Next time, stop the servers and remove the
 * temp dirs of runs whose owner process no longer exists (only dirs carrying our owner marker, and
 * only a postmaster whose command line names that very data dir).
 */
function sweepStale(base: string, log: (line: string) => void): void {
  let names: string[];
  try {
    names = fs.readdirSync(base).filter((n) => n.startsWith(TMP_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = path.join(base, name);
    let owner: number;
    try {
      const [pid, host] = fs.readFileSync(path.join(dir, OWNER_FILE), "utf8").trim().split(" ");
      // another host/container sharing this directory: its PIDs mean nothing here, leave it alone
      if (host !== os.hostname()) continue;
      owner = Number(pid);
    } catch {
      continue;
    }
    if (!(owner > 0) || isAlive(owner)) continue;
    const dataDir = path.join(dir, "data");
    try {
      const pid = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (pid > 0 && cmdline.includes(dataDir)) process.kill(pid, "SIGQUIT"); // immediate shutdown
    } catch {
      // no server running there
    }
    fs.rmSync(dir, { recursive: true, force: true });
    log(`postgres: removed ${dir} left behind by a killed run (pid ${owner})`);
  }
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  // A refused connection can also surface as an 'error' event; swallow it.
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface StartOptions {
  /** progress output (defaults to console.log) */
  log?: (line: string) => void;
  /** called with the (idempotent) stop function as soon as the temp dir exists, before anything starts */
  onCreated?: (stop: () => void) => void;
}

/**
 * initdb + start a throwaway server and wait (bounded) until it accepts connections.
 * The returned server must be stop()ped; stop() is also safe to call from signal handlers.
 */
export async function startPostgres(opts: StartOptions = {}): Promise<PostgresServer> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const bins = findPgBinaries();
  const runAs = resolveRunAs();
  const bin = (name: string) => path.join(bins.binDir, name);

  const base = process.env.PADDOCK_PG_TMPDIR ?? os.tmpdir();
  sweepStale(base, log);
  const tmp = fs.mkdtempSync(path.join(base, TMP_PREFIX));
  fs.writeFileSync(path.join(tmp, OWNER_FILE), `${process.pid} ${os.hostname()}\n`);
  const dataDir = path.join(tmp, "data");
  const sockDir = path.join(tmp, "sock");
  const logFile = path.join(tmp, "server.log");
  fs.mkdirSync(sockDir);
  fs.writeFileSync(logFile, "");
  if (runAs.uid !== undefined && runAs.gid !== undefined) {
    for (const p of [tmp, sockDir, logFile]) fs.chownSync(p, runAs.uid, runAs.gid);
  }

  let child: ChildProcess | undefined;
  let initChild: ChildProcess | undefined;
  let childExited = false;
  let stopped = false;

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    // initdb (runuser -> initdb -> postgres --single) runs in its own process group: kill all of it
    if (initChild?.pid !== undefined) killGroup(initChild.pid);
    if (child && !childExited) {
      const [cmd, args] = argv(runAs, bin("pg_ctl"), ["stop", "-D", dataDir, "-m", "immediate", "-w", "-t", String(STOP_TIMEOUT_S)]);
      const r = spawnSync(cmd, args, { cwd: tmp, stdio: "ignore", timeout: (STOP_TIMEOUT_S + 5) * 1000 });
      if (r.status !== 0) {
        // pg_ctl failed: kill the postmaster directly (its PID is line 1 of postmaster.pid).
        try {
          const pid = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
          if (pid > 0) process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      if (child.pid !== undefined) killGroup(child.pid);
    }
    // retries: a just-killed process may still be releasing files in there
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  };

  const postmasterPid = (): number | undefined => {
    try {
      const pid = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
      return pid > 0 && isAlive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  };

  const pgCtlStop = (mode: "fast" | "immediate"): void => {
    const [cmd, args] = argv(runAs, bin("pg_ctl"), ["stop", "-D", dataDir, "-m", mode, "-w", "-t", String(STOP_TIMEOUT_S)]);
    const r = spawnSync(cmd, args, { cwd: tmp, encoding: "utf8", timeout: (STOP_TIMEOUT_S + 5) * 1000 });
    if (r.status !== 0) throw new Error(`pg_ctl stop -m ${mode} failed: ${r.stderr || r.stdout}`);
    log(`postgres: stopped (-m ${mode})`);
  };

  /** Spawn the postmaster on `port` and wait (bounded) until it accepts connections or exits. */
  const launch = async (port: number, url: string): Promise<{ ready: boolean; exited: boolean; exitInfo: string }> => {
    const logFd = fs.openSync(logFile, "a");
    const [scmd, sargs] = argv(runAs, bin("postgres"), [
      "-D", dataDir,
      "-p", String(port),
      "-c", "listen_addresses=127.0.0.1",
      "-c", `unix_socket_directories=${sockDir}`,
      "-c", "fsync=off",
      "-c", "synchronous_commit=off",
      "-c", "full_page_writes=off",
      "-c", "max_connections=200",
    ]);
    childExited = false;
    // Own process group: a Ctrl-C at the terminal must not shut the server down under the
    // still-running tests; we stop it ourselves (stop()).
    const proc = spawn(scmd, sargs, { cwd: tmp, stdio: ["ignore", logFd, logFd], detached: true });
    fs.closeSync(logFd);
    child = proc;
    let exited = false;
    let exitInfo = "";
    proc.on("exit", (code, signal) => {
      exited = true;
      if (child === proc) childExited = true;
      exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
    });
    proc.on("error", (err) => {
      exited = true;
      if (child === proc) childExited = true;
      exitInfo = err.message;
    });

    log(`postgres: starting on 127.0.0.1:${port} (pid ${proc.pid ?? "?"}), waiting up to ${READY_TIMEOUT_MS / 1000}s for connections`);
    const start = Date.now();
    let lastProgress = start;
    while (!exited && Date.now() - start < READY_TIMEOUT_MS) {
      if (await canConnect(url)) {
        log(`postgres: ready on 127.0.0.1:${port} after ${((Date.now() - start) / 1000).toFixed(1)}s`);
        return { ready: true, exited: false, exitInfo };
      }
      if (Date.now() - lastProgress >= 2_000) {
        lastProgress = Date.now();
        log(`postgres: still waiting for 127.0.0.1:${port} (${Math.round((Date.now() - start) / 1000)}s)`);
      }
      await sleep(200);
    }
    if (exited) await sleep(50);
    return { ready: false, exited, exitInfo };
  };

  /** Start again on the same port; after a SIGKILL the old backends may still hold shared memory for a moment. */
  const startAgain = async (port: number, url: string): Promise<void> => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const r = await launch(port, url);
      if (r.ready) return;
      if (!r.exited || Date.now() > deadline) {
        throw new Error(`postgres did not start again on port ${port} (${r.exitInfo || "timeout"}); server log:\n${tail(logFile)}`);
      }
      await sleep(200);
    }
  };

  opts.onCreated?.(stop);

  try {
    // initdb: superuser `paddock`, trust auth (no password), deterministic locale.
    const t0 = Date.now();
    const [icmd, iargs] = argv(runAs, bin("initdb"), [
      "-D", dataDir,
      "-U", PG_SUPERUSER,
      "--auth=trust",
      "--encoding=UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    // Asynchronous on purpose: a blocked event loop could not react to SIGINT/SIGTERM (and tsx
    // SIGKILLs a child that does not acknowledge a signal within ~60 ms, skipping all cleanup).
    const init = await runCollect(icmd, iargs, tmp, (c) => (initChild = c));
    initChild = undefined;
    if (init.code !== 0) throw new Error(`initdb failed (${init.status}):\n${init.output}`);
    log(`postgres: initdb (PostgreSQL ${bins.version}, ${bins.binDir}) in ${tmp} ok (${((Date.now() - t0) / 1000).toFixed(1)}s)`);

    // Start. Port found by binding port 0; if somebody grabs it in between, retry with a new one.
    for (let attempt = 1; ; attempt++) {
      const port = await findFreePort();
      const url = `postgres://${PG_SUPERUSER}@127.0.0.1:${port}/postgres`;
      const r = await launch(port, url);
      if (r.ready) {
        const server: PostgresServer = {
          host: "127.0.0.1", port, version: bins.version, major: bins.major, url, logFile, stop,
          restart: async () => {
            pgCtlStop("fast");
            await startAgain(port, url);
          },
          kill: async () => {
            const pid = postmasterPid();
            if (pid === undefined) throw new Error("postgres: no postmaster to kill");
            process.kill(pid, "SIGKILL");
            // the postmaster is gone once the process is: its backends follow on their own
            while (isAlive(pid)) await sleep(20);
            log(`postgres: postmaster ${pid} killed (SIGKILL)`);
          },
          start: () => startAgain(port, url),
        };
        return server;
      }
      if (r.exited) {
        const logText = tail(logFile);
        if (attempt < 3 && /could not (bind|create listen socket)|Address already in use/i.test(logText)) {
          log(`postgres: port ${port} was taken meanwhile, retrying with another one`);
          continue;
        }
        throw new Error(`postgres exited during startup (${r.exitInfo}); server log:\n${logText}`);
      }
      throw new Error(`postgres did not accept connections within ${READY_TIMEOUT_MS / 1000}s; server log:\n${tail(logFile)}`);
    }
  } catch (err) {
    stop();
    throw err;
  }
}
