// The reporter against a fake sink whose calls the test answers: Events and
// the PodScheduled condition as kube-scheduler writes them, sent only when a
// pod's message changes and never from inside the caller; forget() and a
// binding cancel a condition not yet sent; the queue is bounded (oldest
// dropped, counted, and re-sent on the next report); while bindings are in
// flight one report at a time; sink failures logged once per kind, never thrown.
import type * as k8s from "@kubernetes/client-node";
import { describe, expect, it, vi } from "vitest";
import { MAX_MESSAGE, PodReporter, reportsDropped, type PodStatusPatch, type ReportSink } from "./podReporter";

type Sent = { kind: "event"; namespace: string; body: k8s.CoreV1Event } | { kind: "condition"; namespace: string; name: string; body: PodStatusPatch };

/** A sink that records calls; with `hold`, each call waits for the test to release it. */
function fakeSink(opts: { hold?: boolean } = {}) {
  const sent: Sent[] = [];
  const pending: Array<{ sent: Sent; release: (e?: Error) => void }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const fail: { event?: Error; condition?: Error } = {};
  const record = (s: Sent) => {
    sent.push(s);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    return new Promise<void>((resolve, reject) => {
      const release = (e?: Error) => {
        inFlight--;
        const err = e ?? fail[s.kind];
        if (err) reject(err);
        else resolve();
      };
      if (opts.hold) pending.push({ sent: s, release });
      else release();
    });
  };
  const sink: ReportSink = {
    createEvent: (namespace, body) => record({ kind: "event", namespace, body }),
    patchPodStatus: (namespace, name, body) => record({ kind: "condition", namespace, name, body }),
  };
  return {
    sink,
    sent,
    pending,
    fail,
    inFlight: () => inFlight,
    max: () => maxInFlight,
    /** release the oldest held call */
    releaseOne: (e?: Error) => pending.shift()!.release(e),
  };
}

const tick = () => new Promise<void>((r) => setImmediate(r));
const T0 = Date.parse("2026-12-01T10:00:00.250Z");

function reporter(sink: ReportSink, extra: Partial<ConstructorParameters<typeof PodReporter>[0]> = {}) {
  const log: Array<[number, string]> = [];
  let clock = T0;
  const r = new PodReporter({ sink, log: (l, m) => log.push([l, m]), now: () => clock, ...extra });
  return { r, log, advance: (ms: number) => (clock += ms) };
}

const events = (sent: Sent[]) => sent.filter((s): s is Extract<Sent, { kind: "event" }> => s.kind === "event").map((s) => s.body);
const conditions = (sent: Sent[]) => sent.filter((s): s is Extract<Sent, { kind: "condition" }> => s.kind === "condition");

