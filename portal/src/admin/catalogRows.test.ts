import { describe, expect, it } from "vitest";
import { naturalCompare, refusal, sortNaturally, zoneLabel } from "./catalogRows";

describe("catalog rows", () => {
  it("sorts machine names with numbers in numeric order", () => {
    expect(sortNaturally([{ name: "n16" }, { name: "n4" }, { name: "n8" }, { name: "gpu2" }], (m) => m.name).map((m) => m.name)).toEqual(["gpu2", "n4", "n8", "n16"]);
    expect(naturalCompare("n4", "n16")).toBeLessThan(0);
    expect(naturalCompare("a", "A")).not.toBe(0);
  });
  it("names zones instead of showing their ids", () => {
    expect(zoneLabel(1, "west")).toBe("west (1)");
    expect(zoneLabel(0, undefined, [{ id: 0, name: "Default" }])).toBe("Default (0)");
    expect(zoneLabel(-1, undefined)).toBe("unzoned");
    expect(zoneLabel(7, undefined, [])).toBe("zone 7");
  });
  it("says why a delete was refused", () => {
    expect(refusal("machine n4", { status: 409, message: "machine 'n4' has 1 active job" })).toBe("Cannot delete machine n4: machine 'n4' has 1 active job");
    expect(refusal("machine type n4", { status: 409, field: "id", message: "id: machine type 'n4' is used by active job(s) jarvice-job-1" })).toBe("Cannot delete machine type n4: machine type 'n4' is used by active job(s) jarvice-job-1");
    expect(refusal("zone west", { status: 0, message: "Cannot reach Paddock (network error)" })).toBe("Deleting zone west failed: Cannot reach Paddock (network error)");
  });
});
