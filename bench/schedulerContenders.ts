// The schedulers the benchmark compares, each behind the same two calls:
// start (from nothing: it lists and watches on its own) and stop. They share
// the control plane, one after the other.
import * as k8s from "@kubernetes/client-node";
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PodScheduler } from "../src/k8s/podScheduler";
import { POD_SCHEDULER_NAME } from "../src/core/podPlan";
import { podRequests } from "../src/core/podRequests";
import { quantity } from "../src/core/quantity";
import type { Resources } from "../src/core/placement";
import { KubeHttp } from "./kubeHttp";
import type { PodVariant } from "./schedulerWorkload";

export interface BenchContext {
  server: string;
  token: string;
  /** admin kubeconfig file */
  kubeconfig: string;
  /** harness binaries */
  bin: string;
  /** where logs and configs go */
  dir: string;
  log: (line: string) => void;
}

export interface Running {
  stop(): Promise<void>;
  /** CPU seconds the scheduler used so far (its process, or this whole process for in-process ones) */
  cpuSeconds(): number;
  /** what it said worth printing after the run */
  notes(): string[];
}

export interface Contender {
  id: string;
  label: string;
  /** tenants never share a node: the lower bound is per tenant */
  multiTenant: boolean;
  variant: PodVariant;
  /** how it talks to the API server, for the printed context */
  qps: string;
  start(ctx: BenchContext, run: string): Promise<Running>;
}

/** CPU seconds of a process from /proc (utime + stime). */
export function procCpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is state (field 3); utime and stime are fields 14 and 15
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

const inProcessCpu = () => {
  const start = process.cpuUsage();
  return () => {
    const d = process.cpuUsage(start);
    return (d.user + d.system) / 1e6;
  };
};

/**
 * The API server's ceiling: lists and watches the pending pods with its schedulerName and binds
 * each to the next node round-robin that has room (CPU, memory, pods; tenants ignored), with at
 * most `concurrency` bindings in flight on keep-alive connections. Nothing a real scheduler does
 * beyond that.
 */
