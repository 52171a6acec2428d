// Identity: user names unique without regard to case (`Root` next to `root`
// is refused by the database, so two concurrent sign-ups cannot both win), and
// sessions that remember the API key they were made from (regenerating the key
// ends them).
//
// Existing names that differ only in case make this migration fail, naming
// them: renaming one silently would change a login name, and the prefix of
// its jobs' IP-address labels, behind its owner's back. An operator renames
// (UPDATE users SET username = ... WHERE id = ...) and starts again.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const clashes = await sql<{ names: string }>`
    SELECT string_agg(username, ', ' ORDER BY username COLLATE "C") AS names FROM users
    GROUP BY lower(username) HAVING count(*) > 1 ORDER BY lower(username) COLLATE "C"`.execute(db);
  if (clashes.rows.length > 0) {
    throw new Error(
      `user names must be unique without regard to case, and these differ only in case: ${clashes.rows.map((r) => r.names).join("; ")}. ` +
        "Rename all but one of each (UPDATE users SET username = '<new name>' WHERE username = '<old name>') and start again.",
    );
  }
  await db.schema.createIndex("users_username_lower_unique").on("users").unique().expression(sql`lower(username)`).execute();
  await db.schema.alterTable("sessions").addColumn("apikey_hash", "text").execute();
  await db.schema.createIndex("sessions_user_idx").on("sessions").column("user_id").execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("sessions_user_idx").execute();
  await db.schema.alterTable("sessions").dropColumn("apikey_hash").execute();
  await db.schema.dropIndex("users_username_lower_unique").execute();
}
