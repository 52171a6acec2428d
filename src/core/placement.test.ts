import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aBoundPod, aJob, aNode, aPod, GPU, Gi } from "../../test/placementBuilders";
import { fits, PlacementState, REASON_ONE_NODE, selectorMatches, taintsTolerated, type BoundPod, type Disqualification, type NodeSnapshot, type PlacementDecision, type PlacementOptions, type PodToPlace, type Resources, type Taint, type Toleration } from "./placement";

const ON: PlacementOptions = { multiTenant: true };
const OFF: PlacementOptions = { multiTenant: false };
const EXPLAIN: PlacementOptions = { multiTenant: true, explain: true };

function cluster(...nodes: NodeSnapshot[]): PlacementState {
  const s = new PlacementState();
  for (const n of nodes) s.upsertNode(n);
  return s;
}

/** the node one pod went to, or undefined when it was not placed */
function place(s: PlacementState, pod: PodToPlace, opts: PlacementOptions = ON): string | undefined {
  const d = s.placeJob([pod], opts);
  return d.placed ? d.bindings[0]!.node : undefined;
}

const nodesOf = (d: PlacementDecision) => (d.placed ? d.bindings.map((b) => b.node) : undefined);

/**
 * Whether node `node` could take one more pod with `requests`, seen only through
 * the public API: aim a pod at it (hostname selector, tolerate everything, no
 * tenant filter), then take it back.
 */
function canTake(s: PlacementState, node: string, requests: Resources, count = 1): boolean {
  const pods = aJob(`probe/${node}`, count, (b) => b.requesting(requests).onlyOn(node).tolerate({ operator: "Exists" }));
  const d = s.placeJob(pods, OFF);
  if (d.placed) for (const p of pods) s.unbind(p.key);
  return d.placed;
}

/** Exactly `free` of each resource (and `free.pods` pod slots, when given) is left on the node. */
function expectFree(s: PlacementState, node: string, free: Resources): void {
  const { pods, ...res } = free;
  expect(canTake(s, node, res), `${node} takes exactly its free ${JSON.stringify(res)}`).toBe(true);
  for (const [r, q] of Object.entries(res)) expect(canTake(s, node, { [r]: q + 1 }), `${node} has no more than ${q} ${r} free`).toBe(false);
  if (pods !== undefined) {
    if (pods > 0) expect(canTake(s, node, {}, pods), `${node} has ${pods} pod slot(s) free`).toBe(true);
    expect(canTake(s, node, {}, pods + 1), `${node} has no more than ${pods} pod slot(s) free`).toBe(false);
  }
}

describe("filters", () => {
  describe("fits: every requested resource and one pod slot", () => {
    const alloc: Resources = { cpu: 4000, memory: 8 * Gi, pods: 3, [GPU]: 2, "example.com/fpga": 1 };
    it.each<{ why: string; used: Resources; req: Resources; want: boolean }>([
      { why: "an empty node takes a pod that fills it", used: {}, req: { cpu: 4000, memory: 8 * Gi, [GPU]: 2, "example.com/fpga": 1 }, want: true },
      { why: "CPU short by one millicore", used: { cpu: 1001 }, req: { cpu: 3000 }, want: false },
      { why: "memory short by one byte", used: { memory: 1 }, req: { memory: 8 * Gi }, want: false },
      { why: "GPUs in use", used: { [GPU]: 1 }, req: { [GPU]: 2 }, want: false },
      { why: "an extended resource in use", used: { "example.com/fpga": 1 }, req: { "example.com/fpga": 1 }, want: false },
      { why: "a resource the node does not have", used: {}, req: { "example.com/tpu": 1 }, want: false },
      { why: "a zero request of a resource the node does not have", used: {}, req: { cpu: 100, "example.com/tpu": 0 }, want: true },
      { why: "no pod slot left", used: { pods: 3 }, req: { cpu: 1 }, want: false },
      { why: "the last pod slot", used: { pods: 2 }, req: { cpu: 1 }, want: true },
    ])("$why -> $want", ({ used, req, want }) => {
      expect(fits(alloc, used, req)).toBe(want);
    });

    it("treats a node that does not report a pod count as unlimited", () => {
      expect(fits({ cpu: 1000 }, { pods: 10_000 }, { cpu: 1 })).toBe(true);
    });

    it.each<{ why: string; req: Resources }>([
      { why: "CPU", req: { cpu: 2001 } },
      { why: "memory", req: { memory: 4 * Gi + 1 } },
      { why: "GPUs", req: { [GPU]: 2 } },
      { why: "an extended resource", req: { "example.com/fpga": 1 } },
    ])("placement skips a node short of $why for the next fitting one", ({ req }) => {
      const s = cluster(aNode("small").cores(2).memoryGi(4).gpus(1).build(), aNode("big").cores(64).memoryGi(256).gpus(8).resource("example.com/fpga", 2).build());
      expect(place(s, aPod("p").requesting(req).build())).toBe("big");
    });

    it("placement counts pod slots", () => {
      const s = cluster(aNode("n1").pods(2).build());
      expect(nodesOf(s.placeJob(aJob("j1", 2, (p) => p.millicores(100)), ON))).toEqual(["n1", "n1"]);
      expect(place(s, aPod("p3").millicores(100).build())).toBeUndefined();
    });
  });

  describe("node selector", () => {
    it.each<{ why: string; labels: Record<string, string>; selector: Record<string, string> | undefined; want: boolean }>([
      { why: "no selector", labels: {}, selector: undefined, want: true },
      { why: "empty selector", labels: {}, selector: {}, want: true },
      { why: "all labels match", labels: { zone: "a", machine: "n3" }, selector: { zone: "a", machine: "n3" }, want: true },
      { why: "one label differs", labels: { zone: "a", machine: "n3" }, selector: { zone: "a", machine: "n4" }, want: false },
      { why: "a label is missing", labels: { zone: "a" }, selector: { zone: "a", machine: "n3" }, want: false },
    ])("$why -> $want", ({ labels, selector, want }) => {
      expect(selectorMatches(labels, selector)).toBe(want);
    });

    it("placement goes only to nodes matching the machine type / zone selector, even a worse fit", () => {
      const s = cluster(aNode("full-b").cores(4).labels({ zone: "b" }).build(), aNode("roomy-a").cores(64).labels({ zone: "a" }).build());
      expect(place(s, aPod("p").selector({ zone: "a" }).build())).toBe("roomy-a");
      expect(place(s, aPod("q").selector({ zone: "c" }).build())).toBeUndefined();
    });
  });

  describe("taints and tolerations", () => {
    const taint = (key: string, effect: string, value?: string): Taint => ({ key, value, effect });
    it.each<{ why: string; taints: Taint[]; tols: Toleration[] | undefined; want: boolean }>([
      { why: "no taints", taints: [], tols: undefined, want: true },
      { why: "NoSchedule, no toleration", taints: [taint("gpu", "NoSchedule")], tols: undefined, want: false },
      { why: "NoExecute, no toleration", taints: [taint("gpu", "NoExecute")], tols: [], want: false },
      { why: "PreferNoSchedule is ignored", taints: [taint("gpu", "PreferNoSchedule")], tols: undefined, want: true },
      { why: "Equal with the same value", taints: [taint("dedicated", "NoSchedule", "hpc")], tols: [{ key: "dedicated", operator: "Equal", value: "hpc" }], want: true },
      { why: "Equal is the default operator", taints: [taint("dedicated", "NoSchedule", "hpc")], tols: [{ key: "dedicated", value: "hpc" }], want: true },
      { why: "Equal with another value", taints: [taint("dedicated", "NoSchedule", "hpc")], tols: [{ key: "dedicated", operator: "Equal", value: "ai" }], want: false },
      { why: "Equal with no value matches a taint with no value", taints: [taint("gpu", "NoSchedule")], tols: [{ key: "gpu", operator: "Equal" }], want: true },
      { why: "Exists on the key, any value", taints: [taint("dedicated", "NoExecute", "hpc")], tols: [{ key: "dedicated", operator: "Exists" }], want: true },
      { why: "Exists on another key", taints: [taint("dedicated", "NoSchedule", "hpc")], tols: [{ key: "gpu", operator: "Exists" }], want: false },
      { why: "Exists with no key tolerates everything", taints: [taint("a", "NoSchedule"), taint("b", "NoExecute", "x")], tols: [{ operator: "Exists" }], want: true },
      { why: "the toleration's effect must match", taints: [taint("gpu", "NoExecute")], tols: [{ key: "gpu", operator: "Exists", effect: "NoSchedule" }], want: false },
      { why: "a matching effect", taints: [taint("gpu", "NoExecute")], tols: [{ key: "gpu", operator: "Exists", effect: "NoExecute" }], want: true },
      { why: "no effect on the toleration matches every effect", taints: [taint("gpu", "NoExecute"), taint("gpu", "NoSchedule")], tols: [{ key: "gpu", operator: "Exists" }], want: true },
      { why: "every taint must be tolerated", taints: [taint("gpu", "NoSchedule"), taint("dedicated", "NoSchedule", "hpc")], tols: [{ key: "gpu", operator: "Exists" }], want: false },
    ])("$why -> $want", ({ taints, tols, want }) => {
      expect(taintsTolerated(taints, tols)).toBe(want);
    });

    it("placement avoids a tainted best fit unless the pod tolerates it", () => {
      const s = cluster(aNode("tainted").cores(4).taint("dedicated", "NoSchedule", "hpc").build(), aNode("plain").cores(64).build());
      expect(place(s, aPod("p").build())).toBe("plain");
      expect(place(s, aPod("q").tolerate({ key: "dedicated", operator: "Equal", value: "hpc" }).build())).toBe("tainted");
    });
  });

  describe("unschedulable nodes", () => {
    it("are skipped, even as the best fit, until they are schedulable again", () => {
      const s = cluster(aNode("cordoned").cores(4).unschedulable().build(), aNode("open").cores(64).build());
      expect(place(s, aPod("p").build())).toBe("open");
      s.upsertNode(aNode("cordoned").cores(4).build());
      expect(place(s, aPod("q").build())).toBe("cordoned");
      s.upsertNode(aNode("cordoned").cores(4).unschedulable().build());
      expect(place(s, aPod("r").build())).toBe("open");
    });

    it("leave nothing to place on when every node is cordoned", () => {
      const s = cluster(aNode("a").unschedulable().build());
      const d = s.placeJob([aPod("p").build()], ON);
      expect(d.placed).toBe(false);
      expect(d.placed ? "" : d.reason).toMatch(/no node fits pod p/);
    });
  });
});

