import { describe, expect, it } from "vitest";
import { isUniqueViolation, violatedUniqueConstraint } from "./errors";
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
