import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./app";

describe("admin API smoke", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it("answers health and serves its OpenAPI document", async () => {
    expect((await t.call("GET", "/api/health")).json()).toEqual({ status: "ok" });
    const doc = (await t.call("GET", "/api/openapi.json")).json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain("/api/users/{username}/vaults");
  });

  it("lets the first administrator in with the API key and with the password", async () => {
    expect((await t.call("GET", "/api/me", { as: t.admin })).json()).toMatchObject({ username: "root", sysadmin: true });
    const login = await t.call("POST", "/api/login", { body: { username: "root", password: t.admin.password } });
    expect(login.statusCode).toBe(200);
    const me = await t.call("GET", "/api/me", { headers: { authorization: `Bearer ${(login.json() as { token: string }).token}` } });
    expect(me.json()).toMatchObject({ username: "root" });
  });

  it("refuses anonymous and wrong-key callers with 401", async () => {
    expect((await t.call("GET", "/api/me")).statusCode).toBe(401);
    expect((await t.call("GET", "/api/me", { as: { username: "root", apikey: "nope" } })).statusCode).toBe(401);
  });
});
