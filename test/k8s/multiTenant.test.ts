// Job isolation in multi-tenant mode (spec/scheduler-and-network.md), checked
// on the bindings the real API server holds: jarvice-pod-scheduler never puts
// two tenants on one KWOK node, packs one tenant's fractional jobs best-fit,
// treats a payer and its team as one tenant, and at log level 10 names every
// node it disqualifies with the pod and the conflicting tenant.
//
// Each test uses its own tenants, so earlier tests' running jobs are part of
// the later tests' world (other tenants' nodes that must be avoided). 12
// nodes of 16 CPUs leave room for the worst-case fragmentation of test (a).
import type * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Creds } from "../app";
import { startStack, waitUntil, type Stack } from "./stack";

const TENANT = "jarvice-tenant";
const USER = "jarvice-user";
const JOB = "jarvice-job-number";

let s: Stack;

type Machine = "n4" | "n8" | "n16";

const submit = async (who: Creds, type: Machine, nodes = 1) => {
  const r = await s.t.call("POST", "/jarvice/submit", {
    body: { app: "demo", application: { command: "sleep", parameters: { seconds: 3600 } }, machine: { type, nodes }, user: who },
  });
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { number: number }).number;
};

const jobPods = async () => (await s.core.listNamespacedPod({ namespace: s.jobsNamespace, labelSelector: "app.kubernetes.io/managed-by=paddock" })).items;
const podsOfJobs = async (jobs: number[]) => (await jobPods()).filter((p) => jobs.includes(Number(p.metadata?.labels?.[JOB])));
const running = (p: k8s.V1Pod) => Boolean(p.spec?.nodeName && p.status?.phase === "Running" && p.status.podIP);

/** Wait until every pod of these jobs (`expected` in all) is bound and Running; returns them. */
const waitRunning = (jobs: number[], expected: number, timeoutMs = 60_000) =>
  waitUntil(
    `${expected} pod(s) of jobs ${jobs.join(", ")} Running`,
    async () => {
      const pods = await podsOfJobs(jobs);
      return pods.length === expected && pods.every(running) && pods;
    },
    timeoutMs,
  );

/** node -> tenants, from the bindings on the API server (spec.nodeName), over every Paddock pod of the jobs namespace. */
const tenantsByNode = async () => {
  const byNode = new Map<string, Set<string>>();
  for (const p of await jobPods()) {
    const node = p.spec?.nodeName;
    if (!node || p.status?.phase === "Succeeded" || p.status?.phase === "Failed") continue;
    const set = byNode.get(node) ?? new Set<string>();
    set.add(p.metadata?.labels?.[TENANT] ?? "?");
    byNode.set(node, set);
  }
  return byNode;
};

const describeNodes = (byNode: Map<string, Set<string>>) =>
  [...byNode.entries()]
    .sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }))
    .map(([node, tenants]) => `  ${node} -> ${[...tenants].sort().join(", ")}`)
    .join("\n");

/** The isolation invariant on the API server's bindings, with a failure message listing nodes -> tenants. */
const expectNoSharedNode = async () => {
  const byNode = await tenantsByNode();
  const shared = [...byNode.entries()].filter(([, t]) => t.size > 1).map(([n]) => n);
  expect(shared, `nodes hosting pods of more than one tenant: ${shared.join(", ")}\nnodes -> tenants:\n${describeNodes(byNode)}`).toEqual([]);
  return byNode;
};

const nodesOf = (pods: k8s.V1Pod[]) => [...new Set(pods.map((p) => p.spec!.nodeName!))].sort();
const podKey = (p: k8s.V1Pod) => `${p.metadata!.namespace}/${p.metadata!.name}`;

beforeAll(async () => {
  s = await startStack({ nodes: 12, env: { JARVICE_JOBS_MULTI_TENANT: "true", JARVICE_POD_SCHED_LOGLEVEL: "10" } });
});
afterAll(async () => s?.stop());

