// Label values already in use for IP-address tags: the collision guard keeps
// new user names from making them ambiguous.
import type { Db } from "../store/db";

/** Tagged label values of other users that a new user name would make ambiguous. */
export async function taggedValuesStartingWith(db: Db, name: string): Promise<Array<{ value: string; owner: string }>> {
  const like = `${name.replace(/[\\%_]/g, (c) => `\\${c}`)}-%`;
  return db
    .selectFrom("jobs")
    .innerJoin("users", "users.id", "jobs.owner_id")
    .select(["jobs.ipaddr_value as value", "users.username as owner"])
    .where("jobs.ipaddr_value", "like", like)
    .distinct()
    .execute() as Promise<Array<{ value: string; owner: string }>>;
}
