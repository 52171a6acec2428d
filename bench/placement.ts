// Micro-benchmark of the placement core as the long-lived scheduler cache runs
// it: one placement state at 5,000 nodes kept across decisions, with a steady
// stream of incremental events between them (pods finishing -> unbind, the
// informer confirming reservations -> bind, node updates and cordons ->
// upsertNode). It prints decisions/s and the latency of each decision
// (p50/p99/max), multi-tenant on and off, against a naive baseline that scans
// every node for every pod. Both see the same cluster, the same warm-up state,
// the same events and job stream, and must make the same decisions.
// Run: npx tsx bench/placement.ts [--no-naive] [--count-disqualified]   (bounded: every timed phase stops at its time budget)
//   --count-disqualified: multi-tenant decisions also count the better fits disqualified by tenant (the metric's scan)
// Goal (issue 11): >= 20,000 decisions/s and p99 < 1 ms per decision.
import os from "node:os";
import { disqualifiedByTenant, fits, PlacementState, selectorMatches, taintsTolerated, type BoundPod, type NodeSnapshot, type PlacementOptions, type PodToPlace } from "../src/core/placement";
import { rng } from "../test/rng";

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
/** informer events between decisions: a node update every decision, a cordon (and uncordon) every CORDON_EVERY */
const NODE_UPDATES_PER_DECISION = 1;
const CORDON_EVERY = 200;
/** the informer confirms a job's reservations (bind again) this many decisions after it was placed */
const CONFIRM_AFTER = 3;
const GOAL_PER_SECOND = 20_000;
const GOAL_P99_MS = 1;

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
    const known = this.byName.get(info.name);
    if (known) {
      known.info = info;
      return;
    }
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
    this.unbind(p.key);
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
  /** pods of live jobs: a confirmation arriving after the job finished is dropped, as the informer would */
  readonly liveKeys = new Set<string>();
  usedCpu = 0;
  private head = 0;
  constructor(private readonly capacityCpu: number) {}

  get utilization(): number {
    return this.usedCpu / this.capacityCpu;
  }
  add(job: PodToPlace[]): void {
    this.live.push(job);
    for (const p of job) {
      this.usedCpu += p.requests.cpu ?? 0;
      this.liveKeys.add(p.key);
    }
  }
  /** complete the oldest jobs until utilization is back at the target; returns the pods unbound */
  drain(p: Placer): number {
    let n = 0;
    while (this.utilization > TARGET_UTILIZATION && this.head < this.live.length) {
      const job = this.live[this.head++]!;
      for (const pod of job) {
        p.unbind(pod.key);
        this.liveKeys.delete(pod.key);
        this.usedCpu -= pod.requests.cpu ?? 0;
        n++;
      }
    }
    return n;
  }
  clone(): Churn {
    const c = new Churn(this.capacityCpu);
    for (const job of this.live.slice(this.head)) c.add(job);
    return c;
  }
  bound(): PodToPlace[] {
    return this.live.slice(this.head).flat();
  }
}

/**
 * What the informers deliver between decisions, a pure function of the decision
 * index (every run sees the same): node updates (a fresh object with the same
 * content, as a status heartbeat brings), a cordon every CORDON_EVERY decisions
 * and its uncordon half-way to the next.
 */
class NodeFeed {
  private readonly current: NodeSnapshot[];
  private cordoned: number | undefined;
  constructor(nodes: readonly NodeSnapshot[]) {
    this.current = [...nodes];
  }
  /** apply decision `i`'s node events to `p`; returns how many */
  apply(i: number, p: Placer): number {
    let n = 0;
    if (i % CORDON_EVERY === 0) {
      const c = ((i / CORDON_EVERY) * 7727) % NODES;
      this.current[c] = { ...this.current[c]!, unschedulable: true };
      this.cordoned = c;
      p.upsertNode(this.current[c]!);
      n++;
    } else if (i % CORDON_EVERY === CORDON_EVERY / 2 && this.cordoned !== undefined) {
      this.current[this.cordoned] = { ...this.current[this.cordoned]!, unschedulable: false };
      p.upsertNode(this.current[this.cordoned]!);
      this.cordoned = undefined;
      n++;
    }
    for (let k = 0; k < NODE_UPDATES_PER_DECISION; k++) {
      const j = (i * 7919 + k * 104_729) % NODES;
      p.upsertNode({ ...this.current[j]! });
      n++;
    }
    return n;
  }
}

