// Creating and changing accounts. Creation decides everything first (name,
// vault setup, the DAL hook's run), then writes user, payer metadata and
// vaults in one transaction, so a failure leaves nothing half-created.
import { sql } from "kysely";
import { conflict, invalid, notFound, PaddockError } from "../core/errors";
import { userNameProblem } from "../core/labels";
import { checkPayerMetadata, isPayerMetadataKey, PAYER_METADATA_KEYS } from "../core/payerMetadata";
import { tenantOf, type Account } from "../core/tenancy";
import { defaultVaults, hookEnvironment, systemVaultSetup, vaultSetupFor, type PlannedVault, type VaultSetup } from "../core/vaultSetup";
import type { Ctx } from "../store/ctx";
import type { Db } from "../store/db";
import { violatedUniqueConstraint } from "../store/errors";
import type { UserRow, VaultRow } from "../store/schema";
import { runDalHook } from "./dalHook";
import { hashPassword, hashToken, newApiKey, verifyPassword } from "./secrets";
import { seal, unseal } from "./sealing";
import type { Settings } from "../config/settings";

export interface NewAccount {
  username: string;
  email?: string | undefined;
  fullName?: string | undefined;
  password?: string | undefined;
  /** the payer whose team the account joins; omitted for a new payer */
  payer?: UserRow | undefined;
  teamAdmin?: boolean | undefined;
  sysadmin?: boolean | undefined;
  invitedBy?: number | null | undefined;
  externalSubject?: string | undefined;
  upn?: string | undefined;
  sam?: string | undefined;
  /** a new payer's overrides of the default vault setup, in payer-metadata keys */
  vaultOverrides?: Record<string, string | number> | undefined;
}

export interface CreatedAccount {
  user: UserRow;
  /** shown once; only its hash is stored */
  apikey: string;
  vaults: VaultRow[];
}

export const toAccount = (u: UserRow): Account => ({
  id: u.id,
  username: u.username,
  payerId: u.payer_id,
  isSysadmin: u.is_sysadmin,
  isTeamAdmin: u.is_team_admin,
  disabled: u.disabled,
});

export async function findUser(db: Db, username: string): Promise<UserRow | undefined> {
  return db.selectFrom("users").selectAll().where("username", "=", username).executeTakeFirst();
}

export async function findUserById(db: Db, id: number): Promise<UserRow | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function zoneExistsFn(db: Db): Promise<(id: number) => boolean> {
  const ids = new Set((await db.selectFrom("zones").select("id").execute()).map((z) => z.id));
  return (id) => ids.has(id);
}

export async function payerMetadataOf(db: Db, payerId: number): Promise<VaultSetup> {
  const rows = await db.selectFrom("payer_metadata").select(["key", "value"]).where("payer_id", "=", payerId).execute();
  const setup: VaultSetup = {};
  for (const r of rows) if (isPayerMetadataKey(r.key)) setup[r.key] = r.value;
  return setup;
}

