// One process per embedded data directory. Two PGlite instances on one directory
// each believe they own it, and the second silently loses the first's acknowledged
// writes; so the directory is locked: `<dir>/paddock.lock` holds the owner's pid,
// host name and start time, is created atomically (link(2) of a complete file, which
// fails if the lock exists), renewed (mtime) every HEARTBEAT_MS while held, and removed
// on close and on exit. A second opener gets DataDirLockedError naming the holder.
//
// A lock left by a process that died (SIGKILL, a crash, a power cut) is taken over with a
// warning: on this host when its pid is not alive (or is our own pid: a restarted
// container), from another host (a pod rescheduled with the volume) when it has not been
// renewed for STALE_AFTER_MS.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const LOCK_FILE = "paddock.lock";
export const HEARTBEAT_MS = 10_000;
export const STALE_AFTER_MS = 60_000;

export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO time the holder took the lock */
  since: string;
}

export interface LockProbe {
  /** who we are */
  self: { pid: number; hostname: string };
  /** now minus the lock file's last renewal */
  ageMs: number;
  /** whether a pid on this host is a live process */
  isAlive: (pid: number) => boolean;
}

export type LockVerdict = { state: "held"; reason: string } | { state: "stale"; reason: string };

/** Decide whether an existing lock is still held or may be taken over (pure: the probe brings the facts). */
export function judgeLock(holder: LockHolder, probe: LockProbe): LockVerdict {
  if (holder.hostname === probe.self.hostname) {
    if (holder.pid === probe.self.pid) return { state: "stale", reason: `its pid ${holder.pid} is this process's own (left by an earlier run of a restarted container)` };
    if (!probe.isAlive(holder.pid)) return { state: "stale", reason: `process ${holder.pid} is not running` };
    return { state: "held", reason: `process ${holder.pid} is running` };
  }
  // Another host's pids cannot be checked from here: the holder renews the file while it lives.
  if (probe.ageMs > STALE_AFTER_MS) return { state: "stale", reason: `host ${holder.hostname} has not renewed it for ${Math.round(probe.ageMs / 1000)} s` };
  return { state: "held", reason: `host ${holder.hostname} renewed it ${Math.round(probe.ageMs / 1000)} s ago (taken over after ${STALE_AFTER_MS / 1000} s without renewal)` };
}

/** Parse a lock file's content; undefined if it is not one of ours. */
export function parseLockHolder(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (Number.isInteger(v.pid) && (v.pid as number) > 0 && typeof v.hostname === "string" && typeof v.since === "string") {
      return { pid: v.pid as number, hostname: v.hostname, since: v.since };
    }
  } catch {
    // not JSON
  }
  return undefined;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder | undefined,
    detail: string,
  ) {
    super(
      holder
        ? `data directory ${dir} is in use by another Paddock process: pid ${holder.pid} on host ${holder.hostname}, since ${holder.since} (${detail}). ` +
            `Stop that process first; only one process may open an embedded database. Lock file: ${path.join(dir, LOCK_FILE)}`
        : `data directory ${dir} has a lock file that cannot be read (${detail}): ${path.join(dir, LOCK_FILE)}. ` +
            "If no Paddock process uses this directory, remove the file and start again.",
    );
    this.name = "DataDirLockedError";
  }
}

export interface DataDirLock {
  file: string;
  holder: LockHolder;
  /** Remove the lock (idempotent); only if it is still ours. */
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(file: string): { holder: LockHolder | undefined; text: string; ageMs: number } | undefined {
  try {
    const text = fs.readFileSync(file, "utf8");
    const ageMs = Date.now() - fs.statSync(file).mtimeMs;
    return { holder: parseLockHolder(text), text, ageMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/**
 * Take the lock on `dir` (created if missing) or throw DataDirLockedError. `onLost` is called if the
 * lock file stops being ours while we hold it (removed, or taken over by another host after we did
 * not renew it): the caller must stop writing.
 */
export function lockDataDir(dirArg: string, opts: { warn?: (msg: string) => void; onLost?: (msg: string) => void } = {}): DataDirLock {
  const warn = opts.warn ?? ((m: string) => console.warn(`paddock: warning: ${m}`));
  const dir = path.resolve(dirArg);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const self = { pid: process.pid, hostname: os.hostname() };
  const holder: LockHolder = { ...self, since: new Date().toISOString() };
  const content = `${JSON.stringify(holder)}\n`;

  for (let attempt = 0; ; attempt++) {
    // A complete file linked into place: the lock never exists half-written.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, content);
    try {
      fs.linkSync(tmp, file);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    const found = readHolder(file);
    if (!found) continue; // released meanwhile: try again
    if (!found.holder) throw new DataDirLockedError(dir, undefined, "not a Paddock lock");
    const verdict = judgeLock(found.holder, { self, ageMs: found.ageMs, isAlive });
    if (verdict.state === "held" || attempt >= 3) throw new DataDirLockedError(dir, found.holder, verdict.reason);
    // Take the stale lock over: move it aside (atomic), and check that what moved is what we judged
    // (another starter may have taken it over in between: then put theirs back and look again).
    const aside = `${file}.stale.${process.pid}`;
    try {
      fs.renameSync(file, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw e;
    }
    if (fs.readFileSync(aside, "utf8") !== found.text) {
      fs.renameSync(aside, file);
      continue;
    }
    fs.rmSync(aside, { force: true });
    warn(`took over the stale lock on data directory ${dir} (pid ${found.holder.pid} on host ${found.holder.hostname}, since ${found.holder.since}): ${verdict.reason}`);
  }

  const ours = () => {
    try {
      return fs.readFileSync(file, "utf8") === content;
    } catch {
      return false;
    }
  };
  let released = false;
  const heartbeat = setInterval(() => {
    if (!ours()) {
      clearInterval(heartbeat);
      opts.onLost?.(`the lock on data directory ${dir} is no longer this process's (${file} removed or taken over)`);
      return;
    }
    try {
      const now = new Date();
      fs.utimesSync(file, now, now);
    } catch (e) {
      warn(`could not renew the lock ${file}: ${(e as Error).message}`);
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    process.removeListener("exit", release);
    if (ours()) fs.rmSync(file, { force: true });
  };
  // exit() after a fatal error or a signal handler still removes it (SIGKILL cannot: see above)
  process.on("exit", release);
  return { file, holder, release };
}
