// Security headers on every kind of answer (the admin API's JSON, the JARVICE
// API, the portal's index), and POST /api/logout without a session (issue 9, item 9).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./app";

let t: TestApp;
beforeAll(async () => {
  const portalDir = mkdtempSync(path.join(tmpdir(), "paddock-portal-"));
  writeFileSync(path.join(portalDir, "index.html"), '<!doctype html><html><head><script type="module" src="/assets/index.js"></script></head><body><div id="root"></div></body></html>');
  t = await startTestApp({}, { portalDir });
});
afterAll(async () => t?.close());

/** The directives of the answer's Content-Security-Policy, by name. */
function csp(r: LightMyRequestResponse): Map<string, string[]> {
  const header = String(r.headers["content-security-policy"] ?? "");
  return new Map(
    header
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

function expectHardened(r: LightMyRequestResponse): void {
  expect(r.headers["x-content-type-options"]).toBe("nosniff");
  expect(r.headers["x-frame-options"]).toBe("DENY");
  const d = csp(r);
  expect(d.get("frame-ancestors")).toEqual(["'none'"]);
  expect(d.get("default-src")).toEqual(["'self'"]);
  // No inline or evaluated script: the built portal loads its module scripts from its own origin.
  expect(d.get("script-src")).toEqual(["'self'"]);
  expect(d.get("object-src")).toEqual(["'none'"]);
}

describe("security headers", () => {
  it("on the admin API's JSON answers, keeping their content type", async () => {
    const r = await t.call("GET", "/api/me", { as: t.admin });
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toBe("application/json");
    expectHardened(r);
  });

  it("on errors too", async () => {
    const r = await t.call("GET", "/api/me");
    expect(r.statusCode).toBe(401);
    expectHardened(r);
    expectHardened(await t.call("GET", "/api/nonsense", { as: t.admin }));
  });

  it("on the JARVICE API's answers", async () => {
    const r = await t.call("GET", `/jarvice/machines?username=${t.admin.username}&apikey=${t.admin.apikey}`);
    expect(r.statusCode).toBe(200);
    expectHardened(r);
    expectHardened(await t.call("GET", "/jarvice/live"));
  });

  it("on the portal's index, whatever path the single-page app was reloaded on", async () => {
    for (const url of ["/", "/admin/users"]) {
      const r = await t.call("GET", url);
      expect(r.statusCode, url).toBe(200);
      expect(r.headers["content-type"]).toMatch(/^text\/html/);
      expect(r.body).toContain('<div id="root">');
      expectHardened(r);
    }
  });
});

describe("POST /api/logout", () => {
  it("without a session answers 400 naming the problem, with an API key or anonymously", async () => {
    for (const r of [await t.call("POST", "/api/logout", { as: t.admin }), await t.call("POST", "/api/logout")]) {
      expect(r.statusCode, r.body).toBe(400);
      const j = r.json() as { error: string; field: string };
      expect(j.field).toBe("authorization");
      expect(j.error).toMatch(/^authorization: no session/);
    }
  });

  it("with a session token ends it; an unknown token is a 401", async () => {
    const login = await t.call("POST", "/api/login", { body: { username: t.admin.username, password: t.admin.password } });
    const token = (login.json() as { token: string }).token;
    const bearer = { authorization: `Bearer ${token}` };
    expect((await t.call("POST", "/api/logout", { headers: bearer })).statusCode).toBe(200);
    expect((await t.call("GET", "/api/me", { headers: bearer })).statusCode).toBe(401);
    expect((await t.call("POST", "/api/logout", { headers: bearer })).statusCode).toBe(401);
  });
});
