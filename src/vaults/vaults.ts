// A user's vaults (owned and shared with them), their zone access, and the
// administrator's VAULTS actions: add a vault to one user, share a vault.
import { sql } from "kysely";
import { conflict, invalid, notFound } from "../core/errors";
import { checkPayerMetadata } from "../core/payerMetadata";
import { nfsPathProblem, nfsServerProblem, subpathProblem, UNZONED, VAULT_KINDS, type AccessMode, type HeldVault, type Vault, type VaultKind } from "../core/vaults";
import { zoneAccessFor, type ZoneAccess } from "../core/zoneAccess";
import { zoneExistsFn } from "../accounts/accounts";
import { isUniqueViolation } from "../store/errors";
import type { Db } from "../store/db";
import type { VaultRow } from "../store/schema";

export const toVault = (r: Omit<VaultRow, "created_at">): Vault => ({
  id: r.id,
  ownerId: r.owner_id,
  name: r.name,
  kind: r.kind as VaultKind,
  zoneId: r.zone_id,
  isDefault: r.is_default,
  storageClass: r.storage_class,
  volumeName: r.volume_name,
  accessModes: r.access_modes ? (r.access_modes.split(",") as AccessMode[]) : [],
  sizeGb: r.size_gb,
  subpath: r.subpath,
  nfsServer: r.nfs_server,
  nfsPath: r.nfs_path,
});

/** JSON shape of a vault at the API (zone -1 when unzoned). */
export function vaultJson(h: HeldVault, sharedWith?: string[]) {
  const v = h.vault;
  return {
    id: v.id,
    name: v.name,
    kind: v.kind,
    zone: v.zoneId ?? UNZONED,
    default: v.isDefault,
    storageClass: v.storageClass,
    volumeName: v.volumeName,
    accessModes: v.accessModes,
    size: v.sizeGb,
    subpath: v.subpath,
    nfsServer: v.nfsServer,
    nfsPath: v.nfsPath,
    ...(h.sharedBy ? { sharedBy: h.sharedBy } : {}),
    ...(sharedWith ? { sharedWith } : {}),
  };
}

/** The columns of a vault that toVault reads. */
const VAULT_COLUMNS = ["id", "owner_id", "name", "kind", "zone_id", "is_default", "storage_class", "volume_name", "access_modes", "size_gb", "subpath", "nfs_server", "nfs_path"] as const;

/**
 * The vaults `userId` owns, then those shared with it (`shared` 1, with their
 * owner's name), each by id: a query (heldVaults runs it; a submission reads it
 * with the rest in one statement, src/jobs/submitReads.ts). Read it with heldOf.
 */
export function heldVaultRows(db: Db, userId: number) {
  const owned = db
    .selectFrom("vaults")
    .select(VAULT_COLUMNS.map((c) => `vaults.${c}` as const))
    .select([sql<string | null>`null::text`.as("owner_name"), sql<number>`0`.as("shared")])
    .where("vaults.owner_id", "=", userId);
  const shared = db
    .selectFrom("vault_shares")
    .innerJoin("vaults", "vaults.id", "vault_shares.vault_id")
    .innerJoin("users", "users.id", "vaults.owner_id")
    .select(VAULT_COLUMNS.map((c) => `vaults.${c}` as const))
    .select(["users.username as owner_name", sql<number>`1`.as("shared")])
    .where("vault_shares.user_id", "=", userId);
  return owned.unionAll(shared).orderBy("shared").orderBy("id");
}

export type HeldVaultRow = Omit<VaultRow, "created_at"> & { owner_name: string | null; shared: number };

/** The vaults of heldVaultRows' rows, owned first. */
export const heldOf = (rows: readonly HeldVaultRow[]): HeldVault[] =>
  rows.map(({ owner_name, shared, ...r }) => (shared === 1 && owner_name !== null ? { vault: toVault(r), sharedBy: owner_name } : { vault: toVault(r) }));

/** The vaults `userId` owns (by id), then those shared with it (by id, with their owner's name): one statement. */
export async function heldVaults(db: Db, userId: number): Promise<HeldVault[]> {
  return heldOf(await heldVaultRows(db, userId).execute());
}

export async function sharesOf(db: Db, vaultIds: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (vaultIds.length === 0) return out;
  const rows = await db
    .selectFrom("vault_shares")
    .innerJoin("users", "users.id", "vault_shares.user_id")
    .select(["vault_shares.vault_id", "users.username"])
    .where("vault_shares.vault_id", "in", vaultIds)
    .orderBy("users.username")
    .execute();
  for (const r of rows) out.set(r.vault_id, [...(out.get(r.vault_id) ?? []), r.username]);
  return out;
}

/** The Default zone's id. */
const DEFAULT_ZONE = 0;

export async function zoneAccessOfUser(db: Db, userId: number): Promise<ZoneAccess> {
  const [held, zones] = await Promise.all([heldVaults(db, userId), db.selectFrom("zones").select(["id", "name"]).execute()]);
  return zoneAccessFor(held, zones, DEFAULT_ZONE);
}