describe("best fit: the node left fullest", () => {
  it.each<{ why: string; nodes: NodeSnapshot[]; pod: PodToPlace; want: string }>([
    {
      why: "least free CPU wins over more free memory",
      nodes: [aNode("big").cores(64).memoryGi(16).build(), aNode("small").cores(8).memoryGi(256).build()],
      pod: aPod("p").cores(2).memoryGi(4).build(),
      want: "small",
    },
    {
      why: "equal CPU: least free memory",
      nodes: [aNode("m256").cores(16).memoryGi(256).build(), aNode("m64").cores(16).memoryGi(64).build()],
      pod: aPod("p").cores(2).memoryGi(4).build(),
      want: "m64",
    },
    {
      why: "equal CPU and memory: by name",
      nodes: [aNode("n2").cores(16).build(), aNode("n1").cores(16).build(), aNode("n3").cores(16).build()],
      pod: aPod("p").build(),
      want: "n1",
    },
    {
      why: "the fullest node that still fits, not the fullest node",
      nodes: [aNode("tiny").cores(1).build(), aNode("mid").cores(8).build(), aNode("huge").cores(64).build()],
      pod: aPod("p").cores(4).build(),
      want: "mid",
    },
    {
      why: "exact fit of CPU",
      nodes: [aNode("exact").cores(4).build(), aNode("more").millicores(4001).build()],
      pod: aPod("p").cores(4).build(),
      want: "exact",
    },
    {
      why: "CPU is enough but memory is not: the next node",
      nodes: [aNode("lowmem").cores(4).memoryGi(2).build(), aNode("ok").cores(8).memoryGi(32).build()],
      pod: aPod("p").cores(2).memoryGi(4).build(),
      want: "ok",
    },
  ])("$why", ({ nodes, pod, want }) => {
    expect(place(cluster(...nodes), pod, ON)).toBe(want);
    expect(place(cluster(...nodes), pod, OFF)).toBe(want);
  });

  it("packs fractional pods onto the node already in use and keeps whole nodes free", () => {
    const s = cluster(aNode("n1").cores(16).build(), aNode("n2").cores(16).build());
    const d = s.placeJob(aJob("frac", 4, (p) => p.cores(4)), OFF);
    expect(nodesOf(d)).toEqual(["n1", "n1", "n1", "n1"]);
    expect(place(s, aPod("whole").cores(16).build(), OFF)).toBe("n2");
  });

  it("counts the pods already bound (fullest after them)", () => {
    const s = cluster(aNode("n1").cores(16).build(), aNode("n2").cores(16).build());
    s.bind(aBoundPod("x/busy").on("n2").cores(10).tenant("acme").build());
    expect(place(s, aPod("p").cores(2).build())).toBe("n2");
    expect(place(s, aPod("q").cores(8).build())).toBe("n1");
  });

  it("places a CPU-less pod on a node over-committed on CPU when the rest fits", () => {
    // Allocatable shrank under running pods: CPU is over-committed, memory is not.
    const s = cluster(aNode("n1").cores(8).memoryGi(32).build());
    s.bind(aBoundPod("sys/a").on("n1").cores(8).memoryGi(1).unmanaged().build());
    s.upsertNode(aNode("n1").cores(4).memoryGi(32).build());
    expect(fits({ cpu: 4000, memory: 32 * Gi }, { cpu: 8000, memory: Gi, pods: 1 }, { memory: Gi })).toBe(true);
    expect(place(s, aPod("p").requesting({ memory: Gi }).build())).toBe("n1");
    expect(place(s, aPod("q").requesting({ cpu: 1, memory: Gi }).build())).toBeUndefined();
  });
});

