// PGlite (embedded PostgreSQL in WebAssembly) presented as a one-connection
// pool, so that Kysely's own PostgresDialect drives both PGlite and a real
// PostgreSQL server: one SQL dialect everywhere. The single connection is
// handed out under a mutex so a transaction never interleaves with other work.
import type { PGlite } from "@electric-sql/pglite";
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from "kysely";

const ACQUIRE_TIMEOUT_MS = 60_000;

export function pgliteAsPool(pglite: PGlite): PostgresPool {
  let held = false;
  const waiting: Array<() => void> = [];

  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else held = false;
  };

  const client = {
    async query(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<unknown>> {
      const r = await pglite.query(sql, parameters as unknown[]);
      const command = (/^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? "SELECT") as PostgresQueryResult<unknown>["command"];
      const changed = command === "INSERT" || command === "UPDATE" || command === "DELETE" || command === "MERGE";
      return { command, rowCount: changed ? (r.affectedRows ?? 0) : r.rows.length, rows: r.rows };
    },
    release,
  } as unknown as PostgresPoolClient;

  return {
    async connect() {
      if (!held) {
        held = true;
        return client;
      }
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = waiting.indexOf(grant);
          if (i >= 0) waiting.splice(i, 1);
          reject(new Error(`embedded database busy for ${ACQUIRE_TIMEOUT_MS / 1000}s: is the database used outside a transaction that is still open?`));
        }, ACQUIRE_TIMEOUT_MS);
        const grant = () => {
          clearTimeout(timer);
          resolve();
        };
        waiting.push(grant);
      });
      return client;
    },
    async end() {
      await pglite.close();
    },
  };
}
