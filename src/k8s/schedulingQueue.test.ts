// The queue of waiting jobs: order, backoff, parking until capacity frees.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { before, SchedulingQueue } from "./schedulingQueue";

const popAll = (q: SchedulingQueue) => {
  const out: string[] = [];
  for (let j = q.pop(); j !== undefined; j = q.pop()) out.push(j);
  return out;
};

describe("scheduling queue", () => {
  it("orders by priority (higher first), then submission, then job key", () => {
    const q = new SchedulingQueue();
    q.add("ns/late-low", { priority: 0, created: 300 }, 0);
    q.add("ns/early-low", { priority: 0, created: 100 }, 0);
    q.add("ns/late-high", { priority: 10, created: 400 }, 0);
    q.add("ns/b-same", { priority: 0, created: 200 }, 0);
    q.add("ns/a-same", { priority: 0, created: 200 }, 0);
    expect(popAll(q)).toEqual(["ns/late-high", "ns/early-low", "ns/a-same", "ns/b-same", "ns/late-low"]);
  });

  it("two Paddock jobs of one namespace go by job number (submission), even when the later one's pods were created first", () => {
    const j1277 = { job: "jobs/1277", priority: 0, created: 2_000 };
    const j1278 = { job: "jobs/1278", priority: 0, created: 1_000 };
    expect(before(j1277, j1278)).toBe(true);
    expect(before(j1278, j1277)).toBe(false);
    // numbers compare as numbers, not as text
    expect(before({ job: "jobs/999", priority: 0, created: 5 }, { job: "jobs/1000", priority: 0, created: 5 })).toBe(true);
    // priority still comes first; other namespaces and named pods go by creation time
    expect(before({ ...j1278, priority: 1 }, j1277)).toBe(true);
    expect(before({ job: "other/2", priority: 0, created: 1 }, { job: "jobs/1", priority: 0, created: 2 })).toBe(true);
    expect(before({ job: "jobs/web-x", priority: 0, created: 1 }, j1277)).toBe(true);
  });

  it("pops in the order of `before` for any jobs (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ priority: fc.integer({ min: -2, max: 2 }), created: fc.integer({ min: 0, max: 5 }) }), { maxLength: 40 }), (orders) => {
        const q = new SchedulingQueue();
        orders.forEach((o, i) => q.add(`j${i}`, o, 0));
        const popped = popAll(q);
        expect(popped).toHaveLength(orders.length);
        const at = (j: string) => ({ job: j, ...orders[Number(j.slice(1))]! });
        for (let i = 1; i < popped.length; i++) expect(before(at(popped[i]!), at(popped[i - 1]!))).toBe(false);
      }),
    );
  });

  it("a job whose priority changed while active pops at its new place", () => {
    const q = new SchedulingQueue();
    q.add("a", { priority: 0, created: 1 }, 0);
    q.add("b", { priority: 0, created: 2 }, 0);
    q.add("b", { priority: 5, created: 2 }, 0);
    expect(popAll(q)).toEqual(["b", "a"]);
  });

  it("backs off 1 s doubling to 10 s, like kube-scheduler", () => {
    const q = new SchedulingQueue();
    expect([1, 2, 3, 4, 5, 6].map((n) => q.backoffMs(n))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it("a job that did not fit stays parked until capacity frees, then backs off before it is tried again", () => {
    const q = new SchedulingQueue();
    q.add("big", { priority: 0, created: 0 }, 0);
    expect(q.pop()).toBe("big");
    q.failed("big", 0);
    expect(q.depth()).toEqual({ active: 0, backoff: 0, unschedulable: 1 });
    q.flush(60_000); // time alone does not bring it back
    expect(q.pop()).toBeUndefined();
    q.onCapacity(60_000); // backoff (1 s from the failure) is long over: straight to active
    expect(q.depth()).toEqual({ active: 1, backoff: 0, unschedulable: 0 });
    expect(q.pop()).toBe("big");
    q.failed("big", 60_000); // second failure: 2 s
    q.onCapacity(60_500);
    expect(q.depth()).toEqual({ active: 0, backoff: 1, unschedulable: 0 });
    q.flush(61_999);
    expect(q.pop()).toBeUndefined();
    expect(q.nextBackoffAt()).toBe(62_000);
    q.flush(62_000);
    expect(q.pop()).toBe("big");
  });

  it("re-activates a parked job whose members changed (through its backoff)", () => {
    const q = new SchedulingQueue();
    q.add("j", { priority: 0, created: 0 }, 0);
    q.pop();
    q.park("j", 0); // e.g. 1 of 2 pods created: no backoff
    q.add("j", { priority: 0, created: 0 }, 10);
    expect(q.pop()).toBe("j");
  });

  it("retries a job parked longer than maxParkedMs (safety net)", () => {
    const q = new SchedulingQueue({ maxParkedMs: 300_000 });
    q.add("j", { priority: 0, created: 0 }, 0);
    q.pop();
    q.failed("j", 0);
    q.flush(299_999);
    expect(q.pop()).toBeUndefined();
    q.flush(300_000);
    expect(q.pop()).toBe("j");
  });

  it("forgets a job that is done or gone; depth counts each queue", () => {
    const q = new SchedulingQueue();
    q.add("a", { priority: 0, created: 0 }, 0);
    q.add("b", { priority: 0, created: 1 }, 0);
    q.add("c", { priority: 0, created: 2 }, 0);
    expect(q.pop()).toBe("a");
    q.done("a");
    q.remove("b");
    expect(q.depth()).toEqual({ active: 1, backoff: 0, unschedulable: 0 });
    expect(popAll(q)).toEqual(["c"]);
    q.retryLater("c", { priority: 0, created: 2 }, 0);
    expect(q.depth()).toEqual({ active: 0, backoff: 1, unschedulable: 0 });
    expect(q.size).toBe(1);
  });
});
