import { describe, expect, it } from "vitest";
import { isConnectionLost, isUniqueViolation, violatedUniqueConstraint } from "./errors";
import { freshDatabase } from "../../test/db";

describe("violatedUniqueConstraint", () => {
  it("reads the constraint from the driver's field or from the message", () => {
    expect(violatedUniqueConstraint({ code: "23505", constraint: "users_username_key" })).toBe("users_username_key");
    expect(violatedUniqueConstraint(new Error('duplicate key value violates unique constraint "vaults_owner_name_unique"'))).toBe("vaults_owner_name_unique");
    expect(violatedUniqueConstraint({ code: "23503", constraint: "users_payer_id_fkey" })).toBeUndefined();
    expect(isUniqueViolation(new Error("connection refused"))).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
  });

  it("names the constraint a real insert broke", async () => {
    const opened = await freshDatabase();
    try {
      await opened.db.insertInto("zones").values({ name: "west" }).execute();
      const e = await opened.db.insertInto("zones").values({ name: "west" }).execute().catch((x: unknown) => x);
      expect(violatedUniqueConstraint(e)).toBe("zones_name_key");
    } finally {
      await opened.close();
    }
  });
});

describe("isConnectionLost", () => {
  it.each([
    ["a fast shutdown (57P01)", { code: "57P01", message: "terminating connection due to administrator command" }],
    ["a crash shutdown (57P02)", { code: "57P02", message: "terminating connection because of crash of another server process" }],
    ["a server starting up (57P03)", { code: "57P03", message: "the database system is starting up" }],
    ["a refused connection", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" })],
    ["a reset connection", Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })],
    ["a dead socket", new Error("Connection terminated unexpectedly")],
    ["a broken client", new Error("Client has encountered a connection error and is not queryable")],
    ["a pool timeout", new Error("timeout exceeded when trying to connect")],
    ["both addresses refused", new AggregateError([Object.assign(new Error("connect ECONNREFUSED ::1:5432"), { code: "ECONNREFUSED" })], "")],
    ["a wrapped cause", new Error("reconcile", { cause: { code: "08006" } })],
  ])("recognizes %s", (_name, e) => {
    expect(isConnectionLost(e)).toBe(true);
  });

  it.each([
    ["a unique violation", { code: "23505", message: 'duplicate key value violates unique constraint "users_username_key"' }],
    ["a syntax error", { code: "42601", message: "syntax error at or near" }],
    ["a statement timeout", { code: "57014", message: "canceling statement due to statement timeout" }],
    ["a plain error", new Error("boom")],
    ["nothing", undefined],
  ])("does not take %s for a lost connection", (_name, e) => {
    expect(isConnectionLost(e)).toBe(false);
  });
});
