// Counts the SQL statements Paddock sends to its database, by who sent them:
// a wrapper around the pool Kysely's PostgresDialect draws connections from
// (PGlite's one-connection pool or pg.Pool), so every statement that reaches
// the server is counted, BEGIN and COMMIT included (a Kysely plugin would miss
// those). Who sent it comes from an AsyncLocalStorage source set around the
// API's requests, the job controller, and the benchmark's own observer, whose
// polling is not counted at all.
import { AsyncLocalStorage } from "node:async_hooks";
import type { PostgresPool, PostgresPoolClient } from "kysely";

/** Who a statement is counted for; "uncounted" is the benchmark itself looking. */
export type Source = "api" | "controller" | "other" | "uncounted";

/** Statements per source, split into reads (SELECT, SHOW) and the rest (writes, BEGIN/COMMIT, DDL). */
export interface Counts {
  api: number;
  controller: number;
  other: number;
  /** of the above, the statements that were not reads */
  apiWrites: number;
  controllerWrites: number;
  otherWrites: number;
}

export const zeroCounts = (): Counts => ({ api: 0, controller: 0, other: 0, apiWrites: 0, controllerWrites: 0, otherWrites: 0 });

/** b - a, source by source (a window between two snapshots). */
export function countsBetween(a: Counts, b: Counts): Counts {
  return {
    api: b.api - a.api,
    controller: b.controller - a.controller,
    other: b.other - a.other,
    apiWrites: b.apiWrites - a.apiWrites,
    controllerWrites: b.controllerWrites - a.controllerWrites,
    otherWrites: b.otherWrites - a.otherWrites,
  };
}

export const totalOf = (c: Counts): number => c.api + c.controller + c.other;
export const writesOf = (c: Counts): number => c.apiWrites + c.controllerWrites + c.otherWrites;

/** A statement that only reads: SELECT, WITH ... SELECT, SHOW (a WITH that writes counts as a write). */
export function isRead(sql: string): boolean {
  const head = sql.trimStart().slice(0, 8).toLowerCase();
  if (head.startsWith("select") || head.startsWith("show")) return true;
  if (head.startsWith("with")) return !/\b(insert|update|delete|merge)\b/i.test(sql);
  return false;
}

export class StatementCounter {
  private readonly als = new AsyncLocalStorage<Source>();
  private counts = zeroCounts();
  /** the totals of another process (the API process of bench/apiProcess.ts), as last reported */
  private external = zeroCounts();

  /** Run `fn` (and everything it starts: timers, promises, callbacks registered in it) as `source`. */
  run<T>(source: Source, fn: () => T): T {
    return this.als.run(source, fn);
  }

  /** The source of the code running now ("other" outside any run). */
  current(): Source {
    return this.als.getStore() ?? "other";
  }

  /** Count one statement for the current source. */
  count(sql: string): void {
    const source = this.current();
    if (source === "uncounted") return;
    this.counts[source]++;
    if (!isRead(sql)) this.counts[`${source}Writes`]++;
  }

  /** The totals so far (a copy), with the other process's as last set. */
  snapshot(): Counts {
    const c = { ...this.counts };
    for (const k of Object.keys(c) as Array<keyof Counts>) c[k] += this.external[k];
    return c;
  }

  /** Another process's totals so far (they replace the last ones it reported). */
  setExternal(totals: Counts): void {
    this.external = { ...totals };
  }

  /** A pool that hands out the connections of `pool`, each statement counted. */
  pool(pool: PostgresPool): PostgresPool {
    const wrapped = new WeakMap<PostgresPoolClient, PostgresPoolClient>();
    const wrap = (client: PostgresPoolClient): PostgresPoolClient => {
      let w = wrapped.get(client);
      if (!w) {
        w = {
          query: ((sqlOrCursor: unknown, parameters?: readonly unknown[]) => {
            // a cursor (streaming) carries its SQL in `text`
            this.count(typeof sqlOrCursor === "string" ? sqlOrCursor : String((sqlOrCursor as { text?: string }).text ?? ""));
            return (client.query as (a: unknown, b?: readonly unknown[]) => unknown).call(client, sqlOrCursor, parameters);
          }) as PostgresPoolClient["query"],
          release: (destroy?: boolean) => client.release(destroy),
        };
        wrapped.set(client, w);
      }
      return w;
    };
    return {
      connect: async () => wrap(await pool.connect()),
      end: () => pool.end(),
    };
  }
}
