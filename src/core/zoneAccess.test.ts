import { describe, expect, it } from "vitest";
import { aVault, zones } from "../../test/builders";
import type { HeldVault } from "./vaults";
import { explainZoneAccess, hasZoneAccess, machineVaultZoneProblem, zoneAccessFor, zonesWithoutMachines } from "./zoneAccess";

const DEFAULT = 0;
const ZONES = zones(0, [2, "west"], [3, "east"], [5, "lab"]);

const access = (...held: HeldVault[]) => zoneAccessFor(held, ZONES, DEFAULT);
const zoneIds = (...held: HeldVault[]) => access(...held).zones.map((z) => z.zoneId);
const reasonsFor = (zoneId: number, ...held: HeldVault[]) => access(...held).zones.find((z) => z.zoneId === zoneId)?.reasons;

/** the user's default vaults, as account creation makes them */
const ephemeral = (zone: number | null) => {
  const b = aVault("ephemeral").ephemeral().isDefault();
  return (zone === null ? b.unzoned() : b.inZone(zone)).build();
};
const persistent = (zone: number | null) => {
  const b = aVault("persistent").pvc().isDefault();
  return (zone === null ? b.unzoned() : b.inZone(zone)).build();
};

describe("zoneAccessFor: the zones of every vault owned or shared", () => {
  it("(j) grants no zone at all to a user without vaults", () => {
    const a = access();
    expect(a.zones).toEqual([]);
    expect(a.lockedTo).toBeUndefined();
  });

  it("grants the zone of an owned vault that is not a default vault", () => {
    expect(zoneIds(ephemeral(2), aVault("scratch").pvc().inZone(3).build())).toEqual([2, 3]);
  });

  it("grants the zone of an owned vault of any kind (NFS too)", () => {
    expect(zoneIds(ephemeral(2), aVault("home").nfs().inZone(5).build())).toEqual([2, 5]);
  });

  it("grants the Default zone when a vault is explicitly zoned there", () => {
    expect(reasonsFor(DEFAULT, ephemeral(2), aVault("legacy").pvc().inZone(DEFAULT).build())).toEqual(["vault 'legacy' is in zone 0 (Default)"]);
  });

  it("lists each zone once, with every reason, ordered by zone id whatever the vault order", () => {
    const a = access(aVault("b").inZone(3).build(), ephemeral(2), aVault("a").inZone(3).build());
    expect(a.zones.map((z) => z.zoneId)).toEqual([2, 3]);
    expect(a.zones[1]!.reasons).toEqual(["vault 'b' is in zone 3 (east)", "vault 'a' is in zone 3 (east)"]);
  });

  it("names a zone it does not know by its id", () => {
    const a = access(ephemeral(7));
    expect(a.zones).toEqual([{ zoneId: 7, zoneName: "zone 7", reasons: ["vault 'ephemeral' is in zone 7"] }]);
  });

  it("uses the Default zone id it is given", () => {
    const a = zoneAccessFor([ephemeral(null)], zones([1, "Default"], [2, "west"]), 1);
    expect(a.zones.map((z) => [z.zoneId, z.zoneName])).toEqual([[1, "Default"]]);
  });

  it("does not change the vaults it is given", () => {
    const held = [ephemeral(null), persistent(2)];
    const copy = structuredClone(held);
    zoneAccessFor(held, ZONES, DEFAULT);
    expect(held).toEqual(copy);
  });
});

