// Runs a site's custom DAL hook executable at account creation (like JARVICE's
// dal_hook_newuser.sh): the new user's name is its first argument; the vault
// setup comes in the JARVICE_* environment variables. The hook may declare the
// vaults to create by printing one JSON line per vault on stdout:
//   {"vault": {"name": "home", "kind": "nfs", "zone": 2, "nfsServer": "...", "nfsPath": "..."}}
// If it declares none, the default vaults are created. A non-zero exit, a
// time-out or a wrong declaration (src/core/vaultDeclarations.ts) fails the
// account creation with the hook's message.
import { spawn } from "node:child_process";
import { PaddockError } from "../core/errors";
import type { PlannedVault } from "../core/vaultSetup";
import { parseDeclaredVaults } from "../core/vaultDeclarations";

/** The most a hook may print on stdout (and the most of stderr kept). */
const OUTPUT_MAX = 1024 * 1024;

export interface HookResult {
  declaredVaults: PlannedVault[];
  stdout: string;
}

export async function runDalHook(executable: string, username: string, env: Record<string, string>, timeoutMs: number): Promise<HookResult> {
  const { code, signal, stdout, stderr, timedOut, spawnError } = await new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    timedOut: boolean;
    spawnError?: Error;
  }>((resolve) => {
    let out = "";
    let err = "";
    let timedOut = false;
    // Only the documented variables, plus PATH so that a shell script can run its tools.
    const child = spawn(executable, [username], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, timeoutMs);
    // Bounded: a runaway hook cannot fill the API process's memory.
    child.stdout.on("data", (d: Buffer) => {
      if (out.length < OUTPUT_MAX) out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      if (err.length < OUTPUT_MAX) err += d.toString();
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout: out, stderr: err, timedOut, spawnError: e });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: out, stderr: err, timedOut });
    });
  });

  const tail = (s: string) => s.trim().split("\n").slice(-5).join(" | ").slice(0, 500);
  if (spawnError) throw new PaddockError("failed", `DAL hook ${executable} could not run: ${spawnError.message}`);
  if (timedOut) throw new PaddockError("failed", `DAL hook ${executable} timed out after ${timeoutMs / 1000}s`);
  if (code !== 0) {
    const why = tail(stderr) || tail(stdout) || (signal ? `killed by ${signal}` : "no message");
    throw new PaddockError("failed", `DAL hook ${executable} failed (exit ${code ?? signal}): ${why}`);
  }
  if (stdout.length >= OUTPUT_MAX) throw new PaddockError("failed", `DAL hook ${executable} printed more than ${OUTPUT_MAX / 1024 / 1024} MiB`);
  // A bad declaration is the hook's fault, not the caller's: it fails like the hook.
  const declared = parseDeclaredVaults(stdout);
  if (!declared.ok) throw new PaddockError("failed", `DAL hook ${executable} ${declared.problem}`);
  return { declaredVaults: declared.vaults, stdout };
}
