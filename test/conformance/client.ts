// Drives the public JARVICE Python client jarviceclient3, unchanged, from its
// virtual environment (built by scripts/conformance-venv.sh into a cache
// outside the work tree): its CLI `jarvice_cli` as a user types it, and its
// library through drive.py as a script calls it.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");

export const CLIENT_VERSION = "1.0.7";

/** Build the venv when missing (progress on the console), return its directory. */
export function ensureVenv(): string {
  const r = spawnSync("bash", [path.join(ROOT, "scripts/conformance-venv.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const lines = (r.stdout ?? "").trim().split("\n");
  for (const l of lines.slice(0, -1)) console.log(l);
  if (r.status !== 0) throw new Error(`scripts/conformance-venv.sh exited with ${r.status}: the JARVICE client cannot be installed\n${r.stdout}`);
  return lines[lines.length - 1]!;
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a program without blocking the event loop (Paddock's own output is read by this process). */
export function run(cmd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface Account {
  url: string;
  username: string;
  apikey: string;
}

export class JarviceClient3 {
  constructor(
    private readonly venv: string,
    private readonly who: Account,
  ) {}

  /** `jarvice_cli -username U -apikey K -apiurl URL <command> [args...]`, exactly as documented by the client. */
  cli(command: string, ...args: string[]): Promise<Ran> {
    const { url, username, apikey } = this.who;
    return run(path.join(this.venv, "bin/jarvice_cli"), ["-username", username, "-apikey", apikey, "-apiurl", url, command, ...args], {}, 90_000);
  }

  /** One call of the library's AuthenticatedClient: `client.<method>(**kwargs)`. */
  lib(method: string, kwargs: Record<string, unknown> = {}): Promise<Ran> {
    const { url, username, apikey } = this.who;
    return run(path.join(this.venv, "bin/python"), [path.join(HERE, "drive.py"), method, JSON.stringify(kwargs)], {
      JARVICE_URL: url,
      JARVICE_USERNAME: username,
      JARVICE_APIKEY: apikey,
    });
  }
}

/** What a run printed, for assertion messages. */
export function shown(r: Ran): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout.slice(0, 3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
}