describe("multi-tenant: disqualifiedByTenant", () => {
  const twoNodes = () => cluster(aNode("small").cores(8).build(), aNode("large").cores(64).build());

  it("disqualifies a node holding another tenant's pod even when it is the best fit", () => {
    const s = twoNodes();
    expect(place(s, aPod("a/1").tenant("acme").build())).toBe("small");
    expect(place(s, aPod("b/1").tenant("beta").build())).toBe("large");
    expect(s.tenantsOn("small")).toEqual(["acme"]);
    expect(s.tenantsOn("large")).toEqual(["beta"]);
  });

  it("lets pods of the same tenant share a node", () => {
    const s = twoNodes();
    expect(nodesOf(s.placeJob(aJob("a/j1", 2, (p) => p.tenant("acme")), ON))).toEqual(["small", "small"]);
    expect(place(s, aPod("a/j2").tenant("acme").build())).toBe("small");
    expect(s.tenantsOn("small")).toEqual(["acme"]);
  });

  it("prefers the tenant's own node or an unclaimed one, whichever is fuller", () => {
    const s = cluster(aNode("n8").cores(8).build(), aNode("n16").cores(16).build(), aNode("n32").cores(32).build(), aNode("n64").cores(64).build());
    s.bind(aBoundPod("a/x").on("n32").cores(1).tenant("acme").build());
    expect(place(s, aPod("a/p").tenant("acme").build())).toBe("n8"); // unclaimed and fuller than acme's n32
    expect(place(s, aPod("b/p").tenant("beta").build())).toBe("n16"); // n8 and n32 are acme's
    expect(place(s, aPod("a/q").tenant("acme").cores(8).build())).toBe("n32"); // acme's, fuller than unclaimed n64
    expect(place(s, aPod("c/p").tenant("gamma").cores(8).build())).toBe("n64");
  });

  it("does not let pods Paddock does not manage claim a node, but counts their resources", () => {
    const s = twoNodes();
    s.bind(aBoundPod("kube-system/agent").on("small").cores(6).unmanaged().build());
    expect(s.tenantsOn("small")).toEqual([]);
    expect(place(s, aPod("a/1").tenant("acme").cores(2).build())).toBe("small");
    expect(place(s, aPod("b/1").tenant("beta").cores(1).build())).toBe("large");
  });

  it("disqualifies a node that holds several tenants for each of them (bound before multi-tenant mode)", () => {
    const s = cluster(aNode("mixed").cores(64).build(), aNode("clean").cores(64).build());
    s.bind(aBoundPod("a/old").on("mixed").cores(8).tenant("acme").build());
    s.bind(aBoundPod("b/old").on("mixed").cores(8).tenant("beta").build());
    expect(place(s, aPod("a/new").tenant("acme").build(), ON)).toBe("clean");
    expect(place(s, aPod("b/new").tenant("beta").build(), ON)).toBeUndefined();
    expect(place(s, aPod("c/new").tenant("beta").build(), OFF)).toBe("mixed");
  });

  it("counts pods being bound (reserved) in this job and earlier ones", () => {
    const s = cluster(aNode("n1").cores(16).build(), aNode("n2").cores(16).build());
    expect(nodesOf(s.placeJob([aPod("a/1").tenant("acme").build()], ON))).toEqual(["n1"]);
    expect(nodesOf(s.placeJob(aJob("b/j", 2, (p) => p.tenant("beta")), ON))).toEqual(["n2", "n2"]);
    expect(place(s, aPod("c/1").tenant("gamma").build())).toBeUndefined();
  });

  it("frees a node for other tenants once the tenant's last pod is unbound", () => {
    const s = cluster(aNode("n1").cores(16).build());
    s.placeJob(aJob("a/j", 2, (p) => p.tenant("acme")), ON);
    s.unbind("a/j-0");
    expect(place(s, aPod("b/1").tenant("beta").build())).toBeUndefined();
    s.unbind("a/j-1");
    expect(s.tenantsOn("n1")).toEqual([]);
    expect(place(s, aPod("b/2").tenant("beta").build())).toBe("n1");
  });

  it("off multi-tenant mode, runs the same best fit without the tenant filter", () => {
    const s = twoNodes();
    place(s, aPod("a/1").tenant("acme").build(), OFF);
    expect(place(s, aPod("b/1").tenant("beta").build(), OFF)).toBe("small");
    expect(s.tenantsOn("small").sort()).toEqual(["acme", "beta"]);
    const d = s.placeJob([aPod("c/1").tenant("gamma").build()], { multiTenant: false, explain: true });
    expect(d.disqualified).toEqual([]);
  });

  describe("explain: the nodes disqualified that would otherwise have fitted better", () => {
    const world = () => {
      const s = cluster(aNode("n4").cores(4).build(), aNode("n8").cores(8).build(), aNode("n16").cores(16).build(), aNode("n32").cores(32).build(), aNode("n64").cores(64).build());
      s.bind(aBoundPod("b/x").on("n4").cores(1).tenant("beta").build());
      s.bind(aBoundPod("c/x").on("n8").cores(1).tenant("gamma").build());
      s.bind(aBoundPod("d/x").on("n32").cores(1).tenant("delta").build());
      s.bind(aBoundPod("b/y").on("n32").cores(1).tenant("beta").build());
      return s;
    };

    it("names the pod, the node and the other tenant(s), better fits only", () => {
      const d = world().placeJob([aPod("a/p").tenant("acme").cores(2).build()], EXPLAIN);
      expect(nodesOf(d)).toEqual(["n16"]);
      expect(d.disqualified).toEqual<Disqualification[]>([
        { pod: "a/p", node: "n4", tenants: ["beta"] },
        { pod: "a/p", node: "n8", tenants: ["gamma"] },
      ]);
    });

    it("leaves out disqualified nodes the pod would not fit anyway", () => {
      const d = world().placeJob([aPod("a/p").tenant("acme").cores(6).build()], EXPLAIN);
      expect(d.disqualified.map((x) => x.node)).toEqual(["n8"]);
    });

    it("lists every node that would have fitted when none is left, and says so", () => {
      const s = world();
      s.bind(aBoundPod("e/x").on("n16").cores(1).tenant("epsilon").build());
      s.bind(aBoundPod("e/y").on("n64").cores(1).tenant("epsilon").build());
      const d = s.placeJob([aPod("a/p").tenant("acme").cores(20).build()], EXPLAIN);
      expect(d.placed).toBe(false);
      expect(d.disqualified.map((x) => [x.node, [...x.tenants].sort()])).toEqual([
        ["n32", ["beta", "delta"]],
        ["n64", ["epsilon"]],
      ]);
      expect(d.placed ? "" : d.reason).toMatch(/0\/5 nodes are available: 3 Insufficient cpu, 2 node\(s\) hold another tenant's pods\.$/);
    });

    it("is empty without explain", () => {
      expect(world().placeJob([aPod("a/p").tenant("acme").build()], ON).disqualified).toEqual([]);
    });
  });
});

describe("gang placement: all pods of a job or none", () => {
  const world = () => {
    const s = cluster(aNode("n1").cores(16).memoryGi(64).build(), aNode("n2").cores(16).memoryGi(64).build(), aNode("n3").cores(8).memoryGi(32).build());
    s.bind(aBoundPod("b/x").on("n3").cores(2).tenant("beta").build());
    return s;
  };

  it("places a job over several nodes when one is not enough", () => {
    const d = world().placeJob(aJob("a/j", 3, (p) => p.cores(10).tenant("acme")), ON);
    expect(d.placed).toBe(false);
    const d2 = world().placeJob(aJob("a/j", 2, (p) => p.cores(10).tenant("acme")), ON);
    expect(nodesOf(d2)).toEqual(["n1", "n2"]);
  });

  it("places none when the last pod does not fit, and leaves the state exactly as before", () => {
    const s = world();
    const job = [...aJob("a/j", 2, (p) => p.cores(12).tenant("acme")), aPod("a/j-2").cores(12).tenant("acme").build()];
    const d = s.placeJob(job, EXPLAIN);
    expect(d.placed).toBe(false);
    expect(d.placed ? "" : d.reason).toMatch(/no node fits pod a\/j-2 .*cpu=12000m.*none of the job's 3 pod\(s\) placed/);
    for (const p of job) expect(s.hasPod(p.key)).toBe(false);
    expect(["n1", "n2", "n3"].map((n) => s.tenantsOn(n))).toEqual([[], [], ["beta"]]);
    expectFree(s, "n1", { cpu: 16000, memory: 64 * Gi, pods: 110 });
    expectFree(s, "n2", { cpu: 16000, memory: 64 * Gi });
    expectFree(s, "n3", { cpu: 6000, memory: 31 * Gi, pods: 109 });
    // Another tenant can take both empty nodes whole.
    expect(nodesOf(s.placeJob(aJob("c/j", 2, (p) => p.cores(16).tenant("gamma")), ON))).toEqual(["n1", "n2"]);
  });

  it("rolls back a pod that moved within a failed job to where it was", () => {
    const s = world();
    s.bind(aBoundPod("a/j-0").on("n2").cores(1).tenant("acme").build());
    const d = s.placeJob([aPod("a/j-0").cores(1).tenant("acme").build(), aPod("a/j-1").cores(64).tenant("acme").build()], ON);
    expect(d.placed).toBe(false);
    expect(s.nodeOf("a/j-0")).toBe("n2");
    expect(s.tenantsOn("n2")).toEqual(["acme"]);
    expectFree(s, "n2", { cpu: 15000, memory: 63 * Gi });
    expectFree(s, "n1", { cpu: 16000, memory: 64 * Gi });
  });

  it("gives the failed job's capacity to the next job", () => {
    const s = cluster(aNode("n1").cores(8).build());
    expect(s.placeJob(aJob("a/j", 3, (p) => p.cores(3)), ON).placed).toBe(false);
    expect(nodesOf(s.placeJob(aJob("b/j", 2, (p) => p.cores(4).tenant("beta")), ON))).toEqual(["n1", "n1"]);
  });
});

describe("bound pods and node changes", () => {
  it("bind is idempotent per pod key; unbinding twice or an unknown pod is a no-op", () => {
    const s = cluster(aNode("n1").cores(8).pods(10).build());
    const p = aBoundPod("a/p").on("n1").cores(3).tenant("acme").build();
    s.bind(p);
    s.bind(p);
    expectFree(s, "n1", { cpu: 5000, pods: 9 });
    s.unbind("a/p");
    s.unbind("a/p");
    s.unbind("never/bound");
    expect(s.hasPod("a/p")).toBe(false);
    expect(s.tenantsOn("n1")).toEqual([]);
    expectFree(s, "n1", { cpu: 8000, memory: 32 * Gi, pods: 10 });
  });

  it("binding a known pod again with other requests or another tenant re-accounts it; the same binding changes nothing", () => {
    const s = cluster(aNode("n1").cores(8).pods(10).build());
    s.bind(aBoundPod("a/p").on("n1").cores(3).tenant("acme").build());
    s.bind(aBoundPod("a/p").on("n1").cores(3).tenant("acme").build());
    expectFree(s, "n1", { cpu: 5000, pods: 9 });
    s.bind(aBoundPod("a/p").on("n1").cores(5).tenant("acme").build());
    expectFree(s, "n1", { cpu: 3000, pods: 9 });
    s.bind(aBoundPod("a/p").on("n1").cores(5).tenant("beta").build());
    expect(s.tenantsOn("n1")).toEqual(["beta"]);
    s.bind(aBoundPod("a/p").on("n1").cores(5).gpus(0).tenant("beta").build());
    expectFree(s, "n1", { cpu: 3000, pods: 9 });
    s.bind(aBoundPod("a/p").on("n1").requesting({ cpu: 5000 }).tenant("beta").build());
    expectFree(s, "n1", { cpu: 3000, memory: 32 * Gi, pods: 9 });
  });

  it("binding a known pod to another node moves it", () => {
    const s = cluster(aNode("n1").cores(8).build(), aNode("n2").cores(8).build());
    s.bind(aBoundPod("a/p").on("n1").cores(3).tenant("acme").build());
    s.bind(aBoundPod("a/p").on("n2").cores(3).tenant("acme").build());
    expect(s.nodeOf("a/p")).toBe("n2");
    expect([s.tenantsOn("n1"), s.tenantsOn("n2")]).toEqual([[], ["acme"]]);
    expectFree(s, "n1", { cpu: 8000 });
    expectFree(s, "n2", { cpu: 5000 });
  });

  it("upsertNode with a changed allocatable keeps the node's pods", () => {
    const s = cluster(aNode("n1").cores(8).memoryGi(32).build());
    s.bind(aBoundPod("a/p").on("n1").cores(3).memoryGi(4).tenant("acme").build());
    s.upsertNode(aNode("n1").cores(16).memoryGi(64).labels({ zone: "a" }).build());
    expect(s.hasPod("a/p")).toBe(true);
    expect(s.tenantsOn("n1")).toEqual(["acme"]);
    expectFree(s, "n1", { cpu: 13000, memory: 60 * Gi, pods: 109 });
    expect(place(s, aPod("b/p").tenant("beta").selector({ zone: "a" }).build())).toBeUndefined();
    expect(place(s, aPod("a/q").tenant("acme").selector({ zone: "a" }).build())).toBe("n1");
  });

  it("upsertNode with changed taints or extended resources re-files the node for the filters (classes of nodes)", () => {
    const s = cluster(aNode("n1").cores(8).build(), aNode("n2").cores(64).gpus(4).build());
    s.upsertNode(aNode("n1").cores(8).taint("dedicated", "NoSchedule", "hpc").build());
    expect(place(s, aPod("a/p").build())).toBe("n2");
    expect(place(s, aPod("a/q").tolerate({ key: "dedicated", value: "hpc" }).build())).toBe("n1");
    s.upsertNode(aNode("n2").cores(64).build());
    expect(place(s, aPod("a/g").gpus(1).build())).toBeUndefined();
    s.upsertNode(aNode("n1").cores(8).gpus(2).build());
    expect(place(s, aPod("a/h").gpus(2).build())).toBe("n1");
  });

  it("accounts pods bound before their node arrives", () => {
    const s = new PlacementState();
    s.bind(aBoundPod("a/p").on("late").cores(6).memoryGi(8).tenant("acme").build());
    s.bind(aBoundPod("sys/d").on("late").cores(1).unmanaged().build());
    expect(s.nodeOf("a/p")).toBe("late");
    s.upsertNode(aNode("late").cores(8).memoryGi(32).pods(5).build());
    expect(s.tenantsOn("late")).toEqual(["acme"]);
    expectFree(s, "late", { cpu: 1000, memory: 23 * Gi, pods: 3 });
    expect(place(s, aPod("b/p").tenant("beta").cores(1).build())).toBeUndefined();
  });

  it("does not count on an arriving node the pods that finished or moved before it arrived", () => {
    const s = new PlacementState();
    s.bind(aBoundPod("a/gone").on("late").cores(2).tenant("acme").build());
    s.bind(aBoundPod("a/moved").on("late").cores(3).tenant("acme").build());
    s.bind(aBoundPod("a/stays").on("late").cores(1).tenant("beta").build());
    s.unbind("a/gone");
    s.bind(aBoundPod("a/moved").on("other").cores(3).tenant("acme").build());
    s.upsertNode(aNode("late").cores(8).memoryGi(32).pods(5).build());
    expect(s.tenantsOn("late")).toEqual(["beta"]);
    expectFree(s, "late", { cpu: 7000, pods: 4 });
    s.upsertNode(aNode("other").cores(8).memoryGi(32).pods(5).build());
    expect(s.tenantsOn("other")).toEqual(["acme"]);
    expectFree(s, "other", { cpu: 5000, pods: 4 });
  });

  it("removeNode takes the node out of placement; its pods come back with it", () => {
    const s = cluster(aNode("n1").cores(8).build(), aNode("n2").cores(64).build());
    s.bind(aBoundPod("a/p").on("n1").cores(2).tenant("acme").build());
    s.removeNode("n1");
    s.removeNode("n1");
    s.removeNode("unknown");
    expect(s.nodeCount).toBe(1);
    expect(s.tenantsOn("n1")).toEqual([]);
    expect(place(s, aPod("b/p").tenant("beta").build())).toBe("n2");
    s.unbind("b/p");
    s.upsertNode(aNode("n1").cores(8).build());
    expect(s.nodeCount).toBe(2);
    expect(s.tenantsOn("n1")).toEqual(["acme"]);
    expectFree(s, "n1", { cpu: 6000 });
    expect(place(s, aPod("b/q").tenant("beta").build())).toBe("n2");
  });

  it("forgets a pod unbound while its node was away", () => {
    const s = cluster(aNode("n1").cores(8).build());
    s.bind(aBoundPod("a/p").on("n1").cores(2).tenant("acme").build());
    s.removeNode("n1");
    s.unbind("a/p");
    s.upsertNode(aNode("n1").cores(8).build());
    expect(s.tenantsOn("n1")).toEqual([]);
    expectFree(s, "n1", { cpu: 8000 });
  });
});

// ---------------------------------------------------------------------------
// Property tests: random clusters and random job streams against a brute-force
// reference (a linear scan over every node) and an independent record of the
// bindings. Seeded, so a failure reproduces.

const SEED = 20261125;
const TENANTS = ["t0", "t1", "t2", "t3", "t4"];
type Mode = "on" | "off" | "mixed";

interface PodSpec {
  requests: Resources;
  selector: Record<string, string> | undefined;
  tolerations: Toleration[] | undefined;
}
type Op =
  | { kind: "submit"; tenant: string; pods: PodSpec[]; multiTenant: boolean; explain: boolean }
  | { kind: "complete"; pick: number; twice: boolean }
  | { kind: "daemon"; node: number; cpu: number; memory: number };
interface World {
  mode: Mode;
  nodes: NodeSnapshot[];
  /** unmanaged pods (one per node at most), bound before their node arrives */
  daemons: BoundPod[];
  ops: Op[];
}

/** `arb` with probability `p`, else undefined */
const sometimes = <T>(p: number, arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: Math.round((1 - p) * 100), arbitrary: fc.constant(undefined) }, { weight: Math.round(p * 100), arbitrary: arb });
const taintArb = fc.record({ key: fc.constantFrom("dedicated", "gpu"), value: fc.constantFrom("hpc", "x"), effect: fc.constantFrom("NoSchedule" as const, "NoExecute" as const, "PreferNoSchedule" as const) });
const nodeArb = fc.record({
  cores: fc.constantFrom(2, 4, 8, 8, 16, 32),
  memoryGi: fc.constantFrom(4, 8, 16, 64),
  gpus: fc.constantFrom(0, 0, 0, 2, 4),
  pods: fc.integer({ min: 2, max: 8 }),
  zone: fc.constantFrom("a", "b"),
  taint: sometimes(0.3, taintArb),
  unschedulable: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  daemon: sometimes(0.4, fc.record({ cpu: fc.constantFrom(100, 250, 500), memory: fc.constantFrom(128, 512) })),
});
const tolerationArb: fc.Arbitrary<Toleration> = fc.constantFrom<Toleration>(
  { key: "dedicated", operator: "Equal", value: "hpc" },
  { key: "dedicated", operator: "Equal", value: "hpc", effect: "NoExecute" },
  { key: "gpu", operator: "Exists" },
  { key: "gpu", operator: "Exists", effect: "NoSchedule" },
  { operator: "Exists" },
);
const podArb = (big: boolean): fc.Arbitrary<PodSpec> =>
  fc.record({
    requests: fc
      .record({
        cpu: big ? fc.integer({ min: 1, max: 40_000 }) : fc.oneof(fc.constantFrom(0, 250, 500, 1000, 2000, 4000), fc.integer({ min: 1, max: 12_000 })),
        memoryMi: big ? fc.integer({ min: 1, max: 80 * 1024 }) : fc.constantFrom(0, 256, 1024, 4096, 8192, 16_384),
        gpus: sometimes(0.15, fc.constantFrom(1, 2)),
        fpga: sometimes(0.05, fc.constant(1)),
      })
      .map(({ cpu, memoryMi, gpus, fpga }) => {
        const r: Resources = { cpu, memory: memoryMi * 2 ** 20 };
        if (gpus !== undefined) r[GPU] = gpus;
        if (fpga !== undefined) r["example.com/fpga"] = fpga;
        return r;
      }),
    selector: sometimes(0.25, fc.constantFrom({ zone: "a" }, { zone: "b" })),
    tolerations: sometimes(0.4, fc.array(tolerationArb, { minLength: 1, maxLength: 2 })),
  });
const opArb = (big: boolean): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant("submit" as const), tenant: fc.constantFrom(...TENANTS), pods: fc.array(podArb(big), { minLength: 1, maxLength: 4 }), multiTenant: fc.boolean(), explain: fc.boolean() }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("complete" as const), pick: fc.nat(), twice: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("daemon" as const), node: fc.nat(), cpu: fc.constantFrom(100, 500, 2000), memory: fc.constantFrom(256, 2048) }) },
  );
