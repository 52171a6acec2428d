// Vaults in pods and machine tolerations on a real API server (issue 13): a
// persistent vault becomes one PersistentVolumeClaim per user and vault, bound
// by kube-controller-manager's volume binder to a static PersistentVolume,
// mounted at /data with the resolved sub-path by every job and kept when the
// jobs end; NFS and ephemeral vaults give their volumes; readonly mounts
// read-only; a ReadWriteOnce vault puts all of a job's pods on one node (or is
// refused at submit); a GPU machine type with a toleration lands on tainted
// GPU nodes and, without it, waits with the scheduler's reason.
import type * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Creds } from "../app";
import { startStack, waitUntil, type Stack } from "./stack";

let s: Stack;
let alice: Creds;

const submitRaw = (who: Creds, body: Record<string, unknown>) =>
  s.t.call("POST", "/jarvice/submit", { body: { app: "demo", application: { command: "sleep", parameters: { seconds: 3600 } }, machine: { type: "n4", nodes: 1 }, user: who, ...body } });
const submit = async (who: Creds, body: Record<string, unknown>) => {
  const r = await submitRaw(who, body);
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { number: number }).number;
};
const podsOf = async (n: number) =>
  (await s.core.listNamespacedPod({ namespace: s.jobsNamespace, labelSelector: `jarvice-job-number=${n}` })).items.sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
const running = (pods: k8s.V1Pod[], count: number) => pods.length === count && pods.every((p) => p.spec?.nodeName && p.status?.phase === "Running");
const runningPods = (n: number, count: number) =>
  waitUntil(`${count} running pod(s) of job ${n}`, async () => {
    const p = await podsOf(n);
    return running(p, count) && p;
  });
const terminate = async (who: Creds, n: number) => {
  const r = await s.t.call("GET", `/jarvice/terminate?username=${who.username}&apikey=${who.apikey}&number=${n}`);
  expect(r.statusCode, r.body).toBe(200);
  await waitUntil(`pods of job ${n} removed`, async () => (await podsOf(n)).length === 0);
};
const ok = async (p: Promise<{ statusCode: number; body: string }>, status = 201) => {
  const r = await p;
  expect(r.statusCode, r.body).toBe(status);
};
/** the pod's volumes but the service account token Kubernetes adds */
const volumesOf = (p: k8s.V1Pod) => (p.spec!.volumes ?? []).filter((v) => !v.name.startsWith("kube-api-access-"));
const claim = (name: string) => s.core.readNamespacedPersistentVolumeClaim({ name, namespace: s.jobsNamespace });

beforeAll(async () => {
  s = await startStack({ nodes: 4 });
  const as = s.t.admin;
  // Two tainted GPU nodes, labelled as their pool.
  for (const name of ["kwok-gpu-0", "kwok-gpu-1"]) {
    const capacity = { cpu: "32", memory: "128Gi", pods: "110", "nvidia.com/gpu": "4" };
    await s.core.createNode({
      body: {
        metadata: { name, annotations: { "kwok.x-k8s.io/node": "fake" }, labels: { "kubernetes.io/hostname": name, type: "kwok", pool: "gpu" } },
        spec: { taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }] },
        status: { capacity, allocatable: capacity },
      },
    });
  }
  const gpu = { cluster: "kwok", cores: 8, memoryGb: 32, gpus: 1, maxNodes: 4, perNode: 4, nodeSelector: { pool: "gpu" } };
  await ok(s.t.call("POST", "/api/machines", { as, body: { ...gpu, name: "ngpu", tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }] } }));
  await ok(s.t.call("POST", "/api/machines", { as, body: { ...gpu, name: "ngpu-plain" } }));

  // A static volume for alice's persistent vault (the claim binds to it by name).
  await s.core.createPersistentVolume({
    body: {
      metadata: { name: "pv-alice" },
      spec: { capacity: { storage: "5Gi" }, accessModes: ["ReadWriteOnce"], persistentVolumeReclaimPolicy: "Retain", storageClassName: "", hostPath: { path: "/tmp/pv-alice" } },
    },
  });
  alice = await s.t.payer("alice");
  await ok(s.t.call("POST", "/api/users/alice/vaults", { as, body: { name: "home", kind: "pvc", volumeName: "pv-alice", size: 5, accessModes: "ReadWriteOnce", subpath: "users/%USER%" } }));
  await ok(s.t.call("POST", "/api/users/alice/vaults", { as, body: { name: "nfs", kind: "nfs", nfsServer: "10.0.0.5", nfsPath: "/export/home" } }));
}, 180_000);
afterAll(async () => s?.stop());

