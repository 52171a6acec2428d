import { describe, expect, it } from "vitest";
import { podRequests, type PodSpecLike } from "./podRequests";

const c = (requests: Record<string, string>, restartPolicy?: string) => ({ resources: { requests }, restartPolicy });
const requestsOf = (spec: PodSpecLike) => {
  const r = podRequests(spec);
  if (!r.ok) throw new Error(r.problem);
  return r.requests;
};

describe("podRequests", () => {
  it("sums the containers", () => {
    expect(requestsOf({ containers: [c({ cpu: "1", memory: "1Gi" }), c({ cpu: "500m", memory: "1e9" })] })).toEqual({ cpu: 1500, memory: 2 ** 30 + 1e9 });
  });

  it("takes the largest init container when it asks for more than the containers together", () => {
    const spec = { containers: [c({ cpu: "1", memory: "1Gi" }), c({ cpu: "1", memory: "1Gi" })], initContainers: [c({ cpu: "3", memory: "1Gi" }), c({ cpu: "1", memory: "8Gi" })] };
    expect(requestsOf(spec)).toEqual({ cpu: 3000, memory: 8 * 2 ** 30 });
  });

  it("counts a resource only an init container asks for", () => {
    expect(requestsOf({ containers: [c({ cpu: "1" })], initContainers: [c({ "nvidia.com/gpu": "1" })] })).toEqual({ cpu: 1000, "nvidia.com/gpu": 1 });
  });

  it("adds sidecar init containers (restartPolicy Always) to the containers and to later init containers", () => {
    const spec = { containers: [c({ cpu: "1" })], initContainers: [c({ cpu: "500m" }, "Always"), c({ cpu: "2" })] };
    // containers + sidecar = 1.5; the second init container runs beside the sidecar: 2.5
    expect(requestsOf(spec)).toEqual({ cpu: 2500 });
  });

  it("adds the pod overhead", () => {
    expect(requestsOf({ containers: [c({ cpu: "1", memory: "1Gi" })], initContainers: [c({ cpu: "2" })], overhead: { cpu: "250m", memory: "120Mi" } })).toEqual({
      cpu: 2250,
      memory: 2 ** 30 + 120 * 2 ** 20,
    });
  });

  it("is not ok, naming the resource, when a quantity is unparsable (in containers, init containers or overhead)", () => {
    for (const spec of [{ containers: [c({ cpu: "1", memory: "lots" })] }, { containers: [c({ cpu: "1" })], initContainers: [c({ memory: "lots" })] }, { containers: [c({ cpu: "1" })], overhead: { memory: "lots" } }]) {
      const r = podRequests(spec);
      expect(r).toMatchObject({ ok: false, unparsable: ["memory"], requests: { cpu: 1000 } });
      expect(r.ok ? "" : r.problem).toContain('memory: "lots" is not a Kubernetes quantity');
    }
    expect(podRequests({ containers: [c({ memory: "-1Gi" })] })).toMatchObject({ ok: false, unparsable: ["memory"] });
  });

  it("asks for nothing when nothing is requested", () => {
    expect(requestsOf({ containers: [{}] })).toEqual({});
    expect(requestsOf({})).toEqual({});
  });
});
