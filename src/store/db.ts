// Opens the database: PGlite in a data directory by default, or a PostgreSQL
// server when DATABASE_URL is set. Both through Kysely's PostgresDialect.
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { mkdirSync } from "node:fs";
import { pgliteAsPool } from "./pglitePool";
import { migrateToLatest } from "./migrate";
import type { Database } from "./schema";

export type Db = Kysely<Database>;

export interface OpenedDatabase {
  db: Db;
  /** "pglite:<dir>" or "postgres:<host:port/db>", for logs */
  describe: string;
  close(): Promise<void>;
}

export async function openDatabase(opts: { databaseUrl?: string | undefined; dataDir?: string | undefined; pglite?: PGlite }): Promise<OpenedDatabase> {
  let db: Db;
  let describe: string;
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
    // An idle connection can be ended by the server (restart, failover, an administrator):
    // the pool drops it and opens another when needed; without a handler the process would die.
    pool.on("error", (e) => console.warn(`paddock: idle database connection lost (${e.message}); it will be replaced`));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const u = new URL(opts.databaseUrl);
    describe = `postgres:${u.host}${u.pathname}`;
  } else {
    let pglite = opts.pglite;
    if (!pglite) {
      if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
      pglite = await PGlite.create(opts.dataDir ? { dataDir: opts.dataDir } : {});
    }
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pgliteAsPool(pglite) }) });
    describe = `pglite:${opts.dataDir ?? "memory"}`;
  }
  try {
    await migrateToLatest(db as Kysely<unknown>);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return { db, describe, close: () => db.destroy() };
}