describe("zoneAccessFor: the Default zone comes only from unzoned default vaults", () => {
  it.each([
    { case: "ephemeral unzoned, persistent zoned", eph: null, pvc: 2, expected: [DEFAULT, 2], unzoned: "the default ephemeral vault 'ephemeral' is unzoned" },
    { case: "ephemeral zoned, persistent unzoned", eph: 2, pvc: null, expected: [DEFAULT, 2], unzoned: "the default persistent vault 'persistent' is unzoned" },
  ] as const)("(b) $case -> Default too, naming the unzoned vault", ({ eph, pvc, expected, unzoned }) => {
    const held = [ephemeral(eph), persistent(pvc)];
    expect(zoneIds(...held)).toEqual(expected);
    expect(reasonsFor(DEFAULT, ...held)).toEqual([unzoned]);
  });

  it("(b) both default vaults unzoned -> Default, with both vaults as reasons", () => {
    expect(access(ephemeral(null), persistent(null)).zones).toEqual([
      {
        zoneId: DEFAULT,
        zoneName: "Default",
        reasons: ["the default ephemeral vault 'ephemeral' is unzoned", "the default persistent vault 'persistent' is unzoned"],
      },
    ]);
  });

  it("(b) only an ephemeral vault (no persistent one), unzoned -> Default", () => {
    expect(zoneIds(ephemeral(null))).toEqual([DEFAULT]);
  });

  it("(c) every vault zoned -> exactly those zones, no Default", () => {
    const a = access(ephemeral(2), persistent(3), aVault("extra").inZone(5).build());
    expect(a.zones.map((z) => z.zoneId)).toEqual([2, 3, 5]);
    expect(hasZoneAccess(a, DEFAULT)).toBe(false);
    expect(a.lockedTo).toBeUndefined();
  });

  it("(e) a shared unzoned vault does not grant Default, even if it is its owner's default vault", () => {
    const shared = aVault("alices-home").pvc().unzoned().isDefault().sharedBy("alice").build();
    expect(zoneIds(ephemeral(2), shared)).toEqual([2]);
  });

  it.each([
    ["a PVC vault", aVault("scratch").pvc().unzoned().build()],
    ["an ephemeral vault", aVault("tmp").ephemeral().unzoned().build()],
    ["an NFS vault", aVault("home").nfs().unzoned().build()],
  ])("(f) an unzoned vault that is not a default vault (%s) does not grant Default", (_kind, vault) => {
    expect(zoneIds(ephemeral(2), vault)).toEqual([2]);
  });
});

describe("zoneAccessFor: locking to a single zone", () => {
  it("(a) ephemeral and persistent default vaults in the same zone -> locked to that zone", () => {
    const a = access(ephemeral(2), persistent(2));
    expect(a.zones.map((z) => z.zoneId)).toEqual([2]);
    expect(a.lockedTo).toEqual({
      zoneId: 2,
      zoneName: "west",
      reasons: ["vault 'ephemeral' is in zone 2 (west)", "vault 'persistent' is in zone 2 (west)"],
    });
    expect(hasZoneAccess(a, DEFAULT)).toBe(false);
    expect(hasZoneAccess(a, 3)).toBe(false);
  });

  it("is not locked when the default vaults are in different zones", () => {
    expect(access(ephemeral(2), persistent(3)).lockedTo).toBeUndefined();
  });

  it("is not locked when either default vault is unzoned (Default is reachable too)", () => {
    expect(access(ephemeral(null), persistent(2)).lockedTo).toBeUndefined();
  });

  it("(d) a vault shared from another zone widens access, naming who shared it", () => {
    const shared = aVault("datasets").pvc().inZone(3).sharedBy("alice").build();
    const a = access(ephemeral(2), persistent(2), shared);
    expect(a.zones.map((z) => z.zoneId)).toEqual([2, 3]);
    expect(a.lockedTo).toBeUndefined();
    expect(a.zones[1]!.reasons).toEqual(["vault 'datasets' (shared by alice) is in zone 3 (east)"]);
  });

  it("a vault shared from the same zone keeps the lock", () => {
    const shared = aVault("datasets").inZone(2).sharedBy("alice").build();
    expect(access(ephemeral(2), persistent(2), shared).lockedTo?.zoneId).toBe(2);
  });
});

describe("hasZoneAccess", () => {
  it("answers for granted and not granted zones", () => {
    const a = access(ephemeral(null), persistent(3));
    expect([DEFAULT, 2, 3, 5].map((z) => hasZoneAccess(a, z))).toEqual([true, false, true, false]);
  });
});

