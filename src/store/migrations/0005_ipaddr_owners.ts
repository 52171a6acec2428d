// Label-value ownership for IP-address tags: a value `<username>-<tag>` belongs
// to the first user who used it. The primary key is what keeps two concurrent
// submissions from both winning; ownership ends with its owner (cascade).
// Existing values go to the owner of their earliest job.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("ipaddr_owners")
    .addColumn("value", "text", (c) => c.primaryKey())
    .addColumn("owner_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("ipaddr_owners_owner_idx").on("ipaddr_owners").column("owner_id").execute();
  await sql`
    INSERT INTO ipaddr_owners (value, owner_id)
    SELECT DISTINCT ON (ipaddr_value) ipaddr_value, owner_id
    FROM jobs
    WHERE ipaddr_value IS NOT NULL
    ORDER BY ipaddr_value, number`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("ipaddr_owners").execute();
}
