// Node names kept ordered by (free CPU, free memory, name): the best-fit order.
// Binary search finds the first node with enough free CPU, so a placement
// looks at the few nodes that could fit instead of scanning them all.

export interface FitKey {
  freeCpu: number;
  freeMemory: number;
  name: string;
}

export const compareFit = (a: FitKey, b: FitKey): number => a.freeCpu - b.freeCpu || a.freeMemory - b.freeMemory || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Keys may carry more than the order (placement keeps its node state on them); the order reads only FitKey. */
export class SortedNodes<K extends FitKey = FitKey> {
  private readonly keys: K[] = [];

  get size(): number {
    return this.keys.length;
  }

  private lowerBound(k: FitKey): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareFit(this.keys[mid]!, k) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(k: K): void {
    this.keys.splice(this.lowerBound(k), 0, { ...k });
  }

  remove(k: FitKey): void {
    const i = this.lowerBound(k);
    const at = this.keys[i];
    if (at && compareFit(at, k) === 0) this.keys.splice(i, 1);
  }

  /** Names in best-fit order, starting at the first with at least `minCpu` free. */
  *from(minCpu: number): Generator<string> {
    for (let i = this.startOf(minCpu); i < this.keys.length; i++) yield this.keys[i]!.name;
  }

  /** The position of the first key with at least `minCpu` free; with at(), a scan without a generator (the hot path). */
  startOf(minCpu: number): number {
    return this.lowerBound({ freeCpu: minCpu, freeMemory: -Infinity, name: "" });
  }

  /** The key at a position in best-fit order (undefined past the end). */
  at(i: number): K | undefined {
    return this.keys[i];
  }
}
