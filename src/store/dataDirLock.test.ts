import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DataDirLockedError, judgeLock, lockDataDir, LOCK_FILE, parseLockHolder, STALE_AFTER_MS, type LockProbe } from "./dataDirLock";

const self = { pid: 100, hostname: "here" };
const probe = (over: Partial<LockProbe> = {}): LockProbe => ({ self, ageMs: 0, isAlive: () => true, ...over });
const holder = (pid: number, hostname = "here") => ({ pid, hostname, since: "2026-12-01T12:00:00.000Z" });

describe("judgeLock", () => {
  it.each([
    ["a live process on this host", holder(7), probe(), "held"],
    ["a dead process on this host", holder(7), probe({ isAlive: () => false }), "stale"],
    ["our own pid (a restarted container)", holder(100), probe(), "stale"],
    ["another host that renewed it recently", holder(7, "there"), probe({ ageMs: STALE_AFTER_MS - 1 }), "held"],
    ["another host that stopped renewing it", holder(7, "there"), probe({ ageMs: STALE_AFTER_MS + 1 }), "stale"],
    // an old but live lock on this host is still held: a busy process may miss a heartbeat
    ["a live process on this host that missed renewals", holder(7), probe({ ageMs: 10 * STALE_AFTER_MS }), "held"],
  ])("%s: %s", (_name, h, p, state) => {
    expect(judgeLock(h, p).state).toBe(state);
  });

  it("does not check another host's pid against this host's processes", () => {
    expect(judgeLock(holder(7, "there"), probe({ isAlive: () => false })).state).toBe("held");
  });
});

describe("parseLockHolder", () => {
  it("reads a lock file and refuses anything else", () => {
    expect(parseLockHolder('{"pid":12,"hostname":"h","since":"t"}\n')).toEqual({ pid: 12, hostname: "h", since: "t" });
    expect(parseLockHolder("")).toBeUndefined();
    expect(parseLockHolder('{"pid":-1,"hostname":"h","since":"t"}')).toBeUndefined();
    expect(parseLockHolder("12")).toBeUndefined();
  });
});

describe("lockDataDir", () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "paddock-lock-"));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it("takes the lock, refuses a second taker naming the holder, and releases it", () => {
    const dir = tempDir();
    const lock = lockDataDir(dir);
    expect(parseLockHolder(fs.readFileSync(path.join(dir, LOCK_FILE), "utf8"))).toMatchObject({ pid: process.pid, hostname: os.hostname() });
    // another holder on this host, alive (our parent), as a second process would see it
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, hostname: os.hostname(), since: "2026-12-01T12:00:00.000Z" }));
    const e = (() => {
      try {
        lockDataDir(dir);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(DataDirLockedError);
    expect((e as Error).message).toContain(dir);
    expect((e as Error).message).toContain(`pid ${process.ppid} on host ${os.hostname()}, since 2026-12-01T12:00:00.000Z`);
    // not ours any more: release leaves the other holder's file alone
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(true);
  });

  it("takes over a lock whose process is gone, with a warning, and removes it on release", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 1, hostname: os.hostname(), since: "2026-12-01T12:00:00.000Z" }));
    const warnings: string[] = [];
    const lock = lockDataDir(dir, { warn: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/took over the stale lock .* \(pid 4194305 on host .*\): process 4194305 is not running/);
    expect(lock.holder.pid).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("refuses a lock file it cannot read instead of guessing", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, LOCK_FILE), "garbage");
    expect(() => lockDataDir(dir)).toThrow(/cannot be read .*remove the file/);
  });
});
