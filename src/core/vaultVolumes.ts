// A job's vault as Kubernetes sees it, as a pure function: the pod volume, its
// mount at /data (JARVICE's mount point) and, for a persistent vault, the
// PersistentVolumeClaim to ensure before the pods. One claim per vault owner
// and vault: every job of every user the vault is shared with mounts the same
// claim, and no job deletes it (it is the user's storage, not the job's).
import { resolveSubpath, type DirectoryIdentity } from "./subpath";
import { LABEL_MANAGED_BY, MANAGED_BY } from "./podPlan";

export const VAULT_MOUNT_PATH = "/data";
/** the pod-local name of the vault's volume */
export const VAULT_VOLUME_NAME = "vault";
/** on Paddock's vault claims: what they are */
export const LABEL_COMPONENT = "app.kubernetes.io/component";
export const VAULT_COMPONENT = "vault";
export const ANNOTATION_VAULT_OWNER = "paddock.io/vault-owner";
export const ANNOTATION_VAULT_NAME = "paddock.io/vault-name";
/** a claim's size when the vault says none (GiB) */
export const DEFAULT_VAULT_SIZE_GB = 1;

/** A job's vault row, as the controller reads it. */
export interface JobVault {
  name: string;
  /** ephemeral | pvc | nfs */
  kind: string;
  /** the vault's owner (the claim is theirs: shared users mount the same one) */
  owner: string;
  storageClass: string | null;
  volumeName: string | null;
  /** stored comma-separated, or already split */
  accessModes: string | readonly string[];
  sizeGb: number | null;
  subpath: string | null;
  nfsServer: string | null;
  nfsPath: string | null;
}

export interface PodVolume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  nfs?: { server: string; path: string; readOnly?: boolean };
  emptyDir?: Record<string, never>;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
}

export interface PlannedClaim {
  apiVersion: "v1";
  kind: "PersistentVolumeClaim";
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    accessModes: string[];
    resources: { requests: { storage: string } };
    storageClassName?: string;
    volumeName?: string;
  };
}

export interface VaultMount {
  volume: PodVolume;
  mount: VolumeMount;
  /** the claim to ensure before the pods (persistent vaults) */
  claim?: PlannedClaim;
  /** the volume can be mounted on one node only (ReadWriteOnce): every pod of a multi-node job must share a node */
  oneNode: boolean;
  /** the volume can be mounted by one pod only (ReadWriteOncePod): no multi-node job can use it */
  onePod: boolean;
}

export type VaultMountResult = ({ ok: true } & VaultMount) | { ok: false; problem: string };

const DNS_MAX = 63;
/** FNV-1a (32 bits) as 8 hex digits: a short, stable suffix that keeps sanitised names apart (the core does no I/O, so no node:crypto). */
function hash8(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

/**
 * A valid DNS-1123 label (lowercase letters, digits, '-', starting and ending
 * with a letter or digit, at most 63 characters) from `prefix` and `parts`,
 * however long or odd the parts are. A short hash of the exact parts is
 * appended unless the plain join is already a valid name that no other parts
 * can produce (no part was changed, none contains the '-' that joins them,
 * and it fits), so two different inputs never share a name.
 */
export function kubeName(prefix: string, parts: readonly string[]): string {
  const clean = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/-+/g, "-")
      .replace(/^-|-$/g, "");
  const cleaned = parts.map(clean);
  const plain = [prefix, ...cleaned].filter((p) => p !== "").join("-");
  const unchanged = parts.every((p, i) => p === cleaned[i] && p !== "" && !p.includes("-"));
  if (unchanged && plain.length <= DNS_MAX) return plain;
  const suffix = hash8(JSON.stringify([prefix, ...parts]));
  const head = plain.slice(0, DNS_MAX - suffix.length - 1).replace(/-+$/, "");
  return `${head}-${suffix}`;
}

/** The claim of a persistent vault: one per owner and vault name. */
export const vaultClaimName = (owner: string, vault: string): string => kubeName("vault", [owner, vault]);

/**
 * Access modes for Kubernetes. JARVICE's `ReadOnlyOnce` is not a Kubernetes
 * mode: the claim asks for ReadWriteOnce and the mount is read-only.
 */
export function claimAccessModes(modes: readonly string[]): { modes: string[]; readOnly: boolean } {
  const readOnly = modes.length > 0 && modes.every((m) => m === "ReadOnlyOnce" || m === "ReadOnlyMany");
  const out = [...new Set(modes.map((m) => (m === "ReadOnlyOnce" ? "ReadWriteOnce" : m)))];
  return { modes: out.length > 0 ? out : ["ReadWriteOnce"], readOnly };
}

