// A job whose pods the real API server refuses, while 20 others start (issue 12):
// the jobs namespace has a LimitRange (at most 8 CPUs per container), so the
// pod of a 16-core job is refused by the LimitRanger admission plugin (403
// Forbidden). That job ends COMPLETED WITH ERROR with the server's message, it
// leaves no pod, and the 20 jobs submitted after it all run: none waits for it.
// Then a pod the API server finds invalid (422: an environment variable name
// with '=', from an app parameter passed as a variable) ends its job the same way.
import type * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Creds } from "../app";
import { startStack, waitUntil, type Stack } from "./stack";

let s: Stack;
let alice: Creds;

beforeAll(async () => {
  // 6 nodes of 16 cores and 64 GiB: room for 24 jobs on n4 (4 cores, 16 GiB)
  s = await startStack({ nodes: 6 });
  alice = await s.t.payer("alice");
  await s.core.createNamespacedLimitRange({
    namespace: s.jobsNamespace,
    body: { metadata: { name: "at-most-8-cpus" }, spec: { limits: [{ type: "Container", max: { cpu: "8" } }] } },
  });
});
afterAll(async () => s?.stop());

const submit = async (body: Record<string, unknown>) => {
  const r = await s.t.call("POST", "/jarvice/submit", { body: { app: "demo", application: { command: "sleep", parameters: { seconds: 3600 } }, machine: { type: "n4", nodes: 1 }, user: alice, ...body } });
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { number: number }).number;
};
const rows = async (numbers: number[]) =>
  new Map((await s.t.opened.db.selectFrom("jobs").select(["number", "status", "substatus_text"]).where("number", "in", numbers).execute()).map((r) => [r.number, r]));
const podsOf = async (n: number) => (await s.core.listNamespacedPod({ namespace: s.jobsNamespace, labelSelector: `jarvice-job-number=${n}` })).items;
const allPods = async () => (await s.core.listNamespacedPod({ namespace: s.jobsNamespace })).items;
const running = (p: k8s.V1Pod) => p.spec?.nodeName && p.status?.phase === "Running";

describe("a pod the API server refuses", () => {
  it("ends its job with the server's message while the 20 jobs submitted after it start", async () => {
    const refused = await submit({ machine: { type: "n16", nodes: 1 } });
    const others: number[] = [];
    for (let i = 0; i < 20; i++) others.push(await submit({}));

    await waitUntil(
      "the refused job ended and the 20 others run",
      async () => {
        const r = await rows([refused, ...others]);
        return r.get(refused)!.status === "COMPLETED WITH ERROR" && others.every((n) => r.get(n)!.status === "PROCESSING STARTING");
      },
      90_000,
    );
    const r = await rows([refused, ...others]);
    expect(r.get(refused)!.substatus_text).toMatch(/^refused by the cluster \(HTTP 403\): .*maximum cpu usage per Container is 8, but limit is 16/);
    expect(await podsOf(refused)).toEqual([]);
    const pods = await allPods();
    for (const n of others) {
      const mine = pods.filter((p) => p.metadata?.labels?.["jarvice-job-number"] === String(n));
      expect(mine.length, `pods of job ${n}`).toBe(1);
      expect(running(mine[0]!), `pod of job ${n}`).toBeTruthy();
    }
    // The controller said why, once.
    expect(s.controllerLog.filter((l) => l.startsWith(`job controller: job ${refused} SUBMITTED -> COMPLETED WITH ERROR: refused by the cluster (HTTP 403)`))).toHaveLength(1);

    for (const n of others) {
      const t = await s.t.call("GET", `/jarvice/terminate?username=alice&apikey=${alice.apikey}&number=${n}`);
      expect(t.statusCode, t.body).toBe(200);
    }
    await waitUntil("no job pods left", async () => (await allPods()).length === 0, 60_000);
  });

  it("ends a job whose pod is invalid (422) with the server's message", async () => {
    const appdef = {
      name: "Bad env",
      image: { type: "docker", data: "busybox" },
      commands: { run: { path: "/bin/sleep", parameters: { "BAD=NAME": { name: "bad", type: "STR", value: "x", variable: true } } } },
    };
    const created = await s.t.call("POST", "/api/apps", { as: s.t.admin, body: { id: "badenv", appdef } });
    expect(created.statusCode, created.body).toBe(201);
    const n = await submit({ app: "badenv", application: { command: "run", parameters: { "BAD=NAME": "x" } } });
    await waitUntil("the job ended", async () => (await rows([n])).get(n)!.status === "COMPLETED WITH ERROR", 30_000);
    const text = (await rows([n])).get(n)!.substatus_text;
    expect(text).toMatch(/^refused by the cluster \(HTTP 422\): Pod "jarvice-job-\d+-0" is invalid: spec\.containers\[0\]\.env\[0\]\.name/);
    expect(await podsOf(n)).toEqual([]);
  });
});
