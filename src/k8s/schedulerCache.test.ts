// The scheduler's cache: incremental, reservations until confirmed, capacity signals, gangs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aKubeNode, aKubePod, NS } from "../../test/schedulerBuilders";
import { PlacementState } from "../core/placement";
import { nodeSnapshot, podRecord, usedBy } from "./podRecord";
import { SchedulerCache } from "./schedulerCache";

const node = (name: string, cores = 16) => nodeSnapshot(aKubeNode(name).cores(cores).build());
const rec = (b: ReturnType<typeof aKubePod>) => podRecord(b.build());
const key = (name: string) => `${NS}/${name}`;

function cacheWith(...nodes: string[]): SchedulerCache {
  const c = new SchedulerCache();
  for (const n of nodes) c.onNodeUpsert(node(n));
  return c;
}

describe("scheduler cache", () => {
  it("a reservation counts once and lasts until the informer shows the binding, however long that takes", () => {
    const c = cacheWith("n1");
    c.onPodUpsert(rec(aKubePod("p").ofJob(1, 1).tenant("a").cores(4)));
    expect(c.reserve(key("p"), "n1")).toBe(true);
    expect(c.state.usage("n1")).toMatchObject({ used: { cpu: 4000, pods: 1 }, pods: [key("p")] });
    // No clock in the cache: nothing expires it. An unrelated status update does not drop it either.
    c.onPodUpsert(rec(aKubePod("p").ofJob(1, 1).tenant("a").cores(4)));
    expect(c.reservedOn(key("p"))).toBe("n1");
    const confirmed = c.onPodUpsert(rec(aKubePod("p").ofJob(1, 1).tenant("a").cores(4).on("n1")));
    expect(confirmed).toMatchObject({ capacity: false, confirmed: [{ key: key("p") }] });
    expect(c.reservedOn(key("p"))).toBeUndefined();
    expect(c.state.usage("n1")).toMatchObject({ used: { cpu: 4000, pods: 1 } });
  });

  it("a reservation confirmed on another node moves there (and frees the reserved node)", () => {
    const c = cacheWith("n1", "n2");
    c.onPodUpsert(rec(aKubePod("p").tenant("a").cores(4)));
    c.reserve(key("p"), "n1");
    const change = c.onPodUpsert(rec(aKubePod("p").tenant("a").cores(4).on("n2")));
    expect(change.capacity).toBe(true);
    expect(c.state.usage("n1")!.pods).toEqual([]);
    expect(c.state.usage("n2")!.pods).toEqual([key("p")]);
  });

  it("a deleted or finished pod frees its node, reserved or bound", () => {
    const c = cacheWith("n1");
    c.onPodUpsert(rec(aKubePod("r").tenant("a")));
    c.reserve(key("r"), "n1");
    c.onPodUpsert(rec(aKubePod("b").tenant("a").on("n1")));
    expect(c.onPodDelete(key("r"))).toMatchObject({ capacity: true, gone: [key("r")] });
    expect(c.onPodUpsert(rec(aKubePod("b").tenant("a").on("n1").phase("Succeeded")))).toMatchObject({ capacity: true, gone: [key("b")] });
    expect(c.state.usage("n1")).toMatchObject({ used: { cpu: 0, pods: 0 }, pods: [] });
    expect(c.reservations.size).toBe(0);
  });

  it("says when capacity was freed or added, and only then", () => {
    const c = cacheWith("n1");
    expect(c.onNodeUpsert(node("n2")).capacity).toBe(true); // a new node
    expect(c.onNodeUpsert(node("n2")).capacity).toBe(false); // the same node again (a status heartbeat)
    expect(c.onNodeUpsert(node("n2", 32)).capacity).toBe(true); // allocatable grew
    expect(c.onNodeUpsert(node("n2", 8)).capacity).toBe(false); // shrank
    expect(c.onNodeUpsert(nodeSnapshot(aKubeNode("n2").cores(8).unschedulable().build())).capacity).toBe(false); // cordoned
    expect(c.onNodeUpsert(node("n2", 8)).capacity).toBe(true); // uncordoned
    expect(c.onNodeUpsert(nodeSnapshot(aKubeNode("n2").cores(8).taint("x", "NoSchedule").build())).capacity).toBe(false);
    expect(c.onNodeUpsert(node("n2", 8)).capacity).toBe(true); // taint removed
    expect(c.onNodeDelete("n2").capacity).toBe(false);
    expect(c.onPodUpsert(rec(aKubePod("daemon").foreign().on("n1"))).capacity).toBe(false); // a pod arrives
    expect(c.onPodUpsert(rec(aKubePod("w").ofJob(9, 1).tenant("a")))).toMatchObject({ capacity: false, jobs: [`${NS}/9`] });
    expect(c.onPodUpsert(rec(aKubePod("w").ofJob(9, 1).tenant("a")))).toMatchObject({ capacity: false, jobs: [] }); // nothing changed
    expect(c.onPodDelete(key("daemon")).capacity).toBe(true);
    expect(c.onPodDelete(key("w")).capacity).toBe(false); // it held nothing
  });

  it("a foreign pod's unparsable request counts the node's whole allocatable of it, recounted when the node changes", () => {
    const c = cacheWith("n1");
    c.onPodUpsert(rec(aKubePod("odd").foreign().requests({ cpu: "1", memory: "lots" }).on("n1")));
    expect(c.state.usage("n1")!.used).toMatchObject({ cpu: 1000, memory: 64 * 2 ** 30 });
    c.onNodeUpsert(nodeSnapshot(aKubeNode("n1").memoryGi(128).build()));
    expect(c.state.usage("n1")!.used).toMatchObject({ memory: 128 * 2 ** 30 });
  });

  it("counts a job's members as bound, reserved and pending; pods being deleted do not wait", () => {
    const c = cacheWith("n1", "n2");
    c.onPodUpsert(rec(aKubePod("j-0").ofJob(5, 4).tenant("a").on("n1")));
    c.onPodUpsert(rec(aKubePod("j-1").ofJob(5, 4).tenant("a")));
    c.onPodUpsert(rec(aKubePod("j-2").ofJob(5, 4).tenant("a")));
    c.onPodUpsert(rec(aKubePod("j-3").ofJob(5, 4).tenant("a").deleting()));
    c.reserve(key("j-1"), "n2");
    const g = c.gang(`${NS}/5`)!;
    expect({ expected: g.expected, members: g.members, bound: g.bound.map((r) => r.key), reserved: g.reserved.map((r) => [r.pod.key, r.node]), pending: g.pending.map((r) => r.key) }).toEqual({
      expected: 4,
      members: 4,
      bound: [key("j-0")],
      reserved: [[key("j-1"), "n2"]],
      pending: [key("j-2")],
    });
    expect([...c.waitingJobs()]).toEqual([`${NS}/5`]);
    c.release(key("j-1"));
    expect(c.gang(`${NS}/5`)!.pending.map((r) => r.key)).toEqual([key("j-1"), key("j-2")]);
  });

  it("equals a from-scratch rebuild after any sequence of events (property)", () => {
    const nodeNames = ["n0", "n1", "n2"];
    const podNames = ["p0", "p1", "p2", "p3", "p4", "p5"];
    const event = fc.oneof(
      fc.record({ t: fc.constant("node" as const), n: fc.constantFrom(...nodeNames), cores: fc.constantFrom(4, 8, 16), cordoned: fc.boolean() }),
      fc.record({ t: fc.constant("nodeDel" as const), n: fc.constantFrom(...nodeNames) }),
      fc.record({
        t: fc.constant("pod" as const),
        p: fc.constantFrom(...podNames),
        job: fc.integer({ min: 1, max: 2 }),
        tenant: fc.constantFrom("a", "b", undefined),
        cpu: fc.constantFrom("1", "2", "500m", "lots"),
        node: fc.constantFrom(undefined, ...nodeNames),
        deleting: fc.boolean(),
        phase: fc.constantFrom("Pending", "Running", "Succeeded"),
      }),
      fc.record({ t: fc.constant("podDel" as const), p: fc.constantFrom(...podNames) }),
      fc.record({ t: fc.constant("reserve" as const), p: fc.constantFrom(...podNames), n: fc.constantFrom(...nodeNames) }),
      fc.record({ t: fc.constant("release" as const), p: fc.constantFrom(...podNames) }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        const c = new SchedulerCache();
        for (const e of events) {
          if (e.t === "node") c.onNodeUpsert(nodeSnapshot(aKubeNode(e.n).cores(e.cores).unschedulable(e.cordoned).build()));
          else if (e.t === "nodeDel") c.onNodeDelete(e.n);
          else if (e.t === "pod") {
            let b = aKubePod(e.p).ofJob(e.job, 2).requests({ cpu: e.cpu }).phase(e.phase);
            if (e.tenant) b = b.tenant(e.tenant);
            if (e.node) b = b.on(e.node);
            if (e.deleting) b = b.deleting();
            c.onPodUpsert(podRecord(b.build()));
          } else if (e.t === "podDel") c.onPodDelete(key(e.p));
          else if (e.t === "reserve") c.reserve(key(e.p), e.n);
          else c.release(key(e.p));
        }
        // The reference: the old way, everything from scratch.
        const ref = new PlacementState();
        const nodes = nodeNames.map((n) => c.node(n)).filter((n) => n !== undefined);
        for (const n of nodes) ref.upsertNode(n);
        const records = c.records();
        for (const r of records) {
          expect(r.finished).toBe(false);
          const at = r.node ?? c.reservedOn(r.key);
          if (at) ref.bind({ key: r.key, node: at, requests: usedBy(r.requests, c.node(at)), tenant: r.tenant });
        }
        const nonZero = (u: ReturnType<PlacementState["usage"]>) => u && { ...u, used: Object.fromEntries(Object.entries(u.used).filter(([, v]) => v !== 0)) };
        for (const n of nodes) expect(nonZero(c.state.usage(n.name)), n.name).toEqual(nonZero(ref.usage(n.name)));
        for (const [k] of c.reservations) expect(records.find((r) => r.key === k)?.node).toBeUndefined();
        // The same decisions (the best-fit indexes agree too).
        for (const cpu of [500, 1000, 4000]) {
          const probe = [{ key: "probe/x", requests: { cpu }, tenant: "a" }];
          const a = c.state.placeJob(probe, { multiTenant: true });
          const b = ref.placeJob(probe, { multiTenant: true });
          expect(a).toEqual(b);
          c.state.unbind("probe/x");
          ref.unbind("probe/x");
        }
        // Jobs waiting: those with a pending pod of ours.
        const waiting = new Set(records.filter((r) => r.ours && !r.node && !r.deleting && !c.reservedOn(r.key)).map((r) => r.job));
        expect(new Set(c.waitingJobs())).toEqual(waiting);
      }),
      { numRuns: 300 },
    );
  });
});
