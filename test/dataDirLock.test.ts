// Two processes on one embedded data directory: the second must not start (it
// would lose the first's acknowledged writes); it exits at once, naming the
// directory and the holder. Paddock is started as `npm start` runs it (tsx on
// src/main.ts; node --import tsx, so that the child's pid is Paddock's own).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");

interface Proc {
  child: ChildProcess;
  output: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const started: Proc[] = [];
const dirs: string[] = [];

function startPaddock(dataDir: string): Proc {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    // PADDOCK_PORT=0: a free port, printed; DATABASE_URL unset: the embedded database
    env: { ...process.env, DATABASE_URL: undefined, PADDOCK_DATA_DIR: dataDir, PADDOCK_PORT: "0", PADDOCK_HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => {
    out += d.toString();
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const p = { child, output: () => out, stderr: () => err, exited };
  started.push(p);
  return p;
}

async function listening(p: Proc): Promise<{ base: string; auth: string | undefined }> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const m = /API listening on (http:\/\/\S+) /.exec(p.output());
    if (m) {
      await new Promise((r) => setTimeout(r, 200)); // the credentials follow the address
      const c = /username: (\S+)\n\s+password: \S+\n\s+apikey:\s+(\S+)/.exec(p.output());
      return { base: m[1]!, auth: c ? `Basic ${Buffer.from(`${c[1]}:${c[2]}`).toString("base64")}` : undefined };
    }
    if (p.child.exitCode !== null || Date.now() > deadline) throw new Error(`paddock did not start (exit ${p.child.exitCode}):\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(p: Proc): Promise<number | null> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGTERM");
  return p.exited;
}

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "paddock-lockdir-"));
  dirs.push(d);
  return d;
}

afterAll(async () => {
  for (const p of started) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  }
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe("one process per embedded data directory", () => {
  it("refuses a second process on the same directory, keeps the first serving, and lets a new one in after it stopped", async () => {
    const dir = path.join(tempDir(), "data");
    const first = startPaddock(dir);
    const a = await listening(first);
    expect(a.auth).toBeDefined();
    const created = await fetch(`${a.base}/api/users`, {
      method: "POST",
      headers: { authorization: a.auth!, "content-type": "application/json" },
      body: JSON.stringify({ username: "alice" }),
    });
    expect(created.status).toBe(201);

    const second = startPaddock(dir);
    const code = await Promise.race([second.exited, new Promise<"running">((r) => setTimeout(() => r("running"), 60_000))]);
    expect(code, `the second process kept running:\n${second.output()}`).not.toBe("running");
    expect(code).not.toBe(0);
    expect(second.output()).not.toMatch(/listening/);
    expect(second.stderr()).toContain(`data directory ${dir} is in use by another Paddock process`);
    expect(second.stderr()).toContain(`pid ${first.child.pid} on host ${os.hostname()}`);

    // the first one still serves, and its data is intact
    const me = await fetch(`${a.base}/api/users/alice`, { headers: { authorization: a.auth! } });
    expect(me.status).toBe(200);

    expect(await stop(first)).toBe(0);
    expect(fs.existsSync(path.join(dir, "paddock.lock"))).toBe(false);

    // the directory is free again: a new process opens it and sees what the first one wrote
    const third = startPaddock(dir);
    const c = await listening(third);
    expect(c.auth).toBeUndefined(); // the administrator exists already
    expect(third.stderr()).not.toMatch(/took over/);
    const auth = a.auth!;
    const alice = await fetch(`${c.base}/api/users/alice`, { headers: { authorization: auth } });
    expect(alice.status).toBe(200);
    expect(await stop(third)).toBe(0);
  }, 240_000);

  it("takes over a lock left by a process that is gone, with a warning", async () => {
    const dir = tempDir();
    // pid 4194305 is above Linux's largest pid_max (2^22): never a live process
    fs.writeFileSync(path.join(dir, "paddock.lock"), JSON.stringify({ pid: 4194305, hostname: os.hostname(), since: "2026-12-01T10:00:00.000Z" }));
    const p = startPaddock(dir);
    await listening(p);
    expect(p.stderr()).toContain(`took over the stale lock on data directory ${dir} (pid 4194305 on host ${os.hostname()}, since 2026-12-01T10:00:00.000Z): process 4194305 is not running`);
    const lock = JSON.parse(fs.readFileSync(path.join(dir, "paddock.lock"), "utf8")) as { pid: number };
    expect(lock.pid).toBe(p.child.pid);
    expect(await stop(p)).toBe(0);
  }, 180_000);
});
