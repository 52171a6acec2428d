/**
 * The kubeconfig a Paddock control plane uses to drive a downstream cluster (README "Several clusters").
 *
 * A downstream-only release of the chart (`downstream: true`) creates the ServiceAccount
 * paddock-control-plane and the Secret paddock-control-plane-token, which the cluster's token
 * controller fills with a long-lived token and the cluster's CA. This script reads that Secret with
 * your own credentials for the downstream cluster, and prints a kubeconfig that authenticates as
 * paddock-control-plane (its rights: the chart's Role in the jobs namespace, nothing else):
 *
 *   npx tsx scripts/downstreamKubeconfig.ts --context west --namespace jarvice-system > west.kubeconfig
 *
 * Options:
 *   --context NAME     the context of your kubeconfig ($KUBECONFIG or ~/.kube/config) for the
 *                      downstream cluster (default: the current context)
 *   --namespace NS     the release's system namespace (default jarvice-system)
 *   --secret NAME      the token Secret (default paddock-control-plane-token)
 *   --server URL       the API server address as the control plane reaches it (default: the
 *                      context's server; set it when the control plane sees the cluster elsewhere)
 *   --name NAME        the cluster and context name in the kubeconfig (default: the context's name)
 *   --wait SECONDS     how long to wait for the token controller to fill the Secret (default 30)
 *
 * The kubeconfig holds a credential: store it as a Secret of the control plane's system namespace
 * (key `kubeconfig`), not in a file that others read. Deleting the token Secret revokes it.
 */
import * as k8s from "@kubernetes/client-node";
import { pathToFileURL } from "node:url";
import { stringify } from "yaml";

export interface DownstreamKubeconfigOptions {
  /** the release's system namespace (default jarvice-system) */
  namespace?: string;
  /** the token Secret (default paddock-control-plane-token) */
  secret?: string;
  /** the API server URL for the control plane (default: kc's current cluster's server) */
  server?: string;
  /** cluster and context name (default: kc's current context) */
  name?: string;
  /** how long to wait for the token controller, in ms (default 30 s) */
  waitMs?: number;
}

/** Read the token Secret through `kc` (your credentials for the downstream cluster) and return the kubeconfig YAML. */
export async function downstreamKubeconfig(kc: k8s.KubeConfig, opts: DownstreamKubeconfigOptions = {}): Promise<string> {
  const namespace = opts.namespace ?? "jarvice-system";
  const secretName = opts.secret ?? "paddock-control-plane-token";
  const server = opts.server ?? kc.getCurrentCluster()?.server;
  if (!server) throw new Error("no API server: the kubeconfig has no current cluster; pass --server");
  const name = opts.name ?? (kc.getCurrentContext() || "downstream");
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const deadline = Date.now() + (opts.waitMs ?? 30_000);
  for (;;) {
    let secret: k8s.V1Secret;
    try {
      secret = await core.readNamespacedSecret({ name: secretName, namespace });
    } catch (e) {
      if ((e as { code?: number }).code === 404) throw new Error(`Secret ${namespace}/${secretName} not found: is the chart installed there with downstream: true?`);
      throw e;
    }
    if (secret.type !== "kubernetes.io/service-account-token") throw new Error(`Secret ${namespace}/${secretName} is of type ${secret.type}, not kubernetes.io/service-account-token`);
    const token = secret.data?.token;
    const ca = secret.data?.["ca.crt"];
    if (token && ca) {
      const user = `${secret.metadata?.annotations?.["kubernetes.io/service-account.name"] ?? "paddock-control-plane"}@${name}`;
      return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server, "certificate-authority-data": ca } }],
        users: [{ name: user, user: { token: Buffer.from(token, "base64").toString("utf8") } }],
        contexts: [{ name, context: { cluster: name, user } }],
        "current-context": name,
      });
    }
    if (Date.now() > deadline) throw new Error(`Secret ${namespace}/${secretName} has no token yet: is the cluster's token controller (kube-controller-manager) running?`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function parseArgs(argv: string[]): { context?: string; opts: DownstreamKubeconfigOptions } {
  const out: { context?: string; opts: DownstreamKubeconfigOptions } = { opts: {} };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (flag === "--help" || flag === "-h") {
      process.stdout.write("usage: npx tsx scripts/downstreamKubeconfig.ts [--context NAME] [--namespace NS] [--secret NAME] [--server URL] [--name NAME] [--wait SECONDS] > cluster.kubeconfig\n");
      process.exit(0);
    }
    if (value === undefined || value.startsWith("--")) throw new Error(`${flag}: a value is missing`);
    i++;
    if (flag === "--context") out.context = value;
    else if (flag === "--namespace") out.opts.namespace = value;
    else if (flag === "--secret") out.opts.secret = value;
    else if (flag === "--server") out.opts.server = value;
    else if (flag === "--name") out.opts.name = value;
    else if (flag === "--wait") {
      const s = Number(value);
      if (!Number.isFinite(s) || s < 0) throw new Error(`--wait: not a number of seconds: ${value}`);
      out.opts.waitMs = s * 1000;
    } else throw new Error(`unknown option ${flag} (see --help)`);
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const { context, opts } = parseArgs(process.argv.slice(2));
    const kc = new k8s.KubeConfig();
    kc.loadFromDefault();
    if (context) {
      if (!kc.getContextObject(context)) throw new Error(`--context: no context ${context} in the kubeconfig`);
      kc.setCurrentContext(context);
    }
    process.stdout.write(await downstreamKubeconfig(kc, opts));
  } catch (e) {
    process.stderr.write(`downstreamKubeconfig: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
