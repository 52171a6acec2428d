// A PostgreSQL connection pool opened as src/store/db.ts opens Paddock's (pg.Pool,
// named prepared statements), with every statement counted by a StatementCounter:
// the benchmark's API and controller pools, and the API process's.
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Db } from "../src/store/db";
import { prepareOn } from "../src/store/preparedStatements";
import type { Database } from "../src/store/schema";
import type { StatementCounter } from "./statementCounter";

/**
 * `max` connections to `url`. An idle connection that fails is reported on stderr as `what`'s, unless
 * `quiet()` (a database being dropped ends the connections pg.Pool may still be closing).
 */
export function countedPostgres(url: string, max: number, counter: StatementCounter, what: string, quiet: () => boolean = () => false): Db {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000 });
  pool.on("error", (e) => {
    if (!quiet()) console.error(`bench: idle database connection (${what}) failed: ${e.message}`);
  });
  prepareOn(pool);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: counter.pool(pool) }) });
}
