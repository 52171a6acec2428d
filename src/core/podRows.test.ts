import { describe, expect, it } from "vitest";
import type { ObservedPod } from "./jobLifecycle";
import { podRowChanges, type StoredPodRow } from "./podRows";

const pod = (index: number, over: Partial<ObservedPod> = {}): ObservedPod => ({ jobNumber: 7, index, name: `jarvice-job-7-${index}`, phase: "Running", node: "n1", ip: `10.0.0.${index + 1}`, ...over });
const row = (index: number, over: Partial<StoredPodRow> = {}): StoredPodRow => ({ pod_index: index, name: `jarvice-job-7-${index}`, phase: "Running", node: "n1", ip: `10.0.0.${index + 1}`, ...over });

describe("podRowChanges", () => {
  it("writes nothing when every pod matches its row", () => {
    expect(podRowChanges([row(0), row(1)], [pod(1), pod(0)])).toEqual([]);
  });

  it("writes new pods and pods whose phase, node or address changed, in index order", () => {
    const changes = podRowChanges([row(0), row(1, { phase: "Pending", node: null, ip: null }), row(2), row(3)], [pod(3, { ip: "10.9.9.9" }), pod(0), pod(1), pod(2, { node: "n2" }), pod(4, { phase: "Pending", node: undefined, ip: undefined })]);
    expect(changes.map((c) => [c.index, c.phase, c.node, c.ip])).toEqual([
      [1, "Running", "n1", "10.0.0.2"],
      [2, "Running", "n2", "10.0.0.3"],
      [3, "Running", "n1", "10.9.9.9"],
      [4, "Pending", null, null],
    ]);
  });

  it("keeps rows of pods that are gone (the job's history) and writes none for them", () => {
    expect(podRowChanges([row(0), row(1)], [pod(0)])).toEqual([]);
  });

  it("ignores pods without an index, and prefers a live pod to one being deleted at the same index", () => {
    expect(podRowChanges([], [pod(-1)])).toEqual([]);
    const changes = podRowChanges([], [pod(0, { name: "old", deleting: true, phase: "Failed" }), pod(0)]);
    expect(changes).toEqual([{ index: 0, name: "jarvice-job-7-0", phase: "Running", node: "n1", ip: "10.0.0.1" }]);
  });
});
