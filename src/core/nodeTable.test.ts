import { describe, expect, it } from "vitest";
import { FREE, NodeTable, SCHEDULABLE, UNSCHEDULABLE, type NodeNumbers } from "./nodeTable";

const numbers = (over: Partial<NodeNumbers> = {}): NodeNumbers => ({
  unschedulable: false,
  allocCpu: 16_000,
  usedCpu: 0,
  allocMemory: 64 * 2 ** 30,
  usedMemory: 0,
  allocPods: 110,
  usedPods: 0,
  tenantCount: 0,
  soleTenant: -1,
  classOrdinal: 0,
  ...over,
});

describe("NodeTable", () => {
  it("keeps each slot's numbers as written, across growth", () => {
    const t = new NodeTable<string>();
    const slots = Array.from({ length: 200 }, (_, i) => {
      const slot = t.add(`n${i}`);
      t.write(slot, numbers({ usedCpu: i * 500, usedMemory: i * 2 ** 30, allocPods: Infinity, tenantCount: i % 3, soleTenant: i % 3 === 1 ? i : -1, classOrdinal: i % 2, unschedulable: i % 7 === 0 }));
      return slot;
    });
    expect(t.size).toBe(200);
    slots.forEach((slot, i) => {
      expect(t.items[slot]).toBe(`n${i}`);
      expect(t.usedCpu[slot]).toBe(i * 500);
      expect(t.usedMemory[slot]).toBe(i * 2 ** 30);
      expect(t.allocPods[slot]).toBe(Infinity);
      expect(t.soleTenant[slot]).toBe(i % 3 === 1 ? i : -1);
      expect(t.classOrdinal[slot]).toBe(i % 2);
      expect(t.state[slot]).toBe(i % 7 === 0 ? UNSCHEDULABLE : SCHEDULABLE);
    });
  });

  it("frees a removed node's slot and reuses it for the next node", () => {
    const t = new NodeTable<string>();
    const a = t.add("a");
    const b = t.add("b");
    t.remove(a);
    expect(t.state[a]).toBe(FREE);
    expect(t.items[a]).toBeUndefined();
    t.remove(a); // twice: still one free slot
    const c = t.add("c");
    expect(c).toBe(a);
    expect(t.add("d")).toBe(2);
    expect(t.items[b]).toBe("b");
    expect(t.size).toBe(3);
  });
});
