// A catalog cluster's Kubernetes backend (issue 13), from how its row says to
// reach it: a kubeconfig in a Secret of the system namespace (key
// `kubeconfig`, read with the control plane's own identity: `get secrets`
// there), a kubeconfig file, or the cluster Paddock was started with; each in
// its own jobs namespace, with the same multi-tenant settings everywhere.
import * as k8s from "@kubernetes/client-node";
import type { ClusterReach } from "../core/clusterRouting";
import { KubeCluster, type KubeClusterOptions, statusOf } from "./kubeCluster";

export interface ConnectOptions {
  /** the cluster Paddock was started with (where the Secrets are); undefined: not on Kubernetes */
  startedWith: k8s.KubeConfig | undefined;
  systemNamespace: string;
  /** the settings every cluster shares (multi-tenant mode, NetworkPolicy peers, log) */
  kube: Omit<KubeClusterOptions, "namespace">;
}

/** The key of the kubeconfig in a cluster's Secret. */
export const KUBECONFIG_KEY = "kubeconfig";

export async function kubeConfigOf(reach: ClusterReach, opts: ConnectOptions): Promise<k8s.KubeConfig> {
  const kc = new k8s.KubeConfig();
  if (reach.kubeconfigSecret) {
    if (!opts.startedWith) throw new Error("a kubeconfig Secret needs PADDOCK_CLUSTER=kubernetes (the Secret is in the system namespace of that cluster)");
    const core = opts.startedWith.makeApiClient(k8s.CoreV1Api);
    let secret: k8s.V1Secret;
    try {
      secret = await core.readNamespacedSecret({ name: reach.kubeconfigSecret, namespace: opts.systemNamespace });
    } catch (e) {
      throw new Error(`cannot read Secret ${opts.systemNamespace}/${reach.kubeconfigSecret} (HTTP ${statusOf(e) ?? "?"})`);
    }
    const data = secret.data?.[KUBECONFIG_KEY];
    if (!data) throw new Error(`Secret ${opts.systemNamespace}/${reach.kubeconfigSecret} has no key '${KUBECONFIG_KEY}'`);
    try {
      kc.loadFromString(Buffer.from(data, "base64").toString("utf8"));
    } catch {
      throw new Error(`Secret ${opts.systemNamespace}/${reach.kubeconfigSecret}: '${KUBECONFIG_KEY}' is not a valid kubeconfig`);
    }
  } else if (reach.kubeconfigPath) {
    try {
      kc.loadFromFile(reach.kubeconfigPath);
    } catch (e) {
      // Never the parser's message: it may quote the file, and the reason reaches /jarvice/ready and job substatuses.
      const code = (e as { code?: unknown }).code;
      throw new Error(typeof code === "string" ? `cannot read ${reach.kubeconfigPath} (${code})` : `${reach.kubeconfigPath} is not a valid kubeconfig`);
    }
  } else {
    if (!opts.startedWith) throw new Error("the simulated cluster has no other jobs namespace");
    return opts.startedWith;
  }
  if (!kc.getCurrentCluster()) throw new Error("the kubeconfig has no current cluster");
  return kc;
}

/** The backend of one catalog cluster (its informer starts with the first use). */
export async function connectKubeCluster(reach: ClusterReach & { namespace: string }, opts: ConnectOptions): Promise<KubeCluster> {
  return new KubeCluster(await kubeConfigOf(reach, opts), { ...opts.kube, namespace: reach.namespace });
}
