// The soak's judgement on hand-made cluster states (no API server): the watch ledger and
// the sampled checker must flag a second tenant on a node, an over-commit and a half-bound
// gang, and the fit oracle must tell a job that fits the free capacity from one that does not.
// If these rules were broken, the soak (churn.ts) would pass on a broken scheduler.
import type * as k8s from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { BindingLedger, fitsNow, simpleQuantity, waitingJobs } from "./churnAssess";
import { checkBindings } from "./bindingCheck";
import { MANAGED_BY, podPlan } from "../../src/core/podPlan";

const NS = "jobs";
const node = (name: string, cpu = "16", memory = "64Gi"): k8s.V1Node => ({ metadata: { name }, status: { allocatable: { cpu, memory, pods: "110" } } });
/** the pods of a job, as Paddock makes them, bound to `nodes[i]` (undefined: waiting) */
const job = (number: number, tenant: string, cores: number, on: Array<string | undefined>, phase = "Running"): k8s.V1Pod[] =>
  podPlan({
    number,
    username: tenant,
    tenant,
    image: "busybox",
    command: ["true"],
    machine: { name: `n${cores}`, cores, memoryGb: cores * 4, gpus: 0, nodeSelector: {} },
    nodes: on.length,
    namespace: NS,
  }).map((p, i) => ({ ...(p as k8s.V1Pod), spec: { ...(p.spec as k8s.V1PodSpec), nodeName: on[i] }, status: { phase: on[i] ? phase : "Pending" } }));
const check = (pods: k8s.V1Pod[], nodes: k8s.V1Node[]) => checkBindings(pods, nodes, { multiTenant: true, managedValue: MANAGED_BY });

describe("the churn soak's checks", () => {
  const nodes = [node("n0"), node("n1"), node("n2")];

  it("a correct state passes: one tenant per node, within capacity, gangs whole", () => {
    const pods = [...job(1, "a", 8, ["n0", "n0"]), ...job(2, "b", 16, ["n1"]), ...job(3, "c", 4, [undefined, undefined])];
    const c = check(pods, nodes);
    expect([c.violations, c.overcommits, c.partialGangs]).toEqual([[], [], []]);
    const ledger = new BindingLedger();
    nodes.forEach((n) => ledger.setNode(n));
    for (const p of pods) ledger.apply(p);
    expect(ledger.problems).toEqual([]);
  });

  it("flags two tenants on a node, in the sample and at the binding in the watch", () => {
    const pods = [...job(1, "a", 4, ["n0"]), ...job(2, "b", 4, ["n0"])];
    expect(check(pods, nodes).violations).toEqual([{ node: "n0", tenants: ["a", "b"] }]);
    const ledger = new BindingLedger();
    nodes.forEach((n) => ledger.setNode(n));
    expect(ledger.apply(pods[0]!)).toBe("bound");
    expect(ledger.apply(pods[1]!)).toBe("bound");
    expect(ledger.problems).toEqual(["node n0 hosts tenants a, b (binding of jarvice-job-2-0)"]);
  });

  it("a finished or deleted pod frees its node in the watch: the next tenant is no violation", () => {
    const [a] = job(1, "a", 4, ["n0"]);
    const [b] = job(2, "b", 4, ["n0"]);
    const ledger = new BindingLedger();
    nodes.forEach((n) => ledger.setNode(n));
    ledger.apply(a!);
    ledger.apply({ ...a!, status: { phase: "Succeeded" } });
    ledger.apply(b!);
    const [c] = job(3, "c", 4, ["n0"]);
    ledger.remove(b!.metadata!.name!);
    ledger.apply(c!);
    expect(ledger.problems).toEqual([]);
  });

  it("flags an over-commit (CPU and memory) in the sample and in the watch", () => {
    const pods = [...job(1, "a", 8, ["n0", "n0"]), ...job(2, "a", 4, ["n0"])];
    expect(check(pods, nodes).overcommits.map((o) => o.resource).sort()).toEqual(["cpu", "memory"]);
    const ledger = new BindingLedger();
    nodes.forEach((n) => ledger.setNode(n));
    pods.forEach((p) => ledger.apply(p));
    expect(ledger.problems).toHaveLength(1);
    expect(ledger.problems[0]).toMatch(/^node n0 over-committed by the binding of jarvice-job-2-0: 20000m CPU of 16000m/);
  });

  it("flags a gang left partly bound, and a pod that moves", () => {
    const pods = job(1, "a", 4, ["n0", undefined, "n0"]);
    expect(check(pods, nodes).partialGangs).toEqual([{ job: `${NS}/1`, bound: 2, waiting: 1, expected: 3 }]);
    const ledger = new BindingLedger();
    nodes.forEach((n) => ledger.setNode(n));
    ledger.apply(pods[0]!);
    ledger.apply({ ...pods[0]!, spec: { ...pods[0]!.spec!, nodeName: "n1" } });
    expect(ledger.problems).toEqual(["pod jarvice-job-1-0 moved from n0 to n1 (a pod is bound once)"]);
  });

  it("the fit oracle: free capacity on the tenant's own or empty nodes only, CPU and memory", () => {
    // n0: tenant a, 8 of 16 CPU used; n1: tenant b, full; n2: empty.
    const running = [...job(1, "a", 8, ["n0"]), ...job(2, "b", 16, ["n1"])];
    const fits = (pods: k8s.V1Pod[]) => fitsNow(waitingJobs([...running, ...pods])[0]!, [...running, ...pods], nodes);
    expect(fits(job(10, "a", 8, [undefined, undefined, undefined]))).toBe(true); // n0 + n2 (twice)
    expect(fits(job(11, "a", 8, [undefined, undefined, undefined, undefined]))).toBe(false);
    expect(fits(job(12, "c", 8, [undefined, undefined]))).toBe(true); // only n2, twice
    expect(fits(job(13, "c", 8, [undefined, undefined, undefined]))).toBe(false); // n0 is a's, n1 is b's
    expect(fits(job(14, "b", 16, [undefined, undefined]))).toBe(false);
    // A finished pod frees its node; one of another tenant being deleted still holds it.
    const done = job(3, "c", 16, ["n2"], "Succeeded");
    expect(fitsNow(waitingJobs([...running, ...done, ...job(15, "d", 16, [undefined])])[0]!, [...running, ...done], nodes)).toBe(true);
    // Memory-bound: 4 CPU and 16Gi per pod; node n2 has 64Gi: four fit, not five.
    expect(fits(job(16, "e", 4, Array(4).fill(undefined)))).toBe(true);
    expect(fits(job(17, "e", 4, Array(5).fill(undefined)))).toBe(false);
  });

  it("waiting jobs: only those with unbound pods, oldest first", () => {
    const pods = [...job(7, "a", 4, [undefined]), ...job(5, "b", 4, ["n0", undefined]), ...job(6, "c", 4, ["n1"])];
    expect(waitingJobs(pods).map((w) => [w.job, w.unbound, w.expected])).toEqual([
      [5, 1, 2],
      [7, 1, 1],
    ]);
  });

  it("reads the quantities the soak writes, and refuses others", () => {
    expect([simpleQuantity("4"), simpleQuantity("500m"), simpleQuantity("16Gi")]).toEqual([4, 0.5, 16 * 2 ** 30]);
    expect(() => simpleQuantity("1e9")).toThrow();
  });
});
