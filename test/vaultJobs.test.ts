// Jobs get their vaults (issue 13): the job controller plans each pod with the
// job's vault at /data (a claim per owner and vault, ensured before the pods;
// NFS; emptyDir; read-only), the machine type's tolerations, and one node for
// a ReadWriteOnce vault; submission refuses a ReadWriteOnce job that cannot fit
// on one node; the machines API takes and returns tolerations.
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type Creds, type TestApp } from "./app";
import { DEMO_APP } from "../src/catalog/demo";
import type { ClusterBackend } from "../src/cluster/cluster";
import { JobController } from "../src/jobs/controller";
import type { PlannedPod } from "../src/core/podPlan";
import type { PlannedClaim } from "../src/core/vaultVolumes";

let t: TestApp;
let alice: Creds;
let bob: Creds;
const created: PlannedPod[] = [];
const claims: PlannedClaim[] = [];
const calls: string[] = [];
let controller: JobController;

const ok = (r: LightMyRequestResponse, status = 200) => {
  expect(r.statusCode, r.body).toBe(status);
  return r.json() as Record<string, unknown>;
};
const asAdmin = (method: string, url: string, body?: unknown) => t.call(method, url, { as: t.admin, ...(body !== undefined ? { body } : {}) });

beforeAll(async () => {
  t = await startTestApp();
  ok(await asAdmin("POST", "/api/clusters", { name: "c1", zone: 0, backend: "kubernetes" }), 201);
  ok(await asAdmin("POST", "/api/machines", { name: "nquarter", cluster: "c1", cores: 4, memoryGb: 16, maxNodes: 8, perNode: 4 }), 201);
  ok(await asAdmin("POST", "/api/machines", { name: "nwhole", cluster: "c1", cores: 16, memoryGb: 64, maxNodes: 8, perNode: 1 }), 201);
  ok(
    await asAdmin("POST", "/api/machines", { name: "ngpu", cluster: "c1", cores: 8, memoryGb: 32, gpus: 1, maxNodes: 8, tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }] }),
    201,
  );
  ok(await asAdmin("POST", "/api/apps", { id: "demo", appdef: DEMO_APP }), 201);
  alice = await t.payer("alice");
  bob = await t.member("bob", "alice");
  ok(await asAdmin("POST", "/api/users/alice/vaults", { name: "home", kind: "pvc", volumeName: "pv-alice", size: 5, accessModes: "ReadWriteOnce", subpath: "users/%USER%" }), 201);
  ok(await asAdmin("POST", "/api/users/alice/vaults", { name: "shared", kind: "pvc", storageClass: "fast", size: 20, accessModes: "ReadWriteMany" }), 201);
  ok(await asAdmin("POST", "/api/users/alice/vaults", { name: "nfs", kind: "nfs", nfsServer: "10.0.0.5", nfsPath: "/export/home" }), 201);
  const shared = (ok(await asAdmin("GET", "/api/users/alice/vaults")).vaults as Array<{ id: number; name: string }>).find((v) => v.name === "shared")!;
  ok(await t.call("POST", `/api/vaults/${shared.id}/shares`, { as: alice, body: { username: "bob" } }), 201);

  const backend: ClusterBackend = {
    description: "recording",
    prepareTenant: async () => {},
    ensureClaims: async (cs) => {
      calls.push("claims");
      claims.push(...cs);
    },
    createPods: async (pods) => {
      calls.push("pods");
      created.push(...pods);
    },
    deleteJobPods: async () => {},
    listPods: async () => [],
    watch: () => () => {},
    podLogs: async () => "",
    servicesSelecting: async () => [],
    close: async () => {},
  };
  controller = new JobController(t.opened.db, backend, { namespace: "jobs" });
});
afterAll(async () => t?.close());

const submit = (as: Creds, machine: string, nodes: number, vault?: Record<string, unknown>) =>
  t.call("POST", "/api/jobs", { as, body: { app: "demo", application: { command: "sleep", parameters: { seconds: 3600 } }, machine: { type: machine, nodes }, ...(vault ? { vault } : {}) } });

async function run(as: Creds, machine: string, nodes: number, vault?: Record<string, unknown>): Promise<PlannedPod[]> {
  const n = ok(await submit(as, machine, nodes, vault)).number as number;
  await controller.reconcileOnce();
  return created.filter((p) => p.metadata.labels["jarvice-job-number"] === String(n));
}

