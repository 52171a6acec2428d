import { afterEach, describe, expect, it, vi } from "vitest";
import { WorkQueue } from "./workQueue";

/** A handler whose runs wait until released, recording what ran and how many ran at once. */
function gatedHandler() {
  const started: number[] = [];
  const gates = new Map<number, Array<() => void>>();
  let running = 0;
  let most = 0;
  const handler = async (key: number) => {
    started.push(key);
    running++;
    most = Math.max(most, running);
    await new Promise<void>((r) => gates.set(key, [...(gates.get(key) ?? []), r]));
    running--;
  };
  const release = (key: number) => {
    const g = gates.get(key) ?? [];
    gates.delete(key);
    for (const r of g) r();
  };
  return { handler, started, release, releaseAll: () => [...gates.keys()].forEach(release), most: () => most };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

afterEach(() => {
  vi.useRealTimers();
});

describe("WorkQueue", () => {
  it("runs a key queued twice while it waits only once", async () => {
    const g = gatedHandler();
    const q = new WorkQueue<number>(g.handler, { workers: 1 });
    q.start();
    q.add(9); // takes the only worker
    q.add(1);
    q.add(1);
    q.add(2);
    q.add(1);
    expect(q.depth).toBe(2);
    g.release(9);
    await flush();
    g.release(1);
    await flush();
    g.release(2);
    await q.idle();
    expect(g.started).toEqual([9, 1, 2]);
  });

  it("runs a key queued again while it is processed once more after that run, never twice at once", async () => {
    const g = gatedHandler();
    const q = new WorkQueue<number>(g.handler, { workers: 4 });
    q.start();
    q.add(7);
    await flush();
    expect(g.started).toEqual([7]);
    q.add(7);
    q.add(7);
    await flush();
    expect(g.started).toEqual([7]); // not a second concurrent run of 7
    g.release(7);
    await flush();
    expect(g.started).toEqual([7, 7]);
    g.release(7);
    await q.idle();
    expect(g.started).toEqual([7, 7]);
    expect(g.most()).toBe(1);
  });

  it("processes at most `workers` keys at once, in arrival order", async () => {
    const g = gatedHandler();
    const q = new WorkQueue<number>(g.handler, { workers: 2 });
    q.start();
    for (const k of [5, 3, 9, 1]) q.add(k);
    await flush();
    expect(g.started).toEqual([5, 3]);
    expect(q.depth).toBe(2);
    g.release(3);
    await flush();
    expect(g.started).toEqual([5, 3, 9]);
    g.releaseAll();
    await flush();
    g.releaseAll();
    await q.idle();
    expect(g.started).toEqual([5, 3, 9, 1]);
    expect(g.most()).toBe(2);
  });

  it("retries a failing key with its own doubling backoff while other keys carry on, and resets it after a success", async () => {
    vi.useFakeTimers();
    const runs: number[] = [];
    let failUntil = 4; // key 1 fails its first 4 runs
    const errors: Array<[number, number, number]> = [];
    const recovered: Array<[number, number]> = [];
    const q = new WorkQueue<number>(
      async (k) => {
        runs.push(k);
        if (k === 1 && failUntil-- > 0) throw new Error("refused");
      },
      { workers: 1, backoff: { initialMs: 100, maxMs: 400 }, onError: (k, _e, n, ms) => errors.push([k, n, ms]), onRecovered: (k, n) => recovered.push([k, n]) },
    );
    q.start();
    q.add(1);
    q.add(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual([1, 2]); // 2 did not wait for 1's retry
    expect(errors).toEqual([[1, 1, 100]]);
    expect(q.failuresOf(1)).toBe(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(runs).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toEqual([1, 2, 1]);
    await vi.advanceTimersByTimeAsync(200 + 400 + 400);
    expect(errors).toEqual([
      [1, 1, 100],
      [1, 2, 200],
      [1, 3, 400],
      [1, 4, 400], // capped
    ]);
    expect(runs).toEqual([1, 2, 1, 1, 1, 1]);
    expect(recovered).toEqual([[1, 4]]);
    expect(q.failuresOf(1)).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toHaveLength(6); // no retry after the success
  });

  it("an add while a retry waits runs the key at once (an event is news) and keeps its failure count", async () => {
    vi.useFakeTimers();
    const runs: number[] = [];
    const errors: number[] = [];
    const q = new WorkQueue<number>(
      async (k) => {
        runs.push(k);
        throw new Error("still failing");
      },
      { workers: 1, backoff: { initialMs: 1000, maxMs: 10_000 }, onError: (_k, _e, n) => errors.push(n) },
    );
    q.start();
    q.add(1);
    await vi.advanceTimersByTimeAsync(0);
    q.add(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual([1, 1]);
    expect(errors).toEqual([1, 2]);
  });

  it("stop: waits for the run in progress, drops waiting keys and retries, ignores adds", async () => {
    vi.useFakeTimers();
    const runs: number[] = [];
    let release: () => void = () => {};
    const q = new WorkQueue<number>(
      async (k) => {
        runs.push(k);
        if (k === 1) await new Promise<void>((r) => (release = r));
        if (k === 9) throw new Error("boom");
      },
      { workers: 1, backoff: { initialMs: 10, maxMs: 10 } },
    );
    q.start();
    q.add(9); // fails: a retry waits
    await vi.advanceTimersByTimeAsync(0);
    q.add(1);
    q.add(2);
    q.add(3);
    expect(runs).toEqual([9, 1]);
    let stopped = false;
    const stopping = q.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false); // key 1 still runs
    release();
    await stopping;
    q.add(6);
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toEqual([9, 1]); // neither the waiting keys, nor 9's retry, nor the add after stop
    expect(q.depth).toBe(0);
  });
});
