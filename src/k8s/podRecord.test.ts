// What the scheduler keeps of a pod: the compact record its cache is fed with.
import { describe, expect, it } from "vitest";
import { aKubePod, NS } from "../../test/schedulerBuilders";
import { ACTIVE_PODS_FIELD_SELECTOR, podEndsAt, podRecord } from "./podRecord";
import { sameNodeAffinity } from "../core/podPlan";

describe("pod record", () => {
  it("keeps the job, its size, the tenant, the node, the requests, priority and times", () => {
    const r = podRecord(aKubePod("jarvice-job-7-1").ofJob(7, 3).tenant("acme").cores(2).on("n1").priority(5).createdAt(1000).wallTime(60, 2000).selector({ zone: "a" }).build());
    expect(r).toEqual({
      key: `${NS}/jarvice-job-7-1`,
      job: `${NS}/7`,
      expected: 3,
      ours: true,
      tenant: "acme",
      node: "n1",
      requests: { ok: true, requests: { cpu: 2000, memory: 2 ** 30 } },
      nodeSelector: { zone: "a" },
      tolerations: [],
      sameNode: false,
      priority: 5,
      created: 1000,
      activeDeadlineSeconds: 60,
      startTime: 2000,
      deleting: false,
      finished: false,
    });
    expect(podEndsAt(r, 0)).toBe(62_000);
  });

  it("a pod without a job label is its own job; without the managed-by label it has no tenant", () => {
    const r = podRecord(aKubePod("lonely").foreign().build());
    expect(r).toMatchObject({ job: `${NS}/lonely`, expected: undefined, ours: false, tenant: undefined, node: undefined, priority: 0 });
    expect(podEndsAt(r, 5)).toBeUndefined();
  });

  it("an unparsable request is kept as a problem, never NaN", () => {
    const r = podRecord(aKubePod("odd").requests({ cpu: "1", memory: "lots" }).build());
    expect(r.requests).toEqual({ ok: false, problem: 'memory: "lots" is not a Kubernetes quantity', requests: { cpu: 1000 }, unparsable: ["memory"] });
  });

  it("marks pods being deleted and finished ones; the watch leaves finished ones out", () => {
    expect(podRecord(aKubePod("d").deleting().build()).deleting).toBe(true);
    expect(podRecord(aKubePod("s").phase("Succeeded").build()).finished).toBe(true);
    expect(podRecord(aKubePod("f").phase("Failed").build()).finished).toBe(true);
    expect(ACTIVE_PODS_FIELD_SELECTOR).toBe("status.phase!=Succeeded,status.phase!=Failed");
  });

  it("reads podPlan's same-node affinity (a ReadWriteOnce vault) as sameNode, and only for the pod's own job on the hostname", () => {
    const withAffinity = (affinity: unknown) => {
      const p = aKubePod("jarvice-job-7-0").ofJob(7, 2).build();
      p.spec!.affinity = affinity as never;
      return podRecord(p).sameNode;
    };
    expect(withAffinity(sameNodeAffinity(7))).toBe(true);
    expect(withAffinity(sameNodeAffinity(8))).toBe(false);
    const zone = sameNodeAffinity(7);
    zone.podAffinity!.requiredDuringSchedulingIgnoredDuringExecution[0]!.topologyKey = "topology.kubernetes.io/zone";
    expect(withAffinity(zone)).toBe(false);
    expect(withAffinity(undefined)).toBe(false);
  });
});
