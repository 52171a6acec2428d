import { describe, expect, it } from "vitest";
import { naturalCompare } from "./naturalOrder";

describe("naturalCompare", () => {
  it.each([
    [["n16", "n4", "n8"], ["n4", "n8", "n16"]],
    [["g2-a100", "g10-a100", "g1-a100"], ["g1-a100", "g2-a100", "g10-a100"]],
    [["n8", "n8-big", "n8b", "n08"], ["n08", "n8", "n8-big", "n8b"]],
    [["b", "a10", "a9", "a"], ["a", "a9", "a10", "b"]],
    [["x99999999999999999999", "x100000000000000000000"], ["x99999999999999999999", "x100000000000000000000"]],
  ])("sorts %j as %j", (input, sorted) => {
    expect([...input].sort(naturalCompare)).toEqual(sorted);
  });

  it("is a total order: antisymmetric, zero only for equal names", () => {
    const names = ["n4", "n04", "n8", "n16", "a", "a1", "a01", "", "10", "9"];
    for (const a of names) for (const b of names) {
      expect(Math.sign(naturalCompare(a, b)) + Math.sign(naturalCompare(b, a))).toBe(0);
      if (a !== b) expect(naturalCompare(a, b)).not.toBe(0);
    }
  });
});
