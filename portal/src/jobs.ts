// Jobs as the Dashboard and Administration -> Jobs show them (pure; jobs.test.ts):
//   jobsUrl({ completed: true, team, limit: 20, before })  -> "/api/jobs?team=false&completed=true&limit=20&before=..."
//   statusLook(job)        -> the status's tone (a colour) and symbol; the status text is always shown beside them
//   formatTime(secs)       -> "2026-12-02 03:04" (local time; "" when not yet), formatDuration(65) -> "1m 05s"
//   timesOf(job, now)      -> submitted / started / ended / elapsed, in words
//   exitText(job)          -> "0 (success)", "137", "" while it runs
//   jobParam("?job=42")    -> 42: the job the Dashboard opens (the Task Builder goes to /jobs?job=N after Submit)

/** A job as GET /api/jobs lists it (the JARVICE JobEntry keys). */
export interface Job {
  job_number: number;
  job_name: string;
  job_status: string;
  job_substatus_text: string;
  job_application: string;
  job_command: string;
  job_owner_username: string;
  /** the owner's payer (null: the owner is a payer) */
  job_owner_payer?: string | null;
  /** the tenant (the payer's username; the payer itself for a payer's own jobs) */
  job_payer?: string;
  job_mc_name: string;
  job_mc_scale: number;
  job_ipaddr: string;
  /** unix seconds, 0 when not yet */
  job_submit_time?: number;
  job_start_time?: number;
  job_end_time?: number;
  job_exitcode?: number | null;
  job_label?: string | null;
  job_project?: string | null;
  job_walltime?: string | null;
  job_vault?: string;
}

/** Connection info of a running job (GET /api/jobs/:number `info`, as /jarvice/info and /jarvice/connect give it). */
export interface Info {
  address: string;
  url?: string;
  ipaddr: string;
  help: string;
  services: Array<{ name: string; namespace?: string; selector?: Record<string, string> } | string>;
  pods: Array<{ index: number; name: string; phase: string; node: string; address: string }>;
}

export const ACTIVE_STATUSES = ["SUBMITTED", "PROCESSING STARTING"] as const;
export const COMPLETED_STATUSES = ["COMPLETED", "COMPLETED WITH ERROR", "TERMINATED", "CANCELED"] as const;

export const isActive = (status: string) => (ACTIVE_STATUSES as readonly string[]).includes(status);

/** Held by its Limits: SUBMITTED, and the substatus says which limit it waits for. */
export const isHeld = (j: Pick<Job, "job_status" | "job_substatus_text">) => j.job_status === "SUBMITTED" && j.job_substatus_text.startsWith("Waiting for limits");

export type Tone = "waiting" | "held" | "running" | "ok" | "error" | "stopped";