const worldArb = (modes: Mode[], big = false): fc.Arbitrary<World> =>
  fc.record({ mode: fc.constantFrom(...modes), specs: fc.array(nodeArb, { minLength: 1, maxLength: 10, size: "max" }), ops: fc.array(opArb(big), { minLength: 1, maxLength: 40, size: "max" }) }).map(({ mode, specs, ops }) => {
    const nodes: NodeSnapshot[] = [];
    const daemons: BoundPod[] = [];
    specs.forEach((n, i) => {
      const name = `n${i}`;
      const b = aNode(name).cores(n.cores).memoryGi(n.memoryGi).pods(n.pods).labels({ zone: n.zone }).unschedulable(n.unschedulable);
      if (n.gpus > 0) b.gpus(n.gpus);
      if (i % 3 === 0) b.resource("example.com/fpga", 1);
      if (n.taint) b.taint(n.taint.key, n.taint.effect, n.taint.value);
      nodes.push(b.build());
      if (n.daemon) daemons.push(aBoundPod(`sys/d-${name}`).on(name).millicores(n.daemon.cpu).memoryMi(n.daemon.memory).unmanaged().build());
    });
    return { mode, nodes, daemons, ops };
  });

/** The test's own record of what is bound where: the source of truth the state is checked against. */
class Ledger {
  readonly pods = new Map<string, BoundPod>();
  constructor(readonly nodes: readonly NodeSnapshot[]) {}

