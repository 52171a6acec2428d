import { describe, expect, it } from "vitest";
import { Batcher } from "./batcher";

/** A run that records its batches and answers when `release()` is called (or at once). */
function recorder(opts: { hold?: boolean; fail?: (items: number[]) => boolean } = {}) {
  const batches: number[][] = [];
  let releases: Array<() => void> = [];
  const run = async (items: number[]) => {
    batches.push(items);
    if (opts.hold) await new Promise<void>((r) => releases.push(r));
    if (opts.fail?.(items)) throw new Error(`poisoned ${items.join(",")}`);
    return items.map((i) => i * 10);
  };
  const release = () => {
    const r = releases;
    releases = [];
    for (const f of r) f();
  };
  return { batches, run, release };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("Batcher", () => {
  it("sends a lone item on its own, on the next turn of the event loop", async () => {
    const r = recorder();
    const b = new Batcher(r.run);
    await expect(b.add(4)).resolves.toBe(40);
    expect(r.batches).toEqual([[4]]);
  });

  it("puts items added in one turn into one batch, each caller getting its own answer", async () => {
    const r = recorder();
    const b = new Batcher(r.run);
    await expect(Promise.all([b.add(1), b.add(2), b.add(3)])).resolves.toEqual([10, 20, 30]);
    expect(r.batches).toEqual([[1, 2, 3]]);
  });

  it("keeps one batch in flight: items arriving meanwhile go out together after it", async () => {
    const r = recorder({ hold: true });
    const b = new Batcher(r.run);
    const first = b.add(1);
    await tick();
    expect(r.batches).toEqual([[1]]);
    const later = [b.add(2), b.add(3), b.add(4)];
    await tick();
    expect(r.batches).toHaveLength(1); // nothing sent while the first is in flight
    expect(b.depth).toBe(3);
    r.release();
    await expect(first).resolves.toBe(10);
    await tick();
    expect(r.batches).toEqual([[1], [2, 3, 4]]);
    r.release();
    await expect(Promise.all(later)).resolves.toEqual([20, 30, 40]);
  });

  it("splits at maxBatch", async () => {
    const r = recorder();
    const b = new Batcher(r.run, { maxBatch: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((i) => b.add(i)));
    expect(r.batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it("retries a failed batch item by item: only the poisoned item's caller fails", async () => {
    const r = recorder({ fail: (items) => items.includes(2) });
    const b = new Batcher(r.run);
    const out = await Promise.allSettled([b.add(1), b.add(2), b.add(3)]);
    expect(out.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((out[1] as PromiseRejectedResult).reason).toMatchObject({ message: "poisoned 2" });
    expect(r.batches).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it("fails every caller of a batch answered with the wrong number of results, and goes on", async () => {
    let calls = 0;
    const b = new Batcher(async (items: number[]) => (calls++ === 0 ? [1] : items));
    const out = await Promise.allSettled([b.add(1), b.add(2)]);
    expect(out.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    await expect(b.add(7)).resolves.toBe(7);
  });
});
