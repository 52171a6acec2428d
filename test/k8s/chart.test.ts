// The Helm chart: `helm lint --strict`; `helm template --kube-version 1.34.0`
// for the values files in charts/paddock/ci/, each rendering validated by the
// real API server (server-side dry run: every object must be accepted); and
// malformed values refused by values.schema.json naming the value. A values
// file in JARVICE's own style (ci/jarvice-style-values.yaml) renders, and the
// pods get the settings in forms src/config/settings.ts reads as JARVICE means them.
import * as k8s from "@kubernetes/client-node";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseSettings } from "../../src/config/settings";
import { startHarness, type Harness } from "./harness";
import { kubeConfigFor } from "./stack";

const chart = path.resolve(import.meta.dirname, "../../charts/paddock");
const valuesFiles = readdirSync(path.join(chart, "ci")).filter((f) => f.endsWith(".yaml")).sort();
let h: Harness;
let helm: string;

const render = (args: string[]) => spawnSync(helm, ["template", "paddock", chart, "--namespace", "jarvice-system", "--kube-version", "1.34.0", ...args], { encoding: "utf8" });
const objects = (yaml: string) =>
  parseAllDocuments(yaml)
    .map((d) => d.toJSON() as k8s.KubernetesObject | null)
    .filter((o): o is k8s.KubernetesObject => o !== null && typeof o === "object" && "kind" in o);

beforeAll(async () => {
  h = await startHarness({ controllerManager: false, kwok: false });
  helm = path.join(h.bin, "helm");
});
afterAll(async () => h?.stop());

const deployments = (objs: k8s.KubernetesObject[]) => objs.filter((o): o is k8s.V1Deployment => o.kind === "Deployment");
/** the literal environment of a Deployment's container (valueFrom entries left out) */
const envOf = (d: k8s.V1Deployment): Record<string, string> =>
  Object.fromEntries(d.spec!.template.spec!.containers[0]!.env!.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
const valuesFile = (text: string) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "paddock-values-")), "values.yaml");
  writeFileSync(file, text);
  return file;
};

