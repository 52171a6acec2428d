// Node names kept ordered by (free CPU, free memory, name): the best-fit order.
// Binary search finds the first node with enough free CPU, so a placement
// looks at the few nodes that could fit instead of scanning them all.

export interface FitKey {
  freeCpu: number;
  freeMemory: number;
  name: string;
}

export const compareFit = (a: FitKey, b: FitKey): number => a.freeCpu - b.freeCpu || a.freeMemory - b.freeMemory || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Keys may carry more than the order (placement keeps its node state on them);
 * the order reads only FitKey. A key is stored as given, not copied: the caller
 * must not change its FitKey fields while it is inserted (placement makes a new
 * key each time a node's free resources change). Kept in sorted chunks of at most 2 x `chunk`
 * keys, so an insert or remove moves O(chunk) keys, not O(nodes): a pod bound
 * or unbound re-files its node in a few indexes on every informer event.
 */
export class SortedNodes<K extends FitKey = FitKey> {
  private readonly chunks: K[][] = [];
  private count = 0;

  constructor(private readonly chunk = 64) {}

  get size(): number {
    return this.count;
  }

  /** The first chunk whose last key is >= k (the last chunk when none is). */
  private chunkFor(k: FitKey): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.chunks[mid]!;
      if (compareFit(c[c.length - 1]!, k) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private static lowerBound(keys: readonly FitKey[], k: FitKey): number {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareFit(keys[mid]!, k) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(k: K): void {
    this.count++;
    if (this.chunks.length === 0) {
      this.chunks.push([k]);
      return;
    }
    const ci = this.chunkFor(k);
    const c = this.chunks[ci]!;
    c.splice(SortedNodes.lowerBound(c, k), 0, k);
    if (c.length > 2 * this.chunk) this.chunks.splice(ci + 1, 0, c.splice(this.chunk));
  }

  remove(k: FitKey): void {
    if (this.chunks.length === 0) return;
    const ci = this.chunkFor(k);
    const c = this.chunks[ci]!;
    const i = SortedNodes.lowerBound(c, k);
    const at = c[i];
    if (!at || compareFit(at, k) !== 0) return;
    c.splice(i, 1);
    this.count--;
    if (c.length === 0) this.chunks.splice(ci, 1);
  }

  /**
   * Visit keys in best-fit order from the first with at least `minCpu` free,
   * until `stop` returns true; returns that key (undefined if none stopped).
   */
  scan(minCpu: number, stop: (k: K) => boolean): K | undefined {
    if (this.chunks.length === 0) return undefined;
    const start: FitKey = { freeCpu: minCpu, freeMemory: -Infinity, name: "" };
    let ci = this.chunkFor(start);
    let i = SortedNodes.lowerBound(this.chunks[ci]!, start);
    for (; ci < this.chunks.length; ci++, i = 0) {
      const c = this.chunks[ci]!;
      for (; i < c.length; i++) if (stop(c[i]!)) return c[i];
    }
    return undefined;
  }

  /** Names in best-fit order, starting at the first with at least `minCpu` free. */
  *from(minCpu: number): Generator<string> {
    const names: string[] = [];
    this.scan(minCpu, (k) => {
      names.push(k.name);
      return false;
    });
    yield* names;
  }
}
