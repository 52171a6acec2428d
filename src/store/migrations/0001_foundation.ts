// Accounts, tenants, zones, clusters, machines, vaults, payer metadata, sessions.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable("zones")
    .addColumn("id", "integer", (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();
  // The Default zone always exists, with id 0 (zone ids in metadata: -1 = unzoned).
  await db.insertInto("zones").values({ id: 0, name: "Default", description: "the default zone" }).execute();

  await db.schema
    .createTable("clusters")
    .addColumn("id", "integer", (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("zone_id", "integer", (c) => c.notNull().references("zones.id").onDelete("restrict"))
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("backend", "text", (c) => c.notNull().defaultTo("kubernetes"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable("machines")
    .addColumn("id", "integer", (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("cluster_id", "integer", (c) => c.notNull().references("clusters.id").onDelete("restrict"))
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("cores", "integer", (c) => c.notNull().check(sql`cores > 0`))
    .addColumn("memory_gb", "integer", (c) => c.notNull().check(sql`memory_gb > 0`))
    .addColumn("gpus", "integer", (c) => c.notNull().defaultTo(0).check(sql`gpus >= 0`))
    .addColumn("per_node", "integer", (c) => c.notNull().defaultTo(1).check(sql`per_node > 0`))
    .addColumn("max_nodes", "integer", (c) => c.notNull().defaultTo(1).check(sql`max_nodes > 0`))
    .addColumn("arch", "text", (c) => c.notNull().defaultTo("x86_64"))
    .addColumn("price", "numeric", (c) => c.notNull().defaultTo(0))
    .addColumn("node_selector", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable("users")
    .addColumn("id", "integer", (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn("username", "text", (c) => c.notNull().unique())
    .addColumn("email", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("full_name", "text", (c) => c.notNull().defaultTo(""))
    // null for a payer; the payer's id for a team member. Fixed at creation.
    .addColumn("payer_id", "integer", (c) => c.references("users.id").onDelete("restrict"))
    .addColumn("is_sysadmin", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("is_team_admin", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("disabled", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("password_hash", "text")
    .addColumn("apikey_hash", "text", (c) => c.notNull().unique())
    .addColumn("external_subject", "text", (c) => c.unique())
    .addColumn("upn", "text")
    .addColumn("sam", "text")
    .addColumn("invited_by", "integer", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex("users_payer_idx").on("users").column("payer_id").execute();

  await db.schema
    .createTable("vaults")
    .addColumn("id", "integer", (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn("owner_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('ephemeral', 'pvc', 'nfs')`))
    .addColumn("zone_id", "integer", (c) => c.references("zones.id").onDelete("restrict"))
    .addColumn("is_default", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("storage_class", "text")
    .addColumn("volume_name", "text")
    .addColumn("access_modes", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("size_gb", "integer")
    .addColumn("subpath", "text")
    .addColumn("nfs_server", "text")
    .addColumn("nfs_path", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint("vaults_owner_name_unique", ["owner_id", "name"])
    .execute();

  await db.schema
    .createTable("vault_shares")
    .addColumn("vault_id", "integer", (c) => c.notNull().references("vaults.id").onDelete("cascade"))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint("vault_shares_pk", ["vault_id", "user_id"])
    .execute();

  await db.schema
    .createTable("payer_metadata")
    .addColumn("id", "integer", (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn("payer_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint("payer_metadata_payer_key_unique", ["payer_id", "key"])
    .execute();

  await db.schema
    .createTable("sessions")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["sessions", "payer_metadata", "vault_shares", "vaults", "users", "machines", "clusters", "zones"]) {
    await db.schema.dropTable(t).execute();
  }
}
