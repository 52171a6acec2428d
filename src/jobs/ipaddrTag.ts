// The IP-address tag against label-value ownership: one code path for
// /jarvice/submit, POST /api/jobs and the portal's live check. The rules and
// the length are checked first (pure, linear in the tag); only a tag that
// passes them costs one indexed lookup, or, at submission, one claim.
import { checkTag, ipaddrValue, ownedByAnotherProblem, type TagCheck } from "../core/ipaddr";
import { conflict, invalid } from "../core/errors";
import type { Db } from "../store/db";

/** The portal's live check: would `userId`'s tag be accepted now? Names no other user. */
export async function checkIpaddrTag(db: Db, user: { id: number; username: string }, tag: string): Promise<TagCheck> {
  const rules = checkTag(user.username, tag);
  if (!rules.ok) return rules;
  const owner = await db.selectFrom("ipaddr_owners").select("owner_id").where("value", "=", rules.value).executeTakeFirst();
  return checkTag(user.username, tag, owner !== undefined && owner.owner_id !== user.id);
}

/** The label value of `username`'s tag, or a 400 naming ipaddr (which rule, and the room left). */
export function ipaddrValueOrThrow(username: string, tag: string): string {
  const v = ipaddrValue(username, tag);
  if (!v.ok) throw invalid("ipaddr", v.problem);
  return v.value;
}

/**
 * Claims `value` for `userId` inside the submission's transaction `trx`: the
 * first user to use a value owns it (the primary key decides between
 * concurrent claims: a second claimer waits for the first to commit or roll
 * back, then sees its row). Another owner is a 409 that names nobody; the
 * owner itself may reuse the value on as many jobs as it likes.
 *
 * One statement: the claim, and the owner it found when the value was taken
 * already. A claim another transaction committed while this statement waited
 * for it is outside the statement's snapshot (no row at all): then the owner
 * is read again, in a statement of its own.
 */
export async function claimIpaddrValue(trx: Db, userId: number, value: string): Promise<void> {
  const owner = trx.selectFrom("ipaddr_owners").select("owner_id").where("value", "=", value);
  const claimed = await trx
    .with("claimed", (w) => w.insertInto("ipaddr_owners").values({ value, owner_id: userId }).onConflict((oc) => oc.column("value").doNothing()).returning("owner_id"))
    .selectFrom("claimed")
    .select("owner_id")
    .unionAll(owner)
    .executeTakeFirst();
  const ownerId = claimed?.owner_id ?? (await owner.executeTakeFirstOrThrow()).owner_id;
  if (ownerId !== userId) throw conflict("ipaddr", ownedByAnotherProblem(value));
}
