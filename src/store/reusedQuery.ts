// A statement built with Kysely once and then only given new values. Building
// and compiling a query (immutable operation nodes, frozen objects, visitors)
// costs a few hundred microseconds of the event loop each time; on the submit
// path, whose statements always have the same shape, that was more than a
// millisecond per submission: the API's largest CPU cost after the network.
//
// The builder gets `slot(name)` for each value that changes between runs; the
// first run compiles it with those slots in place of values, and every run
// puts its values where the slots ended up among the statement's parameters.
// A value the builder puts in directly (a constant) stays as it is. The SQL is
// the dialect's (PostgreSQL for every Paddock database), so one compiled text
// serves every Kysely instance. Shapes that vary (an optional column, an IN
// list of any length) are not for this: give each shape its own reused query,
// or pass the list as one array parameter (`= any(slot)`). On a Kysely instance
// with plugins (statement spies in tests) the statement is built each time, so
// that the plugins see it.
import type { Compilable, CompiledQuery, QueryResult } from "kysely";
import type { Db } from "./db";
import { registerPrepared } from "./preparedStatements";

class Slot {
  constructor(readonly name: string) {}
}

type Part = { slot: string } | { value: unknown };

export interface ReusedQuery<P, O> {
  /** The compiled statement with `values` in its slots. */
  compile(db: Db, values: P): CompiledQuery<O>;
  execute(db: Db, values: P): Promise<QueryResult<O>>;
}

/** `reusedQuery<Values>()((db, slot) => builder)`: curried so that the row type is inferred from the builder. */
export function reusedQuery<P extends Record<string, unknown>>() {
  return <O>(build: (db: Db, slot: <K extends keyof P & string>(name: K) => P[K]) => Compilable<O>): ReusedQuery<P, O> => {
    let cached: { query: CompiledQuery<O>; parts: Part[] } | undefined;
    const compile = (db: Db, values: P): CompiledQuery<O> => {
      // A Kysely instance with plugins (the tests' statement spies) sees each statement as it is built:
      // built afresh, with the values themselves.
      if (db.getExecutor().plugins.length > 0) return build(db, (name) => values[name]).compile();
      if (!cached) {
        const query = build(db, (name) => new Slot(name) as never).compile();
        // on PostgreSQL sent as a named statement: parsed and planned once per connection (preparedStatements.ts)
        registerPrepared(query.sql);
        const parts: Part[] = query.parameters.map((v) => (v instanceof Slot ? { slot: v.name } : { value: v }));
        cached = { query, parts };
      }
      const { query, parts } = cached;
      return {
        ...query,
        parameters: parts.map((p) => {
          if (!("slot" in p)) return p.value;
          const v = values[p.slot];
          // a builder leaves out an undefined value (the column's default); a compiled statement cannot
          if (v === undefined) throw new Error(`reusedQuery: no value for ${p.slot}`);
          return v;
        }),
      };
    };
    return { compile, execute: (db, values) => db.executeQuery(compile(db, values)) };
  };
}
