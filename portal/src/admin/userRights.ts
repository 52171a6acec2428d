// What the caller may do to a user row on Administration -> Users, by the API's own rules
// (src/core/tenancy.ts, src/http/routes/users.ts and vaults.ts), so the screen shows only the
// actions the caller may use (pure; userRights.test.ts).
//   rightsOver(me, user)  -> { disable, teamAdmin, secrets, addVault, handOut }
// Tenants are named by their payer's user name (the answers' `tenant`), which is unique.
import type { Me } from "../me";

/** A user as GET /api/users lists it (the fields these rules read). */
export interface UserLike {
  username: string;
  role: "payer" | "member" | string;
  tenant: string;
  sysadmin: boolean;
  teamAdmin: boolean;
}

export interface Rights {
  /** disable or enable the account (PATCH disabled) */
  disable: boolean;
  /** grant or revoke team admin rights (PATCH teamAdmin): members only */
  teamAdmin: boolean;
  /** reset the password and make a new API key: system administrators, for others (their own: on Account, with the current password) */
  secrets: boolean;
  /** add a vault to the user (widens zone access): system administrators */
  addVault: boolean;
  /** share, unshare and delete the user's vaults */
  handOut: boolean;
}

/** payer 2 > team admin 1 > member 0, inside a tenant */
const rank = (u: { role: string; teamAdmin: boolean }) => (u.role === "payer" ? 2 : u.teamAdmin ? 1 : 0);

/** The caller manages the target's account (tenancy.managesAccount): system administrators everyone; inside a tenant a higher rank. */
export function managesUser(me: Me, u: UserLike): boolean {
  if (me.sysadmin) return true;
  if (u.sysadmin) return false;
  const manager = me.role === "payer" || me.teamAdmin;
  return manager && me.tenant === u.tenant && rank(me) > rank(u);
}

export function rightsOver(me: Me, u: UserLike): Rights {
  const self = me.username === u.username;
  const manages = !self && managesUser(me, u);
  return {
    disable: manages,
    teamAdmin: manages && u.role === "member",
    secrets: !self && me.sysadmin,
    addVault: me.sysadmin,
    handOut: self || manages,
  };
}

/**
 * Why sharing a vault with `recipient` is unusual, in words (empty: it is not): another tenant than
 * the owner's, or a zone the recipient cannot use now (a shared vault grants its zone).
 * `recipientZones` undefined: not known (the caller may not see the recipient); only the tenant is checked then.
 */
export function shareCautions(
  vault: { name: string; zone: number; zoneName?: string | undefined },
  owner: { username: string; tenant: string },
  recipient: { username: string; tenant: string | undefined },
  recipientZones: number[] | undefined,
): string[] {
  const out: string[] = [];
  if (recipient.tenant !== undefined && recipient.tenant !== owner.tenant) out.push(`${recipient.username} is in tenant ${recipient.tenant}, not in ${owner.username}'s tenant ${owner.tenant}: the vault's data crosses tenants.`);
  if (vault.zone >= 0 && recipientZones !== undefined && !recipientZones.includes(vault.zone)) {
    out.push(`${vault.name} is in zone ${vault.zoneName ?? String(vault.zone)}, which ${recipient.username} cannot use now: sharing it gives ${recipient.username} that zone (and its machines).`);
  }
  return out;
}

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/** A password for "Reset password" (shown once to the administrator): 16 characters without look-alikes. */
export function randomPassword(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  return [...random(16)].map((b) => ALPHABET[b % ALPHABET.length]).join("");
}
