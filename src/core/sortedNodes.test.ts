import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareFit, SortedNodes, type FitKey } from "./sortedNodes";

const key = (name: string, freeCpu: number, freeMemory = 0): FitKey => ({ freeCpu, freeMemory, name });
const sorted = (...keys: FitKey[]) => {
  const s = new SortedNodes();
  for (const k of keys) s.insert(k);
  return s;
};
const from = (s: SortedNodes, minCpu: number) => [...s.from(minCpu)];

describe("compareFit: the best-fit order", () => {
  it.each([
    { a: key("x", 1000, 9), b: key("a", 2000, 0), want: "<", why: "less free CPU first, whatever the memory or name" },
    { a: key("x", 1000, 1), b: key("a", 1000, 2), want: "<", why: "equal CPU: less free memory first" },
    { a: key("a", 1000, 2), b: key("b", 1000, 2), want: "<", why: "equal CPU and memory: by name" },
    { a: key("a", 1000, 2), b: key("a", 1000, 2), want: "=", why: "the same key" },
    { a: key("a", -500, 0), b: key("a", 0, 0), want: "<", why: "over-committed (negative free) nodes sort first" },
  ])("$why", ({ a, b, want }) => {
    const c = compareFit(a, b);
    const back = compareFit(b, a);
    if (want === "=") expect([c, back]).toEqual([0, 0]);
    else expect([Math.sign(c), Math.sign(back)]).toEqual([-1, 1]);
  });
});

describe("SortedNodes", () => {
  it("yields names in best-fit order whatever the insertion order", () => {
    const s = sorted(key("c", 4000, 1), key("a", 8000, 0), key("b", 4000, 1), key("d", 4000, 0), key("e", 1000, 99));
    expect(from(s, 0)).toEqual(["e", "d", "b", "c", "a"]);
    expect(s.size).toBe(5);
  });

  it("starts at the first node with at least the requested free CPU (equal counts)", () => {
    const s = sorted(key("a", 1000), key("b", 2000), key("c", 2000, 5), key("d", 3000));
    expect(from(s, 2000)).toEqual(["b", "c", "d"]);
    expect(from(s, 1001)).toEqual(["b", "c", "d"]);
    expect(from(s, 3001)).toEqual([]);
    expect(from(new SortedNodes(), 0)).toEqual([]);
  });

  it("reaches over-committed nodes only when asked from -Infinity", () => {
    const s = sorted(key("over", -100), key("ok", 0));
    expect(from(s, 0)).toEqual(["ok"]);
    expect(from(s, -Infinity)).toEqual(["over", "ok"]);
  });

  it("removes exactly the key given; a stale or unknown key is a no-op", () => {
    const s = sorted(key("a", 1000, 1), key("b", 1000, 1), key("c", 2000));
    s.remove(key("b", 1000, 2)); // stale: b's memory differs
    s.remove(key("zz", 1000, 1));
    expect(from(s, 0)).toEqual(["a", "b", "c"]);
    s.remove(key("b", 1000, 1));
    expect(from(s, 0)).toEqual(["a", "c"]);
    s.remove(key("b", 1000, 1));
    expect(s.size).toBe(2);
  });

  it("scan stops at the first key the visitor accepts and returns it", () => {
    const s = new SortedNodes(1);
    for (const k of [key("a", 1000), key("b", 2000), key("c", 3000), key("d", 4000)]) s.insert(k);
    const seen: string[] = [];
    expect(s.scan(1500, (k) => (seen.push(k.name), k.freeCpu >= 3000))?.name).toBe("c");
    expect(seen).toEqual(["b", "c"]);
    expect(s.scan(0, () => false)).toBeUndefined();
    expect(new SortedNodes().scan(0, () => true)).toBeUndefined();
  });

  it("stores the key it is given (no copy: placement finds its node state on the key a scan returns)", () => {
    const k = key("a", 1000);
    const s = sorted(k, key("b", 2000));
    expect(s.scan(0, () => true)).toBe(k);
    s.remove(key("a", 1000));
    expect(from(s, 0)).toEqual(["b"]);
  });

  it.each([1, 2, 64])("matches a sorted array under random inserts and removes, chunks of %i (seeded)", (chunk) => {
    const op = fc.record({ insert: fc.boolean(), name: fc.constantFrom("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"), cpu: fc.integer({ min: -2, max: 4 }), mem: fc.integer({ min: 0, max: 2 }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: -3, max: 5 }), (ops, minCpu) => {
        const s = new SortedNodes(chunk);
        const ref = new Map<string, FitKey>();
        for (const o of ops) {
          const k = key(o.name, o.cpu * 1000, o.mem);
          const old = ref.get(o.name);
          // Callers insert a name at most once and remove it by its current key.
          if (o.insert && !old) {
            s.insert(k);
            ref.set(o.name, k);
          } else if (!o.insert && old) {
            s.remove(old);
            ref.delete(o.name);
          }
        }
        const want = [...ref.values()].sort(compareFit);
        expect(from(s, -Infinity)).toEqual(want.map((k) => k.name));
        expect(from(s, minCpu * 1000)).toEqual(want.filter((k) => k.freeCpu >= minCpu * 1000).map((k) => k.name));
        expect(s.size).toBe(ref.size);
      }),
      { seed: 20261125, numRuns: 300 },
    );
  });
});
