// THROWAWAY (orchestrator check) — delete me.
import { expect, it } from "vitest";
import pg from "pg";

it("sees the environment the orchestrator set", async () => {
  const kind = process.env.PADDOCK_TEST_DB;
  expect(["pglite", "postgres"]).toContain(kind);
  if (kind === "pglite") {
    expect(process.env.DATABASE_URL).toBeUndefined();
    return;
  }
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  const { rows } = await c.query<{ v: string }>("select version() as v");
  await c.end();
  console.log("[smoke]", rows[0]?.v);
  expect(rows[0]?.v).toMatch(/PostgreSQL 15/);
  if (process.env.SMOKE_FAIL === kind) expect("deliberate").toBe("failure");
});
it.skipIf(process.env.PADDOCK_TEST_DB !== "pglite")("skipped on postgres", () => {});