  used(node: string): Resources {
    const u: Resources = { pods: 0 };
    for (const p of this.pods.values()) {
      if (p.node !== node) continue;
      u.pods! += 1;
      for (const [r, q] of Object.entries(p.requests)) u[r] = (u[r] ?? 0) + q;
    }
    return u;
  }
  tenants(node: string): string[] {
    const t = new Set<string>();
    for (const p of this.pods.values()) if (p.node === node && p.tenant !== undefined) t.add(p.tenant);
    return [...t].sort();
  }
  clone(): Ledger {
    const l = new Ledger(this.nodes);
    for (const [k, p] of this.pods) l.pods.set(k, p);
    return l;
  }
}

// --- the brute-force reference: a linear scan, written apart from the class ---

function refTolerated(taints: Taint[], tolerations: Toleration[] = []): boolean {
  for (const taint of taints) {
    if (taint.effect === "PreferNoSchedule") continue;
    let ok = false;
    for (const tol of tolerations) {
      const effectOk = tol.effect === undefined || tol.effect === "" || tol.effect === taint.effect;
      const keyOk = tol.operator === "Exists" ? !tol.key || tol.key === taint.key : tol.key === taint.key && (tol.value ?? "") === (taint.value ?? "");
      if (effectOk && keyOk) ok = true;
    }
    if (!ok) return false;
  }
  return true;
}

