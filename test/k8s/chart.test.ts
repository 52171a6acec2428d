// The Helm chart: `helm lint --strict`; `helm template --kube-version 1.34.0`
// for the values files in charts/paddock/ci/, each rendering validated by the
// real API server (server-side dry run: every object must be accepted); and
// malformed values refused by values.schema.json naming the value. A values
// file in JARVICE's own style (ci/jarvice-style-values.yaml) renders, and the
// pods get the settings in forms src/config/settings.ts reads as JARVICE means them.
// A downstream-only release (downstream: true) is applied for real; the kubeconfig
// scripts/downstreamKubeconfig.ts makes from its token Secret acts as the remote
// control plane, with exactly the rights the chart grants it.
import * as k8s from "@kubernetes/client-node";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseSettings } from "../../src/config/settings";
import { parseSecretKey } from "../../src/config/secretKey";
import { downstreamKubeconfig } from "../../scripts/downstreamKubeconfig";
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
    expect(kinds).toEqual(expect.arrayContaining(["Deployment", "ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"]));
    // A downstream-only release serves no API: no Service and no key that seals API keys, its token Secret instead.
    expect(kinds.includes("Service")).toBe(!file.includes("downstream"));
    const secrets = objs.filter((o) => o.kind === "Secret").map((o) => o.metadata!.name);
    expect(secrets).toEqual(file.includes("downstream") ? ["paddock-control-plane-token"] : ["paddock-secret-key"]);
    if (!file.includes("downstream")) {
      const key = (objs.find((o) => o.kind === "Secret") as k8s.V1Secret).data!.PADDOCK_SECRET_KEY!;
      // a key the API accepts (src/config/secretKey.ts), given to the API as PADDOCK_SECRET_KEY
      expect(parseSecretKey(Buffer.from(key, "base64").toString())).toBeDefined();
      const apiDep = objs.find((o) => o.kind === "Deployment" && o.metadata!.name === "paddock-api") as k8s.V1Deployment;
      expect(apiDep.spec!.template.spec!.containers[0]!.env!.find((e) => e.name === "PADDOCK_SECRET_KEY")?.valueFrom?.secretKeyRef).toEqual({ name: "paddock-secret-key", key: "PADDOCK_SECRET_KEY" });
    }

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