describe("a persistent vault on Kubernetes", () => {
  it("one claim, bound to the static volume, mounted at /data with the resolved sub-path by each job, and kept when they end", async () => {
    const n1 = await submit(alice, { vault: { name: "home" } });
    const [p1] = await runningPods(n1, 1);
    expect(volumesOf(p1!)).toEqual([expect.objectContaining({ name: "vault", persistentVolumeClaim: { claimName: "vault-alice-home" } })]);
    expect(p1!.spec!.containers[0]!.volumeMounts).toContainEqual(expect.objectContaining({ name: "vault", mountPath: "/data", subPath: "users/alice" }));
    const bound = await waitUntil("the claim bound to pv-alice", async () => {
      const c = await claim("vault-alice-home");
      return c.status?.phase === "Bound" && c;
    });
    expect(bound.spec!.volumeName).toBe("pv-alice");
    expect(bound.metadata!.labels).toMatchObject({ "app.kubernetes.io/managed-by": "paddock" });
    const uid = bound.metadata!.uid;

    // A second job reuses it; readonly mounts it read-only.
    const n2 = await submit(alice, { vault: { name: "home", readonly: true } });
    const [p2] = await runningPods(n2, 1);
    expect(volumesOf(p2!)).toEqual([expect.objectContaining({ name: "vault", persistentVolumeClaim: { claimName: "vault-alice-home", readOnly: true } })]);
    expect(p2!.spec!.containers[0]!.volumeMounts).toContainEqual(expect.objectContaining({ name: "vault", mountPath: "/data", readOnly: true }));

    await terminate(alice, n1);
    await terminate(alice, n2);
    const after = await claim("vault-alice-home");
    expect(after.metadata!.uid).toBe(uid);
    expect(after.metadata!.deletionTimestamp).toBeUndefined();
    const claims = (await s.core.listNamespacedPersistentVolumeClaim({ namespace: s.jobsNamespace })).items.map((c) => c.metadata!.name);
    expect(claims).toEqual(["vault-alice-home"]);
  });

  it("ReadWriteOnce on 2 nodes: both pods on one node, though best fit alone would split them", async () => {
    // A filler takes 3 of the 4 n4 slots of one node: best fit would put pod 0 there and pod 1 elsewhere.
    const filler = await submit(alice, { machine: { type: "n4", nodes: 3 } });
    const fillerPods = await runningPods(filler, 3);
    const full = new Set(fillerPods.map((p) => p.spec!.nodeName));
    expect(full.size).toBe(1); // the premise: best fit packed the filler on one node
    const n = await submit(alice, { machine: { type: "n4", nodes: 2 }, vault: { name: "home" } });
    const pods = await runningPods(n, 2);
    expect(pods[0]!.spec!.nodeName).toBe(pods[1]!.spec!.nodeName);
    expect(full.has(pods[0]!.spec!.nodeName)).toBe(false);
    for (const p of pods) expect(p.spec!.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0]).toMatchObject({ topologyKey: "kubernetes.io/hostname" });
    await terminate(alice, n);
    await terminate(alice, filler);
  });

  it("ReadWriteOnce on more pods than fit on one node: refused at submit with a 400 naming machine.nodes", async () => {
    const r = await submitRaw(alice, { machine: { type: "n16", nodes: 2 }, vault: { name: "home" } });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json()).toMatchObject({ field: "machine.nodes", error: expect.stringContaining("ReadWriteOnce") });
  });
});

describe("NFS and ephemeral vaults on Kubernetes", () => {
  it("an nfs volume, and an emptyDir for the default ephemeral vault, at /data", async () => {
    const nfs = await submit(alice, { vault: { name: "nfs" } });
    const eph = await submit(alice, { vault: { name: "ephemeral" } });
    const [pn] = await runningPods(nfs, 1);
    const [pe] = await runningPods(eph, 1);
    expect(volumesOf(pn!)).toEqual([expect.objectContaining({ name: "vault", nfs: { server: "10.0.0.5", path: "/export/home" } })]);
    expect(volumesOf(pe!)).toEqual([expect.objectContaining({ name: "vault", emptyDir: {} })]);
    for (const p of [pn!, pe!]) expect(p.spec!.containers[0]!.volumeMounts).toContainEqual(expect.objectContaining({ name: "vault", mountPath: "/data" }));
    await terminate(alice, nfs);
    await terminate(alice, eph);
  });
});

describe("a GPU machine type's tolerations", () => {
  it("with the toleration: lands on a tainted GPU node; without it: stays Pending with the scheduler's reason", async () => {
    const tol = await submit(alice, { machine: { type: "ngpu", nodes: 2 } });
    const pods = await runningPods(tol, 2);
    for (const p of pods) {
      expect(p.spec!.nodeName).toMatch(/^kwok-gpu-/);
      expect(p.spec!.tolerations).toContainEqual(expect.objectContaining({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }));
    }
    const plain = await submit(alice, { machine: { type: "ngpu-plain", nodes: 1 } });
    const [waiting] = await waitUntil("the untolerating pod reported unschedulable", async () => {
      const p = await podsOf(plain);
      const c = p[0]?.status?.conditions?.find((x) => x.type === "PodScheduled");
      return c?.status === "False" && p;
    });
    expect(waiting!.spec!.nodeName).toBeUndefined();
    expect(waiting!.status!.phase).toBe("Pending");
    const cond = waiting!.status!.conditions!.find((x) => x.type === "PodScheduled")!;
    expect(cond.message).toMatch(/2 node\(s\) had untolerated taint \{nvidia\.com\/gpu: present\}/);
    await terminate(alice, tol);
    await terminate(alice, plain);
  });
});
