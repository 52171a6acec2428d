// jarvice-pod-scheduler: binds pods whose spec.schedulerName is
// jarvice-pod-scheduler. The loop is kube-scheduler's: snapshot, filter,
// score, reserve, bind; only "bind" writes to Kubernetes. Decisions come from
// the pure placement core (best fit; tenant exclusivity in multi-tenant mode;
// all pods of a job or none). Pods it has bound but the watch has not shown
// yet stay reserved ("assumed"), so two decisions never race onto one node.
import * as k8s from "@kubernetes/client-node";
import { Agent, request, type RequestOptions } from "node:https";
import { PlacementState, type NodeSnapshot, type Resources, type Taint } from "../core/placement";
import { ANNOTATION_JOB_PODS, LABEL_JOB_NUMBER, LABEL_MANAGED_BY, LABEL_TENANT, MANAGED_BY, POD_SCHEDULER_NAME } from "../core/podPlan";
import { podRequests as requestsOfSpec, type PodRequests } from "../core/podRequests";
import { quantity } from "../core/quantity";
import type { Logger } from "./logger";
import { CoalescedRunner } from "../lib/coalescedRunner";

export interface PodSchedulerOptions {
  multiTenant: boolean;
  log: Logger;
  /** resync period; events also trigger cycles */
  resyncMs?: number;
}

const key = (p: k8s.V1Pod) => `${p.metadata?.namespace}/${p.metadata?.name}`;

/** A node; an allocatable quantity that does not parse counts as 0 of that resource (and is reported through `warn`). */
export function nodeSnapshot(n: k8s.V1Node, warn: (message: string) => void = () => {}): NodeSnapshot {
  const alloc: Resources = {};
  for (const [r, q] of Object.entries(n.status?.allocatable ?? {})) {
    const v = quantity(r, q);
    alloc[r] = v.ok ? v.value : 0;
    if (!v.ok) warn(`node ${n.metadata?.name}: allocatable ${r}: ${v.problem}; counting 0`);
  }
  const ready = (n.status?.conditions ?? []).find((c) => c.type === "Ready");
  return {
    name: n.metadata!.name!,
    allocatable: alloc,
    labels: n.metadata?.labels ?? {},
    taints: (n.spec?.taints ?? []).map((t): Taint => ({ key: t.key, value: t.value, effect: t.effect })),
    unschedulable: n.spec?.unschedulable === true || (ready !== undefined && ready.status !== "True"),
  };
}

/** What a pod asks of a node: max(sum of containers, largest init container) + overhead; not ok if a quantity is unparsable. */
export function podRequests(p: k8s.V1Pod): PodRequests {
  return requestsOfSpec(p.spec);
}

/**
 * What a pod already on a node (or assumed there) uses. A pod we did not place may carry a request
 * we cannot parse; Kubernetes accepted it, so it uses *something*. The rule: an unparsable request
 * counts as the node's whole allocatable of that resource, so nothing else asking for it fits there
 * (conservative: never NaN, never "fits everywhere").
 */
export function boundRequests(p: k8s.V1Pod, node: NodeSnapshot | undefined): Resources {
  const r = podRequests(p);
  if (r.ok) return r.requests;
  const out = { ...r.requests };
  for (const name of r.unparsable) out[name] = node?.allocatable[name] ?? 0;
  return out;
}

const finished = (p: k8s.V1Pod) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";
const tenantOfPod = (p: k8s.V1Pod) => (p.metadata?.labels?.[LABEL_MANAGED_BY] === MANAGED_BY ? p.metadata?.labels?.[LABEL_TENANT] : undefined);

