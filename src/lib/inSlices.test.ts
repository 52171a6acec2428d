import { describe, expect, it } from "vitest";
import { inSlices } from "./inSlices";

describe("inSlices", () => {
  it("visits every item in order, and lets other work run between slices", async () => {
    const seen: string[] = [];
    const other = new Promise<void>((r) =>
      setImmediate(() => {
        seen.push("other");
        r();
      }),
    );
    await inSlices([1, 2, 3, 4, 5], (i) => seen.push(String(i)), 2);
    await other;
    // the other callback ran after the first slice, before the rest
    expect(seen).toEqual(["1", "2", "other", "3", "4", "5"]);
  });

  it("does not wait when the items fit in one slice", async () => {
    const seen: string[] = [];
    setImmediate(() => seen.push("other"));
    await inSlices([1, 2], (i) => seen.push(String(i)), 5);
    expect(seen).toEqual(["1", "2"]);
  });
});
