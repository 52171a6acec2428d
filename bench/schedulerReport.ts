// The scheduler benchmark's arithmetic and its Markdown table, as pure
// functions: pods/s, ratios to the baselines of the same repetition, and the
// summary of several repetitions (median, with the range when there are more).

export type Outcome = "all bound" | "timeout" | "stalled" | "failed";

export interface RunResult {
  shape: string;
  /** the contender's id (`--only` names) */
  contender: string;
  multiTenant: boolean;
  /** 1.. */
  repetition: number;
  pods: number;
  bound: number;
  outcome: Outcome;
  /** seconds from the scheduler's start to its first and its last binding (undefined: none) */
  firstBindS?: number | undefined;
  lastBindS?: number | undefined;
  nodesUsed: number;
  lowerBound: number;
  violations: number;
  overcommits: number;
  partialGangs: number;
  error?: string | undefined;
}

/** Bound pods per second from the start until the last binding: the whole run when all were bound, the working part otherwise. */
export function podsPerSecond(r: Pick<RunResult, "bound" | "lastBindS">): number {
  return r.bound > 0 && r.lastBindS !== undefined && r.lastBindS > 0 ? r.bound / r.lastBindS : 0;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** "12", or "12 (10-15)" for several values: the median, then the range. */
export function spread(xs: number[], digits: number): string {
  const ok = xs.filter((x) => Number.isFinite(x));
  if (ok.length === 0) return "-";
  const f = (x: number) => x.toFixed(digits);
  const lo = Math.min(...ok);
  const hi = Math.max(...ok);
  return ok.length === 1 || f(lo) === f(hi) ? f(median(ok)) : `${f(median(ok))} (${f(lo)}-${f(hi)})`;
}

/** Each run's pods/s over that of `baseline` in the same shape and repetition (NaN when the baseline did not run or bound nothing). */
export function ratiosTo(results: RunResult[], run: RunResult, baseline: string): number {
  const b = results.find((r) => r.shape === run.shape && r.repetition === run.repetition && r.contender === baseline);
  const base = b ? podsPerSecond(b) : 0;
  return base > 0 ? podsPerSecond(run) / base : NaN;
}

export interface SummaryRow {
  shape: string;
  contender: string;
  cells: string[];
}

export const SUMMARY_HEADERS = [
  "shape",
  "scheduler",
  "pods/s",
  "x binder",
  "x kube-scheduler",
  "first bind (s)",
  "all bound (s)",
  "nodes used (lower bound)",
  "tenant violations",
  "over-commits",
  "partial gangs",
  "unbound",
];

/** One row per shape and contender, in the order first seen; `labels` names the contenders; baselines by id. */
export function summarize(results: RunResult[], labels: Record<string, string>, baselines: { binder: string; kube: string }): SummaryRow[] {
  const keys: Array<[string, string]> = [];
  for (const r of results) if (!keys.some(([s, c]) => s === r.shape && c === r.contender)) keys.push([r.shape, r.contender]);
  return keys.map(([shape, contender]) => {
    const runs = results.filter((r) => r.shape === shape && r.contender === contender);
    const incomplete = runs.filter((r) => r.outcome !== "all bound");
    const allBound =
      incomplete.length === 0
        ? spread(runs.map((r) => r.lastBindS ?? NaN), 1)
        : `${incomplete.map((r) => r.outcome).filter((o, i, a) => a.indexOf(o) === i).join("/")} in ${incomplete.length} of ${runs.length} run(s)`;
    const worst = (f: (r: RunResult) => number) => String(Math.max(...runs.map(f)));
    return {
      shape,
      contender,
      cells: [
        shape,
        labels[contender] ?? contender,
        spread(runs.map(podsPerSecond), 0),
        contender === baselines.binder ? "1.00" : spread(runs.map((r) => ratiosTo(results, r, baselines.binder)), 2),
        contender === baselines.kube ? "1.00" : spread(runs.map((r) => ratiosTo(results, r, baselines.kube)), 2),
        spread(runs.map((r) => r.firstBindS ?? NaN), 2),
        allBound,
        `${spread(runs.map((r) => r.nodesUsed), 0)} (${spread(runs.map((r) => r.lowerBound), 0)})`,
        worst((r) => r.violations),
        worst((r) => r.overcommits),
        worst((r) => r.partialGangs),
        worst((r) => r.pods - r.bound),
      ],
    };
  });
}

/** A GitHub Markdown table; `|` in cells is escaped. */
export function markdownTable(headers: string[], rows: string[][]): string {
  const esc = (c: string) => c.replace(/\|/g, "\\|");
  const line = (cells: string[]) => `| ${cells.map(esc).join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}
