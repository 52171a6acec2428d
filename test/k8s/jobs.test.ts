// Jobs on a real API server: a tagged 2-node job becomes 2 labelled pods,
// bound by jarvice-pod-scheduler to KWOK nodes, Running; terminate removes
// them. Then the three load-balancing modes of the ipaddr document, checked on
// the EndpointSlices that kube-controller-manager computes for real Services.
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Creds } from "../app";
import { startStack, waitUntil, type Stack } from "./stack";

let s: Stack;
let alice: Creds;
let bob: Creds;

const submit = async (who: Creds, body: Record<string, unknown>) => {
  const r = await s.t.call("POST", "/jarvice/submit", {
    body: { app: "demo", application: { command: "sleep", parameters: { seconds: 3600 } }, machine: { type: "n4", nodes: 1 }, user: who, ...body },
  });
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { number: number }).number;
};
const status = async (who: Creds, n: number) => {
  const r = await s.t.call("GET", `/jarvice/status?username=${who.username}&apikey=${who.apikey}&number=${n}`);
  return (r.json() as Record<string, { job_status: string }>)[n]!.job_status;
};
const podsOf = async (n: number) => (await s.core.listNamespacedPod({ namespace: s.jobsNamespace, labelSelector: `jarvice-job-number=${n}` })).items;
const running = (pods: k8s.V1Pod[], count: number) => pods.length === count && pods.every((p) => p.spec?.nodeName && p.status?.phase === "Running" && p.status.podIP);

beforeAll(async () => {
  s = await startStack();
  alice = await s.t.payer("alice");
  bob = await s.t.payer("bob");
});
afterAll(async () => s?.stop());

describe("a job on Kubernetes", () => {
  it("runs a tagged 2-node job as 2 labelled pods bound by jarvice-pod-scheduler, and terminates it", async () => {
    const n = await submit(alice, { machine: { type: "n4", nodes: 2 }, ipaddr: "web" });
    const pods = await waitUntil("2 running pods", async () => {
      const p = await podsOf(n);
      return running(p, 2) && p;
    });
    const byIndex = pods.sort((a, b) => Number(a.metadata!.labels!["jarvice-pod-index"]) - Number(b.metadata!.labels!["jarvice-pod-index"]));
    for (const [i, p] of byIndex.entries()) {
      expect(p.spec!.schedulerName).toBe("jarvice-pod-scheduler");
      expect(p.spec!.nodeName).toMatch(/^kwok-node-/);
      expect(p.metadata!.labels).toMatchObject({ "jarvice-job-ipaddr": "alice-web", "jarvice-tenant": "alice", "jarvice-user": "alice", "jarvice-pod-index": String(i) });
    }
    expect(byIndex[0]!.metadata!.labels!["jarvice-pod0-job-ipaddr"]).toBe("alice-web");
    expect(byIndex[1]!.metadata!.labels).not.toHaveProperty("jarvice-pod0-job-ipaddr");
    await waitUntil("PROCESSING STARTING", async () => (await status(alice, n)) === "PROCESSING STARTING");

    const info = (await s.t.call("GET", `/jarvice/info?username=alice&apikey=${alice.apikey}&number=${n}`)).json() as { address: string };
    expect(info.address).toBe(byIndex[0]!.status!.podIP);

    const term = await s.t.call("GET", `/jarvice/terminate?username=alice&apikey=${alice.apikey}&number=${n}`);
    expect(term.json()).toEqual({ status: "terminated" });
    await waitUntil("pods removed", async () => (await podsOf(n)).length === 0);
    await waitUntil("TERMINATED", async () => (await status(alice, n)) === "TERMINATED");
  });
});

describe("the three load-balancing modes (EndpointSlices from kube-controller-manager)", () => {
  let a1: number;
  let a2: number;
  let b1: number;

  const service = async (name: string, selector: Record<string, string>) => {
    await s.core.createNamespacedService({
      namespace: s.jobsNamespace,
      body: { metadata: { name }, spec: { selector, ports: [{ port: 80, targetPort: 80 as unknown as k8s.IntOrString }] } },
    });
  };
  const endpointIps = async (svc: string) => {
    const api = s.admin.makeApiClient(k8s.DiscoveryV1Api);
    const slices = await api.listNamespacedEndpointSlice({ namespace: s.jobsNamespace, labelSelector: `kubernetes.io/service-name=${svc}` });
    return slices.items.flatMap((sl) => (sl.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses)).sort();
  };
  const ipsOf = async (n: number, index?: number) =>
    (await podsOf(n)).filter((p) => index === undefined || p.metadata!.labels!["jarvice-pod-index"] === String(index)).map((p) => p.status!.podIP!).sort();

  beforeAll(async () => {
    // alice: two 2-node jobs tagged "lb"; bob: a 2-node job tagged "lb" too (label value bob-lb).
    a1 = await submit(alice, { machine: { type: "n4", nodes: 2 }, ipaddr: "lb" });
    a2 = await submit(alice, { machine: { type: "n4", nodes: 2 }, ipaddr: "lb" });
    b1 = await submit(bob, { machine: { type: "n4", nodes: 2 }, ipaddr: "lb" });
    for (const n of [a1, a2, b1]) await waitUntil(`job ${n} running`, async () => running(await podsOf(n), 2));
    await service("mode1-pod0", { "jarvice-pod0-job-ipaddr": "alice-lb" });
    await service("mode2-all", { "jarvice-job-ipaddr": "alice-lb" });
    await service("bob-all", { "jarvice-job-ipaddr": "bob-lb" });
  });

  it("mode 1 selects pod 0 of each of alice's jobs, and no one else's", async () => {
    const want = [...(await ipsOf(a1, 0)), ...(await ipsOf(a2, 0))].sort();
    expect(await waitUntil("mode 1 endpoints", async () => {
      const got = await endpointIps("mode1-pod0");
      return got.length === want.length && got;
    })).toEqual(want);
  });

  it("mode 2 (and 3: across jobs with one tag) selects every pod of alice's tagged jobs, never bob's", async () => {
    const want = [...(await ipsOf(a1)), ...(await ipsOf(a2))].sort();
    const got = await waitUntil("mode 2 endpoints", async () => {
      const ips = await endpointIps("mode2-all");
      return ips.length === want.length && ips;
    });
    expect(got).toEqual(want);
    const bobs = await ipsOf(b1);
    expect(got.filter((ip) => bobs.includes(ip))).toEqual([]);
    expect(await waitUntil("bob's endpoints", async () => {
      const ips = await endpointIps("bob-all");
      return ips.length === 2 && ips;
    })).toEqual(bobs);
  });

  it("shows in /jarvice/info which Services select the running job", async () => {
    const info = (await s.t.call("GET", `/jarvice/info?username=alice&apikey=${alice.apikey}&number=${a1}`)).json() as { services: string[] };
    expect(info.services.sort()).toEqual(["mode1-pod0", "mode2-all"]);
  });
});
