// The independent binding checker used by the scheduler benchmark and the churn soak (test/k8s/bindingCheck.ts):
// it must see every kind of problem it is meant to report, or those runs prove nothing.
import { describe, expect, it } from "vitest";
import type * as k8s from "@kubernetes/client-node";
import { checkBindings, parseQuantity } from "./k8s/bindingCheck";

const node = (name: string, cpu = "16", memory = "64Gi", pods = "110"): k8s.V1Node => ({ metadata: { name }, status: { allocatable: { cpu, memory, pods } } });
function pod(name: string, o: { node?: string; tenant?: string; job?: string; members?: number; cpu?: string; memory?: string; phase?: string; init?: string }): k8s.V1Pod {
  return {
    metadata: {
      name,
      namespace: "jobs",
      labels: { ...(o.tenant ? { "jarvice-tenant": o.tenant, "app.kubernetes.io/managed-by": "paddock" } : {}), ...(o.job ? { "jarvice-job-number": o.job } : {}) },
      annotations: o.members ? { "paddock.io/job-pods": String(o.members) } : {},
    },
    spec: {
      ...(o.node ? { nodeName: o.node } : {}),
      containers: [{ name: "c", resources: { requests: { cpu: o.cpu ?? "1", ...(o.memory ? { memory: o.memory } : {}) } } }],
      ...(o.init ? { initContainers: [{ name: "i", resources: { requests: { cpu: o.init } } }] } : {}),
    },
    status: { phase: o.phase ?? (o.node ? "Running" : "Pending") },
  };
}

describe("checkBindings", () => {
  it("reads quantities exactly and refuses ones it does not know", () => {
    expect(parseQuantity("500m")).toBe(0.5);
    expect(parseQuantity("64Gi")).toBe(64 * 2 ** 30);
    expect(parseQuantity("1e3")).toBe(1000);
    expect(parseQuantity("2k")).toBe(2000);
    expect(() => parseQuantity("lots")).toThrow(/cannot read/);
  });

  it("finds two tenants on one node, and not when multi-tenant mode is off", () => {
    const pods = [pod("a", { node: "n1", tenant: "t1" }), pod("b", { node: "n1", tenant: "t2" }), pod("c", { node: "n2", tenant: "t2" })];
    expect(checkBindings(pods, [node("n1"), node("n2")]).violations).toEqual([{ node: "n1", tenants: ["t1", "t2"] }]);
    expect(checkBindings(pods, [node("n1"), node("n2")], { multiTenant: false }).violations).toEqual([]);
  });

  it("finds over-commits of CPU, memory and pod count; finished pods free their share; init containers count", () => {
    const pods = [pod("a", { node: "n1", cpu: "10" }), pod("b", { node: "n1", cpu: "7" }), pod("done", { node: "n2", cpu: "16", phase: "Succeeded" }), pod("c", { node: "n2", cpu: "1", init: "17" })];
    const r = checkBindings(pods, [node("n1"), node("n2"), node("n3", "16", "1Gi", "1")]);
    expect(r.overcommits).toEqual([
      { node: "n1", resource: "cpu", requested: 17, allocatable: 16 },
      { node: "n2", resource: "cpu", requested: 17, allocatable: 16 },
    ]);
    const tight = checkBindings([pod("m", { node: "n3", memory: "2Gi" }), pod("p", { node: "n3" })], [node("n3", "16", "1Gi", "1")]);
    expect(tight.overcommits.map((o) => o.resource).sort()).toEqual(["memory", "pods"]);
  });

  it("finds partly bound gangs and counts nodes against a per-tenant lower bound", () => {
    const pods = [
      pod("j1-0", { node: "n1", tenant: "t1", job: "1", members: 2, cpu: "4" }),
      pod("j1-1", { tenant: "t1", job: "1", members: 2, cpu: "4" }),
      pod("j2-0", { node: "n2", tenant: "t2", job: "2", members: 1, cpu: "4" }),
      pod("j3-0", { node: "n3", tenant: "t2", job: "3", members: 1, cpu: "4" }),
    ];
    const r = checkBindings(pods, [node("n1"), node("n2"), node("n3")]);
    expect(r.partialGangs).toEqual([{ job: "jobs/1", bound: 1, waiting: 1, expected: 2 }]);
    expect(r).toMatchObject({ pods: 4, bound: 3, unbound: 1, nodesUsed: 3, lowerBound: 2 });
    expect(checkBindings(pods, [node("n1"), node("n2"), node("n3")], { multiTenant: false }).lowerBound).toBe(1);
  });
});