/** every filter but the tenant rule */
function refPasses(l: Ledger, n: NodeSnapshot, pod: PodToPlace): boolean {
  if (n.unschedulable) return false;
  const used = l.used(n.name);
  for (const r of Object.keys(pod.requests)) {
    const q = pod.requests[r]!;
    if (q > 0 && (used[r] ?? 0) + q > (n.allocatable[r] ?? 0)) return false;
  }
  if (used.pods! + 1 > (n.allocatable.pods ?? Infinity)) return false;
  for (const [k, v] of Object.entries(pod.nodeSelector ?? {})) if (n.labels[k] !== v) return false;
  return refTolerated(n.taints, pod.tolerations);
}

const refOtherTenants = (l: Ledger, node: string, tenant: string) => l.tenants(node).filter((t) => t !== tenant);

function refEligible(l: Ledger, n: NodeSnapshot, pod: PodToPlace, multiTenant: boolean): boolean {
  return refPasses(l, n, pod) && (!multiTenant || refOtherTenants(l, n.name, pod.tenant).length === 0);
}

/** (free CPU, free memory): what best fit minimizes */
function refFree(l: Ledger, n: NodeSnapshot): [number, number] {
  const u = l.used(n.name);
  return [(n.allocatable.cpu ?? 0) - (u.cpu ?? 0), (n.allocatable.memory ?? 0) - (u.memory ?? 0)];
}

/** a strictly better fit than b: less free CPU, or as much and less free memory, or both equal and an earlier name */
function refBetter(l: Ledger, a: NodeSnapshot, b: NodeSnapshot): boolean {
  const [ac, am] = refFree(l, a);
  const [bc, bm] = refFree(l, b);
  return ac < bc || (ac === bc && (am < bm || (am === bm && a.name < b.name)));
}

function refBest(l: Ledger, pod: PodToPlace, multiTenant: boolean): NodeSnapshot | undefined {
  let best: NodeSnapshot | undefined;
  for (const n of l.nodes) if (refEligible(l, n, pod, multiTenant) && (!best || refBetter(l, n, best))) best = n;
  return best;
}

interface RefGang {
  nodes: string[] | undefined;
  /** per pod tried, the nodes disqualified by tenant that were a better (or the only) fit */
  disqualified: Disqualification[];
}

/** One pod at a time, greedily, in the job's order: the nodes, or undefined if some pod finds none. */
function refGang(ledger: Ledger, pods: PodToPlace[], multiTenant: boolean): RefGang {
  const l = ledger.clone();
  const nodes: string[] = [];
  const disqualified: Disqualification[] = [];
  for (const pod of pods) {
    const best = refBest(l, pod, multiTenant);
    if (multiTenant) {
      const dq = l.nodes.filter((n) => refPasses(l, n, pod) && refOtherTenants(l, n.name, pod.tenant).length > 0 && (!best || refBetter(l, n, best)));
      dq.sort((a, b) => (refBetter(l, a, b) ? -1 : 1));
      for (const n of dq) disqualified.push({ pod: pod.key, node: n.name, tenants: refOtherTenants(l, n.name, pod.tenant) });
    }
    if (!best) return { nodes: undefined, disqualified };
    nodes.push(best.name);
    l.pods.set(pod.key, { key: pod.key, node: best.name, requests: pod.requests, tenant: pod.tenant });
  }
  return { nodes, disqualified };
}

