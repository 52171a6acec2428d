import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { freshDatabase, testDbKind } from "./db";
import type { OpenedDatabase } from "../src/store/db";

describe(`database (${testDbKind()})`, () => {
  let opened: OpenedDatabase;
  beforeAll(async () => {
    opened = await freshDatabase();
  });
  afterAll(async () => opened.close());

  it("runs on the backend the suite was started for", async () => {
    const { rows } = await sql<{ v: string }>`select version() as v`.execute(opened.db);
    expect(rows[0]!.v).toMatch(/PostgreSQL/);
    expect(opened.describe.startsWith(testDbKind())).toBe(true);
  });

  it("has the Default zone with id 0 after migrating", async () => {
    const zones = await opened.db.selectFrom("zones").selectAll().execute();
    expect(zones.map((z) => [z.id, z.name])).toEqual([[0, "Default"]]);
  });

  it("rolls a failed transaction back whole", async () => {
    await expect(
      opened.db.transaction().execute(async (trx) => {
        await trx.insertInto("zones").values({ name: "west" }).execute();
        await trx.insertInto("zones").values({ name: "west" }).execute(); // unique violation
      }),
    ).rejects.toThrow();
    const names = (await opened.db.selectFrom("zones").select("name").execute()).map((z) => z.name);
    expect(names).toEqual(["Default"]);
  });

  it("keeps migrations idempotent: the migration table lists each once", async () => {
    const { rows } = await sql<{ name: string }>`select name from paddock_migrations order by name`.execute(opened.db);
    expect(rows.map((r) => r.name)).toEqual(["0001_foundation", "0002_jobs", "0003_job_env", "0004_identity", "0005_ipaddr_owners", "0006_limits", "0007_multi_cluster", "0008_portal_product", "0009_job_wake"]);
  });
});
