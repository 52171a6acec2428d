// Fluent builders of nodes and pods for the placement core, in Kubernetes units
// (CPU in millicores, memory in bytes), e.g.
//   aNode("n1").cores(16).memoryGi(64).gpus(2).labels({ zone: "a" }).taint("gpu", "NoSchedule").build()
//   aPod("jobs/p0").cores(0.5).memoryGi(2).tenant("acme").selector({ zone: "a" }).build()
//   aBoundPod("kube-system/agent").on("n1").cores(1).unmanaged().build()
// Every node carries `kubernetes.io/hostname`, as real nodes do, so a test can
// aim a pod at one node with a selector.
import type { BoundPod, NodeSnapshot, PodToPlace, Resources, Taint, Toleration } from "../src/core/placement";

export const GPU = "nvidia.com/gpu";
export const HOSTNAME = "kubernetes.io/hostname";
export const Gi = 2 ** 30;
export const Mi = 2 ** 20;

const millicores = (cores: number) => Math.round(cores * 1000);

class NodeBuilder {
  private readonly n: NodeSnapshot;

  constructor(name: string) {
    this.n = { name, allocatable: { cpu: 8000, memory: 32 * Gi, pods: 110 }, labels: { [HOSTNAME]: name }, taints: [], unschedulable: false };
  }

  cores(cores: number): this {
    this.n.allocatable.cpu = millicores(cores);
    return this;
  }
  millicores(m: number): this {
    this.n.allocatable.cpu = m;
    return this;
  }
  memoryGi(gi: number): this {
    this.n.allocatable.memory = gi * Gi;
    return this;
  }
  memoryBytes(bytes: number): this {
    this.n.allocatable.memory = bytes;
    return this;
  }
  gpus(n: number): this {
    return this.resource(GPU, n);
  }
  pods(n: number): this {
    this.n.allocatable.pods = n;
    return this;
  }
  /** any extended resource, e.g. "example.com/fpga" */
  resource(name: string, quantity: number): this {
    this.n.allocatable[name] = quantity;
    return this;
  }
  labels(labels: Record<string, string>): this {
    Object.assign(this.n.labels, labels);
    return this;
  }
  taint(key: string, effect: "NoSchedule" | "NoExecute" | "PreferNoSchedule", value?: string): this {
    this.n.taints.push(value === undefined ? { key, effect } : { key, value, effect });
    return this;
  }
  unschedulable(unschedulable = true): this {
    this.n.unschedulable = unschedulable;
    return this;
  }
  build(): NodeSnapshot {
    return { ...this.n, allocatable: { ...this.n.allocatable }, labels: { ...this.n.labels }, taints: this.n.taints.map((t): Taint => ({ ...t })) };
  }
}

export const aNode = (name: string): NodeBuilder => new NodeBuilder(name);

/** requests shared by pods to place and pods already bound */
abstract class RequestsBuilder {
  protected requests: Resources = { cpu: 1000, memory: 1 * Gi };

  cores(cores: number): this {
    this.requests.cpu = millicores(cores);
    return this;
  }
  millicores(m: number): this {
    this.requests.cpu = m;
    return this;
  }
  memoryGi(gi: number): this {
    this.requests.memory = gi * Gi;
    return this;
  }
  memoryMi(mi: number): this {
    this.requests.memory = mi * Mi;
    return this;
  }
  memoryBytes(bytes: number): this {
    this.requests.memory = bytes;
    return this;
  }
  gpus(n: number): this {
    return this.resource(GPU, n);
  }
  resource(name: string, quantity: number): this {
    this.requests[name] = quantity;
    return this;
  }
  /** exactly these requests, nothing else (not even the default CPU and memory) */
  requesting(requests: Resources): this {
    this.requests = { ...requests };
    return this;
  }
}

class PodBuilder extends RequestsBuilder {
  private t = "acme";
  private nodeSelector: Record<string, string> | undefined;
  private tolerations: Toleration[] | undefined;

  constructor(private readonly key: string) {
    super();
  }

  tenant(tenant: string): this {
    this.t = tenant;
    return this;
  }
  selector(selector: Record<string, string>): this {
    this.nodeSelector = { ...(this.nodeSelector ?? {}), ...selector };
    return this;
  }
  /** only on node `name` (by its hostname label) */
  onlyOn(name: string): this {
    return this.selector({ [HOSTNAME]: name });
  }
  tolerate(...tolerations: Toleration[]): this {
    this.tolerations = [...(this.tolerations ?? []), ...tolerations];
    return this;
  }
  build(): PodToPlace {
    return {
      key: this.key,
      requests: { ...this.requests },
      tenant: this.t,
      nodeSelector: this.nodeSelector && { ...this.nodeSelector },
      tolerations: this.tolerations?.map((t) => ({ ...t })),
    };
  }
}

export const aPod = (key: string): PodBuilder => new PodBuilder(key);

/** `n` pods of one job: `${prefix}-0` .. `${prefix}-${n-1}`, each shaped by `shape` */
export function aJob(prefix: string, n: number, shape: (b: PodBuilder) => PodBuilder = (b) => b): PodToPlace[] {
  return Array.from({ length: n }, (_, i) => shape(aPod(`${prefix}-${i}`)).build());
}

class BoundPodBuilder extends RequestsBuilder {
  private node = "n1";
  private t: string | undefined = "acme";

  constructor(private readonly key: string) {
    super();
  }

  on(node: string): this {
    this.node = node;
    return this;
  }
  tenant(tenant: string): this {
    this.t = tenant;
    return this;
  }
  /** not a Paddock pod (a daemon, another scheduler's pod): uses resources, claims no node */
  unmanaged(): this {
    this.t = undefined;
    return this;
  }
  build(): BoundPod {
    return { key: this.key, node: this.node, requests: { ...this.requests }, tenant: this.t };
  }
}

export const aBoundPod = (key: string): BoundPodBuilder => new BoundPodBuilder(key);
