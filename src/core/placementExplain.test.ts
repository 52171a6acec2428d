// Why a pod waits: the counts by first failing filter and kube-scheduler's
// FailedScheduling message on a failed decision, and the nodes disqualified
// only by another tenant's pods on every decision.
import { describe, expect, it } from "vitest";
import { aBoundPod, aJob, aNode, aPod, GPU } from "../../test/placementBuilders";
import { filterOf, firstRejection, insufficient, PlacementState, REASON_KEPT, REASON_SELECTOR, REASON_TENANT, REASON_TOO_MANY_PODS, REASON_UNSCHEDULABLE, unavailableMessage, untoleratedTaint, type NodeSnapshot, type PlacementDecision, type PlacementOptions } from "./placement";

const ON: PlacementOptions = { multiTenant: true, countDisqualified: true };
const OFF: PlacementOptions = { multiTenant: false };

function cluster(...nodes: NodeSnapshot[]): PlacementState {
  const s = new PlacementState();
  for (const n of nodes) s.upsertNode(n);
  return s;
}

function failed(d: PlacementDecision): Extract<PlacementDecision, { placed: false }> {
  if (d.placed) throw new Error(`expected the job to wait, it was placed on ${d.bindings.map((b) => b.node).join(", ")}`);
  return d;
}

/** One node for each filter, each failing only that one for an 8-core, 1-GPU pod of acme pinned to zone a. */
function everyFilter(): PlacementState {
  const s = cluster(
    aNode("cordoned").cores(64).gpus(8).labels({ zone: "a" }).unschedulable().taint("dedicated", "NoSchedule", "gpu").build(),
    aNode("tainted").cores(64).gpus(8).labels({ zone: "a" }).taint("dedicated", "NoSchedule", "gpu").build(),
    aNode("zone-b").cores(64).gpus(8).labels({ zone: "b" }).build(),
    aNode("no-slot").cores(64).gpus(8).labels({ zone: "a" }).pods(1).build(),
    aNode("small").cores(4).memoryGi(2).gpus(8).labels({ zone: "a" }).build(),
    aNode("low-mem").cores(64).memoryGi(2).gpus(8).labels({ zone: "a" }).build(),
    aNode("no-gpu").cores(64).labels({ zone: "a" }).build(),
    aNode("betas").cores(64).gpus(8).labels({ zone: "a" }).build(),
  );
  s.bind(aBoundPod("sys/agent").on("no-slot").millicores(10).unmanaged().build());
  s.bind(aBoundPod("b/x").on("betas").cores(1).tenant("beta").build());
  return s;
}
const gpuPod = () => aPod("a/p").tenant("acme").cores(8).memoryGi(8).gpus(1).selector({ zone: "a" }).build();

