// The application catalog (AppDefs) and jobs with their pods.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable("apps")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("appdef", "jsonb", (c) => c.notNull())
    .addColumn("public", "boolean", (c) => c.notNull().defaultTo(true))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable("jobs")
    .addColumn("number", "integer", (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("owner_id", "integer", (c) => c.notNull().references("users.id").onDelete("restrict"))
    // the payer: fixed at submission, what scheduler and network policies key on
    .addColumn("tenant_id", "integer", (c) => c.notNull().references("users.id").onDelete("restrict"))
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("restrict"))
    .addColumn("command", "text", (c) => c.notNull())
    .addColumn("argv", "jsonb", (c) => c.notNull())
    .addColumn("parameters", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("machine_id", "integer", (c) => c.notNull().references("machines.id").onDelete("restrict"))
    .addColumn("nodes", "integer", (c) => c.notNull().check(sql`nodes > 0`))
    .addColumn("vault_id", "integer", (c) => c.references("vaults.id").onDelete("set null"))
    .addColumn("vault_readonly", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("ipaddr_tag", "text")
    .addColumn("ipaddr_value", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("substatus", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("substatus_text", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("submit_time", "bigint", (c) => c.notNull())
    .addColumn("start_time", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("end_time", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("walltime", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("job_label", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("job_project", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("licenses", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("submission", "jsonb", (c) => c.notNull())
    .addColumn("exitcode", "integer")
    // pod 0's output, kept when the job ends (its pods, and their logs, are deleted)
    .addColumn("output", "text")
    // what the user asked for; the job controller carries it out
    .addColumn("stop_requested", "text", (c) => c.check(sql`stop_requested in ('shutdown', 'terminate')`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex("jobs_owner_idx").on("jobs").columns(["owner_id", "status"]).execute();
  await db.schema.createIndex("jobs_tenant_idx").on("jobs").columns(["tenant_id", "status"]).execute();
  await db.schema.createIndex("jobs_active_idx").on("jobs").column("status").where(sql.ref("status"), "in", ["SUBMITTED", "PROCESSING STARTING"]).execute();
  await db.schema.createIndex("jobs_ipaddr_idx").on("jobs").column("ipaddr_value").where("ipaddr_value", "is not", null).execute();

  // The last observed state of each pod of a job, for /jarvice/info and the portal.
  await db.schema
    .createTable("job_pods")
    .addColumn("job_number", "integer", (c) => c.notNull().references("jobs.number").onDelete("cascade"))
    .addColumn("pod_index", "integer", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("phase", "text", (c) => c.notNull())
    .addColumn("node", "text")
    .addColumn("ip", "text")
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint("job_pods_pk", ["job_number", "pod_index"])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["job_pods", "jobs", "apps"]) await db.schema.dropTable(t).execute();
}
