// Micro-benchmark of the placement core: placement decisions per second at
// 5,000 nodes, multi-tenant on and off, in one run, against a naive baseline
// that scans every node for every pod. Both see the same cluster, the same
// warm-up state and the same job stream, and must make the same decisions.
// Run: npm run bench   (bounded: every timed phase stops at its time budget)
import os from "node:os";
import { disqualifiedByTenant, fits, PlacementState, selectorMatches, taintsTolerated, type BoundPod, type NodeSnapshot, type PlacementOptions, type PodToPlace } from "../src/core/placement";

const NODES = 5_000;
const NODE_CORES = 64;
const NODE_MEMORY_GI = 256;
const GPU_NODE_SHARE = 0.1;
const ZONES = 4;
const TENANTS = 200;
const TARGET_UTILIZATION = 0.6;
const DECISIONS = 30_000;
const NAIVE_DECISIONS = 3_000;
const PHASE_BUDGET_MS = 14_000;
const SEED = 20261125;

const Gi = 2 ** 30;
const GPU = "nvidia.com/gpu";
/** pod sizes in cores, with weights: mostly fractional nodes, a few whole ones */
const POD_CORES: Array<[number, number]> = [
  [0.5, 3],
  [1, 3],
  [2, 3],
  [4, 2],
  [8, 2],
  [16, 1],
  [32, 1],
  [64, 0.3],
];

/** mulberry32: small, seeded, good enough for a workload */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeNodes(): NodeSnapshot[] {
  const r = rng(SEED);
  return Array.from({ length: NODES }, (_, i) => {
    const name = `node-${String(i).padStart(4, "0")}`;
    const gpu = r() < GPU_NODE_SHARE;
    return {
      name,
      allocatable: { cpu: NODE_CORES * 1000, memory: NODE_MEMORY_GI * Gi, pods: 110, ...(gpu ? { [GPU]: 8 } : {}) },
      labels: { "kubernetes.io/hostname": name, zone: `z${i % ZONES}` },
      taints: gpu ? [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] : [],
      unschedulable: false,
    };
  });
}

function makeJobs(count: number, seed: number, prefix: string): PodToPlace[][] {
  const r = rng(seed);
  const total = POD_CORES.reduce((s, [, w]) => s + w, 0);
  const cores = () => {
    let x = r() * total;
    for (const [c, w] of POD_CORES) if ((x -= w) < 0) return c;
    return POD_CORES[0]![0];
  };
  return Array.from({ length: count }, (_, i) => {
    const tenant = `tenant-${Math.floor(r() * TENANTS)}`;
    const c = cores();
    const gpus = r() < 0.05 ? 1 + Math.floor(r() * 4) : 0;
    const zone = r() < 0.25 ? { zone: `z${Math.floor(r() * ZONES)}` } : undefined;
    const n = 1 + Math.floor(r() * 4);
    return Array.from({ length: n }, (_, j) => ({
      key: `jobs/${prefix}${i}-${j}`,
      tenant,
      requests: { cpu: c * 1000, memory: c * 4 * Gi, ...(gpus ? { [GPU]: gpus } : {}) },
      nodeSelector: zone,
      tolerations: gpus ? [{ key: "dedicated", operator: "Equal" as const, value: "gpu" }] : undefined,
    }));
  });
}

interface Placer {
  upsertNode(n: NodeSnapshot): void;
  bind(p: BoundPod): void;
  unbind(key: string): void;
  placeJob(pods: readonly PodToPlace[], opts: PlacementOptions): Outcome;
}
/** what the bench compares of a decision */
type Outcome = { placed: true; bindings: Array<{ pod: string; node: string }> } | { placed: false };

/** The baseline: the same filters and score, every node scanned for every pod. */
class NaivePlacer implements Placer {
  private readonly nodes: Array<{ info: NodeSnapshot; used: Record<string, number>; tenants: Map<string, number> }> = [];
  private readonly byName = new Map<string, (typeof this.nodes)[number]>();
  private readonly pods = new Map<string, BoundPod>();

