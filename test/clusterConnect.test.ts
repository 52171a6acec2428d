// Loading a catalog cluster's kubeconfig file (src/k8s/clusterConnect.ts): a
// failure says why without quoting the file (the reason reaches the
// unauthenticated /jarvice/ready and users' job substatuses).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { kubeConfigOf } from "../src/k8s/clusterConnect";

const opts = { startedWith: undefined, systemNamespace: "jarvice-system", kube: { multiTenant: false, network: {} } };
const reach = (kubeconfigPath: string | null, kubeconfigSecret: string | null = null) => ({ kubeconfigPath, kubeconfigSecret, jobsNamespace: null });
const dir = mkdtempSync(path.join(tmpdir(), "paddock-kc-"));

describe("kubeConfigOf", () => {
  it("loads a kubeconfig file", async () => {
    const file = path.join(dir, "ok");
    writeFileSync(file, "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://10.0.0.1:6443\nusers:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\n");
    expect((await kubeConfigOf(reach(file), opts)).getCurrentCluster()?.server).toBe("https://10.0.0.1:6443");
  });

  it("says a file is missing by its error code", async () => {
    await expect(kubeConfigOf(reach(path.join(dir, "none")), opts)).rejects.toThrow(`cannot read ${path.join(dir, "none")} (ENOENT)`);
  });

  it("never quotes a file that is not a kubeconfig", async () => {
    const file = path.join(dir, "shadow");
    writeFileSync(file, "root:$6$SECRETHASH:19000:0:99999:7:::\n  - : [unbalanced\n");
    const e = await kubeConfigOf(reach(file), opts).then(
      () => undefined,
      (x: Error) => x,
    );
    expect(e?.message).toBe(`${file} is not a valid kubeconfig`);
    expect(e?.message).not.toContain("SECRETHASH");
  });

  it("needs the started-with Kubernetes cluster for a Secret", async () => {
    await expect(kubeConfigOf(reach(null, "west-kubeconfig"), opts)).rejects.toThrow(/needs PADDOCK_CLUSTER=kubernetes/);
  });
});