export class PodScheduler {
  private readonly core: k8s.CoreV1Api;
  private nodes: k8s.Informer<k8s.V1Node> & k8s.ObjectCache<k8s.V1Node>;
  private pods: k8s.Informer<k8s.V1Pod> & k8s.ObjectCache<k8s.V1Pod>;
  private readonly assumed = new Map<string, { node: string; at: number }>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });
  private timer: NodeJS.Timeout | undefined;
  private readonly runner = new CoalescedRunner(
    () => this.cycle(),
    () => this.active,
    (e) => this.opts.log(40, `scheduling cycle failed: ${e.message}`),
  );
  private active = false;
  /** the informers should be running (false once stopped, so that aborting them does not restart them) */
  private watching = false;
  /** bindings done, for tests and logs */
  bound = 0;

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly opts: PodSchedulerOptions,
  ) {
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    [this.nodes, this.pods] = this.informers();
  }

  /**
   * New informers for each term as leader: they start from a fresh list. Restarted ones would
   * resume watching from where the last term stopped and show, for a while, a past in which pods
   * that another leader has bound since are still pending.
   */
  private informers() {
    const nodes = k8s.makeInformer(this.kc, "/api/v1/nodes", () => this.core.listNode());
    const pods = k8s.makeInformer(this.kc, "/api/v1/pods", () => this.core.listPodForAllNamespaces());
    for (const inf of [nodes, pods] as Array<k8s.Informer<k8s.KubernetesObject>>) {
      inf.on("add", () => this.kick());
      inf.on("update", () => this.kick());
      inf.on("delete", () => this.kick());
      const current = () => this.watching && ((inf as unknown) === this.nodes || (inf as unknown) === this.pods);
      inf.on("error", (e) => {
        if (!current()) return; // stop() aborted the watch (or this term is over): it must stay stopped
        this.opts.log(30, `watch error (${(e as Error)?.message ?? e}); restarting in 2s`);
        setTimeout(() => void (current() ? inf.start().catch(() => {}) : undefined), 2000);
      });
    }
    return [nodes, pods] as const;
  }

  /** Start watching and scheduling (call when this instance holds the lease). */
  async start(): Promise<void> {
    this.watching = true;
    this.assumed.clear();
    [this.nodes, this.pods] = this.informers();
    await Promise.all([this.nodes.start(), this.pods.start()]);
    this.active = true;
    this.timer = setInterval(() => this.kick(), this.opts.resyncMs ?? 2000);
    this.opts.log(20, `started: ${this.nodes.list().length} node(s), multi-tenant ${this.opts.multiTenant ? "on" : "off"}`);
    this.kick();
  }

  async stop(): Promise<void> {
    this.active = false;
    this.watching = false;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([this.nodes.stop(), this.pods.stop()]);
    await this.runner.idle();
    this.agent.destroy();
  }

  /** Problems seen in the cluster (unparsable quantities), each logged once at level 30. */
  private readonly warned = new Set<string>();
  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    if (this.warned.size > 10_000) this.warned.clear();
    this.warned.add(message);
    this.opts.log(30, message);
  }

  kick(): void {
    this.runner.request();
  }

  /** One cycle: snapshot, then place every complete job of pending pods. */
  async cycle(): Promise<void> {
    const state = new PlacementState();
    const snapshots = new Map<string, NodeSnapshot>();
    for (const n of this.nodes.list()) {
      const snap = nodeSnapshot(n, (m) => this.warnOnce(m));
      snapshots.set(snap.name, snap);
      state.upsertNode(snap);
    }
    const pending = new Map<string, k8s.V1Pod[]>();
    const now = Date.now();
    for (const p of this.pods.list()) {
      const k = key(p);
      if (p.spec?.nodeName) {
        this.assumed.delete(k);
        if (!finished(p)) state.bind({ key: k, node: p.spec.nodeName, requests: boundRequests(p, snapshots.get(p.spec.nodeName)), tenant: tenantOfPod(p) });
      } else if (this.assumed.has(k)) {
        const a = this.assumed.get(k)!;
        if (now - a.at > 30_000) this.assumed.delete(k); // the binding never showed up: decide again
        else state.bind({ key: k, node: a.node, requests: boundRequests(p, snapshots.get(a.node)), tenant: tenantOfPod(p) });
      } else if (p.spec?.schedulerName === POD_SCHEDULER_NAME && !p.metadata?.deletionTimestamp && !finished(p)) {
        const job = `${p.metadata?.namespace}/${p.metadata?.labels?.[LABEL_JOB_NUMBER] ?? p.metadata?.name}`;
        pending.set(job, [...(pending.get(job) ?? []), p]);
      }
    }
    for (const [job, pods] of pending) {
      if (!this.active) return; // stopped (lost the lease) meanwhile: bind nothing more
      const expected = Number(pods[0]!.metadata?.annotations?.[ANNOTATION_JOB_PODS] ?? pods.length);
      if (pods.length < expected) {
        this.opts.log(10, `job ${job}: ${pods.length} of ${expected} pod(s) created so far; waiting to place them together`);
        continue;
      }
      const sorted = pods.sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
      const requests = new Map(sorted.map((p) => [key(p), podRequests(p)] as const));
      const bad = [...requests].find(([, r]) => !r.ok);
      if (bad && !bad[1].ok) {
        this.warnOnce(`job ${job} is unschedulable: pod ${bad[0]} requests ${bad[1].problem}`);
        continue;
      }
      const decision = state.placeJob(
        sorted.map((p) => ({
          key: key(p),
          requests: requests.get(key(p))!.requests,
          tenant: tenantOfPod(p) ?? `untenanted:${key(p)}`,
          nodeSelector: p.spec?.nodeSelector,
          tolerations: (p.spec?.tolerations ?? []).map((t) => ({ key: t.key, operator: t.operator as "Equal" | "Exists" | undefined, value: t.value, effect: t.effect })),
        })),
        { multiTenant: this.opts.multiTenant, explain: true },
      );
      for (const d of decision.disqualified) {
        this.opts.log(10, `disqualified node ${d.node} for pod ${d.pod} of tenant ${tenantOfPod(sorted.find((p) => key(p) === d.pod)!) ?? "?"}: it runs pods of tenant(s) ${d.tenants.join(", ")}`);
      }
      if (!decision.placed) {
        this.opts.log(20, `job ${job} waits: ${decision.reason}`);
        continue;
      }
      for (const b of decision.bindings) this.assumed.set(b.pod, { node: b.node, at: now });
      const results = await Promise.allSettled(decision.bindings.map((b) => this.bind(b.pod, b.node)));
      results.forEach((r, i) => {
        const b = decision.bindings[i]!;
        if (r.status === "fulfilled") {
          this.bound++;
          this.opts.log(20, `bound ${b.pod} to ${b.node}`);
        } else {
          this.assumed.delete(b.pod);
          this.opts.log(30, `binding ${b.pod} to ${b.node} failed: ${(r.reason as Error).message}`);
        }
      });
    }
  }

  /** POST pods/binding on a keep-alive connection (client-node 1.4 opens a new one per request). */
  private async bind(podKey: string, node: string): Promise<void> {
    const [namespace, name] = podKey.split("/") as [string, string];
    const server = this.kc.getCurrentCluster()!.server;
    const url = new URL(`/api/v1/namespaces/${namespace}/pods/${name}/binding`, server);
    const options: RequestOptions = { method: "POST", agent: this.agent, headers: { "content-type": "application/json" } };
    await this.kc.applyToHTTPSOptions(options as never);
    const body = JSON.stringify({ apiVersion: "v1", kind: "Binding", metadata: { name, namespace }, target: { apiVersion: "v1", kind: "Node", name: node } });
    await new Promise<void>((resolve, reject) => {
      const req = request(url, { ...options, agent: this.agent }, (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => ((res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`))));
      });
      req.on("error", reject);
      req.end(body);
    });
  }
}
