// The scheduler's reading of Kubernetes objects (quantities, requests), fed to
// the placement core as the scheduling cycle does. No cluster needed.
import type * as k8s from "@kubernetes/client-node";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { aKubeNode, aKubePod, FakeBinder, FakeReporter, localKubeConfig, NS, settle } from "../../test/schedulerBuilders";
import { PlacementState } from "../core/placement";
import { sameNodeAffinity } from "../core/podPlan";
import { podRecord } from "./podRecord";
import { boundRequests, nodeSnapshot, PodScheduler, podRequests, SchedulingLoop } from "./podScheduler";
import type { BindResult } from "./schedulerSeams";

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

// ---------------------------------------------------------------------------------------------
// The scheduling loop, without an API server: informer events fed by hand, a fake binder and
// reporter, a fake clock.
// ---------------------------------------------------------------------------------------------

interface Setup {
  nodes?: k8s.V1Node[];
  pods?: k8s.V1Pod[];
  multiTenant?: boolean;
  respond?: ConstructorParameters<typeof FakeBinder>[0];
  gangTimeoutMs?: number;
}

function loopWith(s: Setup = {}) {
  let t = 1_000_000;
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const binder = new FakeBinder(s.respond);
  const reporter = new FakeReporter();
  const log: Array<[number, string]> = [];
  const loop = new SchedulingLoop({ multiTenant: s.multiTenant ?? true, log: (l, m) => log.push([l, m]), binder, reporter, now: clock.now, gangTimeoutMs: s.gangTimeoutMs, cycleBudgetMs: Infinity });
  for (const n of s.nodes ?? []) loop.onNodeUpsert(nodeSnapshot(n));
  for (const p of s.pods ?? []) loop.onPodUpsert(podRecord(p));
  const run = async () => {
    loop.cycle();
    await settle();
  };
  const lines = (level: number) => log.filter(([l]) => l === level).map(([, m]) => m);
  return { loop, binder, reporter, log, lines, clock, run };
}

const job = (n: number) => `${NS}/${n}`;
const k = (name: string) => `${NS}/${name}`;

describe("scheduling loop: a job whose pods must share a node (ReadWriteOnce vault)", () => {
  const rwo = (name: string, n: number, pods: number) => {
    const p = aKubePod(name).ofJob(n, pods).tenant("a").cores(4).build();
    p.spec!.affinity = sameNodeAffinity(n) as never;
    return p;
  };

  it("binds every pod to the one node that holds them all", async () => {
    const s = loopWith({ nodes: [aKubeNode("n-small").cores(4).build(), aKubeNode("n-big").cores(16).build()], pods: [rwo("j-0", 5, 2), rwo("j-1", 5, 2)] });
    await s.run();
    expect(s.binder.calls).toEqual([
      { pod: k("j-0"), node: "n-big" },
      { pod: k("j-1"), node: "n-big" },
    ]);
  });

  it("sends the missing member where the bound one is, or lets it wait there", async () => {
    const bound = rwo("j-0", 6, 2);
    bound.spec!.nodeName = "n1";
    const s = loopWith({ nodes: [aKubeNode("n1").cores(4).build(), aKubeNode("n2").cores(16).build()], pods: [bound, rwo("j-1", 6, 2)] });
    await s.run();
    expect(s.binder.calls).toEqual([]); // n1 is full, and n2 is not where pod 0 is
    expect(s.reporter.waitingPods).toContainEqual([k("j-1"), expect.stringMatching(/on node n1, where its other pods are/)]);
    const s2 = loopWith({ nodes: [aKubeNode("n1").cores(16).build(), aKubeNode("n2").cores(16).build()], pods: [{ ...bound }, rwo("j-1", 6, 2)] });
    await s2.run();
    expect(s2.binder.calls).toEqual([{ pod: k("j-1"), node: "n1" }]);
  });
});