  upsertNode(info: NodeSnapshot): void {
    const s = { info, used: {}, tenants: new Map<string, number>() };
    this.nodes.push(s);
    this.byName.set(info.name, s);
  }
  private account(p: BoundPod, sign: 1 | -1): void {
    const s = this.byName.get(p.node)!;
    for (const [r, q] of Object.entries(p.requests)) s.used[r] = (s.used[r] ?? 0) + sign * q;
    s.used.pods = (s.used.pods ?? 0) + sign;
    if (p.tenant !== undefined) {
      const n = (s.tenants.get(p.tenant) ?? 0) + sign;
      if (n > 0) s.tenants.set(p.tenant, n);
      else s.tenants.delete(p.tenant);
    }
  }
  bind(p: BoundPod): void {
    this.pods.set(p.key, p);
    this.account(p, 1);
  }
  unbind(key: string): void {
    const p = this.pods.get(key);
    if (!p) return;
    this.pods.delete(key);
    this.account(p, -1);
  }
  placeJob(pods: readonly PodToPlace[], opts: PlacementOptions): Outcome {
    const bindings: Array<{ pod: string; node: string }> = [];
    for (const pod of pods) {
      let best: (typeof this.nodes)[number] | undefined;
      let bestCpu = Infinity;
      let bestMem = Infinity;
      for (const s of this.nodes) {
        if (s.info.unschedulable || !fits(s.info.allocatable, s.used, pod.requests) || !selectorMatches(s.info.labels, pod.nodeSelector) || !taintsTolerated(s.info.taints, pod.tolerations)) continue;
        if (opts.multiTenant && disqualifiedByTenant(s.tenants, pod.tenant).length > 0) continue;
        const cpu = (s.info.allocatable.cpu ?? 0) - (s.used.cpu ?? 0);
        const mem = (s.info.allocatable.memory ?? 0) - (s.used.memory ?? 0);
        if (cpu < bestCpu || (cpu === bestCpu && (mem < bestMem || (mem === bestMem && s.info.name < best!.info.name)))) {
          best = s;
          bestCpu = cpu;
          bestMem = mem;
        }
      }
      if (!best) {
        for (const b of bindings) this.unbind(b.pod);
        return { placed: false };
      }
      this.bind({ key: pod.key, node: best.info.name, requests: pod.requests, tenant: pod.tenant });
      bindings.push({ pod: pod.key, node: best.info.name });
    }
    return { placed: true, bindings };
  }
}

/** Jobs running, oldest first, and the CPU they hold: completions keep utilization steady. */
class Churn {
  readonly live: PodToPlace[][] = [];
  usedCpu = 0;
  private head = 0;
  constructor(private readonly capacityCpu: number) {}

  get utilization(): number {
    return this.usedCpu / this.capacityCpu;
  }
  add(job: PodToPlace[]): void {
    this.live.push(job);
    for (const p of job) this.usedCpu += p.requests.cpu ?? 0;
  }
  /** complete the oldest jobs until utilization is back at the target */
  drain(p: Placer): void {
    while (this.utilization > TARGET_UTILIZATION && this.head < this.live.length) {
      const job = this.live[this.head++]!;
      for (const pod of job) {
        p.unbind(pod.key);
        this.usedCpu -= pod.requests.cpu ?? 0;
      }
    }
  }
  clone(): Churn {
    const c = new Churn(this.capacityCpu);
    c.live.push(...this.live.slice(this.head));
    c.usedCpu = this.usedCpu;
    return c;
  }
  bound(): PodToPlace[] {
    return this.live.slice(this.head).flat();
  }
}

/** GPU jobs (few nodes qualify), zone-pinned jobs, the rest */
const kindOf = (job: PodToPlace[]) => (job[0]!.requests[GPU] ? "GPU" : job[0]!.nodeSelector ? "zone-pinned" : "plain");

/** One placer working through the job stream, with what it measured so far. */
class Run {
  next = 0;
  ms = 0;
  /** CPU time of this process (user + system): steadier than wall-clock on a shared machine */
  cpuMs = 0;
  placed = 0;
  podsPlaced = 0;
  readonly outcomes: string[] = [];
  readonly byKind = new Map<string, { decisions: number; ms: number }>();

  constructor(
    readonly label: string,
    private readonly placer: Placer,
    private readonly churn: Churn,
    private readonly opts: PlacementOptions,
    readonly limit: number,
  ) {}

