// The IP-address tag checked against the users that exist: one code path for
// /jarvice/submit, POST /api/jobs and the portal's live check.
import { checkTag, prefixesOf, type TagCheck } from "../core/ipaddr";
import type { Db } from "../store/db";

export async function checkIpaddrTag(db: Db, username: string, tag: string): Promise<TagCheck> {
  const candidates = prefixesOf(`${username}-${tag}`);
  const names = new Set(candidates.length === 0 ? [] : (await db.selectFrom("users").select("username").where("username", "in", candidates).execute()).map((r) => r.username));
  return checkTag(username, tag, (n) => names.has(n));
}