describe("the Helm chart", () => {
  it("passes helm lint --strict, alone and with every CI values file", () => {
    expect(valuesFiles.length).toBeGreaterThanOrEqual(4);
    for (const args of [[], ...valuesFiles.map((f) => ["-f", path.join(chart, "ci", f)])]) {
      const r = spawnSync(helm, ["lint", "--strict", chart, ...args], { encoding: "utf8" });
      expect(r.status, `${args.join(" ")}\n${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  it.each(valuesFiles)("renders %s, and the API server accepts every object (server-side dry run)", async (file) => {
    const r = render(["-f", path.join(chart, "ci", file)]);
    expect(r.status, r.stderr).toBe(0);
    const objs = objects(r.stdout);
    const kinds = objs.map((o) => o.kind);
    expect(kinds).toEqual(expect.arrayContaining(["Deployment", "Service", "ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"]));

    const kc = kubeConfigFor(h);
    const api = k8s.KubernetesObjectApi.makeApiClient(kc);
    // Namespaced objects can only be validated in namespaces that exist: create those for real.
    const namespaces = new Set(["jarvice-system", ...objs.filter((o) => o.kind === "Namespace").map((o) => o.metadata!.name!)]);
    for (const ns of namespaces) {
      await api.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }).catch((e: { code?: number }) => {
        if (e.code !== 409) throw e;
      });
    }
    const rejected: string[] = [];
    for (const o of objs.filter((x) => x.kind !== "Namespace")) {
      try {
        await api.create(o, undefined, "All");
      } catch (e) {
        rejected.push(`${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}: ${(e as { body?: unknown }).body ? JSON.stringify((e as { body?: unknown }).body).slice(0, 300) : (e as Error).message}`);
      }
    }
    expect(rejected).toEqual([]);

    // The pod scheduler is found by its component label, and gets the jarvice settings.
    const sched = objs.find((o) => o.kind === "Deployment" && o.metadata!.name === "jarvice-pod-scheduler") as k8s.V1Deployment;
    expect(sched.spec!.template.metadata!.labels!.component).toBe("jarvice-pod-scheduler");
    const env = Object.fromEntries(sched.spec!.template.spec!.containers[0]!.env!.map((e) => [e.name, e.value]));
    expect(env.PADDOCK_ROLES).toBe("pod-scheduler");
    expect(env.JARVICE_JOBS_NAMESPACE).toMatch(/-jobs$|^hpc-jobs$/);
  });

  it("defaults the jobs namespace to <system namespace>-jobs and passes the settings by their JARVICE names", () => {
    const r = render(["--set", "jarvice.JARVICE_SYSTEM_NAMESPACE=acme-sys", "--set", "jarvice.JARVICE_JOBS_MULTI_TENANT=true"]);
    expect(r.status, r.stderr).toBe(0);
    const objs = objects(r.stdout);
    expect(objs.filter((o) => o.kind === "Namespace").map((o) => o.metadata!.name)).toEqual(["acme-sys-jobs"]);
    const api = objs.find((o) => o.kind === "Deployment" && o.metadata!.name === "paddock-api") as k8s.V1Deployment;
    const env = Object.fromEntries(api.spec!.template.spec!.containers[0]!.env!.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ JARVICE_JOBS_MULTI_TENANT: "true", JARVICE_SYSTEM_NAMESPACE: "acme-sys", JARVICE_JOBS_NAMESPACE: "acme-sys-jobs", PADDOCK_ROLES: "api,k8s-scheduler" });
    const probes = api.spec!.template.spec!.containers[0]!;
    expect(probes.livenessProbe!.httpGet!.path).toBe("/jarvice/live");
    expect(probes.readinessProbe!.httpGet!.path).toBe("/jarvice/ready");
  });

  it.each([
    ["JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS", "'[\"10.0.0.0/99\"]'"],
    ["JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS", "'10.0.0.0/24'"],
    ["JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS", "'{\"app\": traefik}'"],
    ["JARVICE_JOBS_MULTI_TENANT", "'yes please'"],
    ["JARVICE_JOBS_NAMESPACE", "Bad_Namespace"],
    ["JARVICE_POD_SCHED_LOGLEVEL", "loud"],
    // JARVICE's string forms, malformed
    ["JARVICE_JOBS_MULTI_TENANT", '"maybe"'],
    ["JARVICE_JOBS_MULTI_TENANT", '"flase"'],
    ["JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS", "'[ \"10.0.0.0/99\" ]'"],
    ["JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS", "'{}'"],
    ["JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS", "'{'"],
    ["JARVICE_JOBS_MULTI_TENANT_INGRESS_NS_LABELS", "'[]'"],
    ["JARVICE_POD_SCHED_LOGLEVEL", '"51"'],
    ["JARVICE_POD_SCHED_LOGLEVEL", '"30.0"'],
  ])("refuses %s: %s, naming it", (key, value) => {
    const r = render(["-f", valuesFile(`jarvice:\n  ${key}: ${value}\n`)]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`/jarvice/${key}`);
  });

  it("renders a JARVICE-style values file: the pods get the settings as JARVICE means them, and nothing of JARVICE's other keys", () => {
    const r = render(["-f", path.join(chart, "ci", "jarvice-style-values.yaml")]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("<nil>");
    // JARVICE's secrets and unused settings stay out of the pod specs.
    for (const unused of ["JARVICE_DBPASSWD", "Pass1234", "JARVICE_IMAGES_TAG", "JARVICE_REMOTE_API_URL", "JARVICE_MAIL_SERVER", "JARVICE_LICENSE_LIC", "tolerations", "networkPolicy", "mysql"]) {
      expect(r.stdout).not.toContain(unused);
    }
    const deps = deployments(objects(r.stdout));
    expect(deps.map((d) => d.metadata!.name).sort()).toEqual(["jarvice-pod-scheduler", "paddock-api"]);
    for (const d of deps) {
      const env = envOf(d);
      expect(env).toMatchObject({
        JARVICE_JOBS_MULTI_TENANT: "false",
        JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS: "{}",
        JARVICE_JOBS_MULTI_TENANT_INGRESS_NS_LABELS: "{}",
        JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS: "[]",
        JARVICE_POD_SCHED_LOGLEVEL: "10",
        JARVICE_PVC_VAULT_NAME: "persistent",
        JARVICE_SYSTEM_NAMESPACE: "jarvice-system",
        JARVICE_JOBS_NAMESPACE: "jarvice-system-jobs",
      });
      // Keys left empty (null) are not rendered at all.
      for (const empty of ["JARVICE_PVC_VAULT_VOLUMENAME", "JARVICE_PVC_VAULT_SIZE", "JARVICE_PVC_VAULT_ZONE", "JARVICE_EPHEMERAL_VAULT_ZONE"]) expect(env).not.toHaveProperty(empty);
      // What the pod gets is what the settings parser takes, with JARVICE's meaning: '{}' and '[]' unset, "false" false.
      const { settings, warnings } = parseSettings(env);
      expect(settings).toMatchObject({
        JARVICE_JOBS_MULTI_TENANT: false,
        JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS: undefined,
        JARVICE_JOBS_MULTI_TENANT_INGRESS_NS_LABELS: undefined,
        JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS: undefined,
        JARVICE_POD_SCHED_LOGLEVEL: 10,
        JARVICE_JOBS_NAMESPACE: "jarvice-system-jobs",
        vaultDefaults: { JARVICE_PVC_VAULT_NAME: "persistent", JARVICE_PVC_VAULT_STORAGECLASS: "jarvice-user" },
      });
      expect(warnings).toEqual([]);
    }
    // The chart's own defaults: JARVICE's log level 30.
    const defaults = render([]);
    expect(envOf(deployments(objects(defaults.stdout))[0]!).JARVICE_POD_SCHED_LOGLEVEL).toBe("30");
  });

  it.each([
    ['"TRUE"', "true", true],
    ['"True"', "true", true],
    ["true", "true", true],
    ['"False"', "false", false],
    ['"false"', "false", false],
    ["false", "false", false],
    ['""', undefined, false],
    ["null", undefined, false],
  ])("renders JARVICE_JOBS_MULTI_TENANT: %s as %s, which the settings read as %s", (value, rendered, multiTenant) => {
    const r = render(["-f", valuesFile(`jarvice:\n  JARVICE_JOBS_MULTI_TENANT: ${value}\n  JARVICE_POD_SCHED_LOGLEVEL: "20"\n`)]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("<nil>");
    for (const d of deployments(objects(r.stdout))) {
      const env = envOf(d);
      expect(env.JARVICE_JOBS_MULTI_TENANT).toBe(rendered);
      expect(parseSettings(env).settings).toMatchObject({ JARVICE_JOBS_MULTI_TENANT: multiTenant, JARVICE_POD_SCHED_LOGLEVEL: 20 });
    }
  });

  it.each([
    ['"false"', false],
    ['"FALSE"', false],
    ["false", false],
    ["null", true],
    ['"true"', true],
  ])("takes createNamespaces: %s as JARVICE would (namespace created: %s)", (value, created) => {
    const r = render(["-f", valuesFile(`createNamespaces: ${value}\n`)]);
    expect(r.status, r.stderr).toBe(0);
    expect(objects(r.stdout).some((o) => o.kind === "Namespace")).toBe(created);
  });

  it.each([
    ['"false"', false],
    ['"true"', true],
    ["null", false],
  ])("takes api.ingress.enabled: %s as JARVICE would (Ingress rendered: %s)", (value, rendered) => {
    const r = render(["-f", valuesFile(`api:\n  ingress:\n    enabled: ${value}\n`)]);
    expect(r.status, r.stderr).toBe(0);
    expect(objects(r.stdout).some((o) => o.kind === "Ingress")).toBe(rendered);
  });

  it("exposes Prometheus metrics: the API on its port, the pods without the API on a port named metrics, with prometheus.io annotations", () => {
    for (const args of [[], ["--set", "database.urlSecret.name=paddock-db"]]) {
      const r = render(args);
      expect(r.status, r.stderr).toBe(0);
      const deps = deployments(objects(r.stdout));
      expect(deps.length).toBe(args.length === 0 ? 2 : 3);
      for (const d of deps) {
        const annotations = d.spec!.template.metadata!.annotations ?? {};
        const container = d.spec!.template.spec!.containers[0]!;
        const portName = d.metadata!.name === "paddock-api" ? "http" : "metrics";
        const port = container.ports?.find((p) => p.name === portName)?.containerPort;
        expect(port, d.metadata!.name).toBeDefined();
        // Prometheus' pod discovery scrapes the named container port, at /metrics.
        expect(annotations, d.metadata!.name).toEqual({ "prometheus.io/scrape": "true", "prometheus.io/port": String(port), "prometheus.io/path": "/metrics" });
        if (portName === "metrics") {
          // The process listens where the pod says it does, on every interface, and its /healthz is the liveness probe.
          const settings = parseSettings(envOf(d)).settings;
          expect({ metricsPort: settings.metricsPort, host: settings.host }).toEqual({ metricsPort: 9402, host: "0.0.0.0" });
          expect(container.livenessProbe!.httpGet).toMatchObject({ path: "/healthz", port: "metrics" });
        }
      }
    }
    const sched = (r: ReturnType<typeof render>) => deployments(objects(r.stdout)).find((d) => d.metadata!.name === "jarvice-pod-scheduler")!;
    const moved = sched(render(["--set", "metrics.port=9500"]));
    expect(moved.spec!.template.metadata!.annotations!["prometheus.io/port"]).toBe("9500");
    expect(moved.spec!.template.spec!.containers[0]!.ports).toEqual([{ name: "metrics", containerPort: 9500 }]);
    expect(parseSettings(envOf(moved)).settings.metricsPort).toBe(9500);
  });

  it.each(['"false"', "false", '"FALSE"'])("leaves the prometheus.io annotations out with metrics.annotations: %s, keeping the port", (value) => {
    const r = render(["-f", valuesFile(`metrics:\n  annotations: ${value}\n`)]);
    expect(r.status, r.stderr).toBe(0);
    const deps = deployments(objects(r.stdout));
    expect(deps.length).toBeGreaterThan(0);
    for (const d of deps) expect(Object.keys(d.spec!.template.metadata!.annotations ?? {}).filter((k) => k.startsWith("prometheus.io/"))).toEqual([]);
    expect(deps.find((d) => d.metadata!.name === "jarvice-pod-scheduler")!.spec!.template.spec!.containers[0]!.ports![0]!.name).toBe("metrics");
  });

  it.each([
    ["port", "0"],
    ["port", "70000"],
    ["port", '"9402"'],
    ["annotations", '"maybe"'],
  ])("refuses metrics.%s: %s, naming it", (key, value) => {
    const r = render(["-f", valuesFile(`metrics:\n  ${key}: ${value}\n`)]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`/metrics/${key}`);
  });

  it("refuses several API replicas on the embedded database, saying why", () => {
    const r = render(["--set", "api.replicas=2"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/api.replicas: the embedded database \(PGlite\) serves one replica/);
  });
});