export async function createAccount(ctx: Ctx, input: NewAccount): Promise<CreatedAccount> {
  const { db, settings } = ctx;
  const nameProblem = userNameProblem(input.username);
  if (nameProblem) throw invalid("username", nameProblem);
  // Unique without regard to case (the database's users_username_lower_unique decides races).
  if (await db.selectFrom("users").select("id").where(sql`lower(username)`, "=", input.username.toLowerCase()).executeTakeFirst()) throw conflict("username", `'${input.username}' is already taken`);
  if (input.payer && input.payer.payer_id !== null) throw invalid("payer", `'${input.payer.username}' is not a payer`);
  if (input.password !== undefined && input.password.length < 8) throw invalid("password", "must be at least 8 characters");

  const zoneExists = await zoneExistsFn(db);
  const overrides: VaultSetup = {};
  if (input.vaultOverrides && Object.keys(input.vaultOverrides).length > 0) {
    if (input.payer) throw invalid("vaultOverrides", "apply only when inviting a payer; a team member inherits the payer's metadata");
    for (const [key, raw] of Object.entries(input.vaultOverrides)) {
      const check = checkPayerMetadata(key, String(raw), zoneExists);
      if (!check.ok) throw invalid(`vaultOverrides.${key}`, check.problem);
      overrides[key as keyof VaultSetup] = check.value;
    }
  }

  const system = systemVaultSetup(settings.vaultDefaults);
  const setup = input.payer ? vaultSetupFor(system, await payerMetadataOf(db, input.payer.id)) : vaultSetupFor(system, overrides);

  let vaults: PlannedVault[] = defaultVaults(setup);
  if (settings.dalHook) {
    const env = hookEnvironment(setup, input.username, input.payer?.username ?? input.username);
    const result = await runDalHook(settings.dalHook, input.username, env, settings.dalHookTimeoutMs);
    if (result.declaredVaults.length > 0) vaults = result.declaredVaults;
  }
  for (const v of vaults) {
    if (v.zoneId !== null && !zoneExists(v.zoneId)) {
      // Only a custom hook can plan a vault in a zone that does not exist (metadata and settings are checked).
      throw new PaddockError("failed", `DAL hook declared vault '${v.name}' in zone ${v.zoneId}, which does not exist`);
    }
  }

  const apikey = newApiKey();
  const passwordHash = input.password !== undefined ? await hashPassword(input.password) : null;
  try {
    return await db.transaction().execute(async (trx) => {
      const user = await trx
        .insertInto("users")
        .values({
          username: input.username,
          email: input.email ?? "",
          full_name: input.fullName ?? "",
          payer_id: input.payer?.id ?? null,
          is_sysadmin: input.sysadmin ?? false,
          is_team_admin: input.payer ? (input.teamAdmin ?? false) : false,
          password_hash: passwordHash,
          apikey_hash: hashToken(apikey),
          apikey_sealed: sealedApiKey(settings, apikey),
          external_subject: input.externalSubject ?? null,
          upn: input.upn ?? null,
          sam: input.sam ?? null,
          invited_by: input.invitedBy ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const overrideRows = PAYER_METADATA_KEYS.filter((k) => overrides[k] !== undefined).map((k) => ({
        payer_id: user.id,
        key: k,
        value: overrides[k]!,
      }));
      if (overrideRows.length > 0) await trx.insertInto("payer_metadata").values(overrideRows).execute();
      const created = await trx
        .insertInto("vaults")
        .values(
          vaults.map((v) => ({
            owner_id: user.id,
            name: v.name,
            kind: v.kind,
            zone_id: v.zoneId,
            is_default: true,
            storage_class: v.storageClass,
            volume_name: v.volumeName,
            access_modes: v.accessModes.join(","),
            size_gb: v.sizeGb,
            subpath: v.subpath,
            nfs_server: v.nfsServer,
            nfs_path: v.nfsPath,
          })),
        )
        .returningAll()
        .execute();
      return { user, apikey, vaults: created };
    });
  } catch (e) {
    throw conflictOfUserInsert(e, input) ?? e;
  }
}

/** Which field of a new account collided, from the unique constraint the insert broke. */
function conflictOfUserInsert(e: unknown, input: NewAccount): PaddockError | undefined {
  const constraint = violatedUniqueConstraint(e);
  if (constraint === undefined) return undefined;
  if (constraint.startsWith("users_username")) return conflict("username", `'${input.username}' is already taken`);
  if (constraint.startsWith("users_external_subject")) return conflict("externalSubject", "this external identity already has an account");
  if (constraint.startsWith("payer_metadata")) return conflict("vaultOverrides", "a payer metadata key is given twice");
  if (constraint.startsWith("vaults_owner_name")) return conflict("vaults", "two of the account's vaults have the same name");
  return conflict("username", `the new account collides with an existing one (${constraint})`);
}

/** The API key sealed under the server key, for showing it again; null when the server has no key (nothing to show). */
function sealedApiKey(settings: Settings, apikey: string): string | null {
  return settings.secretKey ? seal(settings.secretKey, apikey) : null;
}

/** A new API key for the user; the old one stops working, and so does every session made from an API key. */
export async function regenerateApiKey(ctx: Ctx, userId: number): Promise<string> {
  const apikey = newApiKey();
  await ctx.db.transaction().execute(async (trx) => {
    const r = await trx.updateTable("users").set({ apikey_hash: hashToken(apikey), apikey_sealed: sealedApiKey(ctx.settings, apikey) }).where("id", "=", userId).executeTakeFirst();
    if (r.numUpdatedRows === 0n) throw notFound("user");
    await trx.deleteFrom("sessions").where("user_id", "=", userId).where("apikey_hash", "is not", null).execute();
  });
  return apikey;
}

/**
 * The user's API key as sealed at its creation: 404 (field apikey) for a key made before keys were
 * sealed, or sealed under another server key, or whose sealed copy no longer matches its hash.
 */
export function storedApiKey(ctx: Ctx, user: UserRow): string {
  const key = ctx.settings.secretKey;
  const apikey = key && user.apikey_sealed ? unseal(key, user.apikey_sealed) : undefined;
  if (apikey === undefined || hashToken(apikey) !== user.apikey_hash) throw new PaddockError("not_found", "apikey: not stored; generate a new key", "apikey");
  return apikey;
}

/**
 * Set a user's password. `current` is the password the user has now: callers changing their own password
 * give it (403 when wrong, and nothing changes); administrators setting another user's do not.
 */
export async function setPassword(db: Db, userId: number, password: string, current?: { password: string; storedHash: string | null }): Promise<void> {
  if (password.length < 8) throw invalid("password", "must be at least 8 characters");
  if (current !== undefined && !(await verifyPassword(current.password, current.storedHash))) throw new PaddockError("forbidden", "current: is not your current password", "current");
  await db.updateTable("users").set({ password_hash: await hashPassword(password) }).where("id", "=", userId).execute();
  // A new password ends every open session of that user.
  await db.deleteFrom("sessions").where("user_id", "=", userId).execute();
}

export interface AccountFilter {
  search?: string | undefined;
  /** user name of a payer: that tenant only */
  payer?: string | undefined;
  /** restrict to one tenant (the caller's, for payers and team admins) */
  tenantId?: number | undefined;
  /** restrict to one user (a plain member sees only itself) */
  userId?: number | undefined;
}

export async function listUsers(db: Db, filter: AccountFilter): Promise<UserRow[]> {
  let q = db.selectFrom("users").selectAll("users");
  if (filter.tenantId !== undefined) {
    const t = filter.tenantId;
    q = q.where((eb) => eb.or([eb("users.id", "=", t), eb("users.payer_id", "=", t)]));
  }
  if (filter.userId !== undefined) q = q.where("users.id", "=", filter.userId);
  if (filter.payer !== undefined) {
    const payer = await findUser(db, filter.payer);
    if (!payer || payer.payer_id !== null) return [];
    q = q.where((eb) => eb.or([eb("users.id", "=", payer.id), eb("users.payer_id", "=", payer.id)]));
  }
  if (filter.search) {
    const like = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb("username", "ilike", like), eb("email", "ilike", like), eb("full_name", "ilike", like)]));
  }
  return q.orderBy(sql`coalesce(payer_id, id)`).orderBy("payer_id", (o) => o.nullsFirst()).orderBy("username").execute();
}

export { tenantOf };
