// The binder against a fake transport whose answers the test releases one by
// one: never more bindings in flight than the bound, FIFO order, a timeout
// frees the slot and ends "unavailable", each HTTP status class maps to its
// outcome (with the Status message), metrics count durations and errors, and
// close() waits for what is in flight and ends what waits.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Binder, classifyBinding, type BindTransport } from "./binder";
import { schedulerMetrics } from "./schedulerMetrics";
import type { BindResult } from "./schedulerSeams";

interface Call {
  key: string;
  node: string;
  signal: AbortSignal;
  answer(status: number, body?: string): void;
  fail(e: Error): void;
}

/** A transport that records each call and answers only when the test says so. */
function fakeTransport() {
  const calls: Call[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const transport: BindTransport = (namespace, name, node, signal) =>
    new Promise((resolve, reject) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const done = () => inFlight--;
      calls.push({
        key: `${namespace}/${name}`,
        node,
        signal,
        answer: (status, body = "") => (done(), resolve({ status, body })),
        fail: (e) => (done(), reject(e)),
      });
    });
  return { transport, calls, max: () => maxInFlight };
}

const tick = () => new Promise<void>((r) => setImmediate(r));
const status = (code: number, message: string) => JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message, code });

afterEach(() => {
  vi.useRealTimers();
});

describe("Binder: bounded concurrency and order", () => {
  it("never has more bindings in flight than the bound, and ends every one", async () => {
    const t = fakeTransport();
    const b = new Binder({ transport: t.transport, concurrency: 3 });
    const results = Array.from({ length: 10 }, (_, i) => b.bind(`ns/p${i}`, `n${i}`));
    await tick();
    expect(t.calls).toHaveLength(3);
    expect(b.inFlight).toBe(3);
    expect(b.queued).toBe(7);
    // answer in a scrambled order; each answer lets exactly one more start
    const order = [1, 0, 2, 4, 3, 6, 5, 9, 8, 7];
    for (const i of order) {
      await vi.waitUntil(() => t.calls.length > i);
      t.calls[i]!.answer(201);
      await tick();
      expect(b.inFlight).toBeLessThanOrEqual(3);
    }
    expect((await Promise.all(results)).map((r) => r.outcome)).toEqual(Array(10).fill("bound"));
    expect(t.max()).toBe(3);
    expect(b.inFlight).toBe(0);
    expect(b.queued).toBe(0);
  });

  it("starts waiting bindings in the order they were asked for", async () => {
    const t = fakeTransport();
    const b = new Binder({ transport: t.transport, concurrency: 2 });
    const keys = ["ns/a", "ns/b", "ns/c", "ns/d", "ns/e"];
    const results = keys.map((k) => b.bind(k, "node"));
    await tick();
    t.calls[1]!.answer(201); // the second ends first: the third starts next, not a later one
    await tick();
    expect(t.calls.map((c) => c.key)).toEqual(["ns/a", "ns/b", "ns/c"]);
    t.calls[0]!.answer(201);
    t.calls[2]!.answer(201);
    await tick();
    expect(t.calls.map((c) => c.key)).toEqual(["ns/a", "ns/b", "ns/c", "ns/d", "ns/e"]);
    t.calls[3]!.answer(201);
    t.calls[4]!.answer(201);
    await Promise.all(results);
  });

  it("a new binding does not overtake those already waiting", async () => {
    const t = fakeTransport();
    const b = new Binder({ transport: t.transport, concurrency: 1 });
    const first = b.bind("ns/a", "n");
    const second = b.bind("ns/b", "n");
    await tick();
    t.calls[0]!.answer(201);
    const third = b.bind("ns/c", "n"); // asked while "b" still waits for the freed slot
    await tick();
    expect(t.calls.map((c) => c.key)).toEqual(["ns/a", "ns/b"]);
    t.calls[1]!.answer(201);
    await tick();
    t.calls[2]!.answer(201);
    await Promise.all([first, second, third]);
    expect(t.calls.map((c) => c.key)).toEqual(["ns/a", "ns/b", "ns/c"]);
  });
});

describe("Binder: timeout", () => {
  it("aborts a binding not answered in time, ends it unavailable and frees its slot", async () => {
    vi.useFakeTimers();
    const t = fakeTransport();
    const b = new Binder({ transport: t.transport, concurrency: 1, timeoutMs: 5000 });
    const slow = b.bind("ns/slow", "n1");
    const next = b.bind("ns/next", "n2");
    await vi.advanceTimersByTimeAsync(0);
    expect(t.calls.map((c) => c.key)).toEqual(["ns/slow"]);
    await vi.advanceTimersByTimeAsync(4999);
    expect(t.calls[0]!.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const r = await slow;
    expect(r.outcome).toBe("unavailable");
    expect(t.calls[0]!.signal.aborted).toBe(true);
    // the transport ignored the abort (never answered): the slot is free all the same
    expect(t.calls.map((c) => c.key)).toEqual(["ns/slow", "ns/next"]);
    t.calls[1]!.answer(201);
    expect((await next).outcome).toBe("bound");
  });

  it("a transport that rejects on abort ends the same way", async () => {
    vi.useFakeTimers();
    const transport: BindTransport = (_ns, _name, _node, signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason as Error)));
    const b = new Binder({ transport, timeoutMs: 100 });
    const r = b.bind("ns/p", "n");
    await vi.advanceTimersByTimeAsync(100);
    expect((await r).outcome).toBe("unavailable");
    expect(b.inFlight).toBe(0);
  });
});

