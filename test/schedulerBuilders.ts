// Fluent builders of Kubernetes pods and nodes for jarvice-pod-scheduler's
// cache, queue and loop tests, plus a fake binder and reporter, e.g.
//   aKubePod("p0").ofJob(7, 3).tenant("acme").cores(2).on("n1").build()
//   aKubeNode("n1").cores(16).memoryGi(64).build()
import * as k8s from "@kubernetes/client-node";
import { ANNOTATION_JOB_PODS, LABEL_JOB_NUMBER, LABEL_MANAGED_BY, LABEL_TENANT, MANAGED_BY, POD_SCHEDULER_NAME } from "../src/core/podPlan";
import type { BinderLike, BindResult, ReporterLike } from "../src/k8s/schedulerSeams";

export const NS = "jobs";

class KubePodBuilder {
  private readonly p: k8s.V1Pod;

  constructor(name: string) {
    this.p = {
      metadata: { name, namespace: NS, labels: {}, annotations: {}, creationTimestamp: new Date(0) },
      spec: { schedulerName: POD_SCHEDULER_NAME, containers: [{ name: "c", resources: { requests: { cpu: "1", memory: "1Gi" } } }] },
      status: { phase: "Pending" },
    };
  }

  /** member of job `number`, which has `pods` members */
  ofJob(number: number, pods: number): this {
    this.p.metadata!.labels![LABEL_JOB_NUMBER] = String(number);
    this.p.metadata!.annotations![ANNOTATION_JOB_PODS] = String(pods);
    return this;
  }
  tenant(tenant: string): this {
    this.p.metadata!.labels![LABEL_MANAGED_BY] = MANAGED_BY;
    this.p.metadata!.labels![LABEL_TENANT] = tenant;
    return this;
  }
  /** a pod of another scheduler (a daemon, a system pod) */
  foreign(): this {
    this.p.spec!.schedulerName = "default-scheduler";
    return this;
  }
  requests(requests: Record<string, string>): this {
    this.p.spec!.containers[0]!.resources = { requests };
    return this;
  }
  cores(cores: number): this {
    this.p.spec!.containers[0]!.resources!.requests!.cpu = String(cores);
    return this;
  }
  on(node: string): this {
    this.p.spec!.nodeName = node;
    return this;
  }
  priority(priority: number): this {
    this.p.spec!.priority = priority;
    return this;
  }
  /** created `ms` after the epoch */
  createdAt(ms: number): this {
    this.p.metadata!.creationTimestamp = new Date(ms);
    return this;
  }
  wallTime(seconds: number, startedAtMs?: number): this {
    this.p.spec!.activeDeadlineSeconds = seconds;
    if (startedAtMs !== undefined) this.p.status!.startTime = new Date(startedAtMs);
    return this;
  }
  selector(s: Record<string, string>): this {
    this.p.spec!.nodeSelector = s;
    return this;
  }
  deleting(): this {
    this.p.metadata!.deletionTimestamp = new Date(1);
    return this;
  }
  phase(phase: string): this {
    this.p.status!.phase = phase;
    return this;
  }
  build(): k8s.V1Pod {
    return structuredClone(this.p);
  }
}

export const aKubePod = (name: string) => new KubePodBuilder(name);

class KubeNodeBuilder {
  private readonly n: k8s.V1Node;
  constructor(name: string) {
    this.n = {
      metadata: { name, labels: { "kubernetes.io/hostname": name } },
      spec: {},
      status: { allocatable: { cpu: "16", memory: "64Gi", pods: "110" }, conditions: [{ type: "Ready", status: "True" }] },
    };
  }
  cores(c: number): this {
    this.n.status!.allocatable!.cpu = String(c);
    return this;
  }
  memoryGi(g: number): this {
    this.n.status!.allocatable!.memory = `${g}Gi`;
    return this;
  }
  labels(l: Record<string, string>): this {
    Object.assign(this.n.metadata!.labels!, l);
    return this;
  }
  taint(key: string, effect: string): this {
    (this.n.spec!.taints ??= []).push({ key, effect });
    return this;
  }
  unschedulable(u = true): this {
    this.n.spec!.unschedulable = u;
    return this;
  }
  build(): k8s.V1Node {
    return structuredClone(this.n);
  }
}

export const aKubeNode = (name: string) => new KubeNodeBuilder(name);

/** A binder that answers each binding with `respond` (default: bound), on the next microtask, and remembers the calls. */
export class FakeBinder implements BinderLike {
  readonly calls: Array<{ pod: string; node: string }> = [];
  inFlight = 0;
  queued = 0;
  closed = false;
  constructor(public respond: (pod: string, node: string, call: number) => BindResult = () => ({ outcome: "bound" })) {}
  async bind(pod: string, node: string): Promise<BindResult> {
    this.calls.push({ pod, node });
    const n = this.calls.filter((c) => c.pod === pod).length;
    this.inFlight++;
    await Promise.resolve();
    this.inFlight--;
    return this.respond(pod, node, n);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

export class FakeReporter implements ReporterLike {
  readonly scheduledPods: Array<[string, string]> = [];
  readonly waitingPods: Array<[string, string]> = [];
  readonly forgotten: string[] = [];
  scheduled(pod: string, node: string): void {
    this.scheduledPods.push([pod, node]);
  }
  waiting(pod: string, message: string): void {
    this.waitingPods.push([pod, message]);
  }
  forget(pod: string): void {
    this.forgotten.push(pod);
  }
  async close(): Promise<void> {}
}

/** Let promise callbacks (binding answers) run. */
export const settle = () => new Promise<void>((r) => setImmediate(r));

/** A kubeconfig for a fake API server on loopback over plain http (client-node wants skipTLSVerify for http). */
export function localKubeConfig(port: number): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: "u" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return kc;
}
