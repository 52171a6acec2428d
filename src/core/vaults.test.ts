import { describe, expect, it } from "vitest";
import { INT_MAX, nfsPathProblem, nfsServerProblem, parseZoneId, subpathProblem, UNZONED, vaultNameProblem } from "./vaults";

describe("parseZoneId: 32-bit zone ids, -1 for unzoned", () => {
  it.each<[unknown, number]>([
    [0, 0],
    [3, 3],
    ["3", 3],
    ["+3", 3],
    ["-0", 0],
    [INT_MAX, INT_MAX],
    [String(INT_MAX), INT_MAX],
    [-1, UNZONED],
    ["-1", UNZONED],
  ])("accepts %j as %d", (raw, id) => {
    expect(parseZoneId(raw)).toEqual({ ok: true, value: id });
  });

  it.each<unknown>([INT_MAX + 1, 2 ** 53, -2, -(2 ** 31), "4294967296", "99999999999", "999999999999999999999999", 1.5, "1.5", "0x10", "1e3", "", "zone", NaN, Infinity, null, true, [1], { id: 1 }])(
    "refuses %j",
    (raw) => {
      const r = parseZoneId(raw);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.problem).toMatch(/^must be an integer zone id, or -1 for unzoned/);
    },
  );

  it("refuses -1 where a zone is required (a cluster's)", () => {
    expect(parseZoneId(-1, false)).toEqual({ ok: false, problem: "must be an integer zone id; zone ids run from 0 to 2147483647, got -1" });
    expect(parseZoneId(0, false)).toEqual({ ok: true, value: 0 });
  });
});

describe("vaultNameProblem", () => {
  it.each(["home", "data-1", "a.b_c", "A", "x".repeat(63)])("accepts '%s'", (name) => {
    expect(vaultNameProblem(name)).toBeUndefined();
  });
  it.each(["", "-x", ".hidden", "..", "a b", "a;b", "$(id)", "`id`", "a/b", "a|b", "a&b", "a\u0000b", "x".repeat(64), "naïve"])("refuses %j", (name) => {
    expect(vaultNameProblem(name)).toBeDefined();
  });
});

describe("subpathProblem: relative, within the volume", () => {
  it.each(["home/%USER%", "%USER%", "teams/acme", "a/.../b", "a..b/c", "./x", "x/"])("accepts '%s'", (p) => {
    expect(subpathProblem(p)).toBeUndefined();
  });
  it.each([
    ["/home/%USER%", /relative/],
    ["..", /'\.\.'/],
    ["../x", /'\.\.'/],
    ["a/../../b", /'\.\.'/],
    ["a/..", /'\.\.'/],
    ["a\\b", /'\\'/],
    ["a\nb", /control/],
    ["a\u0000b", /control/],
    ["a".repeat(1025), /at most 1024/],
  ])("refuses %j", (p, problem) => {
    expect(subpathProblem(p)).toMatch(problem);
  });
});

describe("nfsPathProblem: absolute, no '..' segment", () => {
  it.each(["/export", "/export/home/bob", "/"])("accepts '%s'", (p) => {
    expect(nfsPathProblem(p)).toBeUndefined();
  });
  it.each([
    ["export/home", /absolute/],
    ["", /absolute/],
    ["/export/../etc", /'\.\.'/],
    ["/..", /'\.\.'/],
    ["/export/\u0000", /control/],
    [`/${"a".repeat(1024)}`, /at most 1024/],
  ])("refuses %j", (p, problem) => {
    expect(nfsPathProblem(p)).toMatch(problem);
  });
});

describe("nfsServerProblem: a host name or an IP address", () => {
  it.each(["nfs1", "nfs.example.com", "nfs.example.com.", "10.0.0.5", "fd00::1", "[fd00::1]", "a-b.c"])("accepts '%s'", (s) => {
    expect(nfsServerProblem(s)).toBeUndefined();
  });
  it.each(["", "nfs server", "nfs;rm", "-nfs", "nfs-", "a..b", "256.1.1.1", "10.0.0", "host:/export", "x".repeat(64), "$(id)", "a/b"])("refuses %j", (s) => {
    expect(nfsServerProblem(s)).toMatch(/host name or an IP address/);
  });
});
