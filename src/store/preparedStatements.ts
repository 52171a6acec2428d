// Named prepared statements on PostgreSQL for the statements that run most
// (those built by reusedQuery): each connection parses and plans such a
// statement once, then only binds values. The submit path's combined read
// (submitReads) cost PostgreSQL about 2.4 ms per call to parse and plan, and
// 0.2-0.4 ms prepared (3,000 calls each way on one connection): on a shared
// machine that planning competed with the API for the same cores.
//
// reusedQuery registers each statement's SQL here; `prepareOn(pool)` makes the
// pool's connections send a registered text as a named statement. Kysely and
// everything else keep calling `client.query(text, values)`.
//
// PgBouncer in transaction mode keeps named statements only from 1.21 on,
// with max_prepared_statements set: set PADDOCK_PG_PREPARED=false otherwise.
// A statement whose plan a migration invalidated ("cached plan must not change
// result type", SQLSTATE 0A000) is sent again unnamed, and that connection
// stops naming statements: it costs only the speed.
import { createHash } from "node:crypto";
import type pg from "pg";

const names = new Map<string, string>();

/** The name `sql` is prepared under (registered by reusedQuery). */
export function registerPrepared(sql: string): string {
  let name = names.get(sql);
  if (!name) {
    name = `paddock_${createHash("sha256").update(sql).digest("hex").slice(0, 20)}`;
    names.set(sql, name);
  }
  return name;
}

const PATCHED = Symbol("paddock.prepared");
type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/** Every connection the pool opens from now on sends registered statements by name. */
export function prepareOn(pool: pg.Pool): void {
  pool.on("connect", (client) => prepareClient(client));
}

export function prepareClient(client: pg.PoolClient | pg.Client): void {
  const c = client as unknown as { query: Query; [PATCHED]?: boolean };
  if (c[PATCHED]) return;
  c[PATCHED] = true;
  // the client's own query method, looked up at each call (so a spy put on pg.Client.prototype later still sees it)
  const own = Object.getPrototypeOf(client) as { query: Query };
  const plain: Query = (config, values, callback) => own.query.call(client, config, values, callback);
  let naming = true;
  c.query = (config, values, callback) => {
    const name = naming && typeof config === "string" && callback === undefined && Array.isArray(values) ? names.get(config) : undefined;
    if (!name) return plain(config, values, callback);
    return (plain({ name, text: config, values }) as Promise<unknown>).catch((e: { code?: string }) => {
      if (e?.code !== "0A000") throw e;
      naming = false;
      return plain(config, values);
    });
  };
}
