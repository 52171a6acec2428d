// The IP-address tag (`ipaddr`): the label value is `<username>-<tag>`, put on
// every pod of the job as jarvice-job-ipaddr and on pod 0 as
// jarvice-pod0-job-ipaddr. The prefix is forced so that nobody can capture
// another user's traffic; the collision guard closes the gap that dashes in
// user names leave (`bob` + `x-web` and `bob-x` + `web` are one value).
import { LABEL_VALUE_MAX } from "./labels";

export const JOB_IPADDR_LABEL = "jarvice-job-ipaddr";
export const POD0_IPADDR_LABEL = "jarvice-pod0-job-ipaddr";

export type IpaddrResult = { ok: true; value: string } | { ok: false; problem: string };

const TAG_CHARS = /^[-A-Za-z0-9_.]*$/;

/** Characters left for a tag after the forced `<username>-` prefix. */
export const tagRoom = (username: string): number => Math.max(0, LABEL_VALUE_MAX - username.length - 1);

/** The label value for `username`'s tag, or which rule the tag breaks. Never truncates or rewrites. */
export function ipaddrValue(username: string, tag: string): IpaddrResult {
  const prefix = `${username}-`;
  const value = prefix + tag;
  const room = tagRoom(username);
  if (tag.length === 0) return { ok: false, problem: "the tag is empty; omit ipaddr for a job without one" };
  if (value.length > LABEL_VALUE_MAX) {
    return {
      ok: false,
      problem: `'${prefix}' + tag is ${value.length} characters; the limit is ${LABEL_VALUE_MAX}, which leaves ${room} characters for the tag (it has ${tag.length})`,
    };
  }
  if (!TAG_CHARS.test(tag)) {
    const bad = [...new Set([...tag].filter((c) => !/[-A-Za-z0-9_.]/.test(c)))].map((c) => JSON.stringify(c)).join(", ");
    return { ok: false, problem: `the tag may contain only letters, digits, '-', '_' and '.'; it has ${bad}` };
  }
  if (!/[A-Za-z0-9]$/.test(tag)) return { ok: false, problem: "the tag must end with a letter or digit (Kubernetes label value syntax)" };
  return { ok: true, value };
}

/**
 * Other user names that could also produce `value` (some `u` with `value`
 * starting `u-` and a non-empty rest). Checks only the dash positions, so the
 * cost is the length of the value, not the number of users.
 */
export function ipaddrCollisions(value: string, owner: string, userExists: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (let i = value.indexOf("-"); i > 0 && i < value.length - 1; i = value.indexOf("-", i + 1)) {
    const candidate = value.slice(0, i);
    if (candidate !== owner && userExists(candidate)) out.push(candidate);
  }
  return out;
}

export function collisionProblem(value: string, owner: string, others: string[]): string {
  const o = others[0]!;
  return `'${value}' could also be produced by user '${o}' (with tag '${value.slice(o.length + 1)}'), so '${owner}' cannot use it: choose a tag that does not make the value ambiguous`;
}

/**
 * A new user name is refused when an existing tagged value of another user
 * starts with `<name>-`: the new user could then produce that value too.
 */
export function newUsernameAmbiguity(name: string, taggedValues: Iterable<{ value: string; owner: string }>): string | undefined {
  for (const { value, owner } of taggedValues) {
    if (owner !== name && value.startsWith(`${name}-`) && value.length > name.length + 1) {
      return `'${name}' would make the IP-address label '${value}' of user '${owner}' ambiguous (it could be '${name}' with tag '${value.slice(name.length + 1)}')`;
    }
  }
  return undefined;
}

/** A tag as the portal checks it while typing: the same rules and messages as a submission. */
export interface TagCheck {
  ok: boolean;
  /** the forced `<username>-` prefix */
  prefix: string;
  /** the label value the tag would give (even when refused) */
  value: string;
  /** characters left for the tag (negative when it is too long) */
  remaining: number;
  /** why the tag is refused; empty when ok */
  problem: string;
  /** refused because another user name could produce the same value (a submission answers 409) */
  conflict: boolean;
}

export function checkTag(username: string, tag: string, userExists: (name: string) => boolean): TagCheck {
  const prefix = `${username}-`;
  const base = { prefix, value: prefix + tag, remaining: tagRoom(username) - tag.length };
  const v = ipaddrValue(username, tag);
  if (!v.ok) return { ...base, ok: false, problem: v.problem, conflict: false };
  const others = ipaddrCollisions(v.value, username, userExists);
  if (others.length > 0) return { ...base, ok: false, problem: collisionProblem(v.value, username, others), conflict: true };
  return { ...base, ok: true, problem: "", conflict: false };
}

/** Every `u` such that `value` starts with `u-`: the only user names that could collide. */
export function prefixesOf(value: string): string[] {
  const out: string[] = [];
  for (let i = value.indexOf("-"); i > 0; i = value.indexOf("-", i + 1)) out.push(value.slice(0, i));
  return out;
}
