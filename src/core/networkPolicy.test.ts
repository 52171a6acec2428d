import { describe, expect, it } from "vitest";
import { tenantNetworkPolicy, tenantPolicyName } from "./networkPolicy";

const NS = "jarvice-system-jobs";

describe("tenantNetworkPolicy", () => {
  it("selects the tenant's pods and admits only the same tenant when nothing else is configured", () => {
    const p = tenantNetworkPolicy("acme", NS, {});
    expect(p.metadata).toMatchObject({ name: "jarvice-tenant-acme", namespace: NS });
    expect(p.spec.podSelector).toEqual({ matchLabels: { "jarvice-tenant": "acme" } });
    expect(p.spec.policyTypes).toEqual(["Ingress"]);
    expect(p.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { "jarvice-tenant": "acme" } } }] }]);
  });

  it("admits ingress pods from any namespace when only pod labels are set (an empty namespaceSelector)", () => {
    const from = tenantNetworkPolicy("acme", NS, { ingressPodLabels: { app: "traefik" } }).spec.ingress[0]!.from;
    expect(from[1]).toEqual({ podSelector: { matchLabels: { app: "traefik" } }, namespaceSelector: {} });
  });

  it("ANDs pod and namespace labels in one peer, never two peers", () => {
    const from = tenantNetworkPolicy("acme", NS, { ingressPodLabels: { app: "traefik" }, ingressNamespaceLabels: { ingress: "yes" } }).spec.ingress[0]!.from;
    expect(from).toHaveLength(2);
    expect(from[1]).toEqual({ podSelector: { matchLabels: { app: "traefik" } }, namespaceSelector: { matchLabels: { ingress: "yes" } } });
  });

  it("admits each load-balancer CIDR as an ipBlock", () => {
    const from = tenantNetworkPolicy("acme", NS, { lbServiceCidrs: ["10.20.0.0/24", "fd00::/64"] }).spec.ingress[0]!.from;
    expect(from.slice(1)).toEqual([{ ipBlock: { cidr: "10.20.0.0/24" } }, { ipBlock: { cidr: "fd00::/64" } }]);
  });

  it("restricts ingress only, so DNS and egress keep working", () => {
    const p = tenantNetworkPolicy("acme", NS, { ingressPodLabels: { app: "x" }, lbServiceCidrs: ["10.0.0.0/8"] });
    expect(p.spec.policyTypes).not.toContain("Egress");
    expect(p.spec).not.toHaveProperty("egress");
  });

  it("does not share configuration objects between policies", () => {
    const labels = { app: "traefik" };
    const a = tenantNetworkPolicy("a", NS, { ingressPodLabels: labels });
    labels.app = "changed";
    expect(a.spec.ingress[0]!.from[1]!.podSelector!.matchLabels.app).toBe("traefik");
  });
});

describe("tenantPolicyName", () => {
  it.each(["acme", "Acme", "acme_corp", "a.b", "x".repeat(63), "-odd-"])("gives %s a valid, bounded object name", (tenant) => {
    const name = tenantPolicyName(tenant);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(name.length).toBeLessThanOrEqual(63);
  });

  it("keeps names unique when tenants fold to the same text", () => {
    const names = new Set(["acme", "Acme", "ACME", "acme_", "acme."].map(tenantPolicyName));
    expect(names.size).toBe(5);
  });
});
