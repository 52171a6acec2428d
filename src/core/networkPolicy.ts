// The NetworkPolicy of one tenant in multi-tenant mode, as a pure function of
// the settings and the tenant. One policy per tenant (O(tenants), not O(jobs)):
// it selects the tenant's job pods by the tenant label and admits ingress only
//  - from pods of the same tenant (in the jobs namespace),
//  - from the configured ingress-controller pods: in any namespace when only
//    pod labels are set, or only in namespaces with the configured labels —
//    one peer with both selectors (AND), never two peers (OR),
//  - from the load-balancer CIDRs.
// Only ingress is restricted, so DNS and the pods' own egress keep working.
import { LABEL_MANAGED_BY, LABEL_TENANT, MANAGED_BY } from "./podPlan";

export interface NetworkSettings {
  ingressPodLabels?: Record<string, string> | undefined;
  ingressNamespaceLabels?: Record<string, string> | undefined;
  lbServiceCidrs?: readonly string[] | undefined;
}

export interface NetworkPolicyPeer {
  podSelector?: { matchLabels: Record<string, string> };
  namespaceSelector?: { matchLabels?: Record<string, string> };
  ipBlock?: { cidr: string };
}

export interface TenantNetworkPolicy {
  apiVersion: "networking.k8s.io/v1";
  kind: "NetworkPolicy";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    podSelector: { matchLabels: Record<string, string> };
    policyTypes: ["Ingress"];
    ingress: Array<{ from: NetworkPolicyPeer[] }>;
  };
}

/** A DNS-1123 name for a tenant's policy: readable, and unique even when two tenant names fold to the same text. */
export function tenantPolicyName(tenant: string): string {
  const folded = tenant.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^-+|-+$/g, "").slice(0, 39) || "tenant"; // 15 + 39 + 1 + 8 = 63
  const exact = folded === tenant;
  return exact ? `jarvice-tenant-${folded}` : `jarvice-tenant-${folded}-${fnv1a(tenant)}`;
}

function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (const c of new TextEncoder().encode(s)) {
    h ^= c;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

export function tenantNetworkPolicy(tenant: string, namespace: string, net: NetworkSettings): TenantNetworkPolicy {
  const from: NetworkPolicyPeer[] = [{ podSelector: { matchLabels: { [LABEL_TENANT]: tenant } } }];
  if (net.ingressPodLabels) {
    from.push({
      podSelector: { matchLabels: { ...net.ingressPodLabels } },
      // An empty namespaceSelector means every namespace; without it the peer would mean this namespace only.
      namespaceSelector: net.ingressNamespaceLabels ? { matchLabels: { ...net.ingressNamespaceLabels } } : {},
    });
  }
  for (const cidr of net.lbServiceCidrs ?? []) from.push({ ipBlock: { cidr } });
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: tenantPolicyName(tenant), namespace, labels: { [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_TENANT]: tenant } },
    spec: { podSelector: { matchLabels: { [LABEL_TENANT]: tenant } }, policyTypes: ["Ingress"], ingress: [{ from }] },
  };
}
