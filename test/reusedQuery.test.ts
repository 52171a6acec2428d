import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./app";
import { reusedQuery } from "../src/store/reusedQuery";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe("reusedQuery", () => {
  const byName = reusedQuery<{ name: string; min: number }>()((db, slot) =>
    db
      .selectFrom("users")
      .select(["username", sql<number>`${slot("min")}::int + 1`.as("n")])
      .where("username", "=", slot("name"))
      .where("disabled", "=", false),
  );

  it("compiles once and puts each run's values in the slots, constants kept", async () => {
    const a = byName.compile(t.opened.db, { name: "someone-else", min: 1 });
    const b = byName.compile(t.opened.db, { name: "someone", min: 41 });
    expect(b.sql).toBe(a.sql);
    expect(a.parameters).toEqual([1, "someone-else", false]);
    expect(b.parameters).toEqual([41, "someone", false]);
  });

  it("runs with the values given, on any Kysely instance", async () => {
    const admin = t.admin.username;
    expect((await byName.execute(t.opened.db, { name: admin, min: 1 })).rows).toEqual([{ username: admin, n: 2 }]);
    expect((await byName.execute(t.opened.db, { name: `${admin}-nobody`, min: 1 })).rows).toEqual([]);
  });

  it("refuses a run that leaves a slot without a value, rather than sending NULL", () => {
    expect(() => byName.compile(t.opened.db, { name: undefined as unknown as string, min: 1 })).toThrow(/no value for name/);
  });
});

describe("reusedQuery on a Kysely instance with plugins", () => {
  it("builds the statement each time, so that the plugins see it", async () => {
    const seen: string[] = [];
    const spied = t.opened.db.withPlugin({
      transformQuery: (a) => {
        seen.push(a.node.kind);
        return a.node;
      },
      transformResult: async (a) => a.result,
    });
    const q = reusedQuery<{ name: string }>()((db, slot) => db.selectFrom("users").select("username").where("username", "=", slot("name")));
    await q.execute(t.opened.db, { name: t.admin.username });
    expect((await q.execute(spied, { name: t.admin.username })).rows).toEqual([{ username: t.admin.username }]);
    await q.execute(spied, { name: "nobody" });
    expect(seen).toEqual(["SelectQueryNode", "SelectQueryNode"]);
  });
});
