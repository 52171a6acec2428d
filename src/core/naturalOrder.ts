// Names sorted as people read them: digit runs compare by value, so machine
// types list n4, n8, n16 (not n16, n4, n8) and the first is the smallest.

const DIGITS = /(\d+)/;

/** Negative, zero or positive as `a` sorts before, with or after `b`; ties on value fall back to plain order. */
export function naturalCompare(a: string, b: string): number {
  const x = a.split(DIGITS);
  const y = b.split(DIGITS);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (p === q) continue;
    // odd parts are the digit runs
    if (i % 2 === 1) {
      const d = BigInt(p) - BigInt(q);
      if (d !== 0n) return d < 0n ? -1 : 1;
      continue;
    }
    return p < q ? -1 : 1;
  }
  if (x.length !== y.length) return x.length - y.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
