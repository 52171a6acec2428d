import { describe, expect, it } from "vitest";
import { checkPayerMetadata, HOOK_VARIABLE, isPayerMetadataKey, PAYER_METADATA_KEYS } from "./payerMetadata";

const EXISTING_ZONES = new Set([0, 2, 3]);
const zoneExists = (id: number) => EXISTING_ZONES.has(id);
const check = (key: string, raw: string) => checkPayerMetadata(key, raw, zoneExists);
const problemOf = (key: string, raw: string) => {
  const r = check(key, raw);
  if (r.ok) throw new Error(`expected ${key}='${raw}' to be refused, got '${r.value}'`);
  return r.problem;
};

describe("the payer metadata keys", () => {
  it("are exactly the nine documented keys, each feeding its DAL hook variable", () => {
    expect(HOOK_VARIABLE).toEqual({
      vaultName: "JARVICE_PVC_VAULT_NAME",
      vaultStorageClassName: "JARVICE_PVC_VAULT_STORAGECLASS",
      vaultVolumeName: "JARVICE_PVC_VAULT_VOLUMENAME",
      vaultAccessModes: "JARVICE_PVC_VAULT_ACCESSMODES",
      vaultSize: "JARVICE_PVC_VAULT_SIZE",
      vaultSubpath: "JARVICE_PVC_VAULT_SUBPATH",
      vaultZone: "JARVICE_PVC_VAULT_ZONE",
      vaultEphemeralZone: "JARVICE_EPHEMERAL_VAULT_ZONE",
      vaultDalHookMeta: "JARVICE_DAL_HOOK_META",
    });
    expect([...PAYER_METADATA_KEYS].sort()).toEqual(Object.keys(HOOK_VARIABLE).sort());
  });

  it.each(["VaultName", "vaultname", "VAULTSIZE", "vault_name", "vaultZone ", "", "JARVICE_PVC_VAULT_NAME"])(
    "are case-sensitive and exact: '%s' is not a key",
    (key) => {
      expect(isPayerMetadataKey(key)).toBe(false);
      const problem = problemOf(key, "x");
      expect(problem).toContain(`unknown key '${key}'`);
      expect(problem).toContain("case-sensitive");
      for (const k of PAYER_METADATA_KEYS) expect(problem).toContain(k);
    },
  );

  it.each(PAYER_METADATA_KEYS)("recognizes %s", (key) => {
    expect(isPayerMetadataKey(key)).toBe(true);
  });
});

describe("vaultName", () => {
  it.each([
    ["persistent", "persistent"],
    ["My_Vault.1-a", "My_Vault.1-a"],
    ["  projects  ", "projects"],
    ["a".repeat(63), "a".repeat(63)],
  ])("accepts '%s' as '%s'", (raw, value) => {
    expect(check("vaultName", raw)).toEqual({ ok: true, value });
  });

  it.each(["", "   ", "-vault", ".vault", "my vault", "vault/x", "a".repeat(64)])("refuses '%s'", (raw) => {
    expect(check("vaultName", raw).ok).toBe(false);
  });

  it("says an empty name must not be empty", () => {
    expect(problemOf("vaultName", "")).toBe("must not be empty");
  });
});

describe.each(["vaultStorageClassName", "vaultVolumeName"])("%s (a Kubernetes object name)", (key) => {
  it.each([
    ["standard", "standard"],
    ["fast-ssd.v2", "fast-ssd.v2"],
    [" gp3 ", "gp3"],
    ["", ""],
  ])("accepts '%s' as '%s'", (raw, value) => {
    expect(check(key, raw)).toEqual({ ok: true, value });
  });

  it.each(["Standard", "fast_ssd", "-ssd", "ssd-", "ssd.", "a b"])("refuses '%s'", (raw) => {
    expect(problemOf(key, raw)).toMatch(/Kubernetes object name/);
  });
});

describe("vaultAccessModes", () => {
  it.each(["ReadWriteOnce", "ReadOnlyOnce", "ReadWriteMany"])("accepts the documented mode %s", (mode) => {
    expect(check("vaultAccessModes", mode)).toEqual({ ok: true, value: mode });
  });

  it("accepts a comma list, trimming around each mode", () => {
    expect(check("vaultAccessModes", " ReadWriteOnce , ReadWriteMany ")).toEqual({ ok: true, value: "ReadWriteOnce,ReadWriteMany" });
  });

  it("drops repeated modes, keeping the first order", () => {
    expect(check("vaultAccessModes", "ReadWriteMany,ReadWriteOnce,ReadWriteMany, ReadWriteOnce")).toEqual({
      ok: true,
      value: "ReadWriteMany,ReadWriteOnce",
    });
  });

  it.each(["readwriteonce", "RWO", "ReadWriteSometimes"])("refuses the unknown mode '%s', naming it", (mode) => {
    const problem = problemOf("vaultAccessModes", `ReadWriteOnce,${mode}`);
    expect(problem).toContain(`unknown: '${mode}'`);
    expect(problem).toContain("ReadWriteOnce, ReadOnlyOnce, ReadWriteMany");
  });

  it.each(["", "   ", ",", "ReadWriteOnce,", ",ReadWriteOnce", "ReadWriteOnce,,ReadWriteMany"])("refuses an empty list or empty entry: '%s'", (raw) => {
    expect(check("vaultAccessModes", raw).ok).toBe(false);
  });
});

