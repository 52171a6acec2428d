import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LABEL_MANAGED_BY, MANAGED_BY } from "./podPlan";
import { accessLimit, claimAccessModes, kubeName, multiNodeVaultProblem, vaultClaimName, vaultMount, type JobVault } from "./vaultVolumes";

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const aVault = (v: Partial<JobVault> = {}): JobVault => ({
  name: "persistent",
  kind: "pvc",
  owner: "alice",
  storageClass: "standard",
  volumeName: null,
  accessModes: "ReadWriteOnce",
  sizeGb: 10,
  subpath: null,
  nfsServer: null,
  nfsPath: null,
  ...v,
});
const alice = { username: "alice" };
const opts = { readonly: false, namespace: "jobs" };

describe("vault claim names", () => {
  it("are the plain join when it is valid and unambiguous", () => {
    expect(vaultClaimName("alice", "persistent")).toBe("vault-alice-persistent");
  });

  it("get a hash suffix when sanitised, so different names never share a claim", () => {
    const names = [vaultClaimName("alice", "My_Vault"), vaultClaimName("alice", "my-vault"), vaultClaimName("alice", "my.vault"), vaultClaimName("a-b", "c"), vaultClaimName("a", "b-c")];
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(DNS_1123_LABEL);
    expect(vaultClaimName("alice", "My_Vault")).toMatch(/^vault-alice-my-vault-[0-9a-f]{8}$/);
  });

  it("are valid DNS-1123 labels of at most 63 characters whatever the user and vault names (seeded)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (owner, vault) => {
        const n = vaultClaimName(owner, vault);
        expect(n.length).toBeLessThanOrEqual(63);
        expect(n).toMatch(DNS_1123_LABEL);
      }),
      { seed: 1313, numRuns: 500 },
    );
  });

  it("are truncated to 63 characters with the hash keeping long names apart", () => {
    const long = "x".repeat(80);
    const a = kubeName("vault", ["alice", `${long}a`]);
    const b = kubeName("vault", ["alice", `${long}b`]);
    expect(a).not.toBe(b);
    expect(a.length).toBe(63);
  });
});

describe("vaultMount", () => {
  it("a persistent vault: a claim (class, size, modes, Paddock's labels) mounted at /data with the user's sub-path", () => {
    const m = vaultMount(aVault({ subpath: "home/%USER%" }), alice, opts);
    expect(m).toMatchObject({ ok: true, oneNode: true, onePod: false });
    if (!m.ok) return;
    expect(m.claim).toEqual({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        name: "vault-alice-persistent",
        namespace: "jobs",
        labels: { [LABEL_MANAGED_BY]: MANAGED_BY, "app.kubernetes.io/component": "vault" },
        annotations: { "paddock.io/vault-owner": "alice", "paddock.io/vault-name": "persistent" },
      },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } }, storageClassName: "standard" },
    });
    expect(m.volume).toEqual({ name: "vault", persistentVolumeClaim: { claimName: "vault-alice-persistent" } });
    expect(m.mount).toEqual({ name: "vault", mountPath: "/data", subPath: "home/alice" });
  });

  it("a shared vault: the owner's claim, the job user's sub-path", () => {
    const m = vaultMount(aVault({ subpath: "%USER%" }), { username: "bob" }, opts);
    expect(m.ok && [m.claim?.metadata.name, m.mount.subPath]).toEqual(["vault-alice-persistent", "bob"]);
  });

  it("a static volume: bound by volumeName, with an empty storage class (no dynamic provisioning)", () => {
    const m = vaultMount(aVault({ storageClass: null, volumeName: "pv-home" }), alice, opts);
    expect(m.ok && m.claim?.spec).toEqual({ accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } }, storageClassName: "", volumeName: "pv-home" });
  });

  it("readonly in the submission mounts read-only", () => {
    const m = vaultMount(aVault(), alice, { ...opts, readonly: true });
    expect(m.ok && [m.mount.readOnly, m.volume.persistentVolumeClaim?.readOnly]).toEqual([true, true]);
  });

  it("NFS: an nfs volume; ephemeral: an emptyDir; neither needs a claim or one node", () => {
    const nfs = vaultMount(aVault({ kind: "nfs", nfsServer: "nfs.example.com", nfsPath: "/export/home", subpath: "%USER%", accessModes: "" }), alice, { ...opts, readonly: true });
    expect(nfs).toEqual({
      ok: true,
      volume: { name: "vault", nfs: { server: "nfs.example.com", path: "/export/home", readOnly: true } },
      mount: { name: "vault", mountPath: "/data", readOnly: true, subPath: "alice" },
      oneNode: false,
      onePod: false,
    });
    const eph = vaultMount(aVault({ kind: "ephemeral", accessModes: "" }), alice, opts);
    expect(eph).toEqual({ ok: true, volume: { name: "vault", emptyDir: {} }, mount: { name: "vault", mountPath: "/data" }, oneNode: false, onePod: false });
  });

  it("a sub-path the user cannot resolve is a problem, not a mount", () => {
    const m = vaultMount(aVault({ subpath: "%UPN%" }), alice, opts);
    expect(m).toEqual({ ok: false, problem: expect.stringContaining("%UPN%") });
  });
});

describe("access modes", () => {
  it("ReadOnlyOnce (JARVICE's) becomes a ReadWriteOnce claim mounted read-only", () => {
    expect(claimAccessModes(["ReadOnlyOnce"])).toEqual({ modes: ["ReadWriteOnce"], readOnly: true });
    const m = vaultMount(aVault({ accessModes: "ReadOnlyOnce" }), alice, opts);
    expect(m.ok && [m.claim?.spec.accessModes, m.mount.readOnly]).toEqual([["ReadWriteOnce"], true]);
  });

  it.each([
    ["ReadWriteOnce", "oneNode"],
    ["ReadOnlyOnce", "oneNode"],
    ["ReadWriteOnce,ReadWriteMany", "none"],
    ["ReadOnlyMany", "none"],
    ["ReadWriteOncePod", "onePod"],
    ["", "oneNode"],
  ] as const)("%s limits a multi-node job to %s", (modes, limit) => {
    expect(accessLimit(modes)).toBe(limit);
  });

  it("multiNodeVaultProblem: RWO refuses more pods than fit on one node; one node, RWX, NFS are fine", () => {
    const v = { name: "home", kind: "pvc", accessModes: "ReadWriteOnce" };
    expect(multiNodeVaultProblem(v, 2, 4)).toBeUndefined();
    expect(multiNodeVaultProblem(v, 4, 4)).toBeUndefined();
    expect(multiNodeVaultProblem(v, 5, 4)).toMatch(/ReadWriteOnce.*at most 4 .*asked for 5/);
    expect(multiNodeVaultProblem({ ...v, accessModes: "ReadWriteMany" }, 8, 1)).toBeUndefined();
    expect(multiNodeVaultProblem({ ...v, kind: "nfs" }, 8, 1)).toBeUndefined();
    expect(multiNodeVaultProblem({ ...v, accessModes: "ReadWriteOncePod" }, 2, 4)).toMatch(/only one pod/);
    expect(multiNodeVaultProblem({ ...v, accessModes: "ReadWriteOncePod" }, 1, 4)).toBeUndefined();
  });
});