describe("scheduling loop: gangs", () => {
  it("a partly bound gang (2 of 3 bound) completes with only its missing member", async () => {
    const s = loopWith({
      nodes: [aKubeNode("n1").build(), aKubeNode("n2").build(), aKubeNode("n3").build()],
      pods: [aKubePod("j-0").ofJob(1, 3).tenant("a").cores(16).on("n1").build(), aKubePod("j-1").ofJob(1, 3).tenant("a").cores(16).on("n2").build(), aKubePod("j-2").ofJob(1, 3).tenant("a").cores(16).build()],
    });
    await s.run();
    expect(s.binder.calls).toEqual([{ pod: k("j-2"), node: "n3" }]);
    expect(s.lines(20)).toContain(`bound ${k("j-2")} to n3`);
    expect(s.reporter.scheduledPods).toEqual([[k("j-2"), "n3"]]);
  });

  it("waits until every member of a job exists, and tries again when the next one arrives", async () => {
    const s = loopWith({ nodes: [aKubeNode("n1").build()], pods: [aKubePod("j-0").ofJob(2, 2).tenant("a").cores(2).build()] });
    await s.run();
    expect(s.binder.calls).toEqual([]);
    expect(s.loop.queue.where(job(2))).toBe("unschedulable");
    s.loop.onPodUpsert(podRecord(aKubePod("j-1").ofJob(2, 2).tenant("a").cores(2).build()));
    await s.run();
    expect(s.binder.calls.map((c) => c.pod)).toEqual([k("j-0"), k("j-1")]);
  });

  it("decides the next jobs while bindings are in flight", async () => {
    const s = loopWith({ nodes: [aKubeNode("n1").build()], pods: [aKubePod("a").ofJob(1, 1).tenant("a").build(), aKubePod("b").ofJob(2, 1).tenant("a").build()] });
    s.binder.bind = (pod, node) => {
      s.binder.calls.push({ pod, node });
      return new Promise(() => {}); // never answers
    };
    s.loop.cycle();
    expect(s.binder.calls.map((c) => c.pod)).toEqual([k("a"), k("b")]);
  });

  it("logs a binding whose answer comes after the watch showed it, and one that ends while stopping", async () => {
    const s = loopWith({ nodes: [aKubeNode("n1").build()], pods: [aKubePod("a").ofJob(1, 1).tenant("a").build(), aKubePod("b").ofJob(2, 1).tenant("a").build()] });
    const answers = new Map<string, (r: BindResult) => void>();
    s.binder.bind = (pod) => new Promise((resolve) => answers.set(pod, resolve));
    s.loop.cycle();
    s.loop.onPodUpsert(podRecord(aKubePod("a").ofJob(1, 1).tenant("a").on("n1").build())); // the watch first
    answers.get(k("a"))!({ outcome: "bound" });
    s.loop.stop();
    answers.get(k("b"))!({ outcome: "bound" });
    await settle();
    expect(s.lines(20).filter((l) => l.startsWith("bound "))).toEqual([`bound ${k("a")} to n1`, `bound ${k("b")} to n1`]);
  });

  it("a refused binding is retried on the reserved node with backoff, then succeeds", async () => {
    const s = loopWith({
      nodes: [aKubeNode("n1").build(), aKubeNode("n2").cores(8).build()],
      pods: [aKubePod("p").ofJob(1, 1).tenant("a").cores(8).build()],
      respond: (_p, _n, call) => (call === 1 ? { outcome: "refused", status: 403, message: "admission webhook said no" } : { outcome: "bound" }),
    });
    await s.run();
    expect(s.binder.calls).toEqual([{ pod: k("p"), node: "n2" }]);
    expect(s.loop.cache.reservedOn(k("p"))).toBe("n2");
    expect(s.lines(30)).toEqual([`binding ${k("p")} to n2 failed: admission webhook said no; retrying in 1s`]);
    await s.run(); // not yet: backoff
    expect(s.binder.calls).toHaveLength(1);
    s.clock.advance(1000);
    await s.run();
    expect(s.binder.calls).toEqual([
      { pod: k("p"), node: "n2" },
      { pod: k("p"), node: "n2" },
    ]);
    expect(s.lines(20)).toContain(`bound ${k("p")} to n2`);
    expect(s.loop.cache.reservedOn(k("p"))).toBe("n2"); // until the informer shows it
  });

  it("a binding whose pod is gone releases its reservation; a conflict waits for the informer", async () => {
    const s = loopWith({
      nodes: [aKubeNode("n1").build()],
      pods: [aKubePod("gone").ofJob(1, 1).tenant("a").build(), aKubePod("dup").ofJob(2, 1).tenant("a").build()],
      respond: (p) => (p === k("gone") ? { outcome: "gone", status: 404, message: "not found" } : { outcome: "conflict", status: 409, message: "already assigned" }),
    });
    await s.run();
    expect(s.loop.cache.reservedOn(k("gone"))).toBeUndefined();
    expect(s.loop.cache.reservedOn(k("dup"))).toBe("n1");
    s.clock.advance(120_000);
    await s.run();
    expect(s.binder.calls.filter((c) => c.pod === k("dup"))).toHaveLength(1); // no retry of a conflict
    expect(s.lines(30).filter((l) => /already|409/.test(l))).toEqual([]);
  });

  it("a pod whose binding said gone but which the watch still shows waits again and is placed again", async () => {
    const s = loopWith({ nodes: [aKubeNode("n1").build()], pods: [aKubePod("p").ofJob(1, 1).tenant("a").build()], respond: (_p, _n, call) => (call === 1 ? { outcome: "gone", status: 404, message: "not found" } : { outcome: "bound" }) });
    await s.run();
    expect(s.loop.queue.where(job(1))).toBe("active");
    await s.run();
    expect(s.binder.calls).toEqual([
      { pod: k("p"), node: "n1" },
      { pod: k("p"), node: "n1" },
    ]);
  });

  it("a gang that cannot complete in time releases its unbound reservations, reports it and goes back to the queue", async () => {
    const s = loopWith({
      nodes: [aKubeNode("n1").build(), aKubeNode("n2").build()],
      pods: [aKubePod("j-0").ofJob(1, 2).tenant("a").cores(16).build(), aKubePod("j-1").ofJob(1, 2).tenant("a").cores(16).build()],
      respond: (p) => (p === k("j-1") ? { outcome: "unavailable", status: 503, message: "etcd is slow" } : { outcome: "bound" }),
      gangTimeoutMs: 60_000,
    });
    await s.run();
    let released: string | undefined;
    for (let i = 0; i < 70 && !released; i++) {
      s.clock.advance(1000);
      await s.run();
      released = s.lines(30).find((l) => l.includes("goes back to the queue"));
    }
    expect(released).toBe(`job ${job(1)}: only 1 of 2 pod(s) bound after 60s; released 1 reservation(s), the job goes back to the queue`);
    expect(s.loop.cache.reservedOn(k("j-1"))).toBeUndefined();
    expect(s.loop.cache.reservedOn(k("j-0"))).toBeDefined(); // bound by the API server: kept until the informer shows it
    expect(s.reporter.waitingPods).toContainEqual([k("j-1"), released]);
    expect(s.loop.queue.where(job(1))).toBe("backoff");
  });

  it("a reservation never expires: 30 s later the node still counts the pod once (no double count)", async () => {
    const s = loopWith({ nodes: [aKubeNode("n1").build()], pods: [aKubePod("a").ofJob(1, 1).tenant("a").cores(12).build()] });
    await s.run();
    expect(s.binder.calls).toEqual([{ pod: k("a"), node: "n1" }]);
    s.clock.advance(31_000); // the informer has not shown the binding yet
    s.loop.onPodUpsert(podRecord(aKubePod("b").ofJob(2, 1).tenant("a").cores(8).build()));
    await s.run();
    expect(s.binder.calls).toHaveLength(1); // b does not fit beside a's reservation
    s.loop.onPodUpsert(podRecord(aKubePod("a").ofJob(1, 1).tenant("a").cores(12).on("n1").build()));
    expect(s.loop.cache.state.usage("n1")).toMatchObject({ used: { cpu: 12_000, pods: 1 } });
    await s.run();
    expect(s.binder.calls).toHaveLength(1);
    s.loop.onPodDelete(k("a"));
    s.clock.advance(1000);
    await s.run();
    expect(s.binder.calls.map((c) => c.pod)).toEqual([k("a"), k("b")]);
  });
});

