// Every SQL statement that reaches the database client while a function runs,
// BEGIN and COMMIT included (they do not pass Kysely's query executor, so a
// Kysely plugin or an executor spy misses them): what a request costs the
// database, on PGlite (its query method) and on PostgreSQL (pg's Client.query).
// Everything running meanwhile is counted: use it on an app without a job controller.
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { vi } from "vitest";

const sqlOf = (q: unknown): string => (typeof q === "string" ? q : String((q as { text?: unknown } | null)?.text ?? ""));

/** `f`'s result and the SQL of the statements sent while it ran, in the order sent. */
export async function statementsDuring<T>(f: () => Promise<T>): Promise<{ result: T; sql: string[] }> {
  // A test database is one or the other, so one of the two spies sees every statement.
  const spies = [vi.spyOn(PGlite.prototype, "query"), vi.spyOn(pg.Client.prototype, "query")];
  try {
    const result = await f();
    return { result, sql: spies.flatMap((s) => s.mock.calls.map((c) => sqlOf(c[0]))) };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}
