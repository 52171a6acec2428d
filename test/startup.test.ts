// Invalid settings stop start-up with a message naming the setting (exit 2),
// before anything is opened or listened on.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const start = (env: Record<string, string>) =>
  spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], { cwd: root, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PADDOCK_DATA_DIR: "/nonexistent/never-created", ...env }, encoding: "utf8", timeout: 60_000 });

describe("start-up with invalid settings", () => {
  it.each([
    ["JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS", '{"app": traefik}', /JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS: must be a JSON object/],
    ["JARVICE_JOBS_MULTI_TENANT_INGRESS_NS_LABELS", "[1]", /JARVICE_JOBS_MULTI_TENANT_INGRESS_NS_LABELS: must be a JSON object/],
    ["JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS", '["10.0.0.0/99"]', /JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS: '10.0.0.0\/99' has prefix length 99/],
    ["JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS", "10.0.0.0/8", /JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS: must be a JSON list of CIDRs/],
    ["JARVICE_JOBS_MULTI_TENANT", "maybe", /JARVICE_JOBS_MULTI_TENANT: must be true or false/],
    ["JARVICE_POD_SCHED_LOGLEVEL", "loud", /JARVICE_POD_SCHED_LOGLEVEL: must be an integer/],
  ])("%s=%s stops start-up naming it", (name, value, message) => {
    const r = start({ [name]: value });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).not.toMatch(/listening/);
  });

  it("takes the forms JARVICE's values files write: no settings error, nothing to warn about", () => {
    const r = start({
      JARVICE_JOBS_MULTI_TENANT: "FALSE",
      JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS: "{}",
      JARVICE_JOBS_MULTI_TENANT_INGRESS_NS_LABELS: "{}",
      JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS: "[]",
      JARVICE_POD_SCHED_LOGLEVEL: "30",
      JARVICE_IMAGES_TAG: "jarvice-master",
      PADDOCK_CLUSTER: "kubernetes",
      PADDOCK_KUBECONFIG: "/nonexistent/kubeconfig",
    });
    // It gets past the settings and stops later, at the (missing) kubeconfig.
    expect(r.status).not.toBe(2);
    expect(r.stderr).not.toMatch(/invalid settings|warning:/);
  });

  it("warns when ingress pod labels are set without namespace labels, naming both settings", () => {
    const r = start({ JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS: '{"app":"traefik"}', PADDOCK_CLUSTER: "kubernetes", PADDOCK_KUBECONFIG: "/nonexistent/kubeconfig" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/warning: JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS is set without JARVICE_JOBS_MULTI_TENANT_INGRESS_NS_LABELS/);
  });
});