describe("scheduling loop: queue", () => {
  it("places higher priority first, then earlier submission", async () => {
    const s = loopWith({
      nodes: [aKubeNode("n1").cores(1).build()],
      pods: [aKubePod("old").ofJob(1, 1).tenant("a").createdAt(1).build(), aKubePod("new").ofJob(2, 1).tenant("a").createdAt(2).build(), aKubePod("urgent").ofJob(3, 1).tenant("a").createdAt(3).priority(100).build()],
    });
    await s.run();
    expect(s.binder.calls.map((c) => c.pod)).toEqual([k("urgent")]);
    s.loop.onPodUpsert(podRecord(aKubePod("urgent").ofJob(3, 1).tenant("a").createdAt(3).priority(100).on("n1").phase("Succeeded").build()));
    s.clock.advance(1000);
    await s.run();
    expect(s.binder.calls.map((c) => c.pod)).toEqual([k("urgent"), k("old")]);
  });

  it("a waiting job is tried again only after an event that frees or adds capacity (then after its backoff)", async () => {
    const s = loopWith({
      nodes: [aKubeNode("n1").build()],
      pods: [aKubePod("other").ofJob(1, 1).tenant("b").cores(8).on("n1").build(), aKubePod("big").ofJob(2, 1).tenant("a").cores(16).createdAt(5).build()],
    });
    await s.run();
    expect(s.loop.attempts).toBe(1);
    const attemptsAfter = async (event: () => void) => {
      event();
      s.clock.advance(20_000);
      await s.run();
      return s.loop.attempts;
    };
    expect(await attemptsAfter(() => s.loop.onNodeUpsert(nodeSnapshot(aKubeNode("n1").build())))).toBe(1); // a node heartbeat
    expect(await attemptsAfter(() => s.loop.onPodUpsert(podRecord(aKubePod("daemon").foreign().cores(1).on("n1").build())))).toBe(1); // a pod arrives
    expect(await attemptsAfter(() => s.loop.onPodUpsert(podRecord(aKubePod("other").ofJob(1, 1).tenant("b").cores(8).on("n1").phase("Running").build())))).toBe(1); // a status update
    expect(await attemptsAfter(() => s.loop.onNodeUpsert(nodeSnapshot(aKubeNode("n1").cores(8).build())))).toBe(1); // a node shrinks
    expect(s.binder.calls).toEqual([]);
    expect(await attemptsAfter(() => s.loop.onNodeUpsert(nodeSnapshot(aKubeNode("n2").build())))).toBe(2); // a node is added
    expect(s.binder.calls).toEqual([{ pod: k("big"), node: "n2" }]);
  });

  it("a freed node re-activates a waiting job after its backoff, not before", async () => {
    const s = loopWith({ nodes: [aKubeNode("n1").build()], pods: [aKubePod("other").ofJob(1, 1).tenant("b").cores(8).on("n1").build(), aKubePod("big").ofJob(2, 1).tenant("a").cores(16).build()] });
    await s.run();
    s.loop.onPodDelete(k("other"));
    await s.run(); // 0 s after the failure: still backing off (1 s)
    expect(s.binder.calls).toEqual([]);
    expect(s.loop.queue.where(job(2))).toBe("backoff");
    expect(s.loop.nextWakeAt()).toBe(s.clock.now() + 1000);
    s.clock.advance(1000);
    await s.run();
    expect(s.binder.calls).toEqual([{ pod: k("big"), node: "n1" }]);
  });

  it("logs a job's waiting reason once while it stays the same, and tells its pods each time", async () => {
    const s = loopWith({ nodes: [aKubeNode("n1").build()], pods: [aKubePod("big").ofJob(2, 1).tenant("a").cores(32).build()] });
    for (let i = 0; i < 3; i++) {
      // a node that could free capacity changes (its labels), and the pod still does not fit: same reason
      s.loop.onNodeUpsert(nodeSnapshot(aKubeNode("n1").labels({ generation: String(i) }).build()));
      s.clock.advance(20_000);
      await s.run();
    }
    expect(s.loop.attempts).toBe(3);
    expect(s.lines(20).filter((l) => l.startsWith(`job ${job(2)} waits`))).toHaveLength(1);
    expect(s.reporter.waitingPods.filter(([p]) => p === k("big"))).toHaveLength(3);
  });

  it("a cycle with nothing waiting looks at no pod", async () => {
    const nodes = Array.from({ length: 50 }, (_, i) => aKubeNode(`n${i}`).build());
    const pods = Array.from({ length: 2000 }, (_, i) => aKubePod(`p${i}`).ofJob(i, 1).tenant(`t${i % 7}`).cores(0.1).on(`n${i % 50}`).build());
    const s = loopWith({ nodes, pods });
    const gang = vi.spyOn(s.loop.cache, "gang");
    const place = vi.spyOn(s.loop.cache.state, "placeJob");
    const scans = s.loop.cache.scans;
    for (let i = 0; i < 10; i++) await s.run();
    expect({ gang: gang.mock.calls.length, place: place.mock.calls.length, scans: s.loop.cache.scans - scans }).toEqual({ gang: 0, place: 0, scans: 0 });
  });
});