describe("PodReporter: what is sent", () => {
  it("a waiting pod gets a FailedScheduling Event and PodScheduled=False, as kube-scheduler writes them", async () => {
    const f = fakeSink();
    const { r } = reporter(f.sink, { podUid: (k) => (k === "jobs/p-0" ? "uid-123" : undefined) });
    r.waiting("jobs/p-0", "0/4 nodes are available: 4 insufficient cpu");
    expect(f.sent).toEqual([]); // never sent from inside the caller
    await r.idle();
    const [e] = events(f.sent);
    expect(e).toMatchObject({
      apiVersion: "v1",
      kind: "Event",
      metadata: { namespace: "jobs" },
      involvedObject: { apiVersion: "v1", kind: "Pod", namespace: "jobs", name: "p-0", uid: "uid-123" },
      reason: "FailedScheduling",
      type: "Warning",
      message: "0/4 nodes are available: 4 insufficient cpu",
      source: { component: "jarvice-pod-scheduler" },
      reportingComponent: "jarvice-pod-scheduler",
      firstTimestamp: "2026-12-01T10:00:00Z",
      lastTimestamp: "2026-12-01T10:00:00Z",
      count: 1,
    });
    expect(e!.metadata!.name).toMatch(/^p-0\.[0-9a-f]+$/);
    expect(conditions(f.sent)).toEqual([
      {
        kind: "condition",
        namespace: "jobs",
        name: "p-0",
        body: { status: { conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/4 nodes are available: 4 insufficient cpu", lastTransitionTime: "2026-12-01T10:00:00Z" }] } },
      },
    ]);
  });

  it("a bound pod gets a Normal Scheduled Event; without a known uid, none is claimed", async () => {
    const f = fakeSink();
    const { r } = reporter(f.sink);
    r.scheduled("jobs/p-1", "node-7");
    await r.idle();
    expect(f.sent).toHaveLength(1);
    const [e] = events(f.sent);
    expect(e).toMatchObject({ reason: "Scheduled", type: "Normal", message: "Successfully assigned jobs/p-1 to node-7", involvedObject: { kind: "Pod", namespace: "jobs", name: "p-1" } });
    expect(e!.involvedObject).not.toHaveProperty("uid");
  });

  it("a very long reason is cut to MAX_MESSAGE characters in the Event and the condition", async () => {
    const f = fakeSink();
    const { r } = reporter(f.sink);
    const long = `0/5000 nodes are available: ${Array.from({ length: 500 }, (_, i) => `node-${i} runs pods of tenant t${i}`).join(", ")}`;
    r.waiting("jobs/p", long);
    await r.idle();
    const [e] = events(f.sent);
    expect(e!.message).toHaveLength(MAX_MESSAGE);
    expect(e!.message!.endsWith("...")).toBe(true);
    expect(long.startsWith(e!.message!.slice(0, -3))).toBe(true);
    expect(conditions(f.sent)[0]!.body.status.conditions[0]!.message).toBe(e!.message);
  });

  it("Event names are unique even within one millisecond", async () => {
    const f = fakeSink();
    const { r } = reporter(f.sink);
    for (let i = 0; i < 50; i++) r.scheduled("jobs/p", `n${i}`);
    await r.idle();
    expect(new Set(events(f.sent).map((e) => e.metadata!.name)).size).toBe(50);
  });
});

describe("PodReporter: only when the message changes", () => {
  it("the same message again sends nothing; a new message sends both again, keeping the condition's transition time", async () => {
    const f = fakeSink();
    const { r, advance } = reporter(f.sink);
    r.waiting("jobs/p", "insufficient cpu");
    r.waiting("jobs/p", "insufficient cpu");
    await r.idle();
    r.waiting("jobs/p", "insufficient cpu");
    await r.idle();
    expect(f.sent).toHaveLength(2);
    advance(60_000);
    r.waiting("jobs/p", "disqualified by tenant");
    await r.idle();
    expect(events(f.sent).map((e) => e.message)).toEqual(["insufficient cpu", "disqualified by tenant"]);
    expect(events(f.sent)[1]!.lastTimestamp).toBe("2026-12-01T10:01:00Z");
    const c = conditions(f.sent).map((s) => s.body.status.conditions[0]!);
    expect(c.map((x) => x.message)).toEqual(["insufficient cpu", "disqualified by tenant"]);
    expect(c.map((x) => x.lastTransitionTime)).toEqual(["2026-12-01T10:00:00Z", "2026-12-01T10:00:00Z"]);
  });

  it("other pods are independent", async () => {
    const f = fakeSink();
    const { r } = reporter(f.sink);
    r.waiting("jobs/a", "m");
    r.waiting("jobs/b", "m");
    await r.idle();
    expect(conditions(f.sent).map((s) => s.name)).toEqual(["a", "b"]);
  });

  it("after forget (bound or gone), the same message is reported again, with a new transition time", async () => {
    const f = fakeSink();
    const { r, advance } = reporter(f.sink);
    r.waiting("jobs/p", "m");
    await r.idle();
    r.forget("jobs/p");
    advance(5000);
    r.waiting("jobs/p", "m");
    await r.idle();
    expect(conditions(f.sent).map((s) => s.body.status.conditions[0]!.lastTransitionTime)).toEqual(["2026-12-01T10:00:00Z", "2026-12-01T10:00:05Z"]);
  });

  it("forget and scheduled cancel a PodScheduled=False not yet sent (it would land on a bound pod); the Events stay", async () => {
    const f = fakeSink({ hold: true });
    const { r } = reporter(f.sink, { concurrency: 1 });
    r.scheduled("jobs/first", "n"); // occupies the only slot
    r.waiting("jobs/a", "m");
    r.waiting("jobs/b", "m");
    await tick();
    r.forget("jobs/a");
    r.scheduled("jobs/b", "n2");
    expect(r.queued).toBe(3); // two FailedScheduling Events and b's Scheduled Event
    while (f.pending.length > 0 || r.queued > 0) {
      await tick();
      if (f.pending.length > 0) f.releaseOne();
    }
    await r.idle();
    expect(conditions(f.sent)).toEqual([]);
    expect(events(f.sent).map((e) => `${e.involvedObject.name} ${e.reason}`)).toEqual(["first Scheduled", "a FailedScheduling", "b FailedScheduling", "b Scheduled"]);
  });

  it("a newer message replaces the older condition patch still queued", async () => {
    const f = fakeSink({ hold: true });
    const { r } = reporter(f.sink, { concurrency: 1 });
    r.scheduled("jobs/first", "n");
    r.waiting("jobs/p", "old");
    r.waiting("jobs/p", "new");
    while (f.pending.length > 0 || r.queued > 0) {
      await tick();
      if (f.pending.length > 0) f.releaseOne();
    }
    expect(conditions(f.sent).map((s) => s.body.status.conditions[0]!.message)).toEqual(["new"]);
    expect(events(f.sent).map((e) => e.message).slice(1)).toEqual(["old", "new"]);
  });
});

describe("PodReporter: bounded queue", () => {
  it("drops the oldest beyond the bound, counts and logs the drops, and reports a dropped pod again on the same message", async () => {
    const f = fakeSink({ hold: true });
    const before = (await reportsDropped.get()).values[0]?.value ?? 0;
    const { r, log } = reporter(f.sink, { maxQueue: 10, concurrency: 1 });
    r.scheduled("jobs/first", "n");
    await tick(); // in flight, not queued
    for (let i = 0; i < 10; i++) r.waiting(`jobs/p${i}`, "m"); // 20 reports for 10 places
    expect(r.queued).toBe(10);
    expect(r.dropped).toBe(10);
    expect((await reportsDropped.get()).values[0]?.value).toBe(before + 10);
    expect(log.filter(([l, m]) => l === 30 && m.includes("report queue full"))).toHaveLength(1);
    while (f.pending.length > 0 || r.queued > 0) {
      await tick();
      if (f.pending.length > 0) f.releaseOne();
    }
    await r.idle();
    // the newest survive: pods 5..9
    expect(conditions(f.sent).map((s) => s.name)).toEqual(["p5", "p6", "p7", "p8", "p9"]);
    expect(log.some(([, m]) => m.includes("10 report(s) were dropped"))).toBe(true);
    // p0's report was dropped: the same message is sent again; p9's was sent: it is not
    r.waiting("jobs/p0", "m");
    r.waiting("jobs/p9", "m");
    while (f.pending.length > 0 || r.queued > 0) {
      await tick();
      if (f.pending.length > 0) f.releaseOne();
    }
    expect(conditions(f.sent).map((s) => s.name)).toEqual(["p5", "p6", "p7", "p8", "p9", "p0"]);
  });
});

describe("PodReporter: never in the way of bindings", () => {
  it("sends up to `concurrency` at once, but one at a time while busy", async () => {
    const f = fakeSink({ hold: true });
    let busy = true;
    const { r } = reporter(f.sink, { concurrency: 4, busy: () => busy, busyGapMs: 0 });
    for (let i = 0; i < 20; i++) r.waiting(`jobs/p${i}`, "m");
    for (let i = 0; i < 6; i++) {
      await tick();
      expect(f.inFlight()).toBe(1);
      f.releaseOne();
    }
    await tick();
    expect(f.max()).toBe(1);
    busy = false;
    f.releaseOne();
    await tick();
    expect(f.inFlight()).toBe(4);
    while (f.pending.length > 0 || r.queued > 0) {
      await tick();
      while (f.pending.length > 0) f.releaseOne();
    }
    await r.idle();
    expect(f.max()).toBe(4);
    expect(f.sent).toHaveLength(40);
  });

  it("while busy, sends at most one report per busyGapMs; at full concurrency once bindings are done", async () => {
    vi.useFakeTimers();
    try {
      const f = fakeSink();
      let busy = true;
      let clock = 1_000_000;
      const { r } = reporter(f.sink, { concurrency: 4, busy: () => busy, busyGapMs: 250, now: () => clock });
      for (let i = 0; i < 10; i++) r.waiting(`jobs/p${i}`, "m");
      await vi.advanceTimersByTimeAsync(0);
      const first = f.sent.length;
      expect(first).toBeGreaterThanOrEqual(1);
      expect(first).toBeLessThanOrEqual(2); // one report (an Event and maybe its condition's turn is next)
      await vi.advanceTimersByTimeAsync(100);
      expect(f.sent.length).toBe(first); // within the gap: nothing more
      clock += 250;
      await vi.advanceTimersByTimeAsync(250);
      expect(f.sent.length).toBeGreaterThan(first);
      busy = false;
      clock += 250;
      await vi.advanceTimersByTimeAsync(250);
      await r.idle();
      expect(f.sent).toHaveLength(20);
    } finally {
      vi.useRealTimers();
    }
  });

  it("sink failures are logged once per kind, never thrown, and other kinds carry on", async () => {
    const f = fakeSink();
    f.fail.event = Object.assign(new Error('events is forbidden: User "x" cannot create resource "events"'), { code: 403 });
    const { r, log } = reporter(f.sink);
    for (let i = 0; i < 5; i++) expect(() => r.waiting(`jobs/p${i}`, "m")).not.toThrow();
    expect(() => r.scheduled("jobs/q", "n")).not.toThrow();
    await r.idle();
    expect(f.sent).toHaveLength(11);
    const warnings = log.filter(([l]) => l >= 30);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]![1]).toContain("could not create scheduling Events");
    expect(warnings[0]![1]).toContain("forbidden");
    // once it works again, that is said, and a later failure is logged again
    delete f.fail.event;
    r.scheduled("jobs/q2", "n");
    await r.idle();
    expect(log.some(([l, m]) => l === 20 && m.includes("works again (6 failed meanwhile)"))).toBe(true);
    f.fail.event = new Error("connect ECONNRESET");
    r.scheduled("jobs/q3", "n");
    await r.idle();
    expect(log.filter(([l]) => l >= 30)).toHaveLength(2);
  });

  it("a condition for a pod that is gone (404) is not an error", async () => {
    const f = fakeSink();
    f.fail.condition = Object.assign(new Error('pods "p" not found'), { code: 404 });
    const { r, log } = reporter(f.sink);
    r.waiting("jobs/p", "m");
    await r.idle();
    expect(log).toEqual([]);
  });

  it("close() drops what is queued, waits for what is in flight, sends nothing more, then calls onClose once", async () => {
    const f = fakeSink({ hold: true });
    let ended = 0;
    const { r } = reporter(f.sink, { concurrency: 1, onClose: () => ended++ });
    r.waiting("jobs/a", "m");
    r.waiting("jobs/b", "m");
    await tick();
    expect(f.sent).toHaveLength(1);
    let closed = false;
    const closing = r.close().then(() => (closed = true));
    await tick();
    expect(closed).toBe(false);
    expect(ended).toBe(0);
    f.releaseOne();
    await closing;
    expect(ended).toBe(1);
    await r.close();
    expect(ended).toBe(1);
    r.waiting("jobs/c", "m");
    r.scheduled("jobs/d", "n");
    await tick();
    await tick();
    expect(f.sent).toHaveLength(1);
    expect(r.queued).toBe(0);
  });
});
