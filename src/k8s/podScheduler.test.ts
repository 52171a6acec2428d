// The scheduler's reading of Kubernetes objects (quantities, requests), fed to
// the placement core as the scheduling cycle does. No cluster needed.
import type * as k8s from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { PlacementState } from "../core/placement";
import { boundRequests, nodeSnapshot, podRequests } from "./podScheduler";

const node = (name: string, allocatable: Record<string, string>): k8s.V1Node => ({ metadata: { name }, status: { allocatable, conditions: [{ type: "Ready", status: "True" }] } });
const pod = (name: string, requests: Record<string, string>, nodeName?: string): k8s.V1Pod => ({
  metadata: { name, namespace: "ns" },
  spec: { nodeName, containers: [{ name: "c", resources: { requests } }] },
});

/** Place `incoming` on `nodes` already running `running`, as PodScheduler.cycle does. */
function place(nodes: k8s.V1Node[], running: k8s.V1Pod[], incoming: k8s.V1Pod) {
  const state = new PlacementState();
  const snaps = new Map(nodes.map((n) => [n.metadata!.name!, nodeSnapshot(n)]));
  for (const s of snaps.values()) state.upsertNode(s);
  for (const p of running) state.bind({ key: `ns/${p.metadata!.name}`, node: p.spec!.nodeName!, requests: boundRequests(p, snaps.get(p.spec!.nodeName!)) });
  const r = podRequests(incoming);
  if (!r.ok) return { placed: false as const, reason: r.problem };
  return state.placeJob([{ key: `ns/${incoming.metadata!.name}`, requests: r.requests, tenant: "t" }], { multiTenant: false });
}

const small = node("small", { cpu: "8", memory: "16Gi", pods: "110" });

describe("jarvice-pod-scheduler: quantities", () => {
  it("a 64Gi pod does not fit a 16Gi node holding a foreign pod with memory: 1e9", () => {
    const decision = place([small], [pod("foreign", { memory: "1e9" }, "small")], pod("big", { cpu: "1", memory: "64Gi" }));
    expect(decision.placed).toBe(false);
  });

  it("counts the foreign pod's 1e9 bytes: a 16Gi pod no longer fits beside it, but fits the empty node", () => {
    expect(place([small], [pod("foreign", { memory: "1e9" }, "small")], pod("p", { memory: "16Gi" })).placed).toBe(false);
    expect(place([small], [], pod("p", { memory: "16Gi" })).placed).toBe(true);
    expect(place([small], [pod("foreign", { memory: "1e9" }, "small")], pod("p", { memory: "15Gi" })).placed).toBe(true);
  });

  it("reads 1Pi of allocatable memory", () => {
    expect(nodeSnapshot(node("huge", { memory: "1Pi" })).allocatable.memory).toBe(2 ** 50);
    expect(place([node("huge", { cpu: "8", memory: "1Pi" })], [], pod("p", { memory: "1Ti" })).placed).toBe(true);
  });

  it("never places a pod with an unparsable request, and says why", () => {
    const decision = place([small], [], pod("p", { cpu: "1", memory: "lots" }));
    expect(decision).toEqual({ placed: false, reason: 'memory: "lots" is not a Kubernetes quantity' });
  });

  it("a foreign pod with an unparsable request fills its node's allocatable of that resource (only that resource)", () => {
    const other = node("other", { cpu: "8", memory: "16Gi", pods: "110" });
    const foreign = pod("foreign", { cpu: "1", memory: "lots" }, "small");
    expect(boundRequests(foreign, nodeSnapshot(small))).toEqual({ cpu: 1000, memory: 16 * 2 ** 30 });
    expect(place([small], [foreign], pod("p", { memory: "1Mi" })).placed).toBe(false);
    expect(place([small], [foreign], pod("p", { cpu: "1" })).placed).toBe(true);
    expect(place([small, other], [foreign], pod("p", { memory: "1Mi" }))).toMatchObject({ placed: true, bindings: [{ node: "other" }] });
  });

  it("an unparsable allocatable counts as 0 of that resource, reported, never NaN", () => {
    const warnings: string[] = [];
    const snap = nodeSnapshot(node("odd", { cpu: "8", memory: "16GB" }), (m) => warnings.push(m));
    expect(snap.allocatable).toEqual({ cpu: 8000, memory: 0 });
    expect(warnings).toEqual(['node odd: allocatable memory: "16GB" is not a Kubernetes quantity; counting 0']);
    expect(place([node("odd", { cpu: "8", memory: "16GB" })], [], pod("p", { memory: "1Mi" })).placed).toBe(false);
  });

  it("counts init containers and overhead of the pod to place", () => {
    const p: k8s.V1Pod = {
      metadata: { name: "p", namespace: "ns" },
      spec: { containers: [{ name: "c", resources: { requests: { memory: "8Gi" } } }], initContainers: [{ name: "i", resources: { requests: { memory: "12Gi" } } }], overhead: { memory: "5Gi" } },
    };
    expect(podRequests(p)).toEqual({ ok: true, requests: { memory: 17 * 2 ** 30 } });
    expect(place([small], [], p).placed).toBe(false);
  });
});
