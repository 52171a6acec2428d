// The binder and the reporter on a real API server, under the pod scheduler's
// own identity (a token with no groups, authorized only by the chart's RBAC):
// a binding sets the pod's nodeName, binding a bound pod is a "conflict", a
// missing pod "gone", an identity without the chart's grant is "refused" with
// the server's message; the Scheduled and FailedScheduling Events are listed
// by the events API, and PodScheduled=False with the message is in the pod's
// status (merged by type: other conditions stay, one PodScheduled, its
// transition time kept when only the message changes).
import * as k8s from "@kubernetes/client-node";
import { connect, createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeBinder, type Binder } from "../../src/k8s/binder";
import { kubeReporter } from "../../src/k8s/podReporter";
import { POD_SCHEDULER_NAME } from "../../src/core/podPlan";
import { startHarness, type Harness } from "./harness";
import { applyObjects, kubeConfigFor, renderChart, SCHEDULER_USER, SYSTEM_NS, waitUntil, withServer } from "./stack";

const NS = "binder-test";
const STRANGER = "system:serviceaccount:elsewhere:nobody";
let h: Harness;
let core: k8s.CoreV1Api;
let sched: k8s.KubeConfig;
const closers: Array<() => unknown> = [];

const pod = (name: string): k8s.V1Pod => ({
  metadata: { name, namespace: NS },
  spec: { schedulerName: POD_SCHEDULER_NAME, containers: [{ name: "c", image: "busybox", resources: { requests: { cpu: "1" } } }] },
});

beforeAll(async () => {
  h = await startHarness({ users: [SCHEDULER_USER, STRANGER], kwok: false });
  const admin = kubeConfigFor(h);
  core = admin.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: SYSTEM_NS } } });
  await applyObjects(admin, renderChart(h.bin));
  await core.createNamespace({ body: { metadata: { name: NS } } });
  for (const name of ["node-0", "node-1"]) {
    await core.createNode({ body: { metadata: { name }, status: { capacity: { cpu: "4", memory: "8Gi", pods: "110" }, allocatable: { cpu: "4", memory: "8Gi", pods: "110" } } } });
  }
  // pods need the namespace's default ServiceAccount, which the controller-manager creates
  await waitUntil("the default ServiceAccount", async () => (await core.listNamespacedServiceAccount({ namespace: NS })).items.some((s) => s.metadata?.name === "default"));
  for (const name of ["p-bind", "p-wait", "p-stranger"]) await core.createNamespacedPod({ namespace: NS, body: pod(name) });
  sched = kubeConfigFor(h, h.users[SCHEDULER_USER]);
});

afterAll(async () => {
  for (const c of closers.reverse()) await c();
  await h?.stop();
});

function binder(kc: k8s.KubeConfig): Binder {
  const b = kubeBinder(kc, { concurrency: 8, timeoutMs: 10_000 });
  closers.push(() => b.close());
  return b;
}

