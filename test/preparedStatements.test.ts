// Named prepared statements on a real PostgreSQL server (its own, in both suites):
// reusedQuery's statements go by name on connections of a pool given prepareOn,
// other statements do not, and a plan a migration invalidated falls back to an
// unnamed statement instead of failing.
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type PostgresServer } from "../scripts/postgres";
import { prepareOn } from "../src/store/preparedStatements";
import { reusedQuery } from "../src/store/reusedQuery";
import { createScratchDatabase, type ScratchDatabase } from "./scratchDatabase";

let server: PostgresServer;
let scratch: ScratchDatabase;
let pool: pg.Pool;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let db: Kysely<any>;

beforeAll(async () => {
  server = await startPostgres({ log: () => {} });
  scratch = await createScratchDatabase(server.url, "prepared");
  pool = new pg.Pool({ connectionString: scratch.url, max: 1 });
  prepareOn(pool);
  db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  await sql`CREATE TABLE things (id int PRIMARY KEY, name text)`.execute(db);
  await sql`INSERT INTO things VALUES (1, 'one'), (2, 'two')`.execute(db);
}, 60_000);
afterAll(async () => {
  await db?.destroy();
  await scratch?.drop();
  await server?.stop();
});

// the one connection's named statements
const prepared = async () => (await sql<{ name: string; statement: string }>`SELECT name, statement FROM pg_prepared_statements`.execute(db)).rows;

describe("prepared statements", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const thing = reusedQuery<{ id: number }>()((d, slot) => (d as unknown as Kysely<any>).selectFrom("things").selectAll().where("id", "=", slot("id")));

  it("sends a reused statement by name, once parsed per connection, with each run's values", async () => {
    expect((await thing.execute(db, { id: 1 })).rows).toEqual([{ id: 1, name: "one" }]);
    expect((await thing.execute(db, { id: 2 })).rows).toEqual([{ id: 2, name: "two" }]);
    const named = (await prepared()).filter((p) => p.name.startsWith("paddock_"));
    expect(named).toHaveLength(1);
    expect(named[0]!.statement).toBe(thing.compile(db, { id: 1 }).sql);
  });

  it("leaves other statements unnamed", async () => {
    await db.selectFrom("things").select("name").where("id", "=", 1).execute();
    expect((await prepared()).filter((p) => p.name.startsWith("paddock_"))).toHaveLength(1);
  });

  it("falls back to an unnamed statement when a migration changed what the prepared one returns", async () => {
    await sql`ALTER TABLE things ADD COLUMN size int DEFAULT 3`.execute(db);
    expect((await thing.execute(db, { id: 1 })).rows).toEqual([{ id: 1, name: "one", size: 3 }]);
    expect((await thing.execute(db, { id: 2 })).rows).toEqual([{ id: 2, name: "two", size: 3 }]);
  });
});
