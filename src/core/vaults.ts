// What a vault is, as the pure core sees it.

/** Zone id meaning "unzoned" at the API and in payer metadata. */
export const UNZONED = -1;

export type VaultKind = "ephemeral" | "pvc" | "nfs";
export const VAULT_KINDS: readonly VaultKind[] = ["ephemeral", "pvc", "nfs"];

export const ACCESS_MODES = ["ReadWriteOnce", "ReadOnlyOnce", "ReadWriteMany", "ReadOnlyMany", "ReadWriteOncePod"] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

export interface Vault {
  id: number;
  ownerId: number;
  name: string;
  kind: VaultKind;
  /** null when unzoned */
  zoneId: number | null;
  /** one of the account's default vaults (created with the account) */
  isDefault: boolean;
  storageClass: string | null;
  volumeName: string | null;
  accessModes: AccessMode[];
  sizeGb: number | null;
  subpath: string | null;
  nfsServer: string | null;
  nfsPath: string | null;
}

/** A vault as one user holds it: owned, or shared with them by its owner. */
export interface HeldVault {
  vault: Vault;
  /** owner's user name when the vault is shared with (not owned by) the user */
  sharedBy?: string;
}

/** Largest zone id (and vault size): the database's integer columns. */
export const INT_MAX = 2_147_483_647;

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * A zone id as given at the API, in payer metadata, settings or a DAL hook's
 * output: a JSON integer or a string of plain decimal digits, 0 to 2^31-1, or
 * -1 (unzoned) where `unzonedAllowed`. Anything else is refused here, before
 * it can reach an integer column.
 */
export function parseZoneId(raw: unknown, unzonedAllowed = true): Parsed<number> {
  const expected = unzonedAllowed ? "an integer zone id, or -1 for unzoned" : "an integer zone id";
  const n = typeof raw === "number" ? raw : typeof raw === "string" && /^\s*[+-]?\d{1,12}\s*$/.test(raw) ? Number(raw) : NaN;
  const shown = typeof raw === "string" ? `'${raw.slice(0, 40)}'` : typeof raw === "number" ? String(raw) : typeof raw;
  if (!Number.isInteger(n)) return { ok: false, problem: `must be ${expected}, got ${shown}` };
  if (n === UNZONED && unzonedAllowed) return { ok: true, value: UNZONED };
  if (n < 0 || n > INT_MAX) return { ok: false, problem: `must be ${expected}; zone ids run from 0 to ${INT_MAX}, got ${shown}` };
  return { ok: true, value: n === 0 ? 0 : n };
}

const VAULT_NAME = /^[A-Za-z0-9][-A-Za-z0-9_.]*$/;

/** Why `name` cannot name a vault (it reaches Kubernetes object names and hook scripts), or undefined. */
export function vaultNameProblem(name: string): string | undefined {
  if (name === "") return "must not be empty";
  if (name.length > 63 || !VAULT_NAME.test(name)) return "must be 1-63 letters, digits, '-', '_' or '.', starting with a letter or digit";
  return undefined;
}

const PATH_MAX = 1024;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const segments = (path: string) => path.split("/");

/**
 * Why `path` cannot be a sub-path within a volume, or undefined. Like a
 * Kubernetes volumeMount subPath: relative to the volume's root, and never
 * climbing out of it through a `..` segment.
 */
export function subpathProblem(path: string): string | undefined {
  if (path.length > PATH_MAX) return `must be at most ${PATH_MAX} characters (is ${path.length})`;
  if (CONTROL.test(path)) return "must not contain control characters";
  if (path.startsWith("/")) return `must be relative to the volume's root (no leading '/'), got '${path.slice(0, 80)}'`;
  if (path.includes("\\")) return "must not contain '\\'";
  if (segments(path).includes("..")) return `must not contain a '..' segment, got '${path.slice(0, 80)}'`;
  return undefined;
}

/** Why `path` cannot be an NFS export path (absolute, no `..` segment), or undefined. */
export function nfsPathProblem(path: string): string | undefined {
  if (path.length > PATH_MAX) return `must be at most ${PATH_MAX} characters (is ${path.length})`;
  if (CONTROL.test(path)) return "must not contain control characters";
  if (!path.startsWith("/")) return `must be an absolute export path, got '${path.slice(0, 80)}'`;
  if (segments(path).includes("..")) return `must not contain a '..' segment, got '${path.slice(0, 80)}'`;
  return undefined;
}

const DNS_LABEL = /^[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\]?$/;

/** Why `server` is neither a host name nor an IP address, or undefined. */
export function nfsServerProblem(server: string): string | undefined {
  const ok =
    IPV4.test(server) ||
    (IPV6.test(server) && server.length <= 47) ||
    (server.length <= 253 && !/^[\d.]+$/.test(server) && server.replace(/\.$/, "").split(".").every((l) => DNS_LABEL.test(l)));
  return ok ? undefined : `must be a host name or an IP address, got '${server.slice(0, 80)}'`;
}