describe("(h) explainZoneAccess", () => {
  it("gives the spec's example sentence, each zone with its reason", () => {
    const a = zoneAccessFor([ephemeral(null), aVault("projects").inZone(2).build()], zones(0), DEFAULT);
    expect(explainZoneAccess(a)).toBe("Default because the default ephemeral vault 'ephemeral' is unzoned; zone 2 because vault 'projects' is in zone 2.");
  });

  it("calls a named zone by id and name, and joins several reasons with 'and'", () => {
    const shared = aVault("datasets").inZone(3).sharedBy("alice").build();
    expect(explainZoneAccess(access(ephemeral(2), persistent(null), shared))).toBe(
      "Default because the default persistent vault 'persistent' is unzoned; " +
        "zone 2 (west) because vault 'ephemeral' is in zone 2 (west); " +
        "zone 3 (east) because vault 'datasets' (shared by alice) is in zone 3 (east).",
    );
  });

  it("says when the user is locked to a single zone", () => {
    expect(explainZoneAccess(access(ephemeral(2), persistent(2)))).toBe(
      "zone 2 (west) because vault 'ephemeral' is in zone 2 (west) and vault 'persistent' is in zone 2 (west). Locked to zone 2 (west).",
    );
  });

  it("does not say 'zone zone 7' for a zone without a known name", () => {
    const text = explainZoneAccess(access(ephemeral(7)));
    expect(text).toBe("zone 7 because vault 'ephemeral' is in zone 7. Locked to zone 7.");
  });

  it("explains that a user without vaults has no zone", () => {
    expect(explainZoneAccess(access())).toBe("no zones: the user has no vault that grants one");
  });
});

describe("(g) machineVaultZoneProblem", () => {
  it.each([
    { machineZone: 2, vaultZone: 2 },
    { machineZone: DEFAULT, vaultZone: DEFAULT },
    { machineZone: DEFAULT, vaultZone: null },
    { machineZone: 3, vaultZone: null },
  ])("accepts a machine in zone $machineZone with a vault in zone $vaultZone", ({ machineZone, vaultZone }) => {
    expect(machineVaultZoneProblem({ name: "n3", zoneId: machineZone }, { name: "projects", zoneId: vaultZone })).toBeUndefined();
  });

  it.each([
    { machineZone: 2, vaultZone: 3 },
    { machineZone: DEFAULT, vaultZone: 2 },
    { machineZone: 2, vaultZone: DEFAULT },
  ])("refuses a machine in zone $machineZone with a vault in zone $vaultZone, saying why", ({ machineZone, vaultZone }) => {
    expect(machineVaultZoneProblem({ name: "n3", zoneId: machineZone }, { name: "projects", zoneId: vaultZone })).toBe(
      `machine 'n3' is in zone ${machineZone} but vault 'projects' is in zone ${vaultZone}`,
    );
  });
});

describe("(i) zonesWithoutMachines", () => {
  it("flags the lock-out of a user locked to a zone without machines", () => {
    const a = access(ephemeral(5), persistent(5));
    expect(zonesWithoutMachines(a, new Set([DEFAULT, 2])).map((z) => z.zoneId)).toEqual([5]);
  });

  it("flags only the reachable zones that lack machines", () => {
    const a = access(ephemeral(null), persistent(2), aVault("lab").inZone(5).build());
    expect(zonesWithoutMachines(a, new Set([DEFAULT, 2])).map((z) => z.zoneId)).toEqual([5]);
  });

  it("flags nothing when every reachable zone has machines", () => {
    expect(zonesWithoutMachines(access(ephemeral(null), persistent(2)), new Set([DEFAULT, 2, 3]))).toEqual([]);
  });

  it("flags nothing for a user with no zones", () => {
    expect(zonesWithoutMachines(access(), new Set())).toEqual([]);
  });
});
