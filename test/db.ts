// A fresh, migrated database for one test file: PGlite in memory by default,
// or a new database on the PostgreSQL server named by DATABASE_URL (the test
// script starts one and runs the whole suite a second time against it).
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { openDatabase, type OpenedDatabase } from "../src/store/db";

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
  const name = `paddock_t_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const opened = await openDatabase({ databaseUrl: url.toString() });
  return {
    ...opened,
    url: url.toString(),
    describe: opened.describe,
    async close() {
      await opened.close();
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
