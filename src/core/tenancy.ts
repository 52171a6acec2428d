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
