// Versioned migrations, applied at start with Kysely's Migrator (which locks,
// so concurrent starters against one PostgreSQL server apply each once).
import { Migrator, type Kysely, type Migration, type MigrationProvider } from "kysely";
import * as m0001 from "./migrations/0001_foundation";
import * as m0002 from "./migrations/0002_jobs";
import * as m0003 from "./migrations/0003_job_env";
import * as m0004 from "./migrations/0004_identity";
import * as m0005 from "./migrations/0005_ipaddr_owners";
import * as m0006 from "./migrations/0006_limits";
import * as m0007 from "./migrations/0007_multi_cluster";
import * as m0008 from "./migrations/0008_portal_product";
import * as m0009 from "./migrations/0009_job_wake";

const MIGRATIONS: Record<string, Migration> = {
  "0001_foundation": m0001,
  "0002_jobs": m0002,
  "0003_job_env": m0003,
  "0004_identity": m0004,
  "0005_ipaddr_owners": m0005,
  "0006_limits": m0006,
  "0007_multi_cluster": m0007,
  "0008_portal_product": m0008,
  "0009_job_wake": m0009,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const migrator = new Migrator({ db, provider, migrationTableName: "paddock_migrations", migrationLockTableName: "paddock_migrations_lock" });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    throw new Error(`database migration ${failed ?? ""} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
