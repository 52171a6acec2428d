// /jarvice/events on a real API server: the control plane, under the chart's
// RBAC only, lists the core/v1 Events of the job's pods (a field selector per
// pod) and shows them to system administrators as text; Events of other pods
// are not shown.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Creds } from "../app";
import { startStack, waitUntil, type Stack } from "./stack";

let s: Stack;
let alice: Creds;

beforeAll(async () => {
  s = await startStack();
  alice = await s.t.payer("alice");
});
afterAll(async () => s?.stop());

const event = (name: string, pod: string, reason: string, message: string, type = "Normal") => ({
  metadata: { name, namespace: s.jobsNamespace },
  involvedObject: { kind: "Pod", name: pod, namespace: s.jobsNamespace, apiVersion: "v1" },
  reason,
  message,
  type,
  count: 3,
  firstTimestamp: new Date("2026-01-01T00:00:00Z"),
  lastTimestamp: new Date("2026-01-01T00:00:05Z"),
  source: { component: "test" },
});

describe("GET /jarvice/events on Kubernetes", () => {
  it("shows the Events of the job's pods to system administrators", async () => {
    const r = await s.t.call("POST", "/jarvice/submit", { body: { app: "demo", application: { command: "sleep", parameters: { seconds: 3600 } }, machine: { type: "n4", nodes: 1 }, user: alice } });
    expect(r.statusCode, r.body).toBe(200);
    const n = (r.json() as { number: number }).number;
    await waitUntil("the job's pod", async () => (await s.core.listNamespacedPod({ namespace: s.jobsNamespace, labelSelector: `jarvice-job-number=${n}` })).items.length === 1);
    await s.core.createNamespacedEvent({ namespace: s.jobsNamespace, body: event("e1", `jarvice-job-${n}-0`, "FailedMount", "volume not ready", "Warning") });
    await s.core.createNamespacedEvent({ namespace: s.jobsNamespace, body: event("e2", "some-other-pod", "Pulled", "not this job") });

    const q = (c: Creds) => `/jarvice/events?username=${c.username}&apikey=${encodeURIComponent(c.apikey)}&number=${n}`;
    const text = await s.t.call("GET", q(s.t.admin));
    expect(text.statusCode, text.body).toBe(200);
    expect(text.body).toContain(`2026-01-01T00:00:05.000Z jarvice-job-${n}-0 Warning FailedMount (x3): volume not ready`);
    expect(text.body).not.toContain("not this job");
    expect((await s.t.call("GET", q(alice))).statusCode).toBe(403);
  });
});
