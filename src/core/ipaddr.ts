// The IP-address tag (`ipaddr`): the label value is `<username>-<tag>`, put on
// every pod of the job as jarvice-job-ipaddr and on pod 0 as
// jarvice-pod0-job-ipaddr. The prefix is forced so that nobody can capture
// another user's traffic. Dashes in user names still let two users produce one
// value (`bob` + `x-web` and `bob-x` + `web`): the value belongs to the first
// user who used it (a table with a unique key, claimed in the submission's
// transaction; see src/jobs/ipaddrTag.ts). Everything here is pure and linear
// in the tag's length: the length is checked before anything else.
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
  const room = tagRoom(username);
  if (tag.length === 0) return { ok: false, problem: "the tag is empty; omit ipaddr for a job without one" };
  const length = prefix.length + tag.length;
  if (length > LABEL_VALUE_MAX) {
    return {
      ok: false,
      problem: `'${prefix}' + tag is ${length} characters; the limit is ${LABEL_VALUE_MAX}, which leaves ${room} characters for the tag (it has ${tag.length})`,
    };
  }
  if (!TAG_CHARS.test(tag)) {
    const bad = [...new Set([...tag].filter((c) => !/[-A-Za-z0-9_.]/.test(c)))].map((c) => JSON.stringify(c)).join(", ");
    return { ok: false, problem: `the tag may contain only letters, digits, '-', '_' and '.'; it has ${bad}` };
  }
  if (!/[A-Za-z0-9]$/.test(tag)) return { ok: false, problem: "the tag must end with a letter or digit (Kubernetes label value syntax)" };
  return { ok: true, value: prefix + tag };
}

/**
 * Why `value` cannot be used by the caller: another user used it first. The
 * message names only the caller's own value (what it asked for), never the
 * owner or any other user.
 */
export function ownedByAnotherProblem(value: string): string {
  return `the label value '${value}' is already used by another user's jobs; choose another tag`;
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
  /** refused because another user already uses the label value (a submission answers 409) */
  conflict: boolean;
}

/**
 * The check of `username`'s tag. `ownedByAnother` says whether another user
 * already uses the value (asked only for a tag that passes the rules; the
 * portal's local check omits it).
 */
export function checkTag(username: string, tag: string, ownedByAnother = false): TagCheck {
  const prefix = `${username}-`;
  const base = { prefix, value: prefix + tag, remaining: tagRoom(username) - tag.length };
  const v = ipaddrValue(username, tag);
  if (!v.ok) return { ...base, ok: false, problem: v.problem, conflict: false };
  if (ownedByAnother) return { ...base, ok: false, problem: ownedByAnotherProblem(v.value), conflict: true };
  return { ...base, ok: true, problem: "", conflict: false };
}
