// Once per test run: when the suite runs on PGlite, migrate one in-memory
// database and hand its data directory to every test file as a template.
import { PGlite } from "@electric-sql/pglite";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../src/store/db";

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string | undefined;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  if (process.env.DATABASE_URL) {
    project.provide("pgliteTemplate", undefined);
    console.log(`[paddock tests] database: PostgreSQL server at ${new URL(process.env.DATABASE_URL).host}`);
    return;
  }
  const pglite = await PGlite.create();
  const opened = await openDatabase({ pglite });
  const dump = await pglite.dumpDataDir("none");
  await opened.close();
  project.provide("pgliteTemplate", Buffer.from(await dump.arrayBuffer()).toString("base64"));
  console.log("[paddock tests] database: PGlite (embedded), migrated template ready");
}
