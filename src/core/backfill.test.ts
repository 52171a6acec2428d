// Head-of-line protection: who is protected, which nodes it keeps, and when a later job may use them.
import { describe, expect, it } from "vitest";
import { aJob, aNode } from "../../test/placementBuilders";
import { fitsWithoutManaged, mayUseHeadNodes, protect, type BackfillNode } from "./backfill";
import type { NodeSnapshot, Resources } from "./placement";

const view = (info: NodeSnapshot, managedEnds: Array<number | undefined> = [], foreignUsed: Resources = {}): BackfillNode => ({ info, managedEnds, foreignUsed });

describe("head-of-line protection (rule in core/backfill.ts)", () => {
  const big = aJob("jobs/head", 2, (p) => p.cores(16).memoryGi(8));

  it("rule 1: a job that would fit if every Paddock-managed pod were gone is protected; one that would not never fits and is not", () => {
    const full = [view(aNode("n1").cores(16).build(), [100]), view(aNode("n2").cores(16).build(), [200])];
    expect(protect("jobs/head", big, full)).toBeDefined();
    // a daemon (not managed) takes 1 CPU of n2: the 16-CPU pods can never both fit
    const withDaemon = [full[0]!, view(aNode("n2").cores(16).build(), [200], { cpu: 1000, pods: 1 })];
    expect(fitsWithoutManaged(big, withDaemon)).toBe(false);
    expect(protect("jobs/head", big, withDaemon)).toBeUndefined();
  });

  it("rule 2: the head keeps only the nodes it could use (selector, taints, size, schedulable)", () => {
    const head = aJob("jobs/head", 1, (p) => p.cores(8).selector({ zone: "a" }));
    const nodes = [
      view(aNode("a-big").cores(16).labels({ zone: "a" }).build(), [50]),
      view(aNode("a-small").cores(4).labels({ zone: "a" }).build()),
      view(aNode("b-big").cores(16).labels({ zone: "b" }).build(), [Infinity]),
      view(aNode("a-tainted").cores(16).labels({ zone: "a" }).taint("gpu", "NoSchedule").build()),
      view(aNode("a-cordoned").cores(16).labels({ zone: "a" }).unschedulable().build()),
      view(aNode("a-daemons").cores(16).labels({ zone: "a" }).build(), [], { cpu: 9000, pods: 3 }),
    ];
    const p = protect("jobs/head", head, nodes)!;
    expect([...p.usable]).toEqual(["a-big"]);
    expect(p.shadow).toBe(50); // only the pods on its usable nodes count
  });

  it("rule 3: the shadow time is the latest end on the usable nodes; infinite if one pod there has no wall time", () => {
    const nodes = [view(aNode("n1").cores(16).build(), [100, 300]), view(aNode("n2").cores(16).build(), [200])];
    expect(protect("jobs/head", big, nodes)!.shadow).toBe(300);
    nodes.push(view(aNode("n3").cores(16).build(), [undefined]));
    expect(protect("jobs/head", big, nodes)!.shadow).toBe(Infinity);
  });

  it("rule 4: a later job may use the head's nodes only if all its pods end by the shadow time", () => {
    const p = { head: "jobs/head", usable: new Set(["n1"]), shadow: 300 };
    expect(mayUseHeadNodes([200, 300], p)).toBe(true);
    expect(mayUseHeadNodes([200, 301], p)).toBe(false);
    expect(mayUseHeadNodes([200, undefined], p)).toBe(false);
    expect(mayUseHeadNodes([], p)).toBe(false);
    expect(mayUseHeadNodes([1e12], { ...p, shadow: Infinity })).toBe(true);
  });
});
