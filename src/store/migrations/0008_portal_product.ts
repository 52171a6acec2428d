// The portal as a product (issue 14):
//  - apps.appdef becomes text: jsonb reorders object keys (by length, then
//    bytes), so an AppDef came back with its commands and parameters in
//    another order than given, and a command line's flags with them. Text
//    keeps the document as written; readers JSON.parse it (which keeps the
//    order of non-integer keys). Values stored as jsonb before keep the order
//    jsonb gave them.
//  - users.apikey_sealed: the API key sealed (AES-256-GCM under the server's
//    key, accounts/sealing.ts) so its owner can be shown it again; null for
//    keys made before this migration (only their hash is known).
//  - Deleting machine types and apps that completed jobs still name: the job
//    keeps the names (jobs.machine_name; jobs.app_id is the app's name), and
//    the reference to the catalog row is set to null on delete. The foreign
//    keys stay: a job inserted while its machine or app is being deleted
//    waits for the delete and then fails, instead of naming a deleted row.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE apps ALTER COLUMN appdef TYPE text USING appdef::text`.execute(db);
  await db.schema.alterTable("users").addColumn("apikey_sealed", "text").execute();

  await db.schema.alterTable("jobs").addColumn("machine_name", "text", (c) => c.notNull().defaultTo("")).execute();
  await sql`UPDATE jobs SET machine_name = m.name FROM machines m WHERE m.id = jobs.machine_id`.execute(db);
  await sql`ALTER TABLE jobs ALTER COLUMN machine_id DROP NOT NULL`.execute(db);
  await sql`ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_machine_id_fkey`.execute(db);
  await sql`ALTER TABLE jobs ADD CONSTRAINT jobs_machine_id_fkey FOREIGN KEY (machine_id) REFERENCES machines(id) ON DELETE SET NULL`.execute(db);

  // app_id keeps the app's name for the history; app_ref is the reference that a delete clears.
  await sql`ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_app_id_fkey`.execute(db);
  await db.schema.alterTable("jobs").addColumn("app_ref", "text", (c) => c.references("apps.id").onDelete("set null")).execute();
  await sql`UPDATE jobs SET app_ref = app_id`.execute(db);
  await db.schema.createIndex("jobs_app_ref").on("jobs").column("app_ref").execute();
  await db.schema.createIndex("jobs_machine_id").ifNotExists().on("jobs").column("machine_id").execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("jobs_machine_id").ifExists().execute();
  await db.schema.dropIndex("jobs_app_ref").ifExists().execute();
  await db.schema.alterTable("jobs").dropColumn("app_ref").execute();
  await sql`ALTER TABLE jobs ADD CONSTRAINT jobs_app_id_fkey FOREIGN KEY (app_id) REFERENCES apps(id) ON DELETE RESTRICT`.execute(db);
  await sql`ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_machine_id_fkey`.execute(db);
  await sql`ALTER TABLE jobs ADD CONSTRAINT jobs_machine_id_fkey FOREIGN KEY (machine_id) REFERENCES machines(id) ON DELETE RESTRICT`.execute(db);
  await sql`ALTER TABLE jobs ALTER COLUMN machine_id SET NOT NULL`.execute(db);
  await db.schema.alterTable("jobs").dropColumn("machine_name").execute();
  await db.schema.alterTable("users").dropColumn("apikey_sealed").execute();
  await sql`ALTER TABLE apps ALTER COLUMN appdef TYPE jsonb USING appdef::jsonb`.execute(db);
}
