import { describe, expect, it } from "vitest";
import { jsonDepth, MAX_DEPTH, nulPath } from "./inputGuard";

describe("jsonDepth", () => {
  it.each([
    ["1", 0],
    ["{}", 1],
    ['{"a": [1, {"b": []}]}', 4],
    ['{"a": "[[[[{{{{"}', 1],
    ['["\\"[[[", []]', 2],
  ])("%s is %i deep", (text, depth) => expect(jsonDepth(text)).toBe(depth));

  it("stops counting past the limit", () => {
    expect(jsonDepth("[".repeat(100_000), MAX_DEPTH)).toBe(MAX_DEPTH + 1);
  });
});

describe("nulPath", () => {
  it("names the first string or key holding NUL, by its path", () => {
    expect(nulPath({ a: "ok", b: [{ c: "x\u0000" }] }, "")).toBe("b.0.c");
    expect(nulPath({ vaultOverrides: { vaultSize: "\u0000" } }, "")).toBe("vaultOverrides.vaultSize");
    expect(nulPath({ ["k\u0000"]: 1 }, "")).toBe("k\\u0000");
    expect(nulPath("\u0000", "")).toBe("");
    expect(nulPath({ a: ["fine", 1, null, true] }, "")).toBeUndefined();
  });

  it("walks values far deeper than the stack would allow a recursion", () => {
    let v: unknown = "\u0000";
    for (let i = 0; i < 100_000; i++) v = [v];
    expect(nulPath(v, "")?.split(".")).toHaveLength(100_000);
  });
});
