// What reaches the API server is what the pure core built: the client library
// serializes its own model types (renaming and silently dropping fields it
// does not know, e.g. NetworkPolicy's `from` is `_from` in client-node 1.4),
// so every object we hand it must round-trip to the same wire JSON.
// The generated serializer the client uses for request bodies (not re-exported by the package index).
import { ObjectSerializer } from "@kubernetes/client-node/dist/gen/models/ObjectSerializer.js";
import { describe, expect, it } from "vitest";
import { tenantNetworkPolicy } from "../core/networkPolicy";
import { podPlan } from "../core/podPlan";
import { toClientNetworkPolicy } from "./kubeCluster";

const wire = (obj: unknown, type: string) => JSON.parse(JSON.stringify(ObjectSerializer.serialize(obj, type, ""))) as unknown;
const plain = (obj: unknown) => JSON.parse(JSON.stringify(obj)) as unknown;

describe("objects on the wire", () => {
  it.each([
    ["no ingress settings", {}],
    ["ingress pods in any namespace", { ingressPodLabels: { app: "traefik" } }],
    ["ingress pods AND namespaces, LB CIDRs", { ingressPodLabels: { app: "traefik" }, ingressNamespaceLabels: { ingress: "yes" }, lbServiceCidrs: ["10.20.0.0/24"] }],
  ])("a tenant NetworkPolicy with %s serializes to exactly the generated policy", (_what, net) => {
    const policy = tenantNetworkPolicy("acme", "jarvice-system-jobs", net);
    expect(wire(toClientNetworkPolicy(policy), "V1NetworkPolicy")).toEqual(plain(policy));
  });

  it("would lose every peer if the generated policy were passed unconverted (ingress: [{}] admits everyone)", () => {
    const policy = tenantNetworkPolicy("acme", "ns", { lbServiceCidrs: ["10.20.0.0/24"] });
    expect((wire(policy, "V1NetworkPolicy") as { spec: { ingress: unknown[] } }).spec.ingress).toEqual([{}]);
  });

  it("a job's pods serialize to exactly the planned pods", () => {
    const pods = podPlan({
      number: 7,
      username: "alice",
      tenant: "acme",
      image: "busybox",
      command: ["/bin/sleep", "60"],
      env: { MODE: "fast" },
      machine: { name: "g1", cores: 4, memoryGb: 16, gpus: 1, nodeSelector: { pool: "gpu" } },
      nodes: 2,
      ipaddr: "alice-web",
      namespace: "jarvice-system-jobs",
      walltime: "01:30",
    });
    expect(pods[0]!.spec.activeDeadlineSeconds).toBe(5400);
    for (const p of pods) expect(wire(p, "V1Pod")).toEqual(plain(p));
  });
});