describe("scheduling loop: head-of-line protection", () => {
  // n1 (16 CPUs) holds 8 CPUs of another job; n2 has only 8 CPUs: the 16-CPU head can use only n1.
  const nodes = [aKubeNode("n1").build(), aKubeNode("n2").cores(8).build()];
  const holder = (wallTime?: number) => {
    const b = aKubePod("holder").ofJob(1, 1).tenant("a").cores(8).on("n1");
    return (wallTime === undefined ? b : b.wallTime(wallTime, 1_000_000)).build();
  };
  const head = aKubePod("head").ofJob(2, 1).tenant("a").cores(16).createdAt(10).build();
  const later = (name: string, n: number, wallTime?: number, cores = 8) => {
    const b = aKubePod(name).ofJob(n, 1).tenant("a").cores(cores).createdAt(20 + n);
    return (wallTime === undefined ? b : b.wallTime(wallTime)).build();
  };

  it("a later job uses only the nodes the waiting head could not use", async () => {
    const s = loopWith({ multiTenant: false, nodes, pods: [holder(), head, later("l1", 3), later("l2", 4)] });
    await s.run();
    expect(s.binder.calls).toEqual([{ pod: k("l1"), node: "n2" }]); // not n1, which fits it just as well
    expect(s.lines(20).find((l) => l.startsWith(`job ${job(4)} waits`))).toMatch(/nodes that job jobs\/2 \(ahead in the queue\) could use are kept for it/);
  });

  it("a later job whose wall time ends before the head's shadow time may use the head's nodes", async () => {
    // holder ends 100 s after 1,000,000 ms; a 50 s job ends before, a 500 s one after (n1 has room for both).
    const s = loopWith({ multiTenant: false, nodes: [aKubeNode("n1").build()], pods: [holder(100), head, later("short", 3, 50, 4), later("long", 4, 500, 4)] });
    await s.run();
    expect(s.binder.calls).toEqual([{ pod: k("short"), node: "n1" }]);
  });

  it("a job kept off the head's nodes is tried again at once when the head is deleted, without waiting for capacity or its park to end", async () => {
    const s = loopWith({ multiTenant: false, nodes, pods: [holder(), head, later("l1", 3), later("l2", 4)] });
    await s.run();
    expect(s.binder.calls).toEqual([{ pod: k("l1"), node: "n2" }]);
    // the waiting head is deleted (a user terminated it): no capacity changes, but n1 is no longer kept
    s.loop.onPodDelete(k("head"));
    s.clock.advance(11_000); // past any backoff, well short of the park's end
    await s.run();
    expect(s.binder.calls).toEqual([
      { pod: k("l1"), node: "n2" },
      { pod: k("l2"), node: "n1" },
    ]);
  });

  it("a head that would never fit is not protected", async () => {
    const never = aKubePod("never").ofJob(2, 1).tenant("a").cores(64).createdAt(10).build();
    const s = loopWith({ multiTenant: false, nodes, pods: [holder(), never, later("l1", 3), later("l2", 4)] });
    await s.run();
    expect(s.binder.calls.map((c) => c.node).sort()).toEqual(["n1", "n2"]);
  });
});

