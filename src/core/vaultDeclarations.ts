// The vaults a custom DAL hook declares on stdout, one JSON line per vault:
//   {"vault": {"name": "home", "kind": "nfs", "zone": 2, "nfsServer": "...", "nfsPath": "..."}}
// Other lines (chatter, JSON without "vault") are ignored. A declaration that
// is wrong in any way refuses the whole output: the hook is at fault, and the
// account is not created with half of what it meant.
import { ACCESS_MODES, INT_MAX, nfsPathProblem, nfsServerProblem, parseZoneId, subpathProblem, UNZONED, VAULT_KINDS, vaultNameProblem, type AccessMode, type VaultKind } from "./vaults";
import type { PlannedVault } from "./vaultSetup";

/** At most this many vaults per account from one hook run. */
export const DECLARED_VAULTS_MAX = 100;

export type Declarations = { ok: true; vaults: PlannedVault[] } | { ok: false; problem: string };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Why one declared vault is wrong, or the vault as planned. */
export function declaredVault(v: Record<string, unknown>): { ok: true; vault: PlannedVault } | { ok: false; problem: string } {
  const bad = (problem: string) => ({ ok: false as const, problem });
  if (typeof v.name !== "string" || v.name === "") return bad("name missing");
  const nameProblem = vaultNameProblem(v.name);
  if (nameProblem) return bad(`name '${v.name.slice(0, 80)}' ${nameProblem}`);
  const kind = v.kind ?? "nfs";
  if (typeof kind !== "string" || !VAULT_KINDS.includes(kind as VaultKind)) return bad(`kind must be one of ${VAULT_KINDS.join(", ")}`);

  const zone = v.zone === undefined || v.zone === null ? { ok: true as const, value: UNZONED } : parseZoneId(v.zone);
  if (!zone.ok) return bad(`zone ${zone.problem}`);

  for (const k of ["storageClass", "volumeName", "accessModes", "subpath", "nfsServer", "nfsPath"] as const) {
    if (v[k] !== undefined && v[k] !== null && typeof v[k] !== "string") return bad(`${k} must be a string`);
  }
  const str = (k: string): string | null => (typeof v[k] === "string" && v[k] !== "" ? (v[k] as string) : null);
  const storageClass = str("storageClass");
  const volumeName = str("volumeName");
  for (const [k, name] of [
    ["storageClass", storageClass],
    ["volumeName", volumeName],
  ] as const) {
    if (name !== null && !K8S_NAME.test(name)) return bad(`${k} must be a Kubernetes object name (lower-case letters, digits, '-', '.')`);
  }
  const modes = str("accessModes")?.split(",").filter(Boolean) ?? [];
  if (modes.some((m) => !(ACCESS_MODES as readonly string[]).includes(m))) return bad("unknown access mode");

  let sizeGb: number | null = null;
  if (v.size !== undefined && v.size !== null) {
    if (typeof v.size !== "number" || !Number.isInteger(v.size) || v.size <= 0 || v.size > INT_MAX) return bad(`size must be a whole number of GB from 1 to ${INT_MAX}, got ${JSON.stringify(v.size)}`);
    sizeGb = v.size;
  }
  const subpath = str("subpath");
  const subpathIssue = subpath !== null ? subpathProblem(subpath) : undefined;
  if (subpathIssue) return bad(`subpath ${subpathIssue}`);

  const nfsServer = str("nfsServer");
  const nfsPath = str("nfsPath");
  if (kind === "nfs") {
    if (nfsServer === null) return bad("an NFS vault needs nfsServer");
    if (nfsPath === null) return bad("an NFS vault needs nfsPath");
  }
  const serverIssue = nfsServer !== null ? nfsServerProblem(nfsServer) : undefined;
  if (serverIssue) return bad(`nfsServer ${serverIssue}`);
  const pathIssue = nfsPath !== null ? nfsPathProblem(nfsPath) : undefined;
  if (pathIssue) return bad(`nfsPath ${pathIssue}`);

  return {
    ok: true,
    vault: {
      name: v.name,
      kind: kind as VaultKind,
      zoneId: zone.value === UNZONED ? null : zone.value,
      storageClass,
      volumeName,
      accessModes: modes as AccessMode[],
      sizeGb,
      subpath,
      nfsServer,
      nfsPath,
    },
  };
}

/** The vaults declared in a hook's stdout, or the first problem (naming the line). */
export function parseDeclaredVaults(stdout: string): Declarations {
  const vaults: PlannedVault[] = [];
  const names = new Set<string>();
  for (const line of stdout.split("\n")) {
    const t = line.trim();
    if (!t.startsWith("{")) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(t);
    } catch {
      continue; // ordinary output that happens to start with a brace
    }
    if (!isObj(parsed) || parsed.vault === undefined) continue;
    const shown = t.length > 200 ? `${t.slice(0, 200)}...` : t;
    if (!isObj(parsed.vault)) return { ok: false, problem: `declared an invalid vault: "vault" must be an object in ${shown}` };
    if (vaults.length === DECLARED_VAULTS_MAX) return { ok: false, problem: `declared more than ${DECLARED_VAULTS_MAX} vaults` };
    const d = declaredVault(parsed.vault);
    if (!d.ok) return { ok: false, problem: `declared an invalid vault: ${d.problem} in ${shown}` };
    if (names.has(d.vault.name)) return { ok: false, problem: `declared vault '${d.vault.name}' twice` };
    names.add(d.vault.name);
    vaults.push(d.vault);
  }
  return { ok: true, vaults };
}
