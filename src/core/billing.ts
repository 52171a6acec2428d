// The billing report of /jarvice/billing: which part of each job's run falls
// in the report's period, its core-hours (nodes x machine cores x hours) and
// cost (nodes x the machine's price per node-hour x hours), and the CSV.
// Pure: the job records come from the jobs service.
import type { Checked } from "./appdef";

export const BILLING_STATUSES = ["SUBMITTED", "PROCESSING STARTING", "COMPLETED", "COMPLETED WITH ERROR", "TERMINATED", "CANCELED", "EXEMPT", "SEQUENTIALLY QUEUED"] as const;

/** One job as the report sees it (times in UNIX seconds, 0 when not known). */
export interface UsageJob {
  number: number;
  name: string;
  user: string;
  payer: string;
  billingCode: number;
  app: string;
  machine: string;
  zone: number;
  status: string;
  nodes: number;
  /** cores of one machine (one node of the job) */
  cores: number;
  /** the machine's price per node-hour */
  price: number;
  submitTime: number;
  startTime: number;
  endTime: number;
}

/** A report period: [start, end) in UNIX seconds. */
export interface Period {
  start: number;
  end: number;
}

const DAY = 86_400;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A YYYY-MM-DD date (UTC midnight) in UNIX seconds, or undefined when it is not a real date. */
export function dateSeconds(s: string): number | undefined {
  const m = DATE.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return t / 1000;
}

const monthStart = (year: number, month: number) => Date.UTC(year, month, 1) / 1000;

/**
 * The period asked for: `timeperiod` last (the previous calendar month), current (this month so far,
 * to its end) or range (`startdate` to `enddate`, both days included; implied when a date is given
 * without a timeperiod). Dates are UTC. No timeperiod and no dates: every job (undefined).
 */
export function periodOf(q: { timeperiod?: string | undefined; startdate?: string | undefined; enddate?: string | undefined }, now: Date): Checked<Period | undefined> {
  const fail = (field: string, problem: string) => ({ ok: false as const, field, problem });
  const kind = q.timeperiod ?? (q.startdate !== undefined || q.enddate !== undefined ? "range" : undefined);
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  switch (kind) {
    case undefined:
      return { ok: true, value: undefined };
    case "last":
      return { ok: true, value: { start: monthStart(y, m - 1), end: monthStart(y, m) } };
    case "current":
      return { ok: true, value: { start: monthStart(y, m), end: monthStart(y, m + 1) } };
    case "range": {
      if (q.startdate === undefined) return fail("startdate", "is required with timeperiod=range (YYYY-MM-DD)");
      if (q.enddate === undefined) return fail("enddate", "is required with timeperiod=range (YYYY-MM-DD)");
      const start = dateSeconds(q.startdate);
      if (start === undefined) return fail("startdate", "must be a date YYYY-MM-DD");
      const end = dateSeconds(q.enddate);
      if (end === undefined) return fail("enddate", "must be a date YYYY-MM-DD");
      if (end < start) return fail("enddate", `must not be before startdate (${q.startdate})`);
      return { ok: true, value: { start, end: end + DAY } };
    }
    default:
      return fail("timeperiod", "must be last, current or range");
  }
}

/** The part of a job's run inside the period, in hours: from its start to its end (now while it runs). */
export function runHours(job: Pick<UsageJob, "startTime" | "endTime">, period: Period | undefined, now: number): number {
  if (!job.startTime) return 0;
  let from = job.startTime;
  let to = job.endTime || now;
  if (period) {
    from = Math.max(from, period.start);
    to = Math.min(to, period.end);
  }
  return to > from ? (to - from) / 3600 : 0;
}

/** Is the job in the period's report: it ran during the period, or (never started) was submitted in it. */
export function inPeriod(job: Pick<UsageJob, "submitTime" | "startTime" | "endTime">, period: Period | undefined, now: number): boolean {
  if (!period) return true;
  if (!job.startTime) return job.submitTime >= period.start && job.submitTime < period.end;
  return job.startTime < period.end && (job.endTime || now) > period.start;
}

