// Head-of-line protection (backfill) for jarvice-pod-scheduler's queue: pure.
//
// The rule:
//  1. The head is the first waiting job in queue order (higher priority first,
//     then earlier submission) that would fit if every Paddock-managed pod were
//     gone: only the nodes, their allocatable and the pods Paddock does not
//     manage count. A job that would not fit even then never fits; it gets no
//     protection (it would block everyone for ever) and the next job is tried.
//  2. The head's usable nodes: schedulable nodes on which at least one of its
//     pods passes the node selector and taints and fits in the allocatable left
//     by pods Paddock does not manage. Every other node is one it could not use.
//  3. Its shadow time: the latest end (startTime + activeDeadlineSeconds) of the
//     Paddock-managed pods now bound or reserved on its usable nodes; infinite
//     if any of them has no wall time.
//  4. While the head waits, a later job may use the head's usable nodes only if
//     every pod it places has a wall time that ends by the shadow time
//     (now + activeDeadlineSeconds <= shadow); otherwise it may use only the
//     other nodes. Jobs ahead of the head in the order are not restricted.
// So a later job never delays the head: either it leaves the head's nodes alone
// or it is gone from them before the pods holding them are.
import { fits, PlacementState, selectorMatches, taintsTolerated, type NodeSnapshot, type PodToPlace, type Resources } from "./placement";

export interface BackfillNode {
  info: NodeSnapshot;
  /** what pods Paddock does not manage use on it (with `pods`: their count) */
  foreignUsed: Resources;
  /** end times of the Paddock-managed pods bound or reserved on it; undefined = no wall time */
  managedEnds: ReadonlyArray<number | undefined>;
}

export interface Protection {
  head: string;
  /** nodes the head could use */
  usable: ReadonlySet<string>;
  /** when its usable nodes are free at the latest (Infinity: not known) */
  shadow: number;
}

function withoutForeign(n: BackfillNode): NodeSnapshot {
  const allocatable: Resources = { ...n.info.allocatable };
  for (const [r, q] of Object.entries(n.foreignUsed)) if (allocatable[r] !== undefined) allocatable[r] = allocatable[r] - q;
  return { ...n.info, allocatable };
}

/** Whether the job's pods fit (all of them) if every Paddock-managed pod were gone. */
export function fitsWithoutManaged(pods: readonly PodToPlace[], nodes: Iterable<BackfillNode>): boolean {
  const state = new PlacementState();
  for (const n of nodes) state.upsertNode(withoutForeign(n));
  return state.placeJob(pods, { multiTenant: false }).placed;
}

/** The protection the head gets (rules 2 and 3), or undefined when it never fits (rule 1). */
export function protect(head: string, pods: readonly PodToPlace[], nodes: readonly BackfillNode[]): Protection | undefined {
  if (!fitsWithoutManaged(pods, nodes)) return undefined;
  const usable = new Set<string>();
  let shadow = -Infinity;
  for (const n of nodes) {
    if (n.info.unschedulable) continue;
    const free = withoutForeign(n).allocatable;
    if (!pods.some((p) => selectorMatches(n.info.labels, p.nodeSelector) && taintsTolerated(n.info.taints, p.tolerations) && fits(free, {}, p.requests))) continue;
    usable.add(n.info.name);
    for (const end of n.managedEnds) shadow = Math.max(shadow, end ?? Infinity);
  }
  return { head, usable, shadow };
}

/** Rule 4: may a later job whose pods end at `ends` (undefined = no wall time) use the head's usable nodes? */
export function mayUseHeadNodes(ends: ReadonlyArray<number | undefined>, p: Protection): boolean {
  return ends.length > 0 && ends.every((e) => e !== undefined && e <= p.shadow);
}
