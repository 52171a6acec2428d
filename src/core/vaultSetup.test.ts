import { describe, expect, it } from "vitest";
import { defaultVaults, hookEnvironment, systemVaultSetup, vaultSetupFor, type VaultSetup } from "./vaultSetup";

/** a complete persistent-vault setup, as a site with dynamic provisioning would configure it */
const FULL: VaultSetup = {
  vaultName: "persistent",
  vaultStorageClassName: "standard",
  vaultAccessModes: "ReadWriteOnce",
  vaultSize: "10",
};

describe("systemVaultSetup: the system defaults from the settings", () => {
  it("maps each JARVICE_* setting to its metadata key", () => {
    expect(
      systemVaultSetup({
        JARVICE_PVC_VAULT_NAME: "persistent",
        JARVICE_PVC_VAULT_STORAGECLASS: "jarvice-user",
        JARVICE_PVC_VAULT_VOLUMENAME: "shared-pv",
        JARVICE_PVC_VAULT_ACCESSMODES: "ReadWriteMany",
        JARVICE_PVC_VAULT_SIZE: "25",
        JARVICE_PVC_VAULT_SUBPATH: "%USER%",
        JARVICE_PVC_VAULT_ZONE: "2",
        JARVICE_EPHEMERAL_VAULT_ZONE: "-1",
        JARVICE_DAL_HOOK_META: "gold",
      }),
    ).toEqual({
      vaultName: "persistent",
      vaultStorageClassName: "jarvice-user",
      vaultVolumeName: "shared-pv",
      vaultAccessModes: "ReadWriteMany",
      vaultSize: "25",
      vaultSubpath: "%USER%",
      vaultZone: "2",
      vaultEphemeralZone: "-1",
      vaultDalHookMeta: "gold",
    });
  });

  it("leaves out settings that are unset or empty", () => {
    expect(systemVaultSetup({})).toEqual({});
    expect(systemVaultSetup({ JARVICE_PVC_VAULT_NAME: "", JARVICE_PVC_VAULT_SIZE: undefined, JARVICE_PVC_VAULT_ZONE: "3" })).toEqual({ vaultZone: "3" });
  });

  it("ignores settings that are not vault defaults", () => {
    const settings = { JARVICE_PVC_VAULT_NAME: "persistent", JARVICE_SYSTEM_NAMESPACE: "jarvice-system" };
    expect(systemVaultSetup(settings)).toEqual({ vaultName: "persistent" });
  });
});

describe("vaultSetupFor: payer metadata overrides the system defaults key by key", () => {
  const system: VaultSetup = { ...FULL, vaultZone: "2", vaultEphemeralZone: "-1" };

  it("is the system default without payer metadata", () => {
    expect(vaultSetupFor(system, undefined)).toEqual(system);
    expect(vaultSetupFor(system, {})).toEqual(system);
  });

  it("replaces only the keys the payer set, keeping the system default for the others", () => {
    expect(vaultSetupFor(system, { vaultEphemeralZone: "3", vaultSize: "50" })).toEqual({ ...system, vaultEphemeralZone: "3", vaultSize: "50" });
  });

  it("adds keys the system does not set", () => {
    expect(vaultSetupFor({}, { vaultDalHookMeta: "tenant=acme" })).toEqual({ vaultDalHookMeta: "tenant=acme" });
  });

  it("lets a payer's empty value override a system default (e.g. no static volume for the team)", () => {
    expect(vaultSetupFor({ ...FULL, vaultVolumeName: "shared-pv" }, { vaultVolumeName: "" }).vaultVolumeName).toBe("");
  });

  it("does not change the system defaults", () => {
    const copy = { ...system };
    vaultSetupFor(system, { vaultSize: "99" });
    expect(system).toEqual(copy);
  });
});

