// Administrators are warned when a vault setup would lock users out of every
// zone with machines (spec: "Warn the administrator when a setting would give
// users only a zoned ephemeral vault in a zone with no machines").
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./app";

describe("lock-out warnings", () => {
  let t: TestApp;
  let empty: number;
  let busy: number;
  beforeAll(async () => {
    t = await startTestApp();
    const as = t.admin;
    empty = ((await t.call("POST", "/api/zones", { as, body: { name: "empty" } })).json() as { id: number }).id;
    busy = ((await t.call("POST", "/api/zones", { as, body: { name: "busy" } })).json() as { id: number }).id;
    await t.call("POST", "/api/clusters", { as, body: { name: "busy-1", zone: busy } });
    expect((await t.call("POST", "/api/machines", { as, body: { name: "b1", cluster: "busy-1", cores: 4, memoryGb: 8 } })).statusCode).toBe(201);
  });
  afterAll(async () => t.close());

  it("warns when a payer's ephemeral-zone override leaves only a zone without machines", async () => {
    const r = await t.call("POST", "/api/users", { as: t.admin, body: { username: "locked", vaultOverrides: { vaultEphemeralZone: empty } } });
    expect(r.statusCode).toBe(201);
    expect((r.json() as { warnings: string[] }).warnings).toEqual([expect.stringMatching(/'locked' can reach only zone \d+ \(empty\), where no machine is offered/)]);
  });

  it("does not warn when the zone has machines", async () => {
    const r = await t.call("POST", "/api/users", { as: t.admin, body: { username: "fine", vaultOverrides: { vaultEphemeralZone: busy } } });
    expect((r.json() as { warnings: string[] }).warnings).toEqual([]);
  });

  it("warns on a metadata zone without machines, and still stores the row", async () => {
    const r = await t.call("POST", "/api/metadata", { as: t.admin, body: { payer: "fine", key: "vaultZone", value: String(empty) } });
    expect(r.statusCode).toBe(201);
    expect((r.json() as { warnings: string[] }).warnings[0]).toMatch(/^vaultZone: zone \d+ offers no machine/);
    const moved = await t.call("PUT", `/api/metadata/${(r.json() as { id: number }).id}`, { as: t.admin, body: { value: String(busy) } });
    expect((moved.json() as { warnings: string[] }).warnings).toEqual([]);
  });
});
