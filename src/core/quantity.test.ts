import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quantity } from "./quantity";

const value = (resource: string, q: string) => {
  const r = quantity(resource, q);
  if (!r.ok) throw new Error(`${resource} ${q}: ${r.problem}`);
  return r.value;
};

describe("quantity", () => {
  it.each<[string, string, number]>([
    ["cpu", "2", 2000],
    ["cpu", "500m", 500],
    ["cpu", "0.5", 500],
    ["cpu", "0.3", 300], // not 300.00000000000006 rounded up to 301
    ["cpu", "1500m", 1500],
    ["cpu", "0.1m", 1], // fractional millicores round up, as MilliValue does
    ["cpu", "100u", 1],
    ["cpu", "1n", 1],
    ["cpu", "250000000n", 250],
    ["cpu", "1e3", 1_000_000],
    ["cpu", "1k", 1_000_000],
    ["cpu", "1Ki", 1_024_000],
    ["cpu", "0.1Ki", 102_400], // 102.4 cores, exactly
    ["memory", "1Ki", 2 ** 10],
    ["memory", "512Mi", 512 * 2 ** 20],
    ["memory", "4Gi", 4 * 2 ** 30],
    ["memory", "1Ti", 2 ** 40],
    ["memory", "1Pi", 2 ** 50],
    ["memory", "1Ei", 2 ** 60],
    ["memory", "1.5Gi", 1.5 * 2 ** 30],
    ["memory", ".5Gi", 2 ** 29],
    ["memory", "1.Gi", 2 ** 30],
    ["memory", "+1Gi", 2 ** 30],
    ["memory", "1024", 1024],
    ["memory", "2k", 2000],
    ["memory", "3M", 3e6],
    ["memory", "1G", 1e9],
    ["memory", "1T", 1e12],
    ["memory", "1P", 1e15],
    ["memory", "1E", 1e18], // the exa suffix, not an exponent
    ["memory", "1m", 1], // a thousandth of a byte rounds up to one
    ["memory", "1e9", 1e9],
    ["memory", "1.5E3", 1500],
    ["memory", "12e-3", 1],
    ["memory", "12e+3", 12_000],
    ["memory", "0.1", 1],
    ["memory", "0", 0],
    ["memory", "-0", 0],
    ["memory", "0e999999999", 0],
    ["memory", "1e999", 2 ** 63], // clamped to int64 as Kubernetes does: finite
    ["memory", "16Ei", 2 ** 63],
    ["nvidia.com/gpu", "2", 2],
    ["nvidia.com/gpu", "1e0", 1],
  ])("%s %s -> %d", (resource, q, expected) => {
    expect(value(resource, q)).toBe(expected);
  });

  it.each<[string, string]>([
    ["memory", "4Zi"],
    ["memory", "-1Gi"],
    ["cpu", "-500m"],
    ["memory", "-1e9"],
    ["cpu", ""],
    ["cpu", "two"],
    ["memory", "1e"],
    ["memory", "1e1.5"],
    ["memory", "1e+"],
    ["memory", "e3"],
    ["memory", "1.5.5"],
    ["memory", " 1"],
    ["memory", "1Gi "],
    ["memory", "Gi"],
    ["memory", "."],
    ["memory", "1K"],
    ["memory", "1ki"],
    ["memory", "1KiB"],
    ["memory", "1Gi1"],
    ["memory", "NaN"],
    ["memory", "Infinity"],
    ["memory", "0x10"],
    ["memory", "1_000"],
    ["memory", "--1"],
  ])("%s %j is a problem, not a number", (resource, q) => {
    const r = quantity(resource, q);
    expect(r.ok).toBe(false);
    expect(r).toMatchObject({ problem: expect.stringContaining(JSON.stringify(q)) });
  });

  const neverNaN = (resource: string, q: string) => {
    const r = quantity(resource, q);
    // Whole numbers up to the 2^63 cap: values from 2^53 up (e.g. "1E", one exa = 1e18) are exact doubles but not "safe" integers.
    return r.ok ? Number.isFinite(r.value) && Number.isInteger(r.value) && r.value >= 0 && r.value <= 2 ** 63 : typeof r.problem === "string" && r.problem.length > 0;
  };

  it("reads a bare exa suffix ('1E', a counterexample fast-check found) as 10^18, not as an exponent", () => {
    expect(value("x/y", "1E")).toBe(1e18);
    expect(neverNaN("x/y", "1E")).toBe(true);
  });

  it("is, for any string, ok with a finite whole number ≥ 0, or a problem — never NaN", () => {
    const unit = fc.constantFrom("0", "1", "9", ".", "e", "E", "+", "-", "m", "n", "k", "K", "i", "M", "G", "P", "E", " ");
    fc.assert(fc.property(fc.constantFrom("cpu", "memory", "x/y"), fc.oneof(fc.string(), fc.string({ unit, maxLength: 12 })), (resource, q) => {
      const r = quantity(resource, q);
      if (r.ok) expect(r.value).toBeGreaterThanOrEqual(0);
      return neverNaN(resource, q);
    }));
  });

  it("agrees with plain arithmetic on whole numbers of every suffix", () => {
    const suffixes: Array<[string, number]> = [["", 1], ["k", 1e3], ["M", 1e6], ["G", 1e9], ["Ki", 2 ** 10], ["Mi", 2 ** 20], ["Gi", 2 ** 30], ["e2", 100]];
    fc.assert(fc.property(fc.integer({ min: 0, max: 4096 }), fc.constantFrom(...suffixes), (n, [s, f]) => value("memory", `${n}${s}`) === n * f && value("cpu", `${n}${s}`) === n * f * 1000));
  });
});
