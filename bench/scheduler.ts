// Side-by-side scheduler benchmark (issue 11): one real control plane
// (etcd + kube-apiserver + KWOK nodes, test/k8s/harness.ts), one workload, and
// each scheduler in turn on it: a trivial binder (the API server's ceiling),
// kube-scheduler (client QPS raised, and stock), kube-scheduler with tenant
// exclusivity as required pod anti-affinity, and Paddock's PodScheduler with
// multi-tenant on and off. Per run: a fresh namespace, every pod created first
// (no scheduler serves its name yet), then the scheduler starts and the clock
// runs until all pods are bound, no binding came for --idle s, or --timeout.
// The final bindings are judged by test/k8s/bindingCheck.ts (independent of
// the schedulers). Run: npm run bench -- scheduler [--help]
import os from "node:os";
import { performance } from "node:perf_hooks";
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import type * as k8s from "@kubernetes/client-node";
import { startHarness, type Harness } from "../test/k8s/harness";
import { checkBindings, describeReport } from "../test/k8s/bindingCheck";
import { ANNOTATION_JOB_PODS, LABEL_JOB_NUMBER, LABEL_MANAGED_BY, LABEL_TENANT, MANAGED_BY } from "../src/core/podPlan";
import { BENCH_NODES, makeJobs, nodesLowerBound, podsFor, SHAPES, type NodeShape, type WorkloadShape } from "./schedulerWorkload";
import { markdownTable, podsPerSecond, ratiosTo, summarize, SUMMARY_HEADERS, type RunResult } from "./schedulerReport";
import { KubeHttp, pool } from "./kubeHttp";
import { BindObserver } from "./bindObserver";
import { kubeScheduler, paddock, procCpuSeconds, trivialBinder, type BenchContext, type Contender } from "./schedulerContenders";

const USAGE = `npm run bench -- scheduler [options]
  --shape quarter|onecpu|both   workload (default both):
                                  quarter: ${SHAPES.quarter!.pods} pods of ${SHAPES.quarter!.podCpu} CPU, ${SHAPES.quarter!.tenants} tenants
                                  onecpu:  ${SHAPES.onecpu!.pods} pods of ${SHAPES.onecpu!.podCpu} CPU, ${SHAPES.onecpu!.tenants} tenants
  --runs N                      repetitions of every scheduler, interleaved (default 1)
  --only a,b                    schedulers to run (default all): binder, kube-scheduler, paddock-mt, paddock,
                                kube-scheduler-antiaffinity, kube-scheduler-stock
  --nodes N  --pods N  --tenants N   scale down for a quick check (default ${BENCH_NODES.count} nodes; pods and tenants per shape;
                                tenants scale with --pods unless given)
  --timeout S                   give up on a run after S seconds (default 120)
  --idle S                      call a run stalled when no binding came for S seconds after the first (default 30)
  --qps N                       kube-scheduler's raised clientConnection qps and burst (default 5000)
  --binder-concurrency N        the trivial binder's bindings in flight (default 64, as Paddock's binder)
  --create-concurrency N        pod creations in flight (default 32)
  --seed N                      workload seed (default 11)
  --warmup N                    pods of an untimed warm-up run of every scheduler per shape before the timed runs
                                (default 500; 0 for none): the scheduler process of a cluster runs for weeks, so its
                                first seconds of loading and compiling code are not what it does`;

interface Args {
  shapes: WorkloadShape[];
  runs: number;
  only: string[] | undefined;
  nodes: NodeShape;
  timeoutMs: number;
  idleMs: number;
  qps: number;
  binderConcurrency: number;
  createConcurrency: number;
  seed: number;
  /** pods of the untimed warm-up run per shape (0: none) */
  warmup: number;
}

