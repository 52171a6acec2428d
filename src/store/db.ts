// Opens the database: PGlite in a data directory by default, or a PostgreSQL
// server when DATABASE_URL is set. Both through Kysely's PostgresDialect.
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { mkdirSync } from "node:fs";
import { pgliteAsPool } from "./pglitePool";
import { lockDataDir, type DataDirLock } from "./dataDirLock";
import { migrateToLatest } from "./migrate";
import { prepareOn } from "./preparedStatements";
import type { Database } from "./schema";

export type Db = Kysely<Database>;

export interface OpenedDatabase {
  /** for requests: on PostgreSQL a pool of 10 connections */
  db: Db;
  /**
   * For the background loops (the job controller, admission's releases): on PostgreSQL a pool of its
   * own (4 connections), so that a burst of requests queued on the API's pool never stalls them and
   * they never take the API's connections; on PGlite the same one connection as `db`.
   */
  background: Db;
  /** "pglite:<dir>" or "postgres:<host:port/db>", for logs */
  describe: string;
  close(): Promise<void>;
}

export async function openDatabase(opts: {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  pglite?: PGlite;
  /** where connection losses and recoveries are reported (default: stderr) */
  log?: (msg: string) => void;
  /** send reusedQuery's statements as named prepared statements (default true; PADDOCK_PG_PREPARED=false for PgBouncer in transaction mode before 1.21) */
  preparedStatements?: boolean;
  /** the data directory's lock stopped being ours (see dataDirLock.ts); default: log it */
  onLockLost?: (msg: string) => void;
}): Promise<OpenedDatabase> {
  let db: Db;
  let background: Db | undefined;
  let describe: string;
  let lock: DataDirLock | undefined;
  if (opts.databaseUrl) {
    // A connection attempt to an unreachable server fails after 10 s (503) instead of hanging the request.
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10, connectionTimeoutMillis: 10_000 });
    watchConnections(pool, opts.log ?? ((m) => console.warn(`paddock: ${m}`)));
    if (opts.preparedStatements !== false) prepareOn(pool);
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    // Opened lazily by pg on first use: a process that runs no background loop never connects it.
    const backgroundPool = new pg.Pool({ connectionString: opts.databaseUrl, max: 4, connectionTimeoutMillis: 10_000 });
    const logBackground = opts.log ?? ((m: string) => console.warn(`paddock: ${m}`));
    watchConnections(backgroundPool, (m) => logBackground(`${m} (background pool)`));
    if (opts.preparedStatements !== false) prepareOn(backgroundPool);
    background = new Kysely<Database>({ dialect: new PostgresDialect({ pool: backgroundPool }) });
    const u = new URL(opts.databaseUrl);
    describe = `postgres:${u.host}${u.pathname}`;
  } else {
    let pglite = opts.pglite;
    if (!pglite) {
      if (opts.dataDir) {
        mkdirSync(opts.dataDir, { recursive: true });
        // before PGlite touches the directory: a second process must not open it at all
        lock = lockDataDir(opts.dataDir, { onLost: opts.onLockLost ?? ((m) => console.error(`paddock: ${m}`)) });
      }
      try {
        pglite = await PGlite.create(opts.dataDir ? { dataDir: opts.dataDir } : {});
      } catch (e) {
        lock?.release();
        throw e;
      }
    }
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pgliteAsPool(pglite) }) });
    describe = `pglite:${opts.dataDir ?? "memory"}`;
  }
  try {
    await migrateToLatest(db as Kysely<unknown>);
  } catch (e) {
    await db.destroy();
    await background?.destroy();
    lock?.release();
    throw e;
  }
  return {
    db,
    background: background ?? db,
    describe,
    close: async () => {
      try {
        await db.destroy();
        await background?.destroy();
      } finally {
        lock?.release();
      }
    },
  };
}

/**
 * A PostgreSQL server can end any connection at any time (restart, failover, crash, an administrator).
 * pg reports that as an 'error' event on the client, checked out or idle; an event without a listener
 * kills the process. Every connection therefore gets a listener: the pool drops a broken client on
 * release and opens new ones when the server is back, while the query that was running fails and is
 * answered 503 (http/errors.ts). One line when the outage starts, one when a connection works again.
 */
function watchConnections(pool: pg.Pool, log: (msg: string) => void): void {
  let lost = false;
  const onLost = (e: Error) => {
    if (lost) return;
    lost = true;
    log(`database connection lost (${e.message}); requests get 503 until it is back, reconnecting`);
  };
  pool.on("error", onLost); // an idle client's error (pg-pool's own listener forwards it here)
  pool.on("connect", (client) => {
    client.on("error", onLost); // a checked-out client's error
    if (lost) {
      lost = false;
      log("database connection restored");
    }
  });
}
