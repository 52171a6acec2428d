// First start: create the first system administrator (a payer of its own
// tenant) with a generated password and API key, to be shown once.
import { invalid } from "../core/errors";
import { UNZONED } from "../core/vaults";
import { createAccount, zoneExistsFn } from "./accounts";
import type { Ctx } from "../store/ctx";
import { newPassword } from "./secrets";

export interface FirstAdmin {
  username: string;
  password: string;
  apikey: string;
}

export async function ensureFirstAdmin(ctx: Ctx): Promise<FirstAdmin | undefined> {
  const any = await ctx.db.selectFrom("users").select("id").where("is_sysadmin", "=", true).limit(1).executeTakeFirst();
  if (any) return undefined;
  const password = newPassword();
  const { apikey } = await createAccount(ctx, { username: ctx.settings.adminUser, password, sysadmin: true, fullName: "System administrator" });
  return { username: ctx.settings.adminUser, password, apikey };
}

/** Zone ids in the system vault defaults must exist (checked once the database is open). */
export async function checkSystemVaultZones(ctx: Ctx): Promise<void> {
  const exists = await zoneExistsFn(ctx.db);
  for (const k of ["JARVICE_PVC_VAULT_ZONE", "JARVICE_EPHEMERAL_VAULT_ZONE"] as const) {
    const v = ctx.settings.vaultDefaults[k];
    if (v !== undefined && Number(v) !== UNZONED && !exists(Number(v))) throw invalid(k, `zone ${v} does not exist`);
  }
}