describe("Binder on a real API server, as the pod scheduler", () => {
  it("binds a pod: it gets the node", async () => {
    const b = binder(sched);
    expect(await b.bind(`${NS}/p-bind`, "node-0")).toEqual({ outcome: "bound" });
    const p = await core.readNamespacedPod({ namespace: NS, name: "p-bind" });
    expect(p.spec?.nodeName).toBe("node-0");
  });

  it("binding a pod already bound is a conflict, and it stays where it was", async () => {
    const b = binder(sched);
    const r = await b.bind(`${NS}/p-bind`, "node-1");
    expect(r).toMatchObject({ outcome: "conflict", status: 409 });
    expect(r.outcome !== "bound" && r.message).toMatch(/already/i);
    expect((await core.readNamespacedPod({ namespace: NS, name: "p-bind" })).spec?.nodeName).toBe("node-0");
  });

  it("binding a pod that does not exist: gone", async () => {
    const b = binder(sched);
    expect(await b.bind(`${NS}/no-such-pod`, "node-0")).toMatchObject({ outcome: "gone", status: 404 });
  });

  it("an identity the chart does not authorize is refused, with the API server's message", async () => {
    const b = binder(kubeConfigFor(h, h.users[STRANGER]));
    const r = await b.bind(`${NS}/p-stranger`, "node-0");
    expect(r).toMatchObject({ outcome: "refused", status: 403 });
    expect(r.outcome !== "bound" && r.message).toContain("pods/binding");
    expect((await core.readNamespacedPod({ namespace: NS, name: "p-stranger" })).spec?.nodeName).toBeUndefined();
  });

  it("many bindings at once all land, over kept-alive connections (not one per binding)", async () => {
    const names = Array.from({ length: 40 }, (_, i) => `p-many-${i}`);
    await Promise.all(names.map((name) => core.createNamespacedPod({ namespace: NS, body: pod(name) })));
    // a TCP relay in front of the API server counts the connections the binder opens
    const target = new URL(h.server);
    let connections = 0;
    const relay = createServer((client) => {
      connections++;
      const upstream = connect(Number(target.port), target.hostname);
      client.pipe(upstream).pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
    closers.push(() => new Promise<void>((r) => relay.close(() => r())));
    const b = binder(withServer(sched, `https://127.0.0.1:${(relay.address() as AddressInfo).port}`));
    const results = await Promise.all(names.map((name, i) => b.bind(`${NS}/${name}`, `node-${i % 2}`)));
    expect(results.filter((r) => r.outcome !== "bound")).toEqual([]);
    expect(connections).toBeGreaterThan(0);
    expect(connections).toBeLessThanOrEqual(8); // the binder's concurrency
    const pods = (await core.listNamespacedPod({ namespace: NS })).items.filter((p) => p.metadata!.name!.startsWith("p-many-"));
    expect(pods.map((p) => p.spec?.nodeName).sort()).toEqual(names.map((_, i) => `node-${i % 2}`).sort());
  });
});

describe("PodReporter on a real API server, as the pod scheduler", () => {
  it("writes the Scheduled and FailedScheduling Events and the PodScheduled=False condition", async () => {
    const uids = new Map<string, string>();
    for (const name of ["p-bind", "p-wait"]) uids.set(`${NS}/${name}`, (await core.readNamespacedPod({ namespace: NS, name })).metadata!.uid!);
    // Another condition on the pod (a readiness gate's) must survive: the patch merges conditions by type.
    await core.patchNamespacedPodStatus(
      { namespace: NS, name: "p-wait", body: { status: { conditions: [{ type: "example.com/gate", status: "True" }] } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch),
    );
    const log: string[] = [];
    const r = kubeReporter(sched, { log: (l, m) => log.push(`${l} ${m}`), podUid: (k) => uids.get(k) });
    closers.push(() => r.close());
    r.scheduled(`${NS}/p-bind`, "node-0");
    r.waiting(`${NS}/p-wait`, "0/2 nodes are available: 2 Insufficient cpu.");
    await r.idle();
    expect(log).toEqual([]); // no sink error: the chart grants what the reporter writes

    const eventsOf = async (name: string) => (await core.listNamespacedEvent({ namespace: NS, fieldSelector: `involvedObject.name=${name}` })).items;
    const [scheduled] = await eventsOf("p-bind");
    expect(scheduled).toMatchObject({
      reason: "Scheduled",
      type: "Normal",
      message: `Successfully assigned ${NS}/p-bind to node-0`,
      involvedObject: { kind: "Pod", namespace: NS, name: "p-bind", uid: uids.get(`${NS}/p-bind`) },
      source: { component: "jarvice-pod-scheduler" },
      reportingComponent: "jarvice-pod-scheduler",
      count: 1,
    });
    expect(scheduled!.firstTimestamp).toBeInstanceOf(Date);
    const [failed] = await eventsOf("p-wait");
    expect(failed).toMatchObject({ reason: "FailedScheduling", type: "Warning", message: "0/2 nodes are available: 2 Insufficient cpu.", involvedObject: { uid: uids.get(`${NS}/p-wait`) } });

    const conditions = async () => (await core.readNamespacedPod({ namespace: NS, name: "p-wait" })).status?.conditions ?? [];
    const condition = async () => (await conditions()).filter((c) => c.type === "PodScheduled");
    const [first] = await condition();
    expect(first).toMatchObject({ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/2 nodes are available: 2 Insufficient cpu." });
    expect(first!.lastTransitionTime).toBeInstanceOf(Date);

    // A new reason: a new Event, and the one condition (merged by type) says it, from the same transition time.
    await new Promise((res) => setTimeout(res, 1100)); // timestamps are whole seconds: let one pass
    r.waiting(`${NS}/p-wait`, "0/2 nodes are available: 2 node(s) run pods of another tenant.");
    await r.idle();
    expect(log).toEqual([]);
    const after = await condition();
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ status: "False", reason: "Unschedulable", message: "0/2 nodes are available: 2 node(s) run pods of another tenant." });
    expect(after[0]!.lastTransitionTime).toEqual(first!.lastTransitionTime);
    expect((await conditions()).map((c) => `${c.type}=${c.status}`).sort()).toEqual(["PodScheduled=False", "example.com/gate=True"]);
    expect((await eventsOf("p-wait")).map((e) => e.message).sort()).toEqual(["0/2 nodes are available: 2 Insufficient cpu.", "0/2 nodes are available: 2 node(s) run pods of another tenant."]);
  });
});