describe("multi-tenant job isolation on a real API server (12 KWOK nodes of 16 CPUs)", () => {
  it("(a) two tenants submitting fractional jobs alternately never share a node", async () => {
    const alice = await s.t.payer("alice");
    const bob = await s.t.payer("bob");
    // 6 jobs each, 1-2 nodes of n4 (1/4 node) or n8 (1/2 node): 40 CPUs a tenant, submitted alternately without waiting.
    const shapes: Array<[Machine, number]> = [
      ["n4", 1],
      ["n8", 1],
      ["n4", 2],
      ["n8", 1],
      ["n4", 1],
      ["n8", 1],
    ];
    const jobs: Record<string, number[]> = { alice: [], bob: [] };
    for (const [type, nodes] of shapes) {
      jobs.alice!.push(await submit(alice, type, nodes));
      jobs.bob!.push(await submit(bob, type, nodes));
    }
    const podCount = shapes.reduce((n, [, nodes]) => n + nodes, 0);
    const pods = await waitRunning([...jobs.alice!, ...jobs.bob!], 2 * podCount);

    for (const p of pods) {
      const tenant = jobs.alice!.includes(Number(p.metadata!.labels![JOB])) ? "alice" : "bob";
      expect(p.metadata!.labels![TENANT]).toBe(tenant);
      expect(p.spec!.schedulerName).toBe("jarvice-pod-scheduler");
    }
    const byNode = await expectNoSharedNode();
    const aliceNodes = nodesOf(pods.filter((p) => p.metadata!.labels![TENANT] === "alice"));
    const bobNodes = nodesOf(pods.filter((p) => p.metadata!.labels![TENANT] === "bob"));
    expect(aliceNodes.filter((n) => bobNodes.includes(n)), `nodes -> tenants:\n${describeNodes(byNode)}`).toEqual([]);
    // Best fit still packs within a tenant: 40 CPUs need 3 nodes, fragmentation at most one more.
    expect(aliceNodes.length, `alice on ${aliceNodes.join(", ")}`).toBeLessThanOrEqual(4);
    expect(bobNodes.length, `bob on ${bobNodes.join(", ")}`).toBeLessThanOrEqual(4);
  });

  it("(b) one tenant's fractional jobs share a node: four n4 single-node jobs land on one node", async () => {
    const carol = await s.t.payer("carol");
    const jobs = [];
    for (let i = 0; i < 4; i++) jobs.push(await submit(carol, "n4"));
    const pods = await waitRunning(jobs, 4);
    const byNode = await expectNoSharedNode();
    const nodes = nodesOf(pods);
    expect(nodes, `carol's pods on ${nodes.join(", ")}; nodes -> tenants:\n${describeNodes(byNode)}`).toHaveLength(1);
    expect([...byNode.get(nodes[0]!)!]).toEqual(["carol"]);
  });

  it("(c) at log level 10 the scheduler names the disqualified node, the pod and the conflicting tenant", async () => {
    // erin takes half of a free node; frank's n4 fits best there (4 CPUs left, against 12 on a free node),
    // but that node runs erin's pod: it is disqualified, frank goes elsewhere, and the log says why.
    const erin = await s.t.payer("erin");
    const frank = await s.t.payer("frank");
    const e = await submit(erin, "n8");
    const [erinPod] = await waitRunning([e], 1);
    const erinNode = erinPod!.spec!.nodeName!;
    const logFrom = s.schedulerLog.length;

    const f = await submit(frank, "n4");
    const [frankPod] = await waitRunning([f], 1);
    expect(frankPod!.spec!.nodeName).not.toBe(erinNode);
    await expectNoSharedNode();

    const lines = s.schedulerLog.slice(logFrom);
    const line = lines.find((l) => l.startsWith("10 ") && l.includes(erinNode) && l.includes(podKey(frankPod!)) && /tenant\(s\) [^:]*\berin\b/.test(l));
    expect(line, `no level-10 line naming node ${erinNode}, pod ${podKey(frankPod!)} and tenant erin; disqualification lines:\n${lines.filter((l) => l.includes("disqualified")).join("\n")}`).toBeDefined();
    expect(line).toMatch(new RegExp(`^10 disqualified node ${erinNode} for pod ${podKey(frankPod!)} of tenant frank: .*\\berin\\b`));
    // Every disqualification names a node that really held another tenant's pod: never frank's own.
    for (const l of lines.filter((x) => x.includes(`for pod ${podKey(frankPod!)} `))) expect(l).not.toMatch(/tenant\(s\) [^:]*\bfrank\b/);
  });

  it("(d) a payer and its team members are one tenant: their jobs share a node", async () => {
    const gina = await s.t.payer("gina");
    const hank = await s.t.member("hank", "gina");
    const ivy = await s.t.member("ivy", "gina", { teamAdmin: true });
    // gina's n8 takes half of a free node; the members' n4 jobs fit best beside it, and may go there.
    const g = await submit(gina, "n8");
    await waitRunning([g], 1);
    const h = await submit(hank, "n4");
    const i = await submit(ivy, "n4");
    const pods = await waitRunning([g, h, i], 3);

    const byUser = Object.fromEntries(pods.map((p) => [p.metadata!.labels![USER], p.metadata!.labels![TENANT]]));
    expect(byUser).toEqual({ gina: "gina", hank: "gina", ivy: "gina" });
    const byNode = await expectNoSharedNode();
    const nodes = nodesOf(pods);
    expect(nodes, `gina's team on ${nodes.join(", ")}; nodes -> tenants:\n${describeNodes(byNode)}`).toHaveLength(1);
    expect([...byNode.get(nodes[0]!)!]).toEqual(["gina"]);
    // No disqualification ever named the team's own tenant for its own pods.
    for (const p of pods) {
      for (const l of s.schedulerLog.filter((x) => x.includes(`for pod ${podKey(p)} `))) expect(l).not.toMatch(/tenant\(s\) [^:]*\bgina\b/);
    }
  });
});