export interface Usage {
  hours: number;
  nodeHours: number;
  coreHours: number;
  cost: number;
}

export function usageOf(job: UsageJob, period: Period | undefined, now: number): Usage {
  const hours = runHours(job, period, now);
  const nodeHours = job.nodes * hours;
  return { hours, nodeHours, coreHours: nodeHours * job.cores, cost: nodeHours * job.price };
}

/** A number as the CSV shows it: at most 4 decimals, no trailing zeros. */
export const num = (n: number): string => String(Number(n.toFixed(4)));

/** A CSV field: quoted when it holds a comma, a quote or a line break. */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
const row = (fields: Array<string | number>) => fields.map(csvField).join(",") + "\r\n";
const iso = (t: number) => (t ? new Date(t * 1000).toISOString().replace(".000Z", "Z") : "");

export const SUMMARY_COLUMNS = ["payer", "user", "billing_code", "machine_type", "jobs", "node_hours", "core_hours", "cost"];
export const ITEMIZED_COLUMNS = ["job_number", "job_name", "payer", "user", "billing_code", "app", "machine_type", "zone", "status", "nodes", "cores_per_node", "price_per_node_hour", "submit_time", "start_time", "end_time", "hours", "node_hours", "core_hours", "cost"];

/**
 * The report: with `itemized`, one line per job; otherwise one line per payer, user and machine type.
 * Both end with a TOTAL line. Jobs outside the period are left out; the rest count only their time in it.
 */
export function billingCsv(jobs: UsageJob[], opts: { itemized: boolean; period: Period | undefined; now: number }): string {
  const { period, now } = opts;
  const included = jobs.filter((j) => inPeriod(j, period, now)).sort((a, b) => a.payer.localeCompare(b.payer) || a.user.localeCompare(b.user) || a.number - b.number);
  const total: Usage = { hours: 0, nodeHours: 0, coreHours: 0, cost: 0 };
  const add = (to: Usage, u: Usage) => {
    to.hours += u.hours;
    to.nodeHours += u.nodeHours;
    to.coreHours += u.coreHours;
    to.cost += u.cost;
  };
  let out = "";
  if (opts.itemized) {
    out += row(ITEMIZED_COLUMNS);
    for (const j of included) {
      const u = usageOf(j, period, now);
      add(total, u);
      out += row([j.number, j.name, j.payer, j.user, j.billingCode, j.app, j.machine, j.zone, j.status, j.nodes, j.cores, num(j.price), iso(j.submitTime), iso(j.startTime), iso(j.endTime), num(u.hours), num(u.nodeHours), num(u.coreHours), num(u.cost)]);
    }
    out += row(["TOTAL", "", "", "", "", "", "", "", "", "", "", "", "", "", "", num(total.hours), num(total.nodeHours), num(total.coreHours), num(total.cost)]);
    return out;
  }
  out += row(SUMMARY_COLUMNS);
  const groups = new Map<string, { j: UsageJob; jobs: number; u: Usage }>();
  for (const j of included) {
    const key = JSON.stringify([j.payer, j.user, j.machine]);
    const g = groups.get(key) ?? { j, jobs: 0, u: { hours: 0, nodeHours: 0, coreHours: 0, cost: 0 } };
    const u = usageOf(j, period, now);
    g.jobs++;
    add(g.u, u);
    add(total, u);
    groups.set(key, g);
  }
  const sorted = [...groups.values()].sort((a, b) => a.j.payer.localeCompare(b.j.payer) || a.j.user.localeCompare(b.j.user) || a.j.machine.localeCompare(b.j.machine));
  for (const { j, jobs: n, u } of sorted) out += row([j.payer, j.user, j.billingCode, j.machine, n, num(u.nodeHours), num(u.coreHours), num(u.cost)]);
  out += row(["TOTAL", "", "", "", included.length, num(total.nodeHours), num(total.coreHours), num(total.cost)]);
  return out;
}