describe("defaultVaults: what the default hook creates", () => {
  it("plans only an unzoned ephemeral vault from an empty setup", () => {
    expect(defaultVaults({})).toEqual([
      {
        name: "ephemeral",
        kind: "ephemeral",
        zoneId: null,
        storageClass: null,
        volumeName: null,
        accessModes: [],
        sizeGb: null,
        subpath: null,
        nfsServer: null,
        nfsPath: null,
      },
    ]);
  });

  it("plans a persistent vault when name, storage class, access modes and size are all set", () => {
    const vaults = defaultVaults({ ...FULL, vaultAccessModes: "ReadWriteOnce,ReadWriteMany", vaultSubpath: "%USER%", vaultZone: "3" });
    expect(vaults.map((v) => v.kind)).toEqual(["ephemeral", "pvc"]);
    expect(vaults[1]).toEqual({
      name: "persistent",
      kind: "pvc",
      zoneId: 3,
      storageClass: "standard",
      volumeName: null,
      accessModes: ["ReadWriteOnce", "ReadWriteMany"],
      sizeGb: 10,
      subpath: "%USER%",
      nfsServer: null,
      nfsPath: null,
    });
  });

  it("names the static volume when one is set", () => {
    expect(defaultVaults({ ...FULL, vaultVolumeName: "shared-pv" })[1]?.volumeName).toBe("shared-pv");
  });

  it.each(["vaultName", "vaultStorageClassName", "vaultAccessModes", "vaultSize"] as const)(
    "plans the ephemeral vault only when %s is missing",
    (missing) => {
      const setup = { ...FULL };
      delete setup[missing];
      expect(defaultVaults(setup).map((v) => v.kind)).toEqual(["ephemeral"]);
      expect(defaultVaults({ ...FULL, [missing]: "" }).map((v) => v.kind)).toEqual(["ephemeral"]);
    },
  );

  it.each([
    { zone: undefined, expected: null },
    { zone: "-1", expected: null },
    { zone: "0", expected: 0 },
    { zone: "4", expected: 4 },
  ])("puts the ephemeral vault in zone $expected for vaultEphemeralZone $zone", ({ zone, expected }) => {
    expect(defaultVaults({ vaultEphemeralZone: zone })[0]?.zoneId).toBe(expected);
  });

  it.each([
    { zone: undefined, expected: null },
    { zone: "-1", expected: null },
    { zone: "2", expected: 2 },
  ])("puts the persistent vault in zone $expected for vaultZone $zone", ({ zone, expected }) => {
    expect(defaultVaults({ ...FULL, vaultZone: zone })[1]?.zoneId).toBe(expected);
  });

  it("zones the two default vaults independently", () => {
    expect(defaultVaults({ ...FULL, vaultZone: "2", vaultEphemeralZone: "3" }).map((v) => v.zoneId)).toEqual([3, 2]);
  });
});

describe("hookEnvironment: what a custom DAL hook receives", () => {
  const VARIABLES = [
    "JARVICE_PVC_VAULT_NAME",
    "JARVICE_PVC_VAULT_STORAGECLASS",
    "JARVICE_PVC_VAULT_VOLUMENAME",
    "JARVICE_PVC_VAULT_ACCESSMODES",
    "JARVICE_PVC_VAULT_SIZE",
    "JARVICE_PVC_VAULT_SUBPATH",
    "JARVICE_PVC_VAULT_ZONE",
    "JARVICE_EPHEMERAL_VAULT_ZONE",
    "JARVICE_DAL_HOOK_META",
  ];

  it("has exactly the nine documented variables plus the user and payer", () => {
    expect(Object.keys(hookEnvironment({}, "bob", "acme")).sort()).toEqual([...VARIABLES, "JARVICE_USER", "JARVICE_PAYER"].sort());
  });

  it("gives -1 for unset zones and empty strings for everything else unset", () => {
    expect(hookEnvironment({}, "bob", "acme")).toEqual({
      JARVICE_PVC_VAULT_NAME: "",
      JARVICE_PVC_VAULT_STORAGECLASS: "",
      JARVICE_PVC_VAULT_VOLUMENAME: "",
      JARVICE_PVC_VAULT_ACCESSMODES: "",
      JARVICE_PVC_VAULT_SIZE: "",
      JARVICE_PVC_VAULT_SUBPATH: "",
      JARVICE_PVC_VAULT_ZONE: "-1",
      JARVICE_EPHEMERAL_VAULT_ZONE: "-1",
      JARVICE_DAL_HOOK_META: "",
      JARVICE_USER: "bob",
      JARVICE_PAYER: "acme",
    });
  });

  it("carries every value of the setup to its variable", () => {
    const env = hookEnvironment(
      { ...FULL, vaultVolumeName: "pv1", vaultSubpath: "%USER%", vaultZone: "2", vaultEphemeralZone: "3", vaultDalHookMeta: "nfs=home" },
      "carol",
      "carol",
    );
    expect(env).toEqual({
      JARVICE_PVC_VAULT_NAME: "persistent",
      JARVICE_PVC_VAULT_STORAGECLASS: "standard",
      JARVICE_PVC_VAULT_VOLUMENAME: "pv1",
      JARVICE_PVC_VAULT_ACCESSMODES: "ReadWriteOnce",
      JARVICE_PVC_VAULT_SIZE: "10",
      JARVICE_PVC_VAULT_SUBPATH: "%USER%",
      JARVICE_PVC_VAULT_ZONE: "2",
      JARVICE_EPHEMERAL_VAULT_ZONE: "3",
      JARVICE_DAL_HOOK_META: "nfs=home",
      JARVICE_USER: "carol",
      JARVICE_PAYER: "carol",
    });
  });

  it("carries the merged setup: payer metadata over system defaults", () => {
    const setup = vaultSetupFor({ ...FULL, vaultEphemeralZone: "-1" }, { vaultEphemeralZone: "2" });
    const env = hookEnvironment(setup, "dave", "acme");
    expect([env.JARVICE_EPHEMERAL_VAULT_ZONE, env.JARVICE_PVC_VAULT_NAME, env.JARVICE_PVC_VAULT_ZONE]).toEqual(["2", "persistent", "-1"]);
  });
});
