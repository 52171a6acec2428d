import { describe, expect, it } from "vitest";
import { parseTolerations, TOLERATIONS_MAX } from "./tolerations";

describe("parseTolerations", () => {
  it("accepts Kubernetes tolerations and spells the operator out", () => {
    expect(
      parseTolerations([
        { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
        { key: "dedicated", value: "hpc" },
        { operator: "Exists" },
        { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
      ]),
    ).toEqual({
      ok: true,
      value: [
        { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
        { key: "dedicated", operator: "Equal", value: "hpc" },
        { operator: "Exists" },
        { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
      ],
    });
    expect(parseTolerations([])).toEqual({ ok: true, value: [] });
  });

  it.each([
    ["not an array", { key: "x" }, "tolerations"],
    ["not an object", ["gpu"], "tolerations[0]"],
    ["an unknown field", [{ key: "gpu", color: "red" }], "tolerations[0].color"],
    ["a bad operator", [{ key: "gpu", operator: "In" }], "tolerations[0].operator"],
    ["an empty key with Equal", [{ value: "x" }], "tolerations[0].key"],
    ["a bad key", [{ key: "bad key!" }], "tolerations[0].key"],
    ["a value with Exists", [{ key: "gpu", operator: "Exists", value: "x" }], "tolerations[0].value"],
    ["a bad effect", [{ key: "gpu", effect: "Never" }], "tolerations[0].effect"],
    ["tolerationSeconds without NoExecute", [{ key: "gpu", effect: "NoSchedule", tolerationSeconds: 5 }], "tolerations[0].tolerationSeconds"],
    ["too many", Array.from({ length: TOLERATIONS_MAX + 1 }, () => ({ operator: "Exists" })), "tolerations"],
    ["the second bad", [{ operator: "Exists" }, { key: 3 }], "tolerations[1].key"],
  ])("refuses %s, naming the field", (_what, input, field) => {
    const r = parseTolerations(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.field).toBe(field);
  });
});