/** The zones the vaults `held` grant, without the zones' names (which only explain a grant): enough for hasZoneAccess, with no statement. */
export const zonesGrantedBy = (held: readonly HeldVault[]): ZoneAccess => zoneAccessFor(held, [], DEFAULT_ZONE);

export interface NewVault {
  name: string;
  kind: string;
  zone?: number | undefined;
  storageClass?: string | undefined;
  volumeName?: string | undefined;
  accessModes?: string | undefined;
  size?: number | undefined;
  subpath?: string | undefined;
  nfsServer?: string | undefined;
  nfsPath?: string | undefined;
}

export async function createVault(db: Db, ownerId: number, input: NewVault): Promise<VaultRow> {
  const nameCheck = checkPayerMetadata("vaultName", input.name ?? "", () => true);
  if (!nameCheck.ok) throw invalid("name", nameCheck.problem);
  if (!VAULT_KINDS.includes(input.kind as VaultKind) || input.kind === "ephemeral") {
    throw invalid("kind", `must be one of ${VAULT_KINDS.filter((k) => k !== "ephemeral").join(", ")} (ephemeral vaults come with the account)`);
  }
  const zone = input.zone ?? UNZONED;
  const zoneCheck = checkPayerMetadata("vaultZone", String(zone), await zoneExistsFn(db));
  if (!zoneCheck.ok) throw invalid("zone", zoneCheck.problem);
  let accessModes = "";
  if (input.kind === "pvc") {
    if (!input.storageClass && !input.volumeName) throw invalid("storageClass", "a persistent vault needs a storage class or a volume name");
    for (const [field, key, value] of [
      ["storageClass", "vaultStorageClassName", input.storageClass],
      ["volumeName", "vaultVolumeName", input.volumeName],
    ] as const) {
      if (value === undefined) continue;
      const c = checkPayerMetadata(key, value, () => true);
      if (!c.ok) throw invalid(field, c.problem);
    }
    const modes = checkPayerMetadata("vaultAccessModes", input.accessModes ?? "ReadWriteOnce", () => true);
    if (!modes.ok) throw invalid("accessModes", modes.problem);
    accessModes = modes.value;
    const size = checkPayerMetadata("vaultSize", String(input.size ?? ""), () => true);
    if (!size.ok) throw invalid("size", size.problem);
  }
  if (input.kind === "nfs") {
    if (!input.nfsServer) throw invalid("nfsServer", "an NFS vault needs a server");
    const serverProblem = nfsServerProblem(input.nfsServer);
    if (serverProblem) throw invalid("nfsServer", serverProblem);
    if (!input.nfsPath) throw invalid("nfsPath", "an NFS vault needs an absolute export path");
    const pathProblem = nfsPathProblem(input.nfsPath);
    if (pathProblem) throw invalid("nfsPath", pathProblem);
  }
  if (input.subpath !== undefined && input.subpath !== "") {
    const problem = subpathProblem(input.subpath);
    if (problem) throw invalid("subpath", problem);
  }
  try {
    return await db
      .insertInto("vaults")
      .values({
        owner_id: ownerId,
        name: input.name,
        kind: input.kind,
        zone_id: zone === UNZONED ? null : zone,
        is_default: false,
        storage_class: input.kind === "pvc" ? (input.storageClass ?? null) : null,
        volume_name: input.kind === "pvc" ? (input.volumeName ?? null) : null,
        access_modes: accessModes,
        size_gb: input.kind === "pvc" ? (input.size ?? null) : null,
        subpath: input.subpath ?? null,
        nfs_server: input.kind === "nfs" ? (input.nfsServer ?? null) : null,
        nfs_path: input.kind === "nfs" ? (input.nfsPath ?? null) : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict("name", `the user already has a vault named '${input.name}'`);
    throw e;
  }
}

export async function findVault(db: Db, vaultId: number): Promise<VaultRow | undefined> {
  return db.selectFrom("vaults").selectAll().where("id", "=", vaultId).executeTakeFirst();
}

export async function shareVault(db: Db, vaultId: number, withUserId: number): Promise<void> {
  const vault = await findVault(db, vaultId);
  if (!vault) throw notFound("vault");
  if (vault.owner_id === withUserId) throw invalid("username", "the vault's owner already has it");
  if (vault.kind === "ephemeral") throw invalid("vault", "ephemeral vaults cannot be shared");
  await db.insertInto("vault_shares").values({ vault_id: vaultId, user_id: withUserId }).onConflict((oc) => oc.doNothing()).execute();
}

export async function unshareVault(db: Db, vaultId: number, withUserId: number): Promise<boolean> {
  const r = await db.deleteFrom("vault_shares").where("vault_id", "=", vaultId).where("user_id", "=", withUserId).executeTakeFirst();
  return r.numDeletedRows > 0n;
}
