import { describe, expect, it } from "vitest";
import { ANNOTATION_JOB_PODS, LABEL_JOB_NUMBER, LABEL_TENANT, POD_SCHEDULER_NAME } from "../src/core/podPlan";
import { BENCH_NODES, makeJobs, nodesLowerBound, podsFor, SHAPES, tenantAntiAffinity, type WorkloadShape } from "./schedulerWorkload";

const quarter = SHAPES.quarter!;
const onecpu = SHAPES.onecpu!;

describe("makeJobs", () => {
  it("gives the quarter shape the issue's workload: 2,000 pods, 50 tenants of 40, 300 jobs of 4 and 800 of 1", () => {
    const jobs = makeJobs(quarter, 11);
    expect(jobs.reduce((s, j) => s + j.pods, 0)).toBe(2000);
    expect(jobs.filter((j) => j.pods === 4)).toHaveLength(300);
    expect(jobs.filter((j) => j.pods === 1)).toHaveLength(800);
    const perTenant = new Map<string, number>();
    for (const j of jobs) perTenant.set(j.tenant, (perTenant.get(j.tenant) ?? 0) + j.pods);
    expect(perTenant.size).toBe(50);
    expect(new Set(perTenant.values())).toEqual(new Set([40]));
  });

  it("gives the one-CPU shape 5,000 pods of 200 tenants (25 each: 3 jobs of 4, 13 of 1)", () => {
    const jobs = makeJobs(onecpu, 11);
    expect(jobs.reduce((s, j) => s + j.pods, 0)).toBe(5000);
    expect(jobs).toHaveLength(200 * 16);
    expect(new Set(jobs.map((j) => j.tenant)).size).toBe(200);
  });

  it("spreads uneven pods over the first tenants and numbers jobs 1.. in creation order", () => {
    const jobs = makeJobs({ ...quarter, pods: 11, tenants: 3 }, 1);
    const perTenant = new Map<string, number>();
    for (const j of jobs) perTenant.set(j.tenant, (perTenant.get(j.tenant) ?? 0) + j.pods);
    expect([...perTenant].sort()).toEqual([["tenant-0", 4], ["tenant-1", 4], ["tenant-2", 3]]);
    expect(jobs.map((j) => j.number)).toEqual(jobs.map((_, i) => i + 1));
  });

  it("is the same for the same seed and interleaves tenants (not one tenant after another)", () => {
    expect(makeJobs(quarter, 7)).toEqual(makeJobs(quarter, 7));
    expect(makeJobs(quarter, 7)).not.toEqual(makeJobs(quarter, 8));
    const firstTenants = new Set(makeJobs(quarter, 7).slice(0, 20).map((j) => j.tenant));
    expect(firstTenants.size).toBeGreaterThan(5);
  });

  it("refuses fewer pods than tenants", () => {
    expect(() => makeJobs({ ...quarter, pods: 2, tenants: 3 }, 1)).toThrow(/at least one pod per tenant/);
  });
});

describe("podsFor", () => {
  const small: WorkloadShape = { ...quarter, pods: 14, tenants: 2 }; // 7 each: one job of 4, three of 1
  const jobs = makeJobs(small, 3);

  it("gives Paddock its pods as podPlan builds them: schedulerName, tenant and job labels, member count", () => {
    const pods = podsFor(jobs, small, "ns1", { schedulerName: POD_SCHEDULER_NAME });
    expect(pods).toHaveLength(14);
    const gang = jobs.find((j) => j.pods === 4)!;
    const members = pods.filter((p) => p.metadata.labels[LABEL_JOB_NUMBER] === String(gang.number));
    expect(members).toHaveLength(4);
    for (const p of members) {
      expect(p.metadata.namespace).toBe("ns1");
      expect(p.spec.schedulerName).toBe(POD_SCHEDULER_NAME);
      expect(p.metadata.labels[LABEL_TENANT]).toBe(gang.tenant);
      expect(p.metadata.labels["app.kubernetes.io/managed-by"]).toBe("paddock");
      expect(p.metadata.annotations[ANNOTATION_JOB_PODS]).toBe("4");
      expect(p.spec.containers[0]!.resources.requests).toEqual({ cpu: "4", memory: "16Gi" });
      expect("affinity" in p.spec).toBe(false);
    }
  });

  it("differs for other schedulers only in schedulerName and, when asked, the tenant anti-affinity", () => {
    const paddock = podsFor(jobs, small, "ns", { schedulerName: POD_SCHEDULER_NAME });
    const kube = podsFor(jobs, small, "ns", { schedulerName: "bench-kube", tenantAntiAffinity: true });
    kube.forEach((p, i) => {
      const { affinity, ...rest } = p.spec as typeof p.spec & { affinity?: unknown };
      expect(affinity).toEqual(tenantAntiAffinity(p.metadata.labels[LABEL_TENANT]!));
      expect({ ...p, spec: { ...rest, schedulerName: POD_SCHEDULER_NAME } }).toEqual(paddock[i]);
    });
  });

  it("expresses exclusivity as: not on a node running a pod with a tenant label other than its own", () => {
    const term = tenantAntiAffinity("t1").podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]!;
    expect(term.topologyKey).toBe("kubernetes.io/hostname");
    expect(term.labelSelector.matchExpressions).toEqual([
      { key: LABEL_TENANT, operator: "Exists" },
      { key: LABEL_TENANT, operator: "NotIn", values: ["t1"] },
    ]);
  });
});

describe("nodesLowerBound", () => {
  const pods = (shape: WorkloadShape) => podsFor(makeJobs(shape, 11), shape, "ns", { schedulerName: "x" });

  it("is the issue's optimum for both shapes: 500 nodes for quarter; 313 overall and 400 per tenant for one-CPU", () => {
    expect(nodesLowerBound(pods(quarter), BENCH_NODES, false)).toBe(500);
    expect(nodesLowerBound(pods(quarter), BENCH_NODES, true)).toBe(500);
    expect(nodesLowerBound(pods(onecpu), BENCH_NODES, false)).toBe(313);
    expect(nodesLowerBound(pods(onecpu), BENCH_NODES, true)).toBe(400);
  });

  it("takes the tightest resource: memory or the pod count when they bind before CPU", () => {
    const memoryHeavy = { ...quarter, pods: 4, tenants: 1, podCpu: 1, podMemoryGi: 40 };
    expect(nodesLowerBound(pods(memoryHeavy), BENCH_NODES, false)).toBe(3); // 160Gi over 64Gi nodes
    const tiny = { ...quarter, pods: 300, tenants: 1, podCpu: 0.001, podMemoryGi: 0.001 };
    expect(nodesLowerBound(pods(tiny), BENCH_NODES, false)).toBe(3); // 300 pods over 110 per node
  });
});