describe("Binder: outcomes", () => {
  const cases: Array<[string, number, string, BindResult["outcome"]]> = [
    ["201 Created", 201, "{}", "bound"],
    ["200 OK", 200, "", "bound"],
    ["404: the pod is gone", 404, status(404, 'pods "p" not found'), "gone"],
    ["409: already bound", 409, status(409, "pod p is already assigned to node n0"), "conflict"],
    ["429: throttled", 429, status(429, "too many requests"), "unavailable"],
    ["500", 500, status(500, "etcdserver: request timed out"), "unavailable"],
    ["503", 503, "service unavailable", "unavailable"],
    ["403: forbidden", 403, status(403, 'pods "p" is forbidden: User "x" cannot create resource "pods/binding"'), "refused"],
    ["422: invalid", 422, status(422, "Binding.core \"p\" is invalid: target.name: Required value"), "refused"],
    ["400", 400, "not json at all", "refused"],
  ];

  it.each(cases)("%s -> %s", async (_name, code, body, outcome) => {
    const t = fakeTransport();
    const b = new Binder({ transport: t.transport });
    const r = b.bind("ns/p", "n");
    await tick();
    t.calls[0]!.answer(code, body);
    const result = await r;
    expect(result.outcome).toBe(outcome);
    if (result.outcome !== "bound") expect(result.status).toBe(code);
  });

  it("refused carries the API server's message from the Status body", async () => {
    expect(classifyBinding(403, status(403, 'pods "p" is forbidden: quota exceeded'))).toEqual({ outcome: "refused", status: 403, message: 'pods "p" is forbidden: quota exceeded' });
    expect(classifyBinding(400, "plain text")).toEqual({ outcome: "refused", status: 400, message: "HTTP 400: plain text" });
  });

  it("a network error ends unavailable with its message", async () => {
    const t = fakeTransport();
    const b = new Binder({ transport: t.transport });
    const r = b.bind("ns/p", "n");
    await tick();
    t.calls[0]!.fail(new Error("connect ECONNREFUSED 127.0.0.1:6443"));
    const result = await r;
    expect(result.outcome).toBe("unavailable");
    expect(result.outcome !== "bound" && result.message).toContain("ECONNREFUSED");
  });

  it("a transport that throws synchronously ends unavailable, never rejects", async () => {
    const b = new Binder({
      transport: () => {
        throw new Error("boom");
      },
    });
    expect((await b.bind("ns/p", "n")).outcome).toBe("unavailable");
    expect(b.inFlight).toBe(0);
  });

  it("records each binding's duration and each failure by outcome", async () => {
    const errors = async (outcome: string) => (await schedulerMetrics.bindingErrors.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
    const count = async () => (await schedulerMetrics.bindingSeconds.get()).values.find((v) => v.metricName?.endsWith("_count"))?.value ?? 0;
    const sum = async () => (await schedulerMetrics.bindingSeconds.get()).values.find((v) => v.metricName?.endsWith("_sum"))?.value ?? 0;
    const before = { count: await count(), sum: await sum(), conflict: await errors("conflict"), gone: await errors("gone") };
    let clock = 1000;
    const t = fakeTransport();
    const b = new Binder({ transport: t.transport, now: () => clock });
    const rs = [b.bind("ns/a", "n"), b.bind("ns/b", "n"), b.bind("ns/c", "n")];
    await tick();
    clock += 250;
    t.calls[0]!.answer(201);
    t.calls[1]!.answer(409, status(409, "already assigned"));
    t.calls[2]!.answer(404, status(404, "not found"));
    await Promise.all(rs);
    expect(await count()).toBe(before.count + 3);
    expect(await sum()).toBeCloseTo(before.sum + 0.75, 6);
    expect(await errors("conflict")).toBe(before.conflict + 1);
    expect(await errors("gone")).toBe(before.gone + 1);
  });
});

describe("Binder: close", () => {
  it("waits for the bindings in flight, ends the queued ones unavailable without sending them, refuses new ones, then calls onClose once", async () => {
    const t = fakeTransport();
    let ended = 0;
    const b = new Binder({ transport: t.transport, concurrency: 2, onClose: () => ended++ });
    const rs = ["ns/a", "ns/b", "ns/c", "ns/d"].map((k) => b.bind(k, "n"));
    await tick();
    let closed = false;
    const closing = b.close().then(() => (closed = true));
    // queued ones end at once
    expect((await rs[2]!).outcome).toBe("unavailable");
    expect((await rs[3]!).outcome).toBe("unavailable");
    await tick();
    expect(closed).toBe(false); // two still in flight
    t.calls[0]!.answer(201);
    await tick();
    expect(closed).toBe(false);
    expect(ended).toBe(0); // the transport is not ended under a binding in flight
    t.calls[1]!.answer(409, status(409, "already assigned"));
    await closing;
    expect(ended).toBe(1);
    await b.close();
    expect(ended).toBe(1);
    expect((await rs[0]!).outcome).toBe("bound");
    expect((await rs[1]!).outcome).toBe("conflict");
    expect(t.calls.map((c) => c.key)).toEqual(["ns/a", "ns/b"]);
    expect((await b.bind("ns/e", "n")).outcome).toBe("unavailable");
    expect(t.calls).toHaveLength(2);
    expect(b.inFlight).toBe(0);
    expect(b.queued).toBe(0);
  });
});
