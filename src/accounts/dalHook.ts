// Runs a site's custom DAL hook executable at account creation (like JARVICE's
// dal_hook_newuser.sh): the new user's name is its first argument; the vault
// setup comes in the JARVICE_* environment variables. The hook may declare the
// vaults to create by printing one JSON line per vault on stdout:
//   {"vault": {"name": "home", "kind": "nfs", "zone": 2, "nfsServer": "...", "nfsPath": "..."}}
// If it declares none, the default vaults are created. A non-zero exit or a
// time-out fails the account creation with the hook's message.
import { spawn } from "node:child_process";
import { PaddockError } from "../core/errors";
import { UNZONED, VAULT_KINDS, ACCESS_MODES, type AccessMode, type VaultKind } from "../core/vaults";
import type { PlannedVault } from "../core/vaultSetup";

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
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
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
  return { declaredVaults: parseDeclaredVaults(stdout), stdout };
}

// A bad declaration is the hook's fault, not the caller's: it fails like the hook.
const badDeclaration = (problem: string, line: string) => new PaddockError("failed", `DAL hook declared an invalid vault: ${problem} in ${line}`);

function parseDeclaredVaults(stdout: string): PlannedVault[] {
  const vaults: PlannedVault[] = [];
  for (const line of stdout.split("\n")) {
    const t = line.trim();
    if (!t.startsWith("{")) continue;
    let parsed: { vault?: Record<string, unknown> };
    try {
      parsed = JSON.parse(t) as typeof parsed;
    } catch {
      continue; // ordinary output that happens to start with a brace
    }
    const v = parsed.vault;
    if (!v) continue;
    const kind = (v.kind ?? "nfs") as VaultKind;
    if (typeof v.name !== "string" || v.name === "") throw badDeclaration("name missing", t);
    if (!VAULT_KINDS.includes(kind)) throw badDeclaration(`kind must be one of ${VAULT_KINDS.join(", ")}`, t);
    const zone = v.zone === undefined ? UNZONED : Number(v.zone);
    const modes = typeof v.accessModes === "string" ? v.accessModes.split(",").filter(Boolean) : [];
    if (modes.some((m) => !(ACCESS_MODES as readonly string[]).includes(m))) throw badDeclaration("unknown access mode", t);
    vaults.push({
      name: v.name,
      kind,
      zoneId: zone === UNZONED ? null : zone,
      storageClass: typeof v.storageClass === "string" ? v.storageClass : null,
      volumeName: typeof v.volumeName === "string" ? v.volumeName : null,
      accessModes: modes as AccessMode[],
      sizeGb: typeof v.size === "number" ? v.size : null,
      subpath: typeof v.subpath === "string" ? v.subpath : null,
      nfsServer: typeof v.nfsServer === "string" ? v.nfsServer : null,
      nfsPath: typeof v.nfsPath === "string" ? v.nfsPath : null,
    });
  }
  return vaults;
}
