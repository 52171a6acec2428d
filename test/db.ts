// A fresh, migrated database for one test file: PGlite in memory by default,
// or a new database on the PostgreSQL server named by DATABASE_URL (the test
// script starts one and runs the whole suite a second time against it).
import { PGlite } from "@electric-sql/pglite";
import { inject } from "vitest";
import { openDatabase, type OpenedDatabase } from "../src/store/db";
import { createScratchDatabase } from "./scratchDatabase";

export const testDbKind = (): "postgres" | "pglite" => (process.env.DATABASE_URL ? "postgres" : "pglite");

/** A test database; on PostgreSQL with its URL (for a second connection, as another process would open). */
export type TestDatabase = OpenedDatabase & { url?: string };

export async function freshDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    // Start from the migrated template made once by globalSetup: PGlite's
    // WebAssembly start is the slow part, replaying migrations need not be.
    const template = inject("pgliteTemplate");
    const pglite = await PGlite.create(template ? { loadDataDir: new Blob([Buffer.from(template, "base64")]) } : {});
    return openDatabase({ pglite });
  }
  const scratch = await createScratchDatabase(serverUrl, "paddock_t");
  const opened = await openDatabase({ databaseUrl: scratch.url });
  return {
    ...opened,
    url: scratch.url,
    describe: opened.describe,
    async close() {
      await opened.close();
      await scratch.drop();
    },
  };
}