describe("vaultSize", () => {
  it.each([
    ["1", "1"],
    ["10", "10"],
    [" 250 ", "250"],
    ["007", "7"],
    ["2147483647", "2147483647"],
  ])("accepts '%s' as '%s'", (raw, value) => {
    expect(check("vaultSize", raw)).toEqual({ ok: true, value });
  });

  it.each(["0", "-1", "-10", "1.5", "10GB", "10Gi", "abc", "", "1e3", "+5", "2147483648", "99999999999999999999"])("refuses '%s', quoting it", (raw) => {
    expect(problemOf("vaultSize", raw)).toBe(`must be an integer greater than 0 (size in GB), got '${raw}'`);
  });
});

describe.each(["vaultZone", "vaultEphemeralZone"])("%s", (key) => {
  it("accepts -1 (unzoned) without asking whether a zone exists", () => {
    expect(checkPayerMetadata(key, "-1", () => false)).toEqual({ ok: true, value: "-1" });
  });

  it.each([
    ["0", "0"],
    ["2", "2"],
    [" 3 ", "3"],
    ["02", "2"],
  ])("accepts the existing zone '%s' as '%s'", (raw, value) => {
    expect(check(key, raw)).toEqual({ ok: true, value });
  });

  it("refuses a zone that does not exist", () => {
    expect(problemOf(key, "4")).toBe("zone 4 does not exist");
  });

  it.each(["-2", "-5", "2147483648", "99999999999", "-2147483649", "999999999999999999999"])("refuses '%s', outside the 32-bit zone ids, without asking whether it exists", (raw) => {
    const asked: number[] = [];
    const c = checkPayerMetadata(key, raw, (id) => (asked.push(id), true));
    expect(c.ok).toBe(false);
    expect(!c.ok && c.problem).toMatch(/^must be an integer zone id, or -1 for unzoned(; zone ids run from 0 to 2147483647)?, got '/);
    expect(asked).toEqual([]);
  });

  it.each(["", "abc", "2.0", "zone2", "-", "1,2", "0x10", "1e3", "Infinity"])("refuses a value that is not an integer: '%s'", (raw) => {
    expect(problemOf(key, raw)).toBe(`must be an integer zone id, or -1 for unzoned, got '${raw}'`);
  });

  it("asks about the zone it was given", () => {
    const asked: number[] = [];
    checkPayerMetadata(key, "3", (id) => (asked.push(id), true));
    expect(asked).toEqual([3]);
  });
});

describe("vaultSubpath (within the volume, relative)", () => {
  it.each([
    ["/home/%USER%", /relative to the volume's root/],
    ["/", /relative to the volume's root/],
    ["..", /'\.\.' segment/],
    ["../other-tenant", /'\.\.' segment/],
    ["teams/../../etc", /'\.\.' segment/],
    ["teams/%USER%/..", /'\.\.' segment/],
    ["a\\..\\b", /'\\'/],
    ["home/\u0001x", /control characters/],
    ["x".repeat(1025), /at most 1024/],
  ])("refuses '%s'", (raw, problem) => {
    expect(problemOf("vaultSubpath", raw)).toMatch(problem);
  });

  it.each(["teams/..data/%USER%", "a/.../b", "./home/%USER%", "home/%IDUSER%/"])("accepts '%s' (no '..' segment)", (raw) => {
    expect(check("vaultSubpath", raw)).toEqual({ ok: true, value: raw });
  });
});

describe("vaultName: the characters of a vault name only", () => {
  it.each(["home;rm -rf", "a b", "$(id)", "`id`", "a/b", "..", "x\u0001"])("refuses '%s'", (raw) => {
    expect(problemOf("vaultName", raw)).toMatch(/letters, digits/);
  });
});

describe.each(["vaultSubpath", "vaultDalHookMeta"])("%s (free text)", (key) => {
  it.each(["", "%USER%/data", "home/%IDUSER%", "tier=gold;region=eu", " spaced "])("accepts '%s' unchanged", (raw) => {
    expect(check(key, raw)).toEqual({ ok: true, value: raw });
  });
});

describe.each(PAYER_METADATA_KEYS)("%s: no NUL, bounded", (key) => {
  it("refuses a NUL character", () => {
    expect(problemOf(key, "a\u0000b")).toBe("must not contain NUL characters");
  });
  it("refuses a value longer than 4096 characters", () => {
    expect(problemOf(key, "1".repeat(4097))).toMatch(/at most 4096 characters/);
  });
});
