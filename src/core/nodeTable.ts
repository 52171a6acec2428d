// The numbers the filters read of every node, in flat typed arrays indexed by a
// slot per node. Explaining why a pod fits nowhere visits every node; reading
// these arrays in order instead of one object (and its snapshot) per node keeps
// that scan within the memory it must touch: at 5,000 nodes it is what lets a
// failed decision cost about as much as a placed one.

/** A node as the table is told about it (placement's node state has these fields). */
export interface NodeNumbers {
  unschedulable: boolean;
  allocCpu: number;
  usedCpu: number;
  allocMemory: number;
  usedMemory: number;
  allocPods: number;
  usedPods: number;
  /** how many tenants hold pods on the node, and the one tenant's id when exactly one does */
  tenantCount: number;
  soleTenant: number;
  /** the node's class (placement's taints-and-extended-resources class), by ordinal */
  classOrdinal: number;
}

/** Slot states: free, a schedulable node, an unschedulable (cordoned) node. */
export const FREE = 0;
export const SCHEDULABLE = 1;
export const UNSCHEDULABLE = 2;

export class NodeTable<T> {
  /** one past the highest slot ever used */
  size = 0;
  state = new Uint8Array(0);
  allocCpu = new Float64Array(0);
  usedCpu = new Float64Array(0);
  allocMemory = new Float64Array(0);
  usedMemory = new Float64Array(0);
  allocPods = new Float64Array(0);
  usedPods = new Float64Array(0);
  tenantCount = new Int32Array(0);
  soleTenant = new Int32Array(0);
  classOrdinal = new Int32Array(0);
  /** what each slot holds (undefined when free) */
  readonly items: Array<T | undefined> = [];
  private readonly free: number[] = [];

  /** Take a slot for `item`; its numbers are written with `write`. */
  add(item: T): number {
    const slot = this.free.pop() ?? this.size++;
    if (slot >= this.state.length) this.grow(Math.max(64, this.state.length * 2));
    this.items[slot] = item;
    this.state[slot] = SCHEDULABLE;
    return slot;
  }

  remove(slot: number): void {
    if (this.items[slot] === undefined) return;
    this.items[slot] = undefined;
    this.state[slot] = FREE;
    this.free.push(slot);
  }

  write(slot: number, n: NodeNumbers): void {
    this.state[slot] = n.unschedulable ? UNSCHEDULABLE : SCHEDULABLE;
    this.allocCpu[slot] = n.allocCpu;
    this.usedCpu[slot] = n.usedCpu;
    this.allocMemory[slot] = n.allocMemory;
    this.usedMemory[slot] = n.usedMemory;
    this.allocPods[slot] = n.allocPods;
    this.usedPods[slot] = n.usedPods;
    this.tenantCount[slot] = n.tenantCount;
    this.soleTenant[slot] = n.soleTenant;
    this.classOrdinal[slot] = n.classOrdinal;
  }

  private grow(capacity: number): void {
    const copy = <A extends Uint8Array | Float64Array | Int32Array>(a: A, make: (n: number) => A): A => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.state = copy(this.state, (n) => new Uint8Array(n));
    this.allocCpu = copy(this.allocCpu, (n) => new Float64Array(n));
    this.usedCpu = copy(this.usedCpu, (n) => new Float64Array(n));
    this.allocMemory = copy(this.allocMemory, (n) => new Float64Array(n));
    this.usedMemory = copy(this.usedMemory, (n) => new Float64Array(n));
    this.allocPods = copy(this.allocPods, (n) => new Float64Array(n));
    this.usedPods = copy(this.usedPods, (n) => new Float64Array(n));
    this.tenantCount = copy(this.tenantCount, (n) => new Int32Array(n));
    this.soleTenant = copy(this.soleTenant, (n) => new Int32Array(n));
    this.classOrdinal = copy(this.classOrdinal, (n) => new Int32Array(n));
  }
}