/** GPU jobs (few nodes qualify), zone-pinned jobs, the rest */
const kindOf = (job: PodToPlace[]) => (job[0]!.requests[GPU] ? "GPU" : job[0]!.nodeSelector ? "zone-pinned" : "plain");

/** One placer working through the job stream and the events between decisions, with what it measured so far. */
class Run {
  next = 0;
  /** wall-clock time inside the placer: decisions (placeJob) and events (bind, unbind, upsertNode) */
  decideMs = 0;
  eventMs = 0;
  events = 0;
  /** CPU time of this process (user + system) over the steps: steadier than wall-clock on a shared machine */
  cpuMs = 0;
  placed = 0;
  podsPlaced = 0;
  readonly outcomes: string[] = [];
  /** wall-clock time of each decision (placeJob), ms */
  readonly latency: Float64Array;
  readonly byKind = new Map<string, { decisions: number; ms: number }>();
  private readonly feed: NodeFeed;
  /** reservations the informer confirms later: [decision index at which to confirm, pods] */
  private readonly unconfirmed: Array<[number, BoundPod[]]> = [];

  constructor(
    readonly label: string,
    private readonly placer: Placer,
    private readonly churn: Churn,
    private readonly opts: PlacementOptions,
    readonly limit: number,
    nodes: readonly NodeSnapshot[],
  ) {
    this.latency = new Float64Array(limit);
    this.feed = new NodeFeed(nodes);
  }

  get decisions(): number {
    return this.next;
  }
  get done(): boolean {
    return this.next >= this.limit;
  }
  get utilization(): number {
    return this.churn.utilization;
  }
  /** everything the placer did: decisions and the events between them */
  get ms(): number {
    return this.decideMs + this.eventMs;
  }

  /** up to `n` more decisions, each after its events: completions down to the target, confirmations, node updates */
  step(jobs: PodToPlace[][], n: number): void {
    const c0 = process.cpuUsage();
    for (let end = Math.min(this.limit, this.next + n); this.next < end; this.next++) {
      const e0 = performance.now();
      let events = this.churn.drain(this.placer);
      while (this.unconfirmed.length > 0 && this.unconfirmed[0]![0] <= this.next) {
        for (const p of this.unconfirmed.shift()![1]) {
          if (!this.churn.liveKeys.has(p.key)) continue;
          this.placer.bind(p);
          events++;
        }
      }
      events += this.feed.apply(this.next, this.placer);
      const job = jobs[this.next]!;
      const k0 = performance.now();
      const d = this.placer.placeJob(job, this.opts);
      const k1 = performance.now();
      this.eventMs += k0 - e0;
      this.events += events;
      this.decideMs += k1 - k0;
      this.latency[this.next] = k1 - k0;
      const kind = this.byKind.get(kindOf(job)) ?? { decisions: 0, ms: 0 };
      kind.decisions++;
      kind.ms += k1 - k0;
      this.byKind.set(kindOf(job), kind);
      if (d.placed) {
        this.churn.add(job);
        this.unconfirmed.push([this.next + CONFIRM_AFTER, d.bindings.map((b, j) => ({ key: b.pod, node: b.node, requests: job[j]!.requests, tenant: job[j]!.tenant }))]);
        this.placed++;
        this.podsPlaced += job.length;
        this.outcomes.push(d.bindings.map((b) => b.node).join(","));
      } else this.outcomes.push("-");
    }
    const c = process.cpuUsage(c0);
    this.cpuMs += (c.user + c.system) / 1000;
  }

