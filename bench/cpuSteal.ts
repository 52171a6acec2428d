// CPU steal: the share of this machine's CPU time that the hypervisor gave to
// other guests while we wanted it (the `steal` column of /proc/stat's first
// line). On a shared VM it comes and goes; a latency figure measured while it
// was high says more about the host than about Paddock, so the benchmarks
// print it beside each figure.
import { readFileSync } from "node:fs";

/** /proc/stat's aggregate counters (clock ticks): all of them summed, and steal. */
export interface CpuTimes {
  total: number;
  steal: number;
}

/** The first ("cpu ") line of /proc/stat's text; undefined if there is none (not Linux). */
export function parseCpuTimes(procStat: string): CpuTimes | undefined {
  const line = procStat.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) return undefined;
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user/nice
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 8 || f.some((n) => !Number.isFinite(n))) return undefined;
  return { total: f.reduce((a, n) => a + n, 0), steal: f[7]! };
}

export function readCpuTimes(): CpuTimes | undefined {
  try {
    return parseCpuTimes(readFileSync("/proc/stat", "utf8"));
  } catch {
    return undefined;
  }
}

/** Percent of the CPU time between two readings that was stolen; undefined without both or with no time between. */
export function stealPercent(from: CpuTimes | undefined, to: CpuTimes | undefined): number | undefined {
  if (!from || !to || to.total <= from.total) return undefined;
  return (100 * (to.steal - from.steal)) / (to.total - from.total);
}
