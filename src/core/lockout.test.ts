import { describe, expect, it } from "vitest";
import { aVault, zones } from "../../test/builders";
import { lockoutWarning, zoneMetadataWarning } from "./lockout";
import { zoneAccessFor } from "./zoneAccess";

const known = zones(0, [2, "west"], [3, "east"]);
const access = (...vaults: ReturnType<ReturnType<typeof aVault>["build"]>[]) => zoneAccessFor(vaults, known, 0);

describe("lockoutWarning", () => {
  it("warns when a zoned ephemeral vault puts the user only in a zone without machines", () => {
    const w = lockoutWarning("ann", access(aVault("ephemeral").ephemeral().isDefault().inZone(2).build()), new Set([0, 3]));
    expect(w).toMatch(/'ann' can reach only zone 2 \(west\), where no machine is offered/);
  });

  it("is quiet when any reachable zone has machines", () => {
    const a = access(aVault("ephemeral").ephemeral().isDefault().inZone(2).build(), aVault("p").inZone(3).build());
    expect(lockoutWarning("ann", a, new Set([3]))).toBeUndefined();
  });

  it("is quiet for an unzoned ephemeral vault when Default has machines", () => {
    expect(lockoutWarning("ann", access(aVault("ephemeral").ephemeral().isDefault().build()), new Set([0]))).toBeUndefined();
  });

  it("warns when no vault grants any zone", () => {
    expect(lockoutWarning("ann", access(), new Set([0]))).toMatch(/no zone at all/);
  });
});

describe("zoneMetadataWarning", () => {
  it.each([
    [-1, new Set<number>(), false],
    [2, new Set([2]), false],
    [2, new Set([0, 3]), true],
  ])("zone %i with machines in %o warns: %s", (zone, withMachines, warns) => {
    const w = zoneMetadataWarning("acme", "vaultEphemeralZone", zone, withMachines);
    expect(w !== undefined).toBe(warns);
    if (warns) expect(w).toMatch(/^vaultEphemeralZone: zone 2 offers no machine; new members of 'acme'/);
  });
});