  /** the q-quantile of the decision latencies so far (only placed or only failed decisions with `placed`), ms */
  quantile(q: number, placed?: boolean): number {
    const all = this.latency.slice(0, this.next);
    const sorted = (placed === undefined ? all : all.filter((_, i) => (this.outcomes[i] !== "-") === placed)).sort();
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  }
}

const perSecond = (r: Run) => (r.decisions / r.ms) * 1000;
const perCpuSecond = (r: Run) => (r.decisions / r.cpuMs) * 1000;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** Fill a fresh cluster to the target; the naive baseline starts from exactly the same bindings. */
function setUp(multiTenant: boolean, nodes: NodeSnapshot[], warmup: PodToPlace[][]): { indexed: Run; naive: Run } {
  const label = multiTenant ? "multi-tenant on " : "multi-tenant off";
  const opts: PlacementOptions = { multiTenant, countDisqualified: multiTenant && COUNT_DISQUALIFIED };
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
  return { indexed: new Run(`${label} indexed`, indexed, churn, opts, DECISIONS, nodes), naive: new Run(`${label} naive  `, naive, churn.clone(), opts, NAIVE_DECISIONS, nodes) };
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

const COUNT_DISQUALIFIED = process.argv.includes("--count-disqualified");
const µs = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;

function main(): void {
  const withNaive = !process.argv.includes("--no-naive");
  const cpus = os.cpus();
  console.log("Paddock placement micro-benchmark (the scheduler cache: one placement state, incremental events between decisions)");
  console.log(`  Node ${process.version}, ${os.availableParallelism?.() ?? cpus.length} CPUs (${cpus[0]?.model.trim() ?? "unknown"}), ${os.platform()}/${os.arch()}, load average ${os.loadavg()[0]!.toFixed(1)}`);
  console.log(`  cluster: ${fmt(NODES)} nodes of ${NODE_CORES} cores / ${NODE_MEMORY_GI}Gi / 110 pods, ${GPU_NODE_SHARE * 100}% of them with 8 GPUs and a NoSchedule taint, ${ZONES} zones`);
  console.log(`  workload: ${TENANTS} tenants; jobs of 1-4 pods of ${POD_CORES.map(([c]) => c).join("/")} cores (4Gi per core), 5% GPU jobs (tolerate the taint), 25% pinned to a zone`);
  console.log(`  warm-up to ${TARGET_UTILIZATION * 100}% of CPU, then each decision = place one job (gang), after the events the informers would deliver meanwhile:`);
  console.log(`    the oldest jobs finish (unbind) to keep utilization at ${TARGET_UTILIZATION * 100}%; reservations confirmed (bind again) ${CONFIRM_AFTER} decisions later; ${NODE_UPDATES_PER_DECISION} node update (upsertNode) per decision; a cordon every ${CORDON_EVERY}, its uncordon ${CORDON_EVERY / 2} later`);
  console.log(`  timed: up to ${fmt(DECISIONS)} decisions per mode indexed${withNaive ? `, ${fmt(NAIVE_DECISIONS)} naive (linear scan of every node per pod)` : ""}; modes alternate in chunks; ${PHASE_BUDGET_MS / 1000} s budget per phase; seed ${SEED}`);
  console.log(`  goal (issue 11): >= ${fmt(GOAL_PER_SECOND)} decisions/s and p99 < ${GOAL_P99_MS} ms per decision`);
  console.log(`  multi-tenant decisions ${COUNT_DISQUALIFIED ? "also count" : "do not count"} the better fits disqualified by tenant (countDisqualified${COUNT_DISQUALIFIED ? "" : "; --count-disqualified to measure it"})`);

  const t0 = performance.now();
  const nodes = makeNodes();
  const warmup = makeJobs(40_000, SEED + 1, "w");
  const jobs = makeJobs(DECISIONS, SEED + 2, "j");
  console.log("\nWarm-up");
  const off = setUp(false, nodes, warmup);
  const on = setUp(true, nodes, warmup);
  console.log("\nTimed: indexed, multi-tenant off and on alternating");
  alternate([off.indexed, on.indexed], jobs, 500);
  if (withNaive) {
    console.log("\nTimed: naive linear scan, multi-tenant off and on alternating");
    alternate([off.naive, on.naive], jobs, 20);
  }

  console.log("\nResults (a decision places a whole job or rejects it; decisions/s counts the time of the decisions and of the events between them)");
  let mismatches = 0;
  let goalMet = true;
  for (const { indexed: f, naive: n } of [off, on]) {
    const p99 = f.quantile(0.99);
    goalMet &&= perSecond(f) >= GOAL_PER_SECOND && p99 < GOAL_P99_MS;
    console.log(`  ${f.label}: ${fmt(perSecond(f))} decisions/s (${fmt(perCpuSecond(f))}/cpu-s); per decision p50 ${µs(f.quantile(0.5))}, p99 ${µs(p99)}, max ${µs(f.quantile(1))} (${fmt(f.decisions)} decisions, ${((f.placed / f.decisions) * 100).toFixed(1)}% placed, ${fmt((f.podsPlaced / f.ms) * 1000)} pods/s)`);
    console.log(`    placed decisions p50 ${µs(f.quantile(0.5, true))}, p99 ${µs(f.quantile(0.99, true))}; failed ones (explained: every node's first failing filter) p50 ${µs(f.quantile(0.5, false))}, p99 ${µs(f.quantile(0.99, false))}`);
    console.log(`    events: ${fmt(f.events)} (${(f.events / f.decisions).toFixed(1)} per decision), ${((f.eventMs * 1000) / f.events).toFixed(1)} µs each; decisions ${((f.decideMs * 1000) / f.decisions).toFixed(1)} µs each on average`);
    const kinds = (r: Run) => [...r.byKind].sort().map(([k, v]) => `${k} ${((v.ms * 1000) / v.decisions).toFixed(0)} µs (${v.decisions})`).join(", ");
    console.log(`    mean time per decision by kind: ${kinds(f)}`);
    if (!withNaive) continue;
    console.log(`  ${n.label}: ${fmt(perSecond(n))} decisions/s (${fmt(perCpuSecond(n))}/cpu-s); per decision p50 ${µs(n.quantile(0.5))}, p99 ${µs(n.quantile(0.99))} (${fmt(n.decisions)} decisions); indexed speed-up x${(perSecond(f) / perSecond(n)).toFixed(1)} wall, x${(perCpuSecond(f) / perCpuSecond(n)).toFixed(1)} cpu`);
    console.log(`    mean time per decision by kind: ${kinds(n)}`);
    const compared = Math.min(f.decisions, n.decisions);
    const mismatch = f.outcomes.slice(0, compared).findIndex((o, i) => o !== n.outcomes[i]);
    console.log(`    same decisions as the naive scan: ${mismatch < 0 ? `yes (${compared} compared)` : `NO, first difference at decision ${mismatch}`}`);
    if (mismatch >= 0) mismatches++;
  }
  const ratio = (f: (r: Run) => number, pick: (m: typeof on) => Run) => (f(pick(on)) / f(pick(off))).toFixed(2);
  console.log(`  ratio multi-tenant on/off, indexed: ${ratio(perSecond, (m) => m.indexed)} wall, ${ratio(perCpuSecond, (m) => m.indexed)} cpu`);
  if (withNaive) console.log(`  ratio multi-tenant on/off, naive:   ${ratio(perSecond, (m) => m.naive)} wall, ${ratio(perCpuSecond, (m) => m.naive)} cpu`);
  console.log(`  goal >= ${fmt(GOAL_PER_SECOND)} decisions/s and p99 < ${GOAL_P99_MS} ms, multi-tenant on and off: ${goalMet ? "met" : "MISSED"}`);
  console.log(`  load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} (figures are noisy when it exceeds the CPU count)`);
  console.log(`  total run time ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (mismatches > 0) process.exitCode = 1;
}

main();
