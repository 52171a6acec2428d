// The API process serves a built portal: unknown GET paths outside /api and
// /jarvice fall back to index.html (the portal's own routes survive a reload);
// /api and /jarvice keep their JSON 404s.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./app";

describe("serving a built portal", () => {
  let t: TestApp;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "paddock-portal-"));
    writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>Paddock portal</title>");
    t = await startTestApp({}, { portalDir: dir });
  });
  afterAll(async () => t.close());

  it.each(["/", "/dashboard", "/admin/users?x=1"])("answers GET %s with the portal's index.html", async (url) => {
    const r = await t.call("GET", url);
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toMatch(/text\/html/);
    expect(r.body).toContain("Paddock portal");
  });

  it.each([
    ["GET", "/api/nope"],
    ["GET", "/jarvice/nope"],
    ["POST", "/dashboard"],
  ] as const)("keeps the JSON 404 for %s %s", async (method, url) => {
    const r = await t.call(method, url);
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ error: `no route ${method} ${url}` });
  });
});
