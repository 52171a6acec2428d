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

/** Bounds of an identity's fields (a proxy relays what the directory holds). */
export const IDENTITY_LIMITS = { subject: 255, username: 255, email: 254, group: 255, groups: 1000, upn: 255, sam: 64 } as const;

export type IdentityCheck = { ok: true; value: ExternalIdentity } | { ok: false; field: string; problem: string };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The identity relayed by the proxy, checked as a shape: strings only (bounded,
 * no control characters), `groups` a list of strings, an e-mail with exactly
 * one '@', and a UPN / sAMAccountName that cannot climb a path (they reach
 * vault sub-paths through %UPN% / %SAM%). `field` is relative to the header.
 * Unknown keys are ignored; null is as good as absent.
 */
export function parseExternalIdentity(raw: unknown): IdentityCheck {
  const bad = (field: string, problem: string): IdentityCheck => ({ ok: false, field, problem });
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return bad("", "must be a JSON identity {subject, username?, email?, groups?, upn?, sam?}");
  const o = raw as Record<string, unknown>;
  const text = (key: keyof typeof IDENTITY_LIMITS, v: unknown, field: string = key): string | IdentityCheck => {
    if (typeof v !== "string") return bad(field, "must be a string");
    if (v.length > IDENTITY_LIMITS[key]) return bad(field, `must be at most ${IDENTITY_LIMITS[key]} characters (is ${v.length})`);
    if (CONTROL.test(v)) return bad(field, "must not contain control characters");
    return v;
  };
  const optional = (key: "username" | "email" | "upn" | "sam"): string | undefined | IdentityCheck => (o[key] === undefined || o[key] === null ? undefined : text(key, o[key]));

  if (o.subject === undefined || o.subject === null || o.subject === "") return bad("subject", "is required");
  const subject = text("subject", o.subject);
  if (typeof subject !== "string") return subject;
  if (subject.trim() === "") return bad("subject", "is required");
  const identity: ExternalIdentity = { subject };
  for (const key of ["username", "email", "upn", "sam"] as const) {
    const v = optional(key);
    if (typeof v === "object") return v;
    if (v !== undefined) identity[key] = v;
  }
  if (identity.email !== undefined && identity.email !== "") {
    const at = identity.email.split("@");
    if (at.length !== 2 || at[0] === "" || at[1] === "" || /\s/.test(identity.email)) return bad("email", "must be an e-mail address with exactly one '@'");
  }
  for (const key of ["upn", "sam"] as const) {
    const v = identity[key];
    if (v === undefined) continue;
    const name = key === "upn" ? v.split("@")[0]! : v;
    if ((key === "upn" && v.split("@").length > 2) || (key === "sam" && v.includes("@"))) return bad(key, key === "upn" ? "must be user@REALM, with at most one '@'" : "must not contain '@'");
    if (/[/\\]/.test(v) || name === "." || v.includes("..")) return bad(key, "must not contain '/', '\\' or '..' (it may name a vault sub-path)");
  }
  if (o.groups !== undefined && o.groups !== null) {
    if (!Array.isArray(o.groups)) return bad("groups", "must be a list of group names (strings)");
    if (o.groups.length > IDENTITY_LIMITS.groups) return bad("groups", `must have at most ${IDENTITY_LIMITS.groups} groups (has ${o.groups.length})`);
    const groups: string[] = [];
    for (const [i, g] of o.groups.entries()) {
      const v = text("group", g, `groups[${i}]`);
      if (typeof v !== "string") return v;
      groups.push(v);
    }
    identity.groups = groups;
  }
  return { ok: true, value: identity };
}

export function ruleFor(identity: ExternalIdentity, rules: readonly ExternalAuthRule[]): ExternalAuthRule | undefined {
  return rules.find((r) => {
    if (r.emailDomain === undefined && r.group === undefined) return false;
    if (r.emailDomain !== undefined) {
      const domain = identity.email?.split("@")[1]?.toLowerCase();
      if (domain !== r.emailDomain.toLowerCase()) return false;
    }
    // Whole group names only: a string `groups` would make includes() a substring test.
    if (r.group !== undefined && !(Array.isArray(identity.groups) && identity.groups.includes(r.group))) return false;
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