/** How a status looks: a colour (tone) and a symbol; both only add to the status text, which is always shown. */
export function statusLook(j: Pick<Job, "job_status" | "job_substatus_text">): { tone: Tone; symbol: string } {
  switch (j.job_status) {
    case "SUBMITTED":
      return isHeld(j) ? { tone: "held", symbol: "⏸" } : { tone: "waiting", symbol: "◷" };
    case "PROCESSING STARTING":
      return { tone: "running", symbol: "▶" };
    case "COMPLETED":
      return { tone: "ok", symbol: "✓" };
    case "COMPLETED WITH ERROR":
      return { tone: "error", symbol: "✗" };
    default:
      return { tone: "stopped", symbol: "■" };
  }
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Unix seconds as "YYYY-MM-DD HH:MM" in the browser's time zone (or `offsetMinutes` east of UTC); "" for 0. */
export function formatTime(secs: number | undefined, offsetMinutes = -new Date((secs ?? 0) * 1000).getTimezoneOffset()): string {
  if (!secs) return "";
  const d = new Date((secs + offsetMinutes * 60) * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** A duration in seconds, in words a dashboard fits: "45s", "3m 05s", "2h 03m", "1d 04h". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${pad(Math.floor((s % 86400) / 3600))}h`;
}

export interface Times {
  submitted: string;
  started: string;
  ended: string;
  /** how long it ran (or has been running); while it waits, how long it has waited ("waiting 2m 05s") */
  elapsed: string;
}

/** A job's times in words at `now` (unix seconds). */
export function timesOf(j: Pick<Job, "job_submit_time" | "job_start_time" | "job_end_time" | "job_status">, now: number): Times {
  const submit = j.job_submit_time ?? 0;
  const start = j.job_start_time ?? 0;
  const end = j.job_end_time ?? 0;
  let elapsed = "";
  if (start) elapsed = formatDuration((end || now) - start);
  else if (isActive(j.job_status) && submit) elapsed = `waiting ${formatDuration(now - submit)}`;
  else if (end) elapsed = "did not start";
  return { submitted: formatTime(submit), started: formatTime(start), ended: formatTime(end), elapsed };
}

/** The exit status in words: "" while it runs or when none was recorded; "(success)" only for a job that completed. */
export function exitText(j: Pick<Job, "job_exitcode" | "job_status">): string {
  if (isActive(j.job_status) || j.job_exitcode === null || j.job_exitcode === undefined) return "";
  return j.job_exitcode === 0 && j.job_status === "COMPLETED" ? "0 (success)" : String(j.job_exitcode);
}

export interface ListQuery {
  /** every tenant's jobs (system administrators) */
  all?: boolean;
  /** the caller's team's jobs (payers and team admins) */
  team?: boolean;
  completed: boolean;
  status?: string;
  user?: string;
  payer?: string;
  limit?: number;
  before?: number | undefined;
}

/** GET /api/jobs for a list query (empty filters left out). */
export function jobsUrl(q: ListQuery): string {
  const p = new URLSearchParams();
  if (q.all) p.set("all", "true");
  else p.set("team", String(q.team ?? false));
  p.set("completed", String(q.completed));
  if (q.status) p.set("status", q.status);
  if (q.user?.trim()) p.set("user", q.user.trim());
  if (q.payer?.trim()) p.set("payer", q.payer.trim());
  if (q.limit !== undefined) p.set("limit", String(q.limit));
  if (q.before !== undefined) p.set("before", String(q.before));
  return `/api/jobs?${p.toString()}`;
}

/**
 * Paging back through history with the API's `next`: the stack of `before` values of the pages
 * opened so far (empty: the newest page).
 */
export type Pages = number[];
export const older = (pages: Pages, next: number): Pages => [...pages, next];
export const newer = (pages: Pages): Pages => pages.slice(0, -1);
export const beforeOf = (pages: Pages): number | undefined => pages[pages.length - 1];

/** The job a location's query asks the Dashboard to open (`?job=42`). */
export function jobParam(search: string): number | undefined {
  const v = new URLSearchParams(search).get("job");
  return v && /^\d{1,9}$/.test(v) ? Number(v) : undefined;
}

/** The address to open for a running job, as /jarvice/connect gives it ("" when it has none yet). */
export function connectUrl(info: Pick<Info, "address" | "url"> | null | undefined): string {
  if (!info?.address) return "";
  return info.url || `http://${info.address}/`;
}

/** The services selecting a job, in words. */
export const servicesText = (info: Pick<Info, "services">) =>
  info.services.length === 0 ? "none" : info.services.map((s) => (typeof s === "string" ? s : `${s.namespace ? `${s.namespace}/` : ""}${s.name}`)).join(", ");

/** The file name a download answer gives (content-disposition), else "jarvice-job-N.txt". */
export function downloadName(contentDisposition: string | null, number: number): string {
  const m = /filename="?([^";]+)"?/.exec(contentDisposition ?? "");
  return m?.[1]?.trim() || `jarvice-job-${number}.txt`;
}
