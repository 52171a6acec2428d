import { afterEach, describe, expect, it, vi } from "vitest";
import { backoffDelay, CoalescedRunner } from "./coalescedRunner";

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("CoalescedRunner", () => {
  it("folds requests made during a run into one more run", async () => {
    let runs = 0;
    let release: () => void = () => {};
    const r = new CoalescedRunner(
      async () => {
        runs++;
        if (runs === 1) await new Promise<void>((res) => (release = res));
      },
      () => true,
      () => {},
    );
    r.request();
    for (let i = 0; i < 10; i++) r.request();
    expect(runs).toBe(1);
    release();
    await tick();
    await r.idle();
    expect(runs).toBe(2);
  });

  it("ignores requests while disabled and reports errors without stopping later runs", async () => {
    let enabled = false;
    const errors: string[] = [];
    let runs = 0;
    const r = new CoalescedRunner(
      async () => {
        runs++;
        if (runs === 1) throw new Error("boom");
      },
      () => enabled,
      (e) => errors.push(e.message),
      { initialMs: 1, maxMs: 1 },
    );
    r.request();
    await r.idle();
    expect(runs).toBe(0);
    enabled = true;
    r.request();
    await r.idle();
    expect(errors).toEqual(["boom"]);
    // the retry after the backoff runs the work again
    await new Promise((res) => setTimeout(res, 20));
    await r.idle();
    expect(runs).toBe(2);
    expect(r.consecutiveFailures).toBe(0);
  });
});

describe("CoalescedRunner backoff", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("doubles from 100 ms to at most 10 s", () => {
    expect([1, 2, 3, 4, 7, 8, 9, 50, 10_000].map((n) => backoffDelay(n))).toEqual([100, 200, 400, 800, 6400, 10_000, 10_000, 10_000, 10_000]);
    expect(backoffDelay(0)).toBe(0);
  });

  it("retries a failing run with growing delays, ignores requests meanwhile, reports the outage and its end", async () => {
    vi.useFakeTimers();
    let down = true;
    const at: number[] = [];
    const errors: Array<[number, number]> = [];
    const recovered: number[] = [];
    const t0 = Date.now();
    const r = new CoalescedRunner(
      async () => {
        at.push(Date.now() - t0);
        if (down) throw new Error("Connection terminated unexpectedly");
      },
      () => true,
      { onError: (_e, failures, retryInMs) => errors.push([failures, retryInMs]), onRecovered: (n) => recovered.push(n) },
    );
    r.request();
    await vi.advanceTimersByTimeAsync(0);
    // a resync timer or a watch asking every 10 ms must not make it spin
    for (let t = 0; t < 1600; t += 10) {
      r.request();
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(at).toEqual([0, 100, 300, 700, 1500]);
    expect(errors).toEqual([[1, 100], [2, 200], [3, 400], [4, 800], [5, 1600]]);
    down = false;
    await vi.advanceTimersByTimeAsync(1600);
    expect(at.length).toBe(6);
    expect(recovered).toEqual([5]);
    expect(r.consecutiveFailures).toBe(0);
    // after a success, the next failure starts again from the first delay
    down = true;
    r.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(errors.at(-1)).toEqual([1, 100]);
  });

  it("drops a waiting retry once disabled", async () => {
    vi.useFakeTimers();
    let enabled = true;
    let runs = 0;
    const r = new CoalescedRunner(
      async () => {
        runs++;
        throw new Error("down");
      },
      () => enabled,
      () => {},
    );
    r.request();
    await vi.advanceTimersByTimeAsync(0);
    enabled = false;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs).toBe(1);
  });
});