function parse(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      shape: { type: "string", default: "both" },
      runs: { type: "string", default: "1" },
      only: { type: "string" },
      nodes: { type: "string" },
      pods: { type: "string" },
      tenants: { type: "string" },
      timeout: { type: "string", default: "120" },
      idle: { type: "string", default: "30" },
      qps: { type: "string", default: "5000" },
      "binder-concurrency": { type: "string", default: "64" },
      "create-concurrency": { type: "string", default: "32" },
      seed: { type: "string", default: "11" },
      warmup: { type: "string", default: "500" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, v: string | undefined, min = 1) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      console.error(`--${name}: expected a whole number >= ${min}, got ${JSON.stringify(v)}\n\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  const names = values.shape === "both" ? ["quarter", "onecpu"] : [values.shape!];
  const shapes = names.map((n) => {
    const s = SHAPES[n];
    if (!s) {
      console.error(`--shape: unknown shape ${JSON.stringify(n)} (quarter, onecpu, both)\n\n${USAGE}`);
      process.exit(2);
    }
    const pods = values.pods !== undefined ? int("pods", values.pods) : s.pods;
    const tenants = values.tenants !== undefined ? int("tenants", values.tenants) : Math.max(1, Math.round((s.tenants * pods) / s.pods));
    return { ...s, pods, tenants };
  });
  return {
    shapes,
    runs: int("runs", values.runs),
    only: values.only?.split(",").map((s) => s.trim()).filter(Boolean),
    nodes: { ...BENCH_NODES, count: values.nodes !== undefined ? int("nodes", values.nodes) : BENCH_NODES.count },
    timeoutMs: int("timeout", values.timeout) * 1000,
    idleMs: int("idle", values.idle) * 1000,
    qps: int("qps", values.qps),
    binderConcurrency: int("binder-concurrency", values["binder-concurrency"]),
    createConcurrency: int("create-concurrency", values["create-concurrency"]),
    seed: int("seed", values.seed, 0),
    warmup: int("warmup", values.warmup, 0),
  };
}

function contenders(a: Args): Contender[] {
  const all = [
    trivialBinder(a.binderConcurrency),
    kubeScheduler({ id: "kube-scheduler", label: `kube-scheduler (QPS ${a.qps})`, qps: a.qps, burst: a.qps }),
    paddock(true),
    paddock(false),
    kubeScheduler({ id: "kube-scheduler-antiaffinity", label: `kube-scheduler + tenant anti-affinity (QPS ${a.qps})`, qps: a.qps, burst: a.qps, antiAffinity: true }),
    kubeScheduler({ id: "kube-scheduler-stock", label: "kube-scheduler stock (QPS 50/100)" }),
  ];
  if (!a.only) return all;
  const unknown = a.only.filter((id) => !all.some((c) => c.id === id));
  if (unknown.length) {
    console.error(`--only: unknown scheduler(s) ${unknown.join(", ")}; known: ${all.map((c) => c.id).join(", ")}`);
    process.exit(2);
  }
  return all.filter((c) => a.only!.includes(c.id));
}

const say = (line: string) => console.log(line);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const version = (bin: string, args: string[]) => {
  try {
    return execFileSync(bin, args, { encoding: "utf8" }).split("\n")[0]!.trim();
  } catch (e) {
    return `unknown (${(e as Error).message.split("\n")[0]})`;
  }
};

/** Create the KWOK nodes (as test/k8s/stack.ts does, concurrently) and wait until KWOK reports them Ready. */
async function createNodes(http: KubeHttp, shape: NodeShape, concurrency: number): Promise<void> {
  const t0 = performance.now();
  const capacity = { cpu: String(shape.cpu), memory: `${shape.memoryGi}Gi`, pods: String(shape.pods) };
  const names = Array.from({ length: shape.count }, (_, i) => `kwok-node-${String(i).padStart(4, "0")}`);
  await pool(names, concurrency, async (name) => {
    await http.ok("POST", "/api/v1/nodes", {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name, annotations: { "kwok.x-k8s.io/node": "fake" }, labels: { "kubernetes.io/hostname": name, type: "kwok" } },
      spec: {},
      status: { capacity, allocatable: capacity },
    });
  });
  say(`  created ${shape.count} nodes in ${secs(performance.now() - t0)}; waiting for KWOK to make them Ready`);
  for (;;) {
    const list = await http.ok<k8s.V1NodeList>("GET", "/api/v1/nodes");
    const ready = list.items.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).length;
    if (ready >= shape.count) break;
    if (performance.now() - t0 > 180_000) throw new Error(`only ${ready}/${shape.count} nodes Ready after 180 s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  say(`  ${shape.count} nodes Ready after ${secs(performance.now() - t0)}`);
}

async function createPods(http: KubeHttp, namespace: string, pods: ReturnType<typeof podsFor>, concurrency: number): Promise<void> {
  const t0 = performance.now();
  let last = t0;
  await pool(
    pods,
    concurrency,
    async (pod) => {
      await http.ok("POST", `/api/v1/namespaces/${namespace}/pods`, pod);
    },
    (done) => {
      const now = performance.now();
      if (now - last > 3000) {
        say(`    created ${done}/${pods.length} pods (${((done * 1000) / (now - t0)).toFixed(0)}/s)`);
        last = now;
      }
    },
  );
  say(`    created ${pods.length} pods in ${secs(performance.now() - t0)} (${((pods.length * 1000) / (performance.now() - t0)).toFixed(0)}/s)`);
}

/**
 * Delete every pod of the namespace, `concurrency` at a time (deletecollection runs one
 * delete-collection worker by default: minutes for 5,000 pods), grace 0 (KWOK nodes have no
 * kubelet to wait for), and wait until they are gone.
 */
async function deletePods(http: KubeHttp, namespace: string, concurrency: number): Promise<void> {
  const t0 = performance.now();
  const list = await http.ok<k8s.V1PodList>("GET", `/api/v1/namespaces/${namespace}/pods`, undefined, 120_000);
  await pool(list.items, concurrency, async (p) => {
    const r = await http.request("DELETE", `/api/v1/namespaces/${namespace}/pods/${p.metadata!.name}?gracePeriodSeconds=0`);
    if (r.status >= 300 && r.status !== 404) throw new Error(`deleting pod ${p.metadata!.name}: HTTP ${r.status}: ${r.text.slice(0, 200)}`);
  });
  for (;;) {
    const left = await http.ok<k8s.V1PodList>("GET", `/api/v1/namespaces/${namespace}/pods?limit=1`);
    if (left.items.length === 0) break;
    if (performance.now() - t0 > 180_000) throw new Error(`pods of ${namespace} still there after 180 s`);
    await new Promise((r) => setTimeout(r, 500));
  }
  say(`    deleted the ${list.items.length} pods in ${secs(performance.now() - t0)}`);
}

/** `p`, or an error naming `what` after `ms` (a scheduler that hangs must not hang the bench). */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms / 1000} s`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

interface ControlPlaneCpu {
  read(): Record<string, number>;
}

async function runOne(
  ctx: BenchContext,
  http: KubeHttp,
  a: Args,
  shape: WorkloadShape,
  contender: Contender,
  repetition: number,
  cpCpu: ControlPlaneCpu,
): Promise<RunResult> {
  const namespace = `bench-${shape.name}-${contender.id}-${repetition}`.slice(0, 63);
  const jobs = makeJobs(shape, a.seed);
  const pods = podsFor(jobs, shape, namespace, contender.variant);
  const lowerBound = nodesLowerBound(pods, a.nodes, contender.multiTenant);
  const base = { shape: shape.name, contender: contender.id, multiTenant: contender.multiTenant, repetition, pods: pods.length, lowerBound };
  say(`\n[${shape.name} #${repetition}] ${contender.label}: namespace ${namespace}, ${pods.length} pods in ${jobs.length} jobs`);
  const observer = new BindObserver(http, namespace);
  let running: Awaited<ReturnType<Contender["start"]>> | undefined;
  let result: RunResult;
  try {
    await http.ok("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
    // the ServiceAccount admission plugin wants the namespace's default account (no controller-manager here)
    await http.ok("POST", `/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default" } });
    await createPods(http, namespace, pods, a.createConcurrency);
    await observer.start();
    if (observer.seen.size !== pods.length || observer.boundAt.size !== 0) {
      throw new Error(`before the start: ${observer.seen.size} pods seen (expected ${pods.length}), ${observer.boundAt.size} already bound`);
    }
    const cp0 = cpCpu.read();
    const t0 = performance.now();
    running = await within(a.timeoutMs, "starting the scheduler", contender.start(ctx, `${shape.name}-${contender.id}-${repetition}`));
    say(`    started in ${secs(performance.now() - t0)}`);
    const w = await observer.waitFor(pods.length, t0, { timeoutMs: a.timeoutMs, idleMs: a.idleMs, everyMs: 5000, progress: (l) => say(`    ${l}`) });
    const cpu = running.cpuSeconds();
    const stopping = running;
    running = undefined;
    await within(30_000, "stopping the scheduler", stopping.stop());
    const cp1 = cpCpu.read();
    observer.stop();
    // the independent check, over what the API server shows now
    const [finalPods, nodes] = await Promise.all([
      http.ok<k8s.V1PodList>("GET", `/api/v1/namespaces/${namespace}/pods`, undefined, 120_000),
      http.ok<k8s.V1NodeList>("GET", "/api/v1/nodes"),
    ]);
    const report = checkBindings(finalPods.items, nodes.items, {
      tenantLabel: LABEL_TENANT,
      jobLabel: LABEL_JOB_NUMBER,
      expectedAnnotation: ANNOTATION_JOB_PODS,
      managedLabel: LABEL_MANAGED_BY,
      managedValue: MANAGED_BY,
      multiTenant: true, // count tenant sharing for every scheduler: for those that do not keep tenants apart it shows what that costs
    });
    result = {
      ...base,
      bound: report.bound,
      outcome: w.outcome,
      firstBindS: w.firstBindS,
      lastBindS: w.lastBindS,
      nodesUsed: report.nodesUsed,
      violations: report.violations.length,
      overcommits: report.overcommits.length,
      partialGangs: report.partialGangs.length,
    };
    const outcome =
      w.outcome === "all bound"
        ? `all ${pods.length} bound in ${w.lastBindS!.toFixed(2)} s`
        : `${w.outcome} after ${w.endedS.toFixed(1)} s with ${w.bound}/${pods.length} bound${w.outcome === "stalled" ? ` (no binding for ${a.idleMs / 1000} s)` : ""}`;
    say(`    ${outcome}: ${podsPerSecond(result).toFixed(0)} pods/s, first bind at ${w.firstBindS?.toFixed(2) ?? "-"} s`);
    say(`    check: ${describeReport(report)}; offline lower bound ${lowerBound} (${contender.multiTenant ? "per tenant" : "overall"})`);
    const cpText = Object.entries(cp1).map(([k, v]) => `${k} ${(v - (cp0[k] ?? 0)).toFixed(1)}`).join(", ");
    say(`    CPU seconds: scheduler ${Number.isNaN(cpu) ? "?" : cpu.toFixed(1)}${contender.id.startsWith("kube") ? "" : " (this process, incl. the stopwatch watch)"}; ${cpText}`);
    if (w.bound !== report.bound) say(`    note: the stopwatch saw ${w.bound} bound, the final list ${report.bound} (bindings after the stop)`);
  } catch (e) {
    result = { ...base, bound: 0, outcome: "failed", nodesUsed: 0, violations: 0, overcommits: 0, partialGangs: 0, error: (e as Error).message };
    say(`    FAILED: ${(e as Error).message}`);
  } finally {
    observer.stop();
    if (running) await within(30_000, "stopping the scheduler", running.stop()).catch(() => {});
  }
  return result;
}

async function main(): Promise<void> {
  const a = parse(process.argv.slice(2));
  const list = contenders(a);
  const started = performance.now();
  const cpus = os.cpus();
  say("Paddock scheduler benchmark: the same control plane and workload for each scheduler, one after the other");
  say(`  machine: ${os.availableParallelism?.() ?? cpus.length} CPU(s) (${cpus[0]?.model.trim() ?? "unknown"}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  say("  starting the control plane (etcd, kube-apiserver, KWOK; test/k8s/harness.ts)...");
  const pids: Record<string, number> = {};
  const harness: Harness = await startHarness({
    controllerManager: false,
    kwok: true,
    log: (line) => {
      const m = /started (\S+) \(pid (\d+)\)/.exec(line);
      if (m) pids[m[1]!] = Number(m[2]);
    },
  });
  const http = new KubeHttp(harness.server, harness.admin.token, { maxSockets: Math.max(a.createConcurrency, 16) });
  const cpCpu: ControlPlaneCpu = { read: () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, procCpuSeconds(pid)])) };
  const stopAll = async () => {
    http.close();
    await harness.stop();
  };
  process.once("SIGINT", () => void stopAll().finally(() => process.exit(130)));
  try {
    const bin = (name: string) => `${harness.bin}/${name}`;
    say(`  versions: kube-apiserver ${version(bin("kube-apiserver"), ["--version"])}, kube-scheduler ${version(bin("kube-scheduler"), ["--version"])}, etcd ${version(bin("etcd"), ["--version"])}, ${version(bin("kwok"), ["--version"])}`);
    say("  control plane: etcd (data on /dev/shm, --unsafe-no-fsync), kube-apiserver (--enable-priority-and-fairness=false, default --max-requests-inflight 400 / --max-mutating-requests-inflight 200), KWOK playing the kubelets (pods turn Running)");
    say(`  cluster: ${a.nodes.count} KWOK nodes of ${a.nodes.cpu} CPU / ${a.nodes.memoryGi}Gi / ${a.nodes.pods} pods`);
    for (const s of a.shapes) {
      const jobs = makeJobs(s, a.seed);
      const gangs = jobs.filter((j) => j.pods > 1).length;
      say(`  workload ${s.name}: ${s.pods} pods of ${s.podCpu} CPU / ${s.podMemoryGi}Gi, ${s.tenants} tenants, ${jobs.length} jobs (${gangs} of ${s.gangSize} pods, ${jobs.length - gangs} of 1), seed ${a.seed}`);
    }
    say("  schedulers and their API client limits:");
    for (const c of list) say(`    ${c.id}: ${c.label}; ${c.qps}`);
    say(`  a run ends when all pods are bound, after ${a.idleMs / 1000} s without a binding (stalled), or at ${a.timeoutMs / 1000} s (timeout); pods/s = pods bound / seconds from the scheduler's start to its last binding`);
    say("\nSetting up");
    await createNodes(http, a.nodes, 32);
    const ctx: BenchContext = { server: harness.server, token: harness.admin.token, kubeconfig: harness.kubeconfig(), bin: harness.bin, dir: harness.dir, log: say };
    const results: RunResult[] = [];
    for (const shape of a.shapes) {
      if (a.warmup > 0) {
        const small = { ...shape, pods: Math.min(a.warmup, shape.pods), tenants: Math.max(1, Math.round((shape.tenants * Math.min(a.warmup, shape.pods)) / shape.pods)) };
        say(`\nWarm-up (${shape.name}, not timed): every scheduler once on ${small.pods} pods of ${small.tenants} tenants`);
        for (const c of list) {
          const r = await runOne(ctx, http, a, small, c, 0, cpCpu);
          if (r.outcome === "failed") say(`    warm-up of ${c.id} failed: ${r.error ?? "?"}`);
          await deletePods(http, `bench-${shape.name}-${c.id}-0`.slice(0, 63), a.createConcurrency).catch((e) => say(`    cleanup failed: ${(e as Error).message}`));
        }
      }
      for (let rep = 1; rep <= a.runs; rep++) {
        for (const c of list) {
          const r = await runOne(ctx, http, a, shape, c, rep, cpCpu);
          results.push(r);
          await deletePods(http, `bench-${shape.name}-${c.id}-${rep}`.slice(0, 63), a.createConcurrency).catch((e) => say(`    cleanup failed: ${(e as Error).message}`));
        }
      }
    }
    printSummary(a, list, results);
    say(`\ntotal time ${secs(performance.now() - started)}; load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} (noisy when above the CPU count)`);
    if (results.some((r) => r.outcome === "failed")) process.exitCode = 1;
  } finally {
    await stopAll();
  }
}

function printSummary(a: Args, list: Contender[], results: RunResult[]): void {
  const labels = Object.fromEntries(list.map((c) => [c.id, c.label]));
  const baselines = { binder: "binder", kube: "kube-scheduler" };
  say("\nPer run (pods/s; x binder and x kube-scheduler against the same repetition)");
  for (const r of results) {
    const x = (b: string) => {
      const v = ratiosTo(results, r, b);
      return Number.isFinite(v) ? v.toFixed(2) : "-";
    };
    say(
      `  ${r.shape} #${r.repetition} ${r.contender.padEnd(28)} ${r.outcome.padEnd(9)} ${podsPerSecond(r).toFixed(0).padStart(5)} pods/s  x binder ${x("binder")}  x kube-scheduler ${x("kube-scheduler")}  ` +
        `nodes ${r.nodesUsed} (>= ${r.lowerBound})  violations ${r.violations}  overcommits ${r.overcommits}  partial gangs ${r.partialGangs}  unbound ${r.pods - r.bound}${r.error ? `  error: ${r.error}` : ""}`,
    );
  }
  const rows = summarize(results, labels, baselines).map((r) => r.cells);
  say(`\nSummary (Markdown; ${a.runs > 1 ? `median (range) of ${a.runs} runs` : "one run"}; tenant violations are counted for every scheduler, only the multi-tenant ones promise none)\n`);
  say(markdownTable(SUMMARY_HEADERS, rows));
  const cpus = os.cpus();
  say(
    `\n${os.availableParallelism?.() ?? cpus.length} CPU cores (${cpus[0]?.model.trim() ?? "unknown"}) shared by etcd, kube-apiserver, KWOK, the scheduler under test and the bench; ` +
      `${a.nodes.count} KWOK nodes of ${a.nodes.cpu} CPU / ${a.nodes.memoryGi}Gi; kube-scheduler clientConnection QPS/burst ${a.qps}/${a.qps} (stock: 50/100); Paddock and the binder have no client-side rate limit.`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
