// External authentication (an OIDC/SAML/LDAP login relayed by a trusted proxy):
// a configured list of rules maps an identity to the payer whose team it joins.
// The first rule that matches wins; no match means the login is refused.

export interface ExternalIdentity {
  /** stable subject id from the identity provider */
  subject: string;
  /** preferred user name, if the provider gives one */
  username?: string | undefined;
  email?: string | undefined;
  groups?: readonly string[] | undefined;
  /** directory userPrincipalName (user@REALM) and sAMAccountName, if any */
  upn?: string | undefined;
  sam?: string | undefined;
}

export interface ExternalAuthRule {
  /** matches when the e-mail's domain equals this (case-insensitive) */
  emailDomain?: string;
  /** matches when the identity carries this group */
  group?: string;
  /** user name of the payer whose team the identity joins */
  payer: string;
  /** members created by this rule get team admin rights */
  teamAdmin?: boolean;
}

export function ruleFor(identity: ExternalIdentity, rules: readonly ExternalAuthRule[]): ExternalAuthRule | undefined {
  return rules.find((r) => {
    if (r.emailDomain === undefined && r.group === undefined) return false;
    if (r.emailDomain !== undefined) {
      const domain = identity.email?.split("@")[1]?.toLowerCase();
      if (domain !== r.emailDomain.toLowerCase()) return false;
    }
    if (r.group !== undefined && !(identity.groups ?? []).includes(r.group)) return false;
    return true;
  });
}

/** The login name for a new account: the provider's user name, else the e-mail's local part, made label-safe. */
export function usernameFor(identity: ExternalIdentity): string {
  // An empty user name or e-mail local part is as good as none: fall through to the next.
  const raw = identity.username || identity.email?.split("@")[0] || identity.subject;
  const safe = raw
    .replace(/[^A-Za-z0-9_.-]/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 63)
    .replace(/[^A-Za-z0-9]+$/, "");
  return safe || "user";
}

/**
 * The n-th login name to try for a new external account whose derived name is `base`: `base` itself
 * first (n = 1), then `base-2`, `base-3`, ...; shortened so the result stays a valid user name of at
 * most 63 characters.
 */
export function usernameCandidate(base: string, n: number): string {
  if (n <= 1) return base;
  const suffix = `-${n}`;
  return `${base.slice(0, 63 - suffix.length).replace(/[^A-Za-z0-9]+$/, "")}${suffix}`;
}