describe("a downstream-only release (downstream: true)", () => {
  const SYS = "jarvice-system";
  const JOBS = "jarvice-system-jobs";
  let tokenController: ChildProcess | undefined;
  /** the remote control plane, through the kubeconfig made from the release's token Secret */
  let controlPlane: k8s.KubeConfig;
  afterAll(() => {
    tokenController?.kill("SIGTERM");
  });
  const rulesOf = (objs: k8s.KubernetesObject[], kind: string, name: string) => (objs.find((o) => o.kind === kind && o.metadata!.name === name) as k8s.V1Role).rules!;
  /** HTTP status of a call: 200 when it succeeds, else the API server's code */
  const status = (call: Promise<unknown>) => call.then(() => 200, (e: { code?: number }) => e.code ?? e);

  it("renders the pod scheduler, the jobs namespace and the control plane's ServiceAccount, Role and token Secret; no API, database or job controller", () => {
    // Settings for the API and the database are ignored: a downstream cluster runs neither.
    const r = render(["--set", "downstream=true", "--set", "database.urlSecret.name=paddock-db", "--set", "api.ingress.enabled=true", "--set", "clusters.kubeconfigSecrets={west}"]);
    expect(r.status, r.stderr).toBe(0);
    const objs = objects(r.stdout);
    expect(objs.map((o) => `${o.kind}/${o.metadata!.name}`).sort()).toEqual([
      "ClusterRole/paddock-control-plane-nodes",
      "ClusterRole/paddock-pod-scheduler",
      "ClusterRoleBinding/paddock-control-plane-nodes",
      "ClusterRoleBinding/paddock-pod-scheduler",
      "Deployment/jarvice-pod-scheduler",
      "Namespace/jarvice-system-jobs",
      "Role/paddock-control-plane",
      "Role/paddock-leader-election",
      "RoleBinding/paddock-control-plane",
      "RoleBinding/paddock-leader-election",
      "Secret/paddock-control-plane-token",
      "ServiceAccount/paddock-control-plane",
      "ServiceAccount/paddock-pod-scheduler",
    ]);
    const token = objs.find((o) => o.kind === "Secret") as k8s.V1Secret;
    expect(token).toMatchObject({ type: "kubernetes.io/service-account-token", metadata: { namespace: SYS, annotations: { "kubernetes.io/service-account.name": "paddock-control-plane" } } });
    expect(token.data ?? {}).toEqual({});
    // The control plane elects its leader where it runs: here only the pod scheduler takes the Lease.
    const election = objs.find((o) => o.kind === "RoleBinding" && o.metadata!.name === "paddock-leader-election") as k8s.V1RoleBinding;
    expect(election.subjects!.map((x) => x.name)).toEqual(["paddock-pod-scheduler"]);
    // Vault claims: created and read, never deleted.
    expect(rulesOf(objs, "Role", "paddock-control-plane").filter((x) => x.resources!.includes("persistentvolumeclaims"))).toEqual([
      { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: ["get", "list", "watch", "create"] },
    ]);
    const sched = deployments(objs)[0]!;
    expect(envOf(sched)).toMatchObject({ PADDOCK_ROLES: "pod-scheduler", JARVICE_JOBS_NAMESPACE: JOBS });
    expect(r.stdout).not.toContain("paddock-db");
  });

  it.each(['"true"', "true", '"TRUE"'])("takes downstream: %s as JARVICE would; false and unset render the full release", (value) => {
    const kindsOf = (text: string) => {
      const r = render(["-f", valuesFile(text)]);
      expect(r.status, r.stderr).toBe(0);
      return deployments(objects(r.stdout)).map((d) => d.metadata!.name).sort();
    };
    expect(kindsOf(`downstream: ${value}\n`)).toEqual(["jarvice-pod-scheduler"]);
    for (const off of ['"false"', "false", "null"]) expect(kindsOf(`downstream: ${off}\n`)).toEqual(["jarvice-pod-scheduler", "paddock-api"]);
  });

  it.each([
    ["downstream", '"maybe"', "/downstream"],
    ["clusters", "{kubeconfigSecrets: [Bad_Name]}", "/clusters/kubeconfigSecrets/0"],
    ["clusters", "{kubeconfigSecrets: west}", "/clusters/kubeconfigSecrets"],
  ])("refuses %s: %s, naming it", (key, value, where) => {
    const r = render(["-f", valuesFile(`${key}: ${value}\n`)]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(where);
  });

  it("lets the full release's control plane read the kubeconfig Secrets named in clusters.kubeconfigSecrets, and no Secret by default", () => {
    const secretRules = (args: string[]) => {
      const r = render(args);
      expect(r.status, r.stderr).toBe(0);
      return objects(r.stdout)
        .filter((o) => o.kind === "Role" || o.kind === "ClusterRole")
        .flatMap((o) => ((o as k8s.V1Role).rules ?? []).filter((x) => x.resources!.includes("secrets")).map((x) => ({ role: `${o.kind}/${o.metadata!.namespace ?? ""}/${o.metadata!.name}`, ...x })));
    };
    expect(secretRules([])).toEqual([]);
    expect(secretRules(["--set", "clusters.kubeconfigSecrets={west-kubeconfig,east-kubeconfig}"])).toEqual([
      { role: `Role/${SYS}/paddock-cluster-kubeconfigs`, apiGroups: [""], resources: ["secrets"], resourceNames: ["west-kubeconfig", "east-kubeconfig"], verbs: ["get"] },
    ]);
  });

  it("applied to a cluster: its token Secret makes a kubeconfig that runs job pods and vault claims in the jobs namespace, and nothing more", async () => {
    const r = render(["--set", "downstream=true"]);
    expect(r.status, r.stderr).toBe(0);
    const admin = kubeConfigFor(h);
    const api = k8s.KubernetesObjectApi.makeApiClient(admin);
    const objs = objects(r.stdout);
    for (const o of [{ apiVersion: "v1", kind: "Namespace", metadata: { name: SYS } }, ...objs]) {
      await api.create(o).catch((e: { code?: number }) => {
        if (e.code !== 409) throw e;
      });
    }
    // The cluster's token controller fills the Secret (and the ServiceAccount controller makes the
    // namespaces' default ServiceAccounts, which pods need), as kube-controller-manager does on any cluster.
    tokenController = spawn(
      path.join(h.bin, "kube-controller-manager"),
      [
        "--kubeconfig", h.kubeconfig(h.admin),
        "--controllers", "serviceaccount-token-controller,serviceaccount-controller",
        "--service-account-private-key-file", path.join(h.dir, "sa.key"),
        "--root-ca-file", path.join(h.dir, "certs", "apiserver.crt"),
        "--secure-port", "0",
        "--leader-elect=false",
      ],
      { stdio: ["ignore", openSync(path.join(h.dir, "token-controller.log"), "a"), openSync(path.join(h.dir, "token-controller.log"), "a")] },
    );

    const yaml = await downstreamKubeconfig(admin, { namespace: SYS, name: "west", waitMs: 60_000 });
    // The command the README gives prints the same.
    const repo = path.resolve(import.meta.dirname, "../..");
    const cli = spawnSync(path.join(repo, "node_modules/.bin/tsx"), [path.join(repo, "scripts/downstreamKubeconfig.ts"), "--context", "harness", "--namespace", SYS, "--name", "west"], {
      encoding: "utf8",
      env: { ...process.env, KUBECONFIG: h.kubeconfig(h.admin) },
    });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toBe(yaml);
    controlPlane = new k8s.KubeConfig();
    controlPlane.loadFromString(yaml);
    // The cluster's CA from the Secret: TLS verified, no insecure-skip-tls-verify.
    expect(controlPlane.getCurrentCluster()).toMatchObject({ name: "west", server: h.server, skipTLSVerify: false });
    expect(controlPlane.getCurrentCluster()!.caData).toBeTruthy();
    const whoami = await controlPlane.makeApiClient(k8s.AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" } });
    expect(whoami.status!.userInfo!.username).toBe(`system:serviceaccount:${SYS}:paddock-control-plane`);

    const core = controlPlane.makeApiClient(k8s.CoreV1Api);
    const net = controlPlane.makeApiClient(k8s.NetworkingV1Api);
    const coord = controlPlane.makeApiClient(k8s.CoordinationV1Api);
    const pod = (name: string): k8s.V1Pod => ({ metadata: { name }, spec: { automountServiceAccountToken: false, containers: [{ name: "c", image: "busybox" }] } });
    const claim: k8s.V1PersistentVolumeClaim = { metadata: { name: "vault-alice-persistent" }, spec: { accessModes: ["ReadWriteMany"], resources: { requests: { storage: "1Gi" } } } };
    // The default ServiceAccount of the jobs namespace, which admission looks up for a pod, comes from the controller.
    await expect.poll(() => status(kubeConfigFor(h).makeApiClient(k8s.CoreV1Api).readNamespacedServiceAccount({ name: "default", namespace: JOBS })), { timeout: 30_000 }).toBe(200);

    const allowed = {
      "create a pod in the jobs namespace": await status(core.createNamespacedPod({ namespace: JOBS, body: pod("job-1") })),
      "list pods": await status(core.listNamespacedPod({ namespace: JOBS })),
      "create a vault claim": await status(core.createNamespacedPersistentVolumeClaim({ namespace: JOBS, body: claim })),
      "read a vault claim": await status(core.readNamespacedPersistentVolumeClaim({ name: claim.metadata!.name!, namespace: JOBS })),
      "create a tenant NetworkPolicy": await status(net.createNamespacedNetworkPolicy({ namespace: JOBS, body: { metadata: { name: "tenant-acme" }, spec: { podSelector: {} } } })),
      "list Services": await status(core.listNamespacedService({ namespace: JOBS })),
      "list Events": await status(core.listNamespacedEvent({ namespace: JOBS })),
      "count nodes": await status(core.listNode()),
      "delete a job's pod": await status(core.deleteNamespacedPod({ name: "job-1", namespace: JOBS })),
    };
    expect(allowed).toEqual(Object.fromEntries(Object.keys(allowed).map((k) => [k, 200])));

    const refused = {
      "delete a vault claim": await status(core.deleteNamespacedPersistentVolumeClaim({ name: claim.metadata!.name!, namespace: JOBS })),
      "read its own token Secret": await status(core.readNamespacedSecret({ name: "paddock-control-plane-token", namespace: SYS })),
      "list Secrets of the jobs namespace": await status(core.listNamespacedSecret({ namespace: JOBS })),
      "create a pod in the system namespace": await status(core.createNamespacedPod({ namespace: SYS, body: pod("intruder") })),
      "create a claim in the system namespace": await status(core.createNamespacedPersistentVolumeClaim({ namespace: SYS, body: claim })),
      "create a Service": await status(core.createNamespacedService({ namespace: JOBS, body: { metadata: { name: "s" }, spec: { ports: [{ port: 80 }] } } })),
      "take the pod scheduler's Lease": await status(coord.createNamespacedLease({ namespace: SYS, body: { metadata: { name: "jarvice-pod-scheduler" }, spec: {} } })),
      "label a node": await status(core.patchNode({ name: "any", body: [{ op: "add", path: "/metadata/labels/x", value: "y" }] })),
    };
    expect(refused).toEqual(Object.fromEntries(Object.keys(refused).map((k) => [k, 403])));
    // The claim outlives the attempt.
    expect(await status(core.readNamespacedPersistentVolumeClaim({ name: claim.metadata!.name!, namespace: JOBS }))).toBe(200);
  });

  it("the control plane's release grants get on the named kubeconfig Secrets only", async () => {
    expect(controlPlane, "the previous test made the control plane's kubeconfig").toBeDefined();
    // The Role of a full release with clusters.kubeconfigSecrets, bound to the same identity.
    const r = render(["--set", "clusters.kubeconfigSecrets={west-kubeconfig}"]);
    expect(r.status, r.stderr).toBe(0);
    const admin = kubeConfigFor(h);
    const api = k8s.KubernetesObjectApi.makeApiClient(admin);
    for (const o of objects(r.stdout).filter((x) => x.metadata!.name === "paddock-cluster-kubeconfigs")) await api.create(o);
    const adminCore = admin.makeApiClient(k8s.CoreV1Api);
    for (const name of ["west-kubeconfig", "paddock-db"]) {
      await adminCore.createNamespacedSecret({ namespace: SYS, body: { metadata: { name }, stringData: { kubeconfig: "x" } } });
    }
    const core = controlPlane.makeApiClient(k8s.CoreV1Api);
    expect({
      "get west-kubeconfig": await status(core.readNamespacedSecret({ name: "west-kubeconfig", namespace: SYS })),
      "get paddock-db": await status(core.readNamespacedSecret({ name: "paddock-db", namespace: SYS })),
      "list the system namespace's Secrets": await status(core.listNamespacedSecret({ namespace: SYS })),
      "change west-kubeconfig": await status(core.patchNamespacedSecret({ name: "west-kubeconfig", namespace: SYS, body: [{ op: "add", path: "/data/x", value: "eQ==" }] })),
    }).toEqual({ "get west-kubeconfig": 200, "get paddock-db": 403, "list the system namespace's Secrets": 403, "change west-kubeconfig": 403 });
  });
});
