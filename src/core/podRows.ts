// Which of a job's pod rows (job_pods, what /jarvice/info shows) need writing:
// only pods whose name, phase, node or address differs from the stored row,
// so a controller that looks at an unchanged job writes nothing. Pure.
import type { ObservedPod } from "./jobLifecycle";

export interface StoredPodRow {
  pod_index: number;
  name: string;
  phase: string;
  node: string | null;
  ip: string | null;
}

export interface PodRowWrite {
  index: number;
  name: string;
  phase: string;
  node: string | null;
  ip: string | null;
}

/** The rows to upsert: one per pod index (a live pod before one being deleted), only where something changed. */
export function podRowChanges(stored: readonly StoredPodRow[], observed: readonly ObservedPod[]): PodRowWrite[] {
  const byIndex = new Map<number, ObservedPod>();
  for (const p of observed) {
    if (p.index < 0) continue; // not one of the job's planned pods: no row
    const seen = byIndex.get(p.index);
    if (!seen || (seen.deleting && !p.deleting)) byIndex.set(p.index, p);
  }
  const rows = new Map(stored.map((r) => [r.pod_index, r]));
  const out: PodRowWrite[] = [];
  for (const [index, p] of [...byIndex].sort(([a], [b]) => a - b)) {
    const want = { index, name: p.name, phase: p.phase, node: p.node ?? null, ip: p.ip ?? null };
    const have = rows.get(index);
    if (!have || have.name !== want.name || have.phase !== want.phase || have.node !== want.node || have.ip !== want.ip) out.push(want);
  }
  return out;
}