describe("scheduling loop: stop", () => {
  it("binds nothing more once stopped, not even a retry", async () => {
    const s = loopWith({ nodes: [aKubeNode("n1").build()], pods: [aKubePod("p").ofJob(1, 1).tenant("a").build()], respond: () => ({ outcome: "unavailable", message: "timeout" }) });
    await s.run();
    s.loop.stop();
    s.clock.advance(60_000);
    s.loop.onPodUpsert(podRecord(aKubePod("q").ofJob(2, 1).tenant("a").build()));
    await s.run();
    expect(s.binder.calls).toEqual([{ pod: k("p"), node: "n1" }]);
  });
});

describe("PodScheduler on the wire", () => {
  it("lists and watches pods without finished ones (field selector), starts and stops as leader", async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? "");
      const url = new URL(req.url ?? "/", "http://x");
      if (url.searchParams.get("watch") === "true") {
        res.writeHead(200, { "content-type": "application/json" }).flushHeaders(); // a watch that stays open
        return;
      }
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ kind: url.pathname.endsWith("nodes") ? "NodeList" : "PodList", apiVersion: "v1", metadata: { resourceVersion: "1" }, items: [] }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const kc = localKubeConfig((server.address() as AddressInfo).port);
    const binder = new FakeBinder();
    const sched = new PodScheduler(kc, { multiTenant: true, log: () => {}, binder, reporter: new FakeReporter() });
    await sched.start();
    for (let i = 0; i < 50 && seen.filter((u) => u.startsWith("/api/v1/pods")).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    await sched.stop();
    server.closeAllConnections();
    server.close();
    const pods = seen.filter((u) => u.startsWith("/api/v1/pods")).map((u) => new URL(u, "http://x").searchParams);
    expect(pods.map((q) => [q.get("watch") === "true" ? "watch" : "list", q.get("fieldSelector")])).toEqual([
      ["list", "status.phase!=Succeeded,status.phase!=Failed"],
      ["watch", "status.phase!=Succeeded,status.phase!=Failed"],
    ]);
    expect(binder.closed).toBe(true);
  });
});
