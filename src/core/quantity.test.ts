import { describe, expect, it } from "vitest";
import { parseQuantity } from "./quantity";

describe("parseQuantity", () => {
  it.each<[string, string, number]>([
    ["cpu", "2", 2000],
    ["cpu", "500m", 500],
    ["cpu", "0.5", 500],
    ["cpu", "1500m", 1500],
    ["memory", "4Gi", 4 * 2 ** 30],
    ["memory", "1G", 1e9],
    ["memory", "512Mi", 512 * 2 ** 20],
    ["memory", "1Ki", 1024],
    ["memory", "2k", 2000],
    ["memory", "3M", 3e6],
    ["memory", "1Ti", 2 ** 40],
    ["memory", "1T", 1e12],
    ["memory", "1024", 1024],
    ["nvidia.com/gpu", "2", 2],
  ])("%s %s -> %d", (resource, q, expected) => {
    expect(parseQuantity(resource, q)).toBe(expected);
  });

  it.each<[string, string]>([
    ["memory", "4Zi"],
    ["memory", "-1Gi"],
    ["cpu", ""],
    ["cpu", "two"],
  ])("%s %s is not a number", (resource, q) => {
    expect(parseQuantity(resource, q)).toBeNaN();
  });
});
