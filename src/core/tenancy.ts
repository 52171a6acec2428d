// Who belongs to which tenant, and who may manage whom. A tenant is a payer
// plus its team; the tenant id is the payer's user id and never changes.

export interface Account {
  id: number;
  username: string;
  /** the payer whose team this account is on; null for a payer itself */
  payerId: number | null;
  isSysadmin: boolean;
  isTeamAdmin: boolean;
  disabled: boolean;
}

export const tenantOf = (a: Pick<Account, "id" | "payerId">): number => a.payerId ?? a.id;
export const isPayer = (a: Pick<Account, "payerId">): boolean => a.payerId === null;

/** May `actor` manage (invite into, grant rights on, disable members of) tenant `tenantId`? */
export function managesTenant(actor: Account, tenantId: number): boolean {
  if (actor.isSysadmin) return true;
  return (isPayer(actor) || actor.isTeamAdmin) && tenantOf(actor) === tenantId;
}

/** May `actor` see `target` at all? Anything else answers 404, never revealing it exists. */
export function seesAccount(actor: Account, target: Account): boolean {
  return actor.id === target.id || managesTenant(actor, tenantOf(target));
}

/** Granting or revoking system administrator rights, and inviting payers, is for system administrators. */
export const administersSystem = (actor: Account): boolean => actor.isSysadmin;

// ---------------------------------------------------------------------------------------------
// Rights between accounts. No caller acts on an account whose rights exceed its own:
// - a system administrator is acted on (profile, rights, vaults, shares into it) only by system administrators;
// - inside a tenant the ranks are payer > team admin > member: the payer manages every member, team
//   admins manage plain members only (JARVICE: team admins manage members), so one team admin cannot
//   disable, demote or rename another, nor touch the payer; a payer's own profile and rights are its own
//   and the system administrators';
// - an API key and a password are the keys to an account: set or regenerated only by the account itself
//   and by system administrators, never by its team managers (that would hand them the account).

/** 2 for a payer, 1 for a team admin, 0 for a plain member: who outranks whom inside a tenant. */
const teamRank = (a: Account): number => (isPayer(a) ? 2 : a.isTeamAdmin ? 1 : 0);

/** May `actor` manage `target` (rights, disabling, profile, shares of its vaults)? Never itself: see the callers. */
export function managesAccount(actor: Account, target: Account): boolean {
  if (actor.isSysadmin) return true;
  if (target.isSysadmin) return false;
  return managesTenant(actor, tenantOf(target)) && tenantOf(actor) === tenantOf(target) && teamRank(actor) > teamRank(target);
}

/** Regenerating an API key: the account itself and system administrators (the key is the account). */
export const mayRegenerateApiKey = (actor: Account, target: Account): boolean => actor.id === target.id || actor.isSysadmin;

/** Setting a password: as for API keys. */
export const maySetPassword = mayRegenerateApiKey;

/** E-mail and full name: the account itself and those who manage it. */
export const mayChangeProfile = (actor: Account, target: Account): boolean => actor.id === target.id || managesAccount(actor, target);

/** Team admin rights and disabling: those who manage the account, never the account itself. */
export const mayChangeRights = (actor: Account, target: Account): boolean => actor.id !== target.id && managesAccount(actor, target);

/** Adding a vault to an account widens its zone access: system administrators only. */
export const mayAddVault = (actor: Account): boolean => actor.isSysadmin;

/** Handing out `owner`'s vault (sharing or unsharing it): the owner, those who manage the owner, system administrators. */
export const mayHandOutVault = (actor: Account, owner: Account): boolean => actor.id === owner.id || managesAccount(actor, owner);

/**
 * Sharing `owner`'s vault with `recipient`: handed out as above, to a teammate of the owner, and never
 * into a system administrator's vault list (its zone access) but by a system administrator, who alone
 * also shares across tenants.
 */
export function mayShareVault(actor: Account, owner: Account, recipient: Account): boolean {
  if (actor.isSysadmin) return true;
  return mayHandOutVault(actor, owner) && tenantOf(recipient) === tenantOf(owner) && !recipient.isSysadmin;
}

/** Inviting into tenant `tenantId`: its managers; with system administrator rights, system administrators only. */
export function mayInvite(actor: Account, tenantId: number | null, grants: { sysadmin?: boolean | undefined }): boolean {
  if (grants.sysadmin && !actor.isSysadmin) return false;
  return tenantId === null ? actor.isSysadmin : managesTenant(actor, tenantId);
}