export function trivialBinder(concurrency: number): Contender {
  const schedulerName = "bench-binder";
  return {
    id: "binder",
    label: `trivial binder (round robin, ${concurrency} in flight)`,
    multiTenant: false,
    variant: { schedulerName },
    qps: `no client-side limit, ${concurrency} bindings in flight`,
    async start(ctx) {
      const cpu = inProcessCpu();
      const http = new KubeHttp(ctx.server, ctx.token, { maxSockets: concurrency });
      const nodes: Array<{ name: string; free: Resources }> = [];
      const nodeList = await http.ok<k8s.V1NodeList>("GET", "/api/v1/nodes");
      for (const n of nodeList.items) {
        if (n.spec?.unschedulable) continue;
        const free: Resources = {};
        for (const [r, q] of Object.entries(n.status?.allocatable ?? {})) {
          const v = quantity(r, q);
          if (v.ok) free[r] = v.value;
        }
        nodes.push({ name: n.metadata!.name!, free });
      }
      const byName = new Map(nodes.map((n) => [n.name, n]));
      const queue: Array<{ ns: string; name: string; req: Resources; tries: number }> = [];
      let head = 0;
      const seen = new Set<string>();
      let inFlight = 0;
      let stopped = false;
      let failures = 0;
      let lastFailure = "";
      let unplaceable = 0;
      let cursor = 0;
      const requestsOf = (p: k8s.V1Pod): Resources => {
        const r = podRequests(p.spec);
        return { ...r.requests, pods: 1 };
      };
      const take = (free: Resources, req: Resources, sign: 1 | -1) => {
        for (const [r, v] of Object.entries(req)) free[r] = (free[r] ?? 0) - sign * v;
      };
      const fits = (free: Resources, req: Resources) => Object.entries(req).every(([r, v]) => (free[r] ?? 0) >= v);
      const enqueue = (p: k8s.V1Pod) => {
        const key = `${p.metadata!.namespace}/${p.metadata!.name}`;
        if (seen.has(key) || p.spec?.nodeName || p.metadata?.deletionTimestamp) return;
        seen.add(key);
        queue.push({ ns: p.metadata!.namespace!, name: p.metadata!.name!, req: requestsOf(p), tries: 0 });
        pump();
      };
      const pick = (req: Resources) => {
        for (let i = 0; i < nodes.length; i++) {
          const n = nodes[(cursor + i) % nodes.length]!;
          if (fits(n.free, req)) {
            cursor = (cursor + i + 1) % nodes.length;
            return n;
          }
        }
        return undefined;
      };
      const pump = () => {
        while (!stopped && inFlight < concurrency && head < queue.length) {
          const item = queue[head++]!;
          const node = pick(item.req);
          if (!node) {
            unplaceable++;
            continue;
          }
          take(node.free, item.req, 1);
          inFlight++;
          const body = { apiVersion: "v1", kind: "Binding", metadata: { name: item.name, namespace: item.ns }, target: { apiVersion: "v1", kind: "Node", name: node.name } };
          http
            .request("POST", `/api/v1/namespaces/${item.ns}/pods/${item.name}/binding`, body, 10_000)
            .then((r) => {
              if (r.status >= 300) throw new Error(`HTTP ${r.status}: ${r.text.slice(0, 200)}`);
            })
            .catch((e: Error) => {
              failures++;
              lastFailure = e.message;
              take(node.free, item.req, -1);
              if (++item.tries < 3) queue.push(item);
            })
            .finally(() => {
              inFlight--;
              pump();
            });
        }
      };
      // What is already bound uses room; what is pending with our name is queued.
      const pods = await http.ok<k8s.V1PodList>("GET", "/api/v1/pods", undefined, 120_000);
      for (const p of pods.items) {
        const node = p.spec?.nodeName ? byName.get(p.spec.nodeName) : undefined;
        if (node && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed") take(node.free, requestsOf(p), 1);
      }
      for (const p of pods.items) if (p.spec?.schedulerName === schedulerName) enqueue(p);
      const selector = encodeURIComponent(`spec.schedulerName=${schedulerName},spec.nodeName=`);
      let rv = pods.metadata!.resourceVersion!;
      let stopWatch = () => {};
      const watch = () => {
        stopWatch = http.watch<k8s.V1Pod>(
          `/api/v1/pods?fieldSelector=${selector}`,
          rv,
          (e) => {
            if (e.object?.metadata?.resourceVersion) rv = e.object.metadata.resourceVersion;
            if (e.type === "ADDED" || e.type === "MODIFIED") enqueue(e.object);
          },
          () => void (stopped || setTimeout(watch, 200)),
        );
      };
      watch();
      return {
        async stop() {
          stopped = true;
          stopWatch();
          http.close();
        },
        cpuSeconds: cpu,
        notes: () => [
          ...(failures ? [`${failures} binding(s) failed, e.g. ${lastFailure}`] : []),
          ...(unplaceable ? [`${unplaceable} pod(s) found no node with room`] : []),
        ],
      };
    },
  };
}

export interface KubeSchedulerOptions {
  id: string;
  label: string;
  /** undefined: kube-scheduler's defaults (QPS 50, burst 100) */
  qps?: number;
  burst?: number;
  antiAffinity?: boolean;
}

/** The stock kube-scheduler binary of the harness, one profile for the bench's schedulerName, no leader election. */
export function kubeScheduler(o: KubeSchedulerOptions): Contender {
  const schedulerName = `bench-${o.id}`;
  return {
    id: o.id,
    label: o.label,
    multiTenant: o.antiAffinity === true,
    variant: { schedulerName, tenantAntiAffinity: o.antiAffinity === true },
    qps: o.qps !== undefined ? `clientConnection qps ${o.qps}, burst ${o.burst ?? o.qps}` : "clientConnection defaults (qps 50, burst 100)",
    async start(ctx, run) {
      const config = path.join(ctx.dir, `kube-scheduler-${run}.yaml`);
      writeFileSync(
        config,
        [
          "apiVersion: kubescheduler.config.k8s.io/v1",
          "kind: KubeSchedulerConfiguration",
          "clientConnection:",
          `  kubeconfig: ${JSON.stringify(ctx.kubeconfig)}`,
          ...(o.qps !== undefined ? [`  qps: ${o.qps}`, `  burst: ${o.burst ?? o.qps}`] : []),
          "leaderElection:",
          "  leaderElect: false",
          "profiles:",
          `  - schedulerName: ${schedulerName}`,
          "",
        ].join("\n"),
      );
      const logFile = path.join(ctx.dir, `kube-scheduler-${run}.log`);
      const out = openSync(logFile, "a");
      const proc: ChildProcess = spawn(path.join(ctx.bin, "kube-scheduler"), ["--config", config, "--secure-port=0", "-v=1"], { stdio: ["ignore", out, out] });
      let lastCpu = 0;
      const exited = new Promise<void>((r) => proc.once("exit", () => r()));
      await new Promise((r) => setTimeout(r, 100));
      if (proc.exitCode !== null) throw new Error(`kube-scheduler exited with ${proc.exitCode}: see ${logFile}`);
      return {
        async stop() {
          lastCpu = procCpuSeconds(proc.pid);
          if (proc.exitCode === null) proc.kill("SIGTERM");
          const t = setTimeout(() => proc.kill("SIGKILL"), 5000);
          await exited;
          clearTimeout(t);
        },
        cpuSeconds: () => (proc.exitCode === null ? procCpuSeconds(proc.pid) : lastCpu),
        notes: () => [`log: ${logFile}`],
      };
    },
  };
}

/** Paddock's PodScheduler (src/k8s/podScheduler.ts) in this process, as src/main.ts runs it once leading. */
export function paddock(multiTenant: boolean): Contender {
  return {
    id: multiTenant ? "paddock-mt" : "paddock",
    label: `Paddock, multi-tenant ${multiTenant ? "on" : "off"}`,
    multiTenant,
    variant: { schedulerName: POD_SCHEDULER_NAME },
    qps: "no client-side limit",
    async start(ctx) {
      const cpu = inProcessCpu();
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(ctx.kubeconfig);
      const counts = new Map<number, number>();
      const warnings: string[] = [];
      const scheduler = new PodScheduler(kc, {
        multiTenant,
        // as src/main.ts at the default JARVICE_POD_SCHED_LOGLEVEL (30): listing the nodes disqualified by tenant
        // for every pod is for level 10 only
        explain: false,
        log: (level, msg) => {
          counts.set(level, (counts.get(level) ?? 0) + 1);
          if (level >= 30 && warnings.length < 5) warnings.push(`${level} ${msg}`);
        },
      });
      await scheduler.start();
      return {
        async stop() {
          await scheduler.stop();
        },
        cpuSeconds: cpu,
        notes: () => [
          `bound counter ${scheduler.bound}; log lines by level: ${[...counts].sort(([a], [b]) => a - b).map(([l, n]) => `${l}:${n}`).join(" ") || "none"}`,
          ...warnings,
        ],
      };
    },
  };
}