  get decisions(): number {
    return this.next;
  }
  get done(): boolean {
    return this.next >= this.limit;
  }
  get utilization(): number {
    return this.churn.utilization;
  }

  /** up to `n` more decisions: complete the oldest jobs down to the target, then place the next job */
  step(jobs: PodToPlace[][], n: number): void {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let end = Math.min(this.limit, this.next + n); this.next < end; this.next++) {
      this.churn.drain(this.placer);
      const job = jobs[this.next]!;
      const k0 = performance.now();
      const d = this.placer.placeJob(job, this.opts);
      const kind = this.byKind.get(kindOf(job)) ?? { decisions: 0, ms: 0 };
      kind.decisions++;
      kind.ms += performance.now() - k0;
      this.byKind.set(kindOf(job), kind);
      if (d.placed) {
        this.churn.add(job);
        this.placed++;
        this.podsPlaced += job.length;
        this.outcomes.push(d.bindings.map((b) => b.node).join(","));
      } else this.outcomes.push("-");
    }
    this.ms += performance.now() - t0;
    const c = process.cpuUsage(c0);
    this.cpuMs += (c.user + c.system) / 1000;
  }
}

const perSecond = (r: Run) => (r.decisions / r.ms) * 1000;
const perCpuSecond = (r: Run) => (r.decisions / r.cpuMs) * 1000;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** Fill a fresh cluster to the target; the naive baseline starts from exactly the same bindings. */
function setUp(multiTenant: boolean, nodes: NodeSnapshot[], warmup: PodToPlace[][]): { indexed: Run; naive: Run } {
  const label = multiTenant ? "multi-tenant on " : "multi-tenant off";
  const opts: PlacementOptions = { multiTenant };
  const indexed = new PlacementState();
  for (const n of nodes) indexed.upsertNode(n);
  const churn = new Churn(NODES * NODE_CORES * 1000);
  const t0 = performance.now();
  let jobs = 0;
  let failed = 0;
  for (const job of warmup) {
    if (churn.utilization >= TARGET_UTILIZATION) break;
    jobs++;
    if (indexed.placeJob(job, opts).placed) churn.add(job);
    else failed++;
    if (jobs % 5_000 === 0) console.log(`  [${label}] warm-up: ${fmt(jobs)} jobs, utilization ${(churn.utilization * 100).toFixed(0)}%`);
  }
  const bound = churn.bound();
  console.log(`  [${label}] warm-up: ${fmt(jobs)} jobs (${fmt(failed)} not placed), ${fmt(bound.length)} pods bound, utilization ${(churn.utilization * 100).toFixed(1)}% in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const naive = new NaivePlacer();
  for (const n of nodes) naive.upsertNode(n);
  for (const p of bound) naive.bind({ key: p.key, node: indexed.nodeOf(p.key)!, requests: p.requests, tenant: p.tenant });
  return { indexed: new Run(`${label} indexed`, indexed, churn, opts, DECISIONS), naive: new Run(`${label} naive  `, naive, churn.clone(), opts, NAIVE_DECISIONS) };
}

/** Alternate chunks between the runs (so load, JIT and GC drift hit each mode alike) until all are done or the budget is spent. */
function alternate(runs: Run[], jobs: PodToPlace[][], chunk: number): void {
  const t0 = performance.now();
  let lastReport = t0;
  while (runs.some((r) => !r.done) && performance.now() - t0 < PHASE_BUDGET_MS) {
    for (const r of runs) r.step(jobs, chunk);
    if (performance.now() - lastReport > 1_500) {
      lastReport = performance.now();
      console.log(`    ${((lastReport - t0) / 1000).toFixed(1)} s: ${runs.map((r) => `${r.label.trim()} ${r.decisions}/${r.limit} (utilization ${(r.utilization * 100).toFixed(0)}%)`).join(", ")}`);
    }
  }
  if (runs.some((r) => !r.done)) console.log(`    time budget of ${PHASE_BUDGET_MS / 1000} s reached, stopping`);
}

function main(): void {
  const cpus = os.cpus();
  console.log("Paddock placement micro-benchmark");
  console.log(`  Node ${process.version}, ${os.availableParallelism?.() ?? cpus.length} CPUs (${cpus[0]?.model.trim() ?? "unknown"}), ${os.platform()}/${os.arch()}, load average ${os.loadavg()[0]!.toFixed(1)}`);
  console.log(`  cluster: ${fmt(NODES)} nodes of ${NODE_CORES} cores / ${NODE_MEMORY_GI}Gi / 110 pods, ${GPU_NODE_SHARE * 100}% of them with 8 GPUs and a NoSchedule taint, ${ZONES} zones`);
  console.log(`  workload: ${TENANTS} tenants; jobs of 1-4 pods of ${POD_CORES.map(([c]) => c).join("/")} cores (4Gi per core), 5% GPU jobs (tolerate the taint), 25% pinned to a zone`);
  console.log(`  warm-up to ${TARGET_UTILIZATION * 100}% of CPU, then each decision = place one job (gang); the oldest jobs complete (unbind) to keep utilization at ${TARGET_UTILIZATION * 100}%`);
  console.log(`  timed: up to ${fmt(DECISIONS)} decisions per mode indexed, ${fmt(NAIVE_DECISIONS)} naive (linear scan of every node per pod); modes alternate in chunks; ${PHASE_BUDGET_MS / 1000} s budget per phase; seed ${SEED}`);

  const t0 = performance.now();
  const nodes = makeNodes();
  const warmup = makeJobs(40_000, SEED + 1, "w");
  const jobs = makeJobs(DECISIONS, SEED + 2, "j");
  console.log("\nWarm-up");
  const off = setUp(false, nodes, warmup);
  const on = setUp(true, nodes, warmup);
  console.log("\nTimed: indexed, multi-tenant off and on alternating");
  alternate([off.indexed, on.indexed], jobs, 500);
  console.log("\nTimed: naive linear scan, multi-tenant off and on alternating");
  alternate([off.naive, on.naive], jobs, 20);

  console.log("\nResults (a decision places a whole job or rejects it; /s per wall-clock second, /cpu-s per CPU-second of this process)");
  let mismatches = 0;
  for (const { indexed: f, naive: n } of [off, on]) {
    console.log(`  ${f.label}: ${fmt(perSecond(f))}/s, ${fmt(perCpuSecond(f))}/cpu-s (${f.decisions} decisions, ${((f.placed / f.decisions) * 100).toFixed(1)}% placed, ${fmt((f.podsPlaced / f.ms) * 1000)} pods/s)`);
    console.log(`  ${n.label}: ${fmt(perSecond(n))}/s, ${fmt(perCpuSecond(n))}/cpu-s (${n.decisions} decisions); indexed speed-up x${(perSecond(f) / perSecond(n)).toFixed(1)} wall, x${(perCpuSecond(f) / perCpuSecond(n)).toFixed(1)} cpu`);
    const kinds = (r: Run) => [...r.byKind].sort().map(([k, v]) => `${k} ${((v.ms * 1000) / v.decisions).toFixed(0)} µs (${v.decisions})`).join(", ");
    console.log(`    wall time per decision by kind: indexed ${kinds(f)}; naive ${kinds(n)}`);
    const compared = Math.min(f.decisions, n.decisions);
    const mismatch = f.outcomes.slice(0, compared).findIndex((o, i) => o !== n.outcomes[i]);
    console.log(`    same decisions as the naive scan: ${mismatch < 0 ? `yes (${compared} compared)` : `NO, first difference at decision ${mismatch}`}`);
    if (mismatch >= 0) mismatches++;
  }
  const ratio = (f: (r: Run) => number, pick: (m: typeof on) => Run) => (f(pick(on)) / f(pick(off))).toFixed(2);
  console.log(`  ratio multi-tenant on/off, indexed: ${ratio(perSecond, (m) => m.indexed)} wall, ${ratio(perCpuSecond, (m) => m.indexed)} cpu`);
  console.log(`  ratio multi-tenant on/off, naive:   ${ratio(perSecond, (m) => m.naive)} wall, ${ratio(perCpuSecond, (m) => m.naive)} cpu`);
  console.log(`  load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} (figures are noisy when it exceeds the CPU count)`);
  console.log(`  total run time ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (mismatches > 0) process.exitCode = 1;
}

main();