/** Why node `n` cannot take `pod`: the first failing filter, in kube-scheduler's order and words; undefined if it can. */
function refReason(l: Ledger, n: NodeSnapshot, pod: PodToPlace, multiTenant: boolean): string | undefined {
  if (n.unschedulable) return "node(s) were unschedulable";
  const taint = n.taints.find((t) => !refTolerated([t], pod.tolerations));
  if (taint) return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`;
  for (const [k, v] of Object.entries(pod.nodeSelector ?? {})) if (n.labels[k] !== v) return "node(s) didn't match Pod's node affinity/selector";
  const used = l.used(n.name);
  if (used.pods! + 1 > (n.allocatable.pods ?? Infinity)) return "Too many pods";
  const others = Object.keys(pod.requests).filter((r) => r !== "cpu" && r !== "memory");
  for (const r of ["cpu", "memory", ...others.sort()]) {
    const q = pod.requests[r] ?? 0;
    if (q > 0 && (used[r] ?? 0) + q > (n.allocatable[r] ?? 0)) return `Insufficient ${r}`;
  }
  if (multiTenant && refOtherTenants(l, n.name, pod.tenant).length > 0) return "node(s) hold another tenant's pods";
  return undefined;
}

// --- the driver ---

interface Submission {
  pods: PodToPlace[];
  multiTenant: boolean;
  explain: boolean;
  decision: PlacementDecision;
  /** the ledger just before the decision */
  before: Ledger;
}
interface Checks {
  afterOp?: (s: PlacementState, l: Ledger, w: World) => void;
  onSubmit?: (sub: Submission, s: PlacementState, l: Ledger) => void;
}

function run(w: World, checks: Checks): void {
  const s = new PlacementState();
  const l = new Ledger(w.nodes);
  const jobs: string[][] = [];
  // Daemons first: their nodes have not arrived yet.
  for (const d of w.daemons) {
    s.bind(d);
    l.pods.set(d.key, d);
  }
  for (const n of w.nodes) s.upsertNode(n);
  const check = () => checks.afterOp?.(s, l, w);
  check();
  w.ops.forEach((op, i) => {
    if (op.kind === "submit") {
      const multiTenant = w.mode === "on" || (w.mode === "mixed" && op.multiTenant);
      const pods = op.pods.map((p, j): PodToPlace => ({ key: `job${i}/p${j}`, requests: p.requests, tenant: op.tenant, nodeSelector: p.selector, tolerations: p.tolerations }));
      const before = l.clone();
      const decision = s.placeJob(pods, { multiTenant, explain: op.explain, countDisqualified: true });
      if (decision.placed) {
        decision.bindings.forEach((b, j) => l.pods.set(b.pod, { key: b.pod, node: b.node, requests: pods[j]!.requests, tenant: op.tenant }));
        jobs.push(pods.map((p) => p.key));
      }
      checks.onSubmit?.({ pods, multiTenant, explain: op.explain, decision, before }, s, l);
    } else if (op.kind === "complete") {
      if (jobs.length === 0) return;
      const [job] = jobs.splice(op.pick % jobs.length, 1);
      for (const k of job!) {
        s.unbind(k);
        if (op.twice) s.unbind(k);
        l.pods.delete(k);
      }
    } else {
      const node = w.nodes[op.node % w.nodes.length]!;
      const d: BoundPod = { key: `sys/extra${i}`, node: node.name, requests: { cpu: op.cpu, memory: op.memory * 2 ** 20 }, tenant: undefined };
      const withIt = l.clone();
      withIt.pods.set(d.key, d);
      const used = withIt.used(node.name);
      if (Object.entries(used).every(([r, q]) => q <= (node.allocatable[r] ?? 0))) {
        s.bind(d);
        l.pods.set(d.key, d);
      }
    }
    check();
  });
}

/** The state agrees with the ledger: the same pods, the same tenants per node, the same free capacity (probed). */
function expectStateMatches(s: PlacementState, l: Ledger, probeCapacity: boolean): void {
  for (const p of l.pods.values()) expect(s.nodeOf(p.key)).toBe(p.node);
  for (const n of l.nodes) {
    expect(s.tenantsOn(n.name).sort(), `tenants on ${n.name}`).toEqual(l.tenants(n.name));
    if (!probeCapacity || n.unschedulable) continue;
    const used = l.used(n.name);
    const free: Resources = {};
    for (const r of Object.keys(n.allocatable)) free[r] = n.allocatable[r]! - (used[r] ?? 0);
    if (free.pods! > 0) expectFree(s, n.name, free);
    else expect(canTake(s, n.name, {}), `${n.name} has no pod slot left`).toBe(false);
  }
}

describe("properties over random clusters and job streams (seeded)", () => {
  it("(a) multi-tenant on: no node ever holds pods of two tenants", () => {
    fc.assert(
      fc.property(worldArb(["on"]), (w) => {
        run(w, {
          afterOp: (s, l) => {
            for (const n of w.nodes) {
              expect(l.tenants(n.name).length, `tenants on ${n.name}: ${l.tenants(n.name).join(", ")}`).toBeLessThanOrEqual(1);
              expect(s.tenantsOn(n.name).sort()).toEqual(l.tenants(n.name));
            }
          },
        });
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("(b) nothing is ever over-committed: every resource and pod count, on or off multi-tenant", () => {
    fc.assert(
      fc.property(worldArb(["on", "off", "mixed"]), (w) => {
        run(w, {
          afterOp: (_s, l) => {
            for (const n of w.nodes) {
              for (const [r, q] of Object.entries(l.used(n.name))) {
                expect(q, `${r} on ${n.name}`).toBeLessThanOrEqual(n.allocatable[r] ?? 0);
              }
            }
          },
        });
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("(c) best fit: each pod goes where a linear scan says, and a job is placed iff the greedy scan places it", () => {
    const seen = { placed: 0, failed: 0, sharedNodeUnderMultiTenant: 0 };
    fc.assert(
      fc.property(worldArb(["on", "off", "mixed", "mixed"]), (w) => {
        run(w, {
          onSubmit: ({ pods, multiTenant, explain, decision, before }) => {
            const ref = refGang(before, pods, multiTenant);
            seen[decision.placed ? "placed" : "failed"]++;
            if (multiTenant && w.nodes.some((n) => before.tenants(n.name).length > 1)) seen.sharedNodeUnderMultiTenant++;
            expect(nodesOf(decision)).toEqual(ref.nodes);
            expect(decision.disqualified.map((d) => ({ ...d, tenants: [...d.tenants].sort() }))).toEqual(explain ? ref.disqualified : []);
            expect(decision.disqualifiedByTenant, "nodes rejected only for another tenant, explain or not").toBe(ref.disqualified.length);
            if (!decision.placed) return;
            // The property as stated: no eligible node had strictly less free CPU, or as much and less memory.
            const l = before.clone();
            decision.bindings.forEach(({ pod, node }, j) => {
              const p = pods[j]!;
              const chosen = w.nodes.find((n) => n.name === node)!;
              expect(refEligible(l, chosen, p, multiTenant), `${pod} on ${node} is eligible`).toBe(true);
              const [cpu, mem] = refFree(l, chosen);
              const better = w.nodes.filter((n) => refEligible(l, n, p, multiTenant) && (refFree(l, n)[0] < cpu || (refFree(l, n)[0] === cpu && refFree(l, n)[1] < mem)));
              expect(better.map((n) => n.name), `better fits than ${node} for ${pod}`).toEqual([]);
              l.pods.set(pod, { key: pod, node, requests: p.requests, tenant: p.tenant });
            });
          },
        });
      }),
      { seed: SEED, numRuns: 400 },
    );
    // The workload must exercise both outcomes, and multi-tenant decisions next to
    // nodes shared while the mode was off (where a tenant's own node may be disqualified).
    expect(seen.placed).toBeGreaterThan(1000);
    expect(seen.failed).toBeGreaterThan(1000);
    expect(seen.sharedNodeUnderMultiTenant).toBeGreaterThan(50);
  });

  it("(e) a job that waits says why: for the pod that did not fit, every node counted once by its first failing filter", () => {
    const seen = { failed: 0, reasons: new Set<string>() };
    fc.assert(
      fc.property(worldArb(["on", "off", "mixed"]), (w) => {
        run(w, {
          onSubmit: ({ pods, multiTenant, decision, before }) => {
            if (decision.placed) return;
            seen.failed++;
            // The reference places the job's pods one by one up to the failing one, whose reasons it counts.
            const l = before.clone();
            const failing = pods.findIndex((p) => p.key === decision.pod);
            expect(refGang(before, pods.slice(0, failing), multiTenant).nodes, "the pods before the failing one fit").toBeDefined();
            refGang(before, pods.slice(0, failing), multiTenant).nodes!.forEach((node, j) => l.pods.set(pods[j]!.key, { key: pods[j]!.key, node, requests: pods[j]!.requests, tenant: pods[j]!.tenant }));
            const want: Record<string, number> = {};
            for (const n of w.nodes) {
              const why = refReason(l, n, pods[failing]!, multiTenant);
              expect(why, `${n.name} cannot take ${decision.pod}`).toBeDefined();
              want[why!] = (want[why!] ?? 0) + 1;
              seen.reasons.add(why!.replace(/\{.*\}/, "{taint}"));
            }
            expect(decision.filtered).toEqual(want);
            expect(decision.message).toMatch(new RegExp(`^0/${w.nodes.length} nodes are available: `));
            for (const [why, count] of Object.entries(want)) expect(decision.message).toContain(`${count} ${why}`);
          },
        });
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(seen.failed).toBeGreaterThan(500);
    // every filter shows up as a reason somewhere in the workload
    expect([...seen.reasons].sort()).toEqual(
      expect.arrayContaining(["Insufficient cpu", "Insufficient memory", `Insufficient ${GPU}`, "Too many pods", "node(s) didn't match Pod's node affinity/selector", "node(s) had untolerated taint {taint}", "node(s) hold another tenant's pods", "node(s) were unschedulable"]),
    );
  });

  it("(d) gang: a job that cannot be placed whole changes nothing", () => {
    let failures = 0;
    fc.assert(
      fc.property(worldArb(["on", "off", "mixed"], true), (w) => {
        run(w, {
          onSubmit: ({ pods, decision }, s, l) => {
            if (decision.placed) return;
            failures++;
            for (const p of pods) expect(s.hasPod(p.key)).toBe(false);
            expectStateMatches(s, l, true);
          },
          afterOp: (s, l) => expectStateMatches(s, l, false),
        });
      }),
      { seed: SEED, numRuns: 300 },
    );
    // The generator must actually produce failed jobs for this to mean anything.
    expect(failures).toBeGreaterThan(300);
  });
});

describe("placeJob with oneNode (a ReadWriteOnce vault): all of the job's pods on one node, or none", () => {
  it("puts every pod on the one node that can hold them all, though best fit alone would spread them", () => {
    // best fit puts pod 0 on the fuller n-small; only n-big takes all three
    const s = cluster(aNode("n-small").cores(4).build(), aNode("n-big").cores(16).build());
    const job = aJob("jobs/rwo", 3, (b) => b.cores(4));
    expect(nodesOf(s.placeJob(job, { ...OFF, oneNode: {} }))).toEqual(["n-big", "n-big", "n-big"]);
    // without the constraint: spread
    const s2 = cluster(aNode("n-small").cores(4).build(), aNode("n-big").cores(16).build());
    expect(new Set(nodesOf(s2.placeJob(aJob("jobs/any", 3, (b) => b.cores(4)), OFF)))).toEqual(new Set(["n-small", "n-big"]));
  });

  it("places none when no node holds them all, saying why in kube-scheduler's words, and leaves the nodes untouched", () => {
    const s = cluster(aNode("n1").cores(8).build(), aNode("n2").cores(8).build(), aNode("gpu").cores(64).taint("gpu", "NoSchedule").build());
    const d = s.placeJob(aJob("jobs/rwo", 3, (b) => b.cores(4)), { ...ON, oneNode: {} });
    expect(d.placed).toBe(false);
    if (d.placed) return;
    expect(d.filtered).toEqual({ "node(s) had untolerated taint {gpu: }": 1, [REASON_ONE_NODE]: 2 });
    expect(d.reason).toMatch(/no node fits all 3 pod\(s\) of the job on one node/);
    expect(canTake(s, "n1", { cpu: 8000 })).toBe(true);
    expect(canTake(s, "n2", { cpu: 8000 })).toBe(true);
  });

  it("with `node`: the rest of the job goes where its other pods are, or waits", () => {
    const s = cluster(aNode("n1").cores(8).build(), aNode("n2").cores(16).build());
    s.bind({ key: "jobs/rwo-0", node: "n1", requests: { cpu: 4000 }, tenant: "acme" });
    expect(nodesOf(s.placeJob(aJob("jobs/rwo", 2, (b) => b.cores(4)).slice(1), { ...ON, oneNode: { node: "n1" } }))).toEqual(["n1"]);
    const d = s.placeJob([aPod("jobs/rwo-2").cores(4).build()], { ...ON, oneNode: { node: "n1" } });
    expect(d.placed).toBe(false);
  });

  it("in multi-tenant mode, never on a node holding another tenant's pods", () => {
    const s = cluster(aNode("n1").cores(16).build(), aNode("n2").cores(16).build());
    s.bind({ key: "jobs/other", node: "n1", requests: { cpu: 1000 }, tenant: "other" });
    expect(nodesOf(s.placeJob(aJob("jobs/rwo", 2, (b) => b.cores(4)), { ...ON, oneNode: {} }))).toEqual(["n2", "n2"]);
  });
});
