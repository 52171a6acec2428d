// The scheduler benchmark's workload, as pure functions: which jobs of which
// tenants, the pods each contender is given (Paddock's pods exactly as
// src/core/podPlan.ts builds them; the others differ only in schedulerName and,
// for kube-scheduler with tenant exclusivity, a required pod anti-affinity),
// and an offline lower bound on the nodes any placement needs.
import type { Resources } from "../src/core/placement";
import { LABEL_TENANT, podPlan, type PlannedPod } from "../src/core/podPlan";
import { podRequests } from "../src/core/podRequests";
import { rng } from "../test/rng";

/** The cluster every shape runs on (KWOK nodes). */
export interface NodeShape {
  count: number;
  cpu: number;
  memoryGi: number;
  /** the kubelet's default pod limit */
  pods: number;
}

/** A workload: `pods` equal pods of `podCpu` cores, spread evenly over `tenants`, in jobs of 1 and `gangSize` pods. */
export interface WorkloadShape {
  name: string;
  pods: number;
  podCpu: number;
  podMemoryGi: number;
  tenants: number;
  gangSize: number;
  /** about this share of each tenant's pods is in jobs of `gangSize` pods (whole jobs only), the rest in 1-pod jobs */
  gangShare: number;
}

export const BENCH_NODES: NodeShape = { count: 500, cpu: 16, memoryGi: 64, pods: 110 };

export const SHAPES: Record<string, WorkloadShape> = {
  // 40 pods per tenant: 6 jobs of 4 + 16 jobs of 1 = 22 jobs; 1,100 jobs; exactly fills 500 nodes (10 per tenant)
  quarter: { name: "quarter", pods: 2000, podCpu: 4, podMemoryGi: 16, tenants: 50, gangSize: 4, gangShare: 0.6 },
  // 25 pods per tenant: 3 jobs of 4 + 13 jobs of 1 = 16 jobs; 3,200 jobs; 2 nodes per tenant (400) when tenants are exclusive
  onecpu: { name: "onecpu", pods: 5000, podCpu: 1, podMemoryGi: 4, tenants: 200, gangSize: 4, gangShare: 0.6 },
};

export interface BenchJob {
  /** the job number (jarvice-job-number label), 1.. in creation order */
  number: number;
  tenant: string;
  pods: number;
}


export const tenantName = (i: number, tenants: number): string => `tenant-${String(i).padStart(String(tenants - 1).length, "0")}`;

/**
 * The jobs, in creation order: each tenant gets pods/tenants pods (the first pods % tenants get one
 * more), floor(its pods × gangShare / gangSize) jobs of gangSize pods and 1-pod jobs for the rest;
 * then all jobs are shuffled (seeded) so tenants and sizes interleave as they would arrive.
 */
export function makeJobs(shape: WorkloadShape, seed: number): BenchJob[] {
  if (shape.tenants < 1 || shape.pods < shape.tenants) throw new Error(`workload ${shape.name}: needs at least one pod per tenant (${shape.pods} pods, ${shape.tenants} tenants)`);
  const sizes: Array<{ tenant: string; pods: number }> = [];
  for (let t = 0; t < shape.tenants; t++) {
    const tenant = tenantName(t, shape.tenants);
    const pods = Math.floor(shape.pods / shape.tenants) + (t < shape.pods % shape.tenants ? 1 : 0);
    const gangs = Math.floor((pods * shape.gangShare) / shape.gangSize);
    for (let g = 0; g < gangs; g++) sizes.push({ tenant, pods: shape.gangSize });
    for (let s = 0; s < pods - gangs * shape.gangSize; s++) sizes.push({ tenant, pods: 1 });
  }
  const r = rng(seed);
  for (let i = sizes.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [sizes[i], sizes[j]] = [sizes[j]!, sizes[i]!];
  }
  return sizes.map((s, i) => ({ number: i + 1, ...s }));
}

/** How a contender is told which pods are its own, and how tenant exclusivity is expressed to it. */
export interface PodVariant {
  schedulerName: string;
  /** kube-scheduler's way to keep tenants apart: required anti-affinity to pods of any other tenant, per node */
  tenantAntiAffinity?: boolean;
}

export const BENCH_IMAGE = "registry.invalid/paddock-bench:1";

/** The pods of all jobs for one contender, in creation order (a job's pods together). */
export function podsFor(jobs: BenchJob[], shape: WorkloadShape, namespace: string, variant: PodVariant): PlannedPod[] {
  return jobs.flatMap((job) =>
    podPlan({
      number: job.number,
      username: job.tenant,
      tenant: job.tenant,
      image: BENCH_IMAGE,
      command: ["sleep", "infinity"],
      machine: { name: `bench-${shape.name}`, cores: shape.podCpu, memoryGb: shape.podMemoryGi, gpus: 0, nodeSelector: {} },
      nodes: job.pods,
      namespace,
    }).map((pod) => withVariant(pod, job.tenant, variant)),
  );
}

function withVariant(pod: PlannedPod, tenant: string, variant: PodVariant): PlannedPod {
  const spec: PlannedPod["spec"] & { affinity?: unknown } = { ...pod.spec, schedulerName: variant.schedulerName };
  if (variant.tenantAntiAffinity) spec.affinity = tenantAntiAffinity(tenant);
  return { ...pod, spec };
}

/** Required pod anti-affinity: never on a node (hostname) that runs a pod of another tenant. */
export function tenantAntiAffinity(tenant: string) {
  return {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        {
          labelSelector: {
            matchExpressions: [
              { key: LABEL_TENANT, operator: "Exists" },
              { key: LABEL_TENANT, operator: "NotIn", values: [tenant] },
            ],
          },
          topologyKey: "kubernetes.io/hostname",
        },
      ],
    },
  };
}

/**
 * An offline lower bound on the nodes any placement of `pods` needs: per resource, the total
 * request over one node's allocatable, rounded up; the largest over resources. With tenant
 * exclusivity no node is shared, so the bound is that sum taken per tenant.
 */
export function nodesLowerBound(pods: Array<Pick<PlannedPod, "metadata" | "spec">>, node: NodeShape, multiTenant: boolean): number {
  const allocatable: Resources = { cpu: node.cpu * 1000, memory: node.memoryGi * 2 ** 30, pods: node.pods };
  const totals = new Map<string, Resources>();
  for (const pod of pods) {
    const r = podRequests(pod.spec);
    if (!r.ok) throw new Error(`pod ${pod.metadata.name}: ${r.problem}`);
    const group = multiTenant ? (pod.metadata.labels[LABEL_TENANT] ?? `untenanted:${pod.metadata.name}`) : "";
    const sum = totals.get(group) ?? {};
    for (const [res, v] of Object.entries({ ...r.requests, pods: 1 })) sum[res] = (sum[res] ?? 0) + v;
    totals.set(group, sum);
  }
  let bound = 0;
  for (const sum of totals.values()) {
    let need = 0;
    for (const [res, v] of Object.entries(sum)) {
      const cap = allocatable[res];
      if (!cap) throw new Error(`the bench's nodes have no ${res}`);
      need = Math.max(need, Math.ceil(v / cap));
    }
    bound += need;
  }
  return bound;
}
