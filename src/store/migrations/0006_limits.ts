// Admission Limits (spec/limits-and-queues.md): who limits whom and what a limit
// says, the billing code that groups payers into tiers, the mL of a cluster, and
// the held flag of a job that waits for its limits.
//  - limits.scope: "payer" (an administrator limit on one payer's whole tenant),
//    "billing" (an administrator limit on each tenant whose payer's billing code is
//    in [billing_from, billing_to]), "team" (a self-service default for each user of
//    a payer's team), "user" (a self-service limit on one user).
//  - cpus: concurrent cores (machine cores x nodes), null for none; machines: per
//    machine type {"jobs": N, "nodes": M} (either may be absent); a non-empty map
//    makes the types it does not list unavailable to those it governs.
// One limit per payer, team, user and billing range: unique indexes, so two
// administrators saving at once cannot create two.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("users").addColumn("billing_code", "integer").execute();
  await db.schema.alterTable("clusters").addColumn("max_cpus", "integer").execute();
  await db.schema
    .alterTable("jobs")
    .addColumn("held", "boolean", (c) => c.notNull().defaultTo(false))
    .execute();
  await sql`CREATE INDEX jobs_held_idx ON jobs (tenant_id, number) WHERE held`.execute(db);
  await db.schema
    .createTable("limits")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("scope", "text", (c) => c.notNull().check(sql`scope IN ('payer', 'billing', 'team', 'user')`))
    .addColumn("payer_id", "integer", (c) => c.references("users.id").onDelete("cascade"))
    .addColumn("user_id", "integer", (c) => c.references("users.id").onDelete("cascade"))
    .addColumn("billing_from", "integer")
    .addColumn("billing_to", "integer")
    .addColumn("cpus", "integer", (c) => c.check(sql`cpus IS NULL OR cpus >= 0`))
    .addColumn("machines", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      "limits_scope_shape",
      sql`(scope = 'payer' AND payer_id IS NOT NULL AND user_id IS NULL AND billing_from IS NULL AND billing_to IS NULL)
       OR (scope = 'team' AND payer_id IS NOT NULL AND user_id IS NULL AND billing_from IS NULL AND billing_to IS NULL)
       OR (scope = 'user' AND user_id IS NOT NULL AND payer_id IS NULL AND billing_from IS NULL AND billing_to IS NULL)
       OR (scope = 'billing' AND payer_id IS NULL AND user_id IS NULL AND billing_from IS NOT NULL AND billing_to IS NOT NULL AND billing_from <= billing_to)`,
    )
    .execute();
  await sql`CREATE UNIQUE INDEX limits_payer_uq ON limits (scope, payer_id) WHERE scope IN ('payer', 'team')`.execute(db);
  await sql`CREATE UNIQUE INDEX limits_user_uq ON limits (user_id) WHERE scope = 'user'`.execute(db);
  await sql`CREATE UNIQUE INDEX limits_billing_uq ON limits (billing_from, billing_to) WHERE scope = 'billing'`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("limits").execute();
  await sql`DROP INDEX IF EXISTS jobs_held_idx`.execute(db);
  await db.schema.alterTable("jobs").dropColumn("held").execute();
  await db.schema.alterTable("clusters").dropColumn("max_cpus").execute();
  await db.schema.alterTable("users").dropColumn("billing_code").execute();
}