describe("a failed decision says why, in kube-scheduler's words", () => {
  it("counts each node by the first filter that rejected it, in filter order", () => {
    const d = failed(everyFilter().placeJob([gpuPod()], ON));
    expect(d.pod).toBe("a/p");
    expect(d.filtered).toEqual({
      [REASON_UNSCHEDULABLE]: 1,
      [untoleratedTaint({ key: "dedicated", value: "gpu", effect: "NoSchedule" })]: 1,
      [REASON_SELECTOR]: 1,
      [REASON_TOO_MANY_PODS]: 1,
      [insufficient("cpu")]: 1,
      [insufficient("memory")]: 1,
      [insufficient(GPU)]: 1,
      [REASON_TENANT]: 1,
    });
    expect(d.message).toBe(
      "0/8 nodes are available: 1 node(s) were unschedulable, 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) didn't match Pod's node affinity/selector, " +
        "1 Too many pods, 1 Insufficient cpu, 1 Insufficient memory, 1 Insufficient nvidia.com/gpu, 1 node(s) hold another tenant's pods.",
    );
    expect(d.reason).toBe(`no node fits pod a/p (cpu=8000m, memory=8192Mi, ${GPU}=1); none of the job's 1 pod(s) placed: ${d.message}`);
    expect(d.disqualifiedByTenant).toBe(1);
    expect(Object.keys(d.filtered).map(filterOf)).toEqual(["unschedulable", "taint", "selector", "resources", "resources", "resources", "resources", "tenant"]);
  });

  it("off multi-tenant mode the other tenant's node takes the pod", () => {
    const d = everyFilter().placeJob([gpuPod()], OFF);
    expect(d.placed && d.bindings).toEqual([{ pod: "a/p", node: "betas" }]);
    expect(d.disqualifiedByTenant).toBe(0);
  });

  it("adds up nodes with the same reason and leaves out the reasons no node had", () => {
    const s = cluster(...["a", "b", "c"].map((n) => aNode(`small-${n}`).cores(2).build()), ...["d", "e"].map((n) => aNode(`taken-${n}`).cores(64).build()), aNode("gpu").cores(64).taint("dedicated", "NoSchedule", "gpu").build());
    s.bind(aBoundPod("b/x").on("taken-d").cores(1).tenant("beta").build());
    s.bind(aBoundPod("c/x").on("taken-e").cores(1).tenant("gamma").build());
    const d = failed(s.placeJob([aPod("a/p").tenant("acme").cores(8).build()], ON));
    expect(d.message).toBe("0/6 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 3 Insufficient cpu, 2 node(s) hold another tenant's pods.");
    expect(Object.values(d.filtered).reduce((a, b) => a + b, 0)).toBe(6);
    expect(d.disqualifiedByTenant).toBe(2);
  });

  it.each([
    { why: "a cordoned node is unschedulable, whatever else is wrong with it", node: aNode("n").cores(1).unschedulable().taint("k", "NoExecute").labels({ zone: "b" }).build(), want: REASON_UNSCHEDULABLE },
    { why: "an untolerated taint before a wrong zone", node: aNode("n").cores(1).taint("k", "NoExecute", "v").labels({ zone: "b" }).build(), want: "node(s) had untolerated taint {k: v}" },
    { why: "a taint with no value", node: aNode("n").cores(64).taint("k", "NoSchedule").build(), want: "node(s) had untolerated taint {k: }" },
    { why: "PreferNoSchedule is no reason", node: aNode("n").cores(1).taint("k", "PreferNoSchedule").build(), want: insufficient("cpu") },
    { why: "a wrong zone before resources", node: aNode("n").cores(1).labels({ zone: "b" }).build(), want: REASON_SELECTOR },
    { why: "no pod slot before CPU", node: aNode("n").cores(1).pods(0).build(), want: REASON_TOO_MANY_PODS },
    { why: "CPU before memory", node: aNode("n").cores(1).memoryGi(1).build(), want: insufficient("cpu") },
    { why: "memory before extended resources", node: aNode("n").cores(64).memoryGi(1).build(), want: insufficient("memory") },
    { why: "a resource the node does not have", node: aNode("n").cores(64).build(), want: insufficient("example.com/fpga") },
  ])("$why", ({ node, want }) => {
    const pod = aPod("a/p").cores(8).memoryGi(4).resource("example.com/fpga", 1).selector({ zone: "a" }).build();
    const d = failed(cluster({ ...node, labels: { zone: "a", ...node.labels } }).placeJob([pod], ON));
    expect(d.filtered).toEqual({ [want]: 1 });
  });

  it("counts a node of another tenant as such only when every other filter lets the pod through", () => {
    const s = cluster(aNode("betas-small").cores(4).build(), aNode("betas-big").cores(64).build());
    s.bind(aBoundPod("b/x").on("betas-small").cores(1).tenant("beta").build());
    s.bind(aBoundPod("b/y").on("betas-big").cores(1).tenant("beta").build());
    const d = failed(s.placeJob([aPod("a/p").tenant("acme").cores(8).build()], ON));
    expect(d.message).toBe("0/2 nodes are available: 1 Insufficient cpu, 1 node(s) hold another tenant's pods.");
  });

  it("explains the pod that did not fit, with the job's pods placed before it counted", () => {
    const s = cluster(aNode("n1").cores(16).build(), aNode("n2").cores(16).build());
    const d = failed(s.placeJob(aJob("a/j", 3, (p) => p.cores(10).tenant("acme")), ON));
    expect(d.pod).toBe("a/j-2");
    expect(d.message).toBe("0/2 nodes are available: 2 Insufficient cpu.");
    expect(d.reason).toMatch(/^no node fits pod a\/j-2 \(cpu=10000m, memory=1024Mi\); none of the job's 3 pod\(s\) placed: 0\/2 nodes/);
    // and rolled back as before
    expect(s.placeJob([aPod("b/p").tenant("beta").cores(16).build()], ON).placed).toBe(true);
  });

  it("counts the nodes placement was told to avoid (kept for a job ahead) when nothing else rejects them", () => {
    const s = cluster(aNode("kept").cores(64).build(), aNode("small").cores(2).build());
    const d = failed(s.placeJob([aPod("a/p").cores(8).build()], { ...ON, avoid: (n) => n === "kept" || n === "small" }));
    expect(d.message).toBe("0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were kept for a job ahead in the queue.");
    expect(s.placeJob([aPod("a/q").cores(8).build()], ON).placed).toBe(true);
  });

  it("with no nodes at all, says so", () => {
    expect(failed(new PlacementState().placeJob([aPod("a/p").build()], ON)).message).toBe("no nodes available to schedule pods");
  });
});

describe("disqualifiedByTenant: nodes rejected only because of another tenant", () => {
  const world = () => {
    const s = cluster(aNode("n4").cores(4).build(), aNode("n8").cores(8).build(), aNode("n16").cores(16).build(), aNode("n64").cores(64).build());
    s.bind(aBoundPod("b/x").on("n4").cores(1).tenant("beta").build());
    s.bind(aBoundPod("c/x").on("n8").cores(1).tenant("gamma").build());
    s.bind(aBoundPod("d/x").on("n64").cores(1).tenant("delta").build());
    return s;
  };

  it("on success, counts the better fits passed over, summed over the job's pods, without explain", () => {
    // a/j-0 (2 cores): n4 and n8 would be fuller; a/j-1 (6 cores): n8 would be; both land on n16.
    const d = world().placeJob([aPod("a/j-0").tenant("acme").cores(2).build(), aPod("a/j-1").tenant("acme").cores(6).build()], ON);
    expect(d.placed && d.bindings.map((b) => b.node)).toEqual(["n16", "n16"]);
    expect(d.disqualified).toEqual([]);
    expect(d.disqualifiedByTenant).toBe(3);
  });

  it("without countDisqualified, is 0 on success and the failing pod's nodes on failure (no scan of the better fits)", () => {
    const fast: PlacementOptions = { multiTenant: true };
    expect(world().placeJob([aPod("a/j-0").tenant("acme").cores(2).build()], fast).disqualifiedByTenant).toBe(0);
    expect(world().placeJob([aPod("a/j-0").tenant("acme").cores(2).build()], { ...fast, explain: true }).disqualifiedByTenant).toBe(2);
    const d = failed(world().placeJob([aPod("a/j-0").tenant("acme").cores(2).build(), aPod("a/j-1").tenant("acme").cores(60).build()], fast));
    expect(d.disqualifiedByTenant).toBe(1);
  });

  it("is 0 when the best fit is the tenant's own or unclaimed, and off multi-tenant mode", () => {
    expect(world().placeJob([aPod("b/p").tenant("beta").cores(1).build()], ON).disqualifiedByTenant).toBe(0);
    expect(world().placeJob([aPod("c/p").tenant("gamma").cores(6).build()], ON).disqualifiedByTenant).toBe(0);
    expect(world().placeJob([aPod("a/p").tenant("acme").cores(10).build()], ON).disqualifiedByTenant).toBe(0);
    expect(world().placeJob([aPod("a/p").tenant("acme").cores(2).build()], OFF).disqualifiedByTenant).toBe(0);
  });

  it("on failure, adds the pods placed before to the nodes only the tenant rule kept from the failing one", () => {
    // a/j-0 (2 cores) passes over n4 and n8 for n16; a/j-1 (60 cores) could only have had n64 (delta's).
    const d = failed(world().placeJob([aPod("a/j-0").tenant("acme").cores(2).build(), aPod("a/j-1").tenant("acme").cores(60).build()], ON));
    expect(d.filtered[REASON_TENANT]).toBe(1);
    expect(d.disqualifiedByTenant).toBe(3);
  });
});

describe("the pure parts", () => {
  it("firstRejection agrees with placement on a node that fits: undefined", () => {
    expect(firstRejection(aNode("n").build(), {}, new Map(), aPod("a/p").build(), true)).toBeUndefined();
    expect(firstRejection(aNode("n").build(), {}, new Map([["acme", 1]]), aPod("a/p").tenant("acme").build(), true)).toBeUndefined();
    expect(firstRejection(aNode("n").build(), {}, new Map([["beta", 1]]), aPod("a/p").tenant("acme").build(), false)).toBeUndefined();
    expect(firstRejection(aNode("n").build(), {}, new Map([["beta", 1]]), aPod("a/p").tenant("acme").build(), true)).toBe(REASON_TENANT);
  });

  it("unavailableMessage orders by filter whatever the insertion order, and drops zero counts", () => {
    expect(unavailableMessage(10, { [REASON_KEPT]: 1, [REASON_TENANT]: 4, [insufficient("zz.io/x")]: 1, [insufficient("cpu")]: 2, [REASON_UNSCHEDULABLE]: 0, "node(s) had untolerated taint {a: }": 2 })).toBe(
      "0/10 nodes are available: 2 node(s) had untolerated taint {a: }, 2 Insufficient cpu, 1 Insufficient zz.io/x, 4 node(s) hold another tenant's pods, 1 node(s) were kept for a job ahead in the queue.",
    );
  });
});