const splitModes = (m: string | readonly string[]): string[] =>
  (typeof m === "string" ? m.split(",") : [...m]).map((s) => s.trim()).filter((s) => s !== "");

/** How the access modes limit a multi-node job: none, one node for all pods, or a single pod. */
export function accessLimit(modes: string | readonly string[]): "none" | "oneNode" | "onePod" {
  const { modes: m } = claimAccessModes(splitModes(modes));
  if (m.some((x) => x.endsWith("Many"))) return "none";
  if (m.includes("ReadWriteOnce")) return "oneNode";
  if (m.includes("ReadWriteOncePod")) return "onePod";
  return "none";
}

/**
 * The volume, mount and claim of `vault` for a job of `user` (the sub-path's
 * substitutions are the user's) in `namespace`; `readonly` from the submission.
 */
export function vaultMount(vault: JobVault, user: DirectoryIdentity, opts: { readonly: boolean; namespace: string }): VaultMountResult {
  let subPath: string | undefined;
  if (vault.subpath && vault.kind !== "ephemeral") {
    const r = resolveSubpath(vault.subpath, user);
    if (!r.ok) return { ok: false, problem: r.problem };
    subPath = r.path.replace(/^\.\/?|\/+$/g, "") || undefined;
  }
  const mount = (readOnly: boolean): VolumeMount => ({
    name: VAULT_VOLUME_NAME,
    mountPath: VAULT_MOUNT_PATH,
    ...(readOnly ? { readOnly: true } : {}),
    ...(subPath ? { subPath } : {}),
  });
  if (vault.kind === "ephemeral") {
    return { ok: true, volume: { name: VAULT_VOLUME_NAME, emptyDir: {} }, mount: mount(opts.readonly), oneNode: false, onePod: false };
  }
  if (vault.kind === "nfs") {
    if (!vault.nfsServer || !vault.nfsPath) return { ok: false, problem: `NFS vault '${vault.name}' has no server or export path` };
    const ro = opts.readonly;
    return { ok: true, volume: { name: VAULT_VOLUME_NAME, nfs: { server: vault.nfsServer, path: vault.nfsPath, ...(ro ? { readOnly: true } : {}) } }, mount: mount(ro), oneNode: false, onePod: false };
  }
  if (vault.kind !== "pvc") return { ok: false, problem: `vault '${vault.name}' has an unknown kind '${vault.kind}'` };
  const access = claimAccessModes(splitModes(vault.accessModes));
  const ro = opts.readonly || access.readOnly;
  const claimName = vaultClaimName(vault.owner, vault.name);
  const limit = accessLimit(vault.accessModes);
  const claim: PlannedClaim = {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name: claimName,
      namespace: opts.namespace,
      labels: { [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_COMPONENT]: VAULT_COMPONENT },
      annotations: { [ANNOTATION_VAULT_OWNER]: vault.owner, [ANNOTATION_VAULT_NAME]: vault.name },
    },
    spec: {
      accessModes: access.modes,
      resources: { requests: { storage: `${vault.sizeGb ?? DEFAULT_VAULT_SIZE_GB}Gi` } },
      // a static volume: "" keeps the default class from provisioning another one for the claim
      ...(vault.storageClass ? { storageClassName: vault.storageClass } : vault.volumeName ? { storageClassName: "" } : {}),
      ...(vault.volumeName ? { volumeName: vault.volumeName } : {}),
    },
  };
  return {
    ok: true,
    volume: { name: VAULT_VOLUME_NAME, persistentVolumeClaim: { claimName, ...(ro ? { readOnly: true } : {}) } },
    mount: mount(ro),
    claim,
    oneNode: limit === "oneNode",
    onePod: limit === "onePod",
  };
}

/**
 * Why a job of `nodes` pods cannot use a vault with these access modes on a
 * machine of which `perNode` fit on one node, or undefined when it can.
 */
export function multiNodeVaultProblem(vault: { name: string; kind: string; accessModes: string | readonly string[] }, nodes: number, perNode: number): string | undefined {
  if (vault.kind !== "pvc" || nodes <= 1) return undefined;
  const limit = accessLimit(vault.accessModes);
  if (limit === "onePod") return `vault '${vault.name}' is ReadWriteOncePod: only one pod can mount it, so a job on ${nodes} nodes cannot use it`;
  if (limit === "oneNode" && nodes > perNode)
    return `vault '${vault.name}' is ReadWriteOnce: all of a job's pods must run on one node, and at most ${perNode} of this machine type fit on one node (asked for ${nodes})`;
  return undefined;
}