describe("the job controller mounts the job's vault at /data", () => {
  it("a persistent vault: the claim (bound to the static volume) is ensured before the pods, which mount it with the resolved sub-path", async () => {
    calls.length = 0;
    const pods = await run(alice, "nquarter", 1, { name: "home" });
    expect(calls).toEqual(["claims", "pods"]);
    expect(claims.at(-1)!.metadata.name).toBe("vault-alice-home");
    expect(claims.at(-1)!.spec).toMatchObject({ volumeName: "pv-alice", storageClassName: "", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "5Gi" } } });
    expect(pods).toHaveLength(1);
    expect(pods[0]!.spec.volumes).toEqual([{ name: "vault", persistentVolumeClaim: { claimName: "vault-alice-home" } }]);
    expect(pods[0]!.spec.containers[0]!.volumeMounts).toEqual([{ name: "vault", mountPath: "/data", subPath: "users/alice" }]);
  });

  it("a shared vault: the owner's claim; readonly mounts read-only", async () => {
    const pods = await run(bob, "nquarter", 2, { name: "shared", readonly: true });
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(p.spec.volumes).toEqual([{ name: "vault", persistentVolumeClaim: { claimName: "vault-alice-shared", readOnly: true } }]);
      expect(p.spec.containers[0]!.volumeMounts).toEqual([{ name: "vault", mountPath: "/data", readOnly: true }]);
      expect(p.spec.affinity).toBeUndefined(); // ReadWriteMany
    }
  });

  it("NFS: an nfs volume and no claim; the default ephemeral vault: an emptyDir", async () => {
    const before = claims.length;
    const nfs = await run(alice, "nquarter", 1, { name: "nfs" });
    expect(nfs[0]!.spec.volumes).toEqual([{ name: "vault", nfs: { server: "10.0.0.5", path: "/export/home" } }]);
    const eph = await run(bob, "nquarter", 1);
    expect(eph[0]!.spec.volumes).toEqual([{ name: "vault", emptyDir: {} }]);
    expect(eph[0]!.spec.containers[0]!.volumeMounts).toEqual([{ name: "vault", mountPath: "/data" }]);
    expect(claims.length).toBe(before);
  });

  it("a ReadWriteOnce vault on 3 nodes of a machine of which 4 fit on a node: pods with required affinity on one host", async () => {
    const pods = await run(alice, "nquarter", 3, { name: "home" });
    expect(pods).toHaveLength(3);
    for (const p of pods) expect(p.spec.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toEqual([{ labelSelector: { matchLabels: { "jarvice-job-number": p.metadata.labels["jarvice-job-number"] } }, topologyKey: "kubernetes.io/hostname" }]);
  });

  it("the machine type's tolerations go on its pods", async () => {
    const pods = await run(bob, "ngpu", 1);
    expect(pods[0]!.spec.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
  });
});

describe("a vault the job's user cannot mount", () => {
  it("a sub-path the user has no value for (%UPN% of a user outside the directory): the job ends with the reason, and no pod or claim is made", async () => {
    ok(await asAdmin("POST", "/api/users/alice/vaults", { name: "dir", kind: "pvc", storageClass: "fast", size: 1, accessModes: "ReadWriteMany", subpath: "%UPN%" }), 201);
    const [pods, claimsBefore] = [created.length, claims.length];
    const n = ok(await submit(alice, "nquarter", 1, { name: "dir" })).number as number;
    await controller.reconcileOnce();
    expect(created.length).toBe(pods);
    expect(claims.length).toBe(claimsBefore);
    const row = await t.opened.db.selectFrom("jobs").select(["status", "substatus_text"]).where("number", "=", n).executeTakeFirstOrThrow();
    expect(row.status).toBe("COMPLETED WITH ERROR");
    expect(row.substatus_text).toMatch(/cannot mount vault 'dir': vault sub-path '%UPN%' uses %UPN%, which user 'alice' does not have/);
  });
});

describe("submission with a ReadWriteOnce vault", () => {
  it("refuses a multi-node job whose pods cannot fit on one node of its machine type, storing nothing", async () => {
    const before = ok(await t.call("GET", "/api/jobs", { as: alice }));
    const r = await submit(alice, "nwhole", 2, { name: "home" });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json()).toMatchObject({ field: "machine.nodes", error: expect.stringMatching(/^machine\.nodes: vault 'home' is ReadWriteOnce: all of a job's pods must run on one node, and at most 1 /) });
    const after = ok(await t.call("GET", "/api/jobs", { as: alice }));
    expect(JSON.stringify(after)).toBe(JSON.stringify(before));
    // one node, or a ReadWriteMany vault: fine
    ok(await submit(alice, "nwhole", 1, { name: "home" }));
    ok(await submit(alice, "nwhole", 2, { name: "shared" }));
  });
});

describe("machine types' tolerations (admin API)", () => {
  it("are returned, changed by PATCH, and default to none", async () => {
    const machines = ok(await asAdmin("GET", "/api/machines")).machines as Array<{ id: number; name: string; tolerations: unknown }>;
    expect(machines.find((m) => m.name === "ngpu")!.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    const quarter = machines.find((m) => m.name === "nquarter")!;
    expect(quarter.tolerations).toEqual([]);
    const patched = ok(await asAdmin("PATCH", `/api/machines/${quarter.id}`, { tolerations: [{ key: "dedicated", value: "hpc", effect: "NoSchedule" }] }));
    expect(patched.tolerations).toEqual([{ key: "dedicated", operator: "Equal", value: "hpc", effect: "NoSchedule" }]);
    ok(await asAdmin("PATCH", `/api/machines/${quarter.id}`, { tolerations: [] }));
  });

  it.each([
    ["not an array", { key: "ngpu" }, "tolerations"],
    ["a bad operator", [{ key: "ngpu", operator: "In" }], "tolerations[0].operator"],
    ["a bad effect", [{ key: "ngpu", effect: "Sometimes" }], "tolerations[0].effect"],
    ["a bad key", [{ key: "no spaces allowed" }], "tolerations[0].key"],
  ])("refuse %s with a 400 naming the field, changing nothing", async (_what, tolerations, field) => {
    const gpu = (ok(await asAdmin("GET", "/api/machines")).machines as Array<{ id: number; name: string; tolerations: unknown }>).find((m) => m.name === "ngpu")!;
    const r = await asAdmin("PATCH", `/api/machines/${gpu.id}`, { tolerations });
    expect(r.statusCode, r.body).toBe(400);
    expect((r.json() as { field: string }).field).toBe(field);
    const after = (ok(await asAdmin("GET", "/api/machines")).machines as Array<{ id: number; name: string; tolerations: unknown }>).find((m) => m.name === "ngpu")!;
    expect(after.tolerations).toEqual(gpu.tolerations);
    const c = await asAdmin("POST", "/api/machines", { name: "nbad-gpu", cluster: "c1", cores: 1, memoryGb: 1, tolerations });
    expect(c.statusCode, c.body).toBe(400);
  });
});
