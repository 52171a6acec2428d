// Jobs as the JARVICE API shows them (JobEntry / sched.JobStatusEntry keys),
// and which jobs a caller may see.
import { sql } from "kysely";
import { invalid, PaddockError } from "../core/errors";
import { BILLING_STATUSES } from "../core/billing";
import { managesTenant } from "../core/tenancy";
import { typedSubmission } from "../core/typedSubmission";
import type { Account } from "../core/tenancy";
import type { Db } from "../store/db";

function jobQuery(db: Db) {
  return db
    .selectFrom("jobs as j")
    .innerJoin("users as u", "u.id", "j.owner_id")
    .innerJoin("users as t", "t.id", "j.tenant_id")
    // a deleted machine type leaves its name on the job (migration 0008)
    .leftJoin("machines as m", "m.id", "j.machine_id")
    .leftJoin("vaults as v", "v.id", "j.vault_id")
    .selectAll("j")
    .select(["u.username as owner", "t.username as payer", sql<string>`coalesce(m.name, j.machine_name)`.as("machine"), "v.name as vault"]);
}

export type JobView = Awaited<ReturnType<ReturnType<typeof jobQuery>["executeTakeFirstOrThrow"]>>;

const secs = (v: string | number): number => Number(v);

/** JobEntry of the OpenAPI (a superset of sched.JobStatusEntry). */
export function jobEntry(j: JobView, address?: string) {
  return {
    job_number: j.number,
    job_name: j.name,
    job_status: j.status,
    job_substatus: j.substatus,
    job_substatus_text: j.substatus_text,
    job_application: j.app_id,
    job_command: j.command,
    job_project: j.job_project,
    job_label: j.job_label,
    job_submit_time: secs(j.submit_time),
    job_start_time: secs(j.start_time),
    job_end_time: secs(j.end_time),
    job_walltime: j.walltime,
    job_owner_username: j.owner,
    job_payer: j.payer,
    job_mc_name: j.machine,
    job_mc_scale: j.nodes,
    job_nodes: String(j.nodes),
    job_exitcode: j.exitcode ?? 0,
    job_vault: j.vault ?? "",
    job_ipaddr: j.ipaddr_value ?? "",
    job_address: address ?? "",
    // typed again on the way out: rows stored before submissions were typed on arrival
    job_api_submission: typedSubmission(j.submission),
  };
}

/**
 * A job as the portal's lists show it (/api/jobs): JARVICE's JobEntry, with the exit code null until the
 * job ends (JARVICE's wire keeps 0) and the owner's payer named.
 */
export function portalJobEntry(j: JobView, address?: string) {
  return { ...jobEntry(j, address), job_exitcode: j.exitcode, job_owner_payer: j.payer as string | null };
}

/**
 * Most jobs one list answer holds (/jarvice/jobs, /jarvice/teamjobs,
 * /api/jobs): what a client that sends no paging parameters gets (the most
 * recent ones), and the largest `limit` it may ask for.
 */
export const JOB_LIST_MAX = 1000;
/** Largest job number (an integer column). */
const JOB_NUMBER_MAX = 2_147_483_647;

/** One page of a job list: the `limit` most recent jobs numbered below `before` (all when omitted). */
export interface JobPage {
  limit: number;
  before?: number | undefined;
}

function boundedInt(q: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  const v = q[field];
  if (v === undefined || v === null || v === "") return undefined;
  const n = typeof v === "string" && /^\d{1,10}$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) throw invalid(field, `must be an integer from ${min} to ${max}`);
  return n;
}

/**
 * The page a list request asks for: `limit` (1 to JOB_LIST_MAX, default
 * JOB_LIST_MAX) and `before` (a job number; the next page starts below the
 * smallest number of the previous one).
 */
export function jobPage(q: Record<string, unknown>): JobPage {
  return { limit: boundedInt(q, "limit", 1, JOB_LIST_MAX) ?? JOB_LIST_MAX, before: boundedInt(q, "before", 1, JOB_NUMBER_MAX) };
}

/** The `before` that asks for the page after `jobs` (newest first), or null when `jobs` was the last page. */
export function nextBefore(jobs: JobView[], page: JobPage): number | null {
  return jobs.length === page.limit && jobs.length > 0 ? jobs[jobs.length - 1]!.number : null;
}

/** Which jobs a list holds: one owner's, one tenant's, or (neither) every tenant's; narrowed by status, owner name, payer name. */
export interface JobFilter {
  ownerId?: number;
  tenantId?: number;
  /** one JARVICE status (then `completed` is not consulted) */
  status?: string | undefined;
  /** the owner's user name */
  user?: string | undefined;
  /** the user name of the owner's payer (the tenant) */
  payer?: string | undefined;
}

/** The JARVICE job statuses a list may be filtered by. */
export const JOB_STATUSES: readonly string[] = BILLING_STATUSES;

/** Active (or, with `completed`, finished) jobs, newest first, one page at a time: the limit is the database's. */
export async function jobsOf(db: Db, where: JobFilter, completed: boolean, page: JobPage = { limit: JOB_LIST_MAX }): Promise<JobView[]> {
  let q = jobQuery(db);
  if (where.ownerId !== undefined) q = q.where("j.owner_id", "=", where.ownerId);
  if (where.tenantId !== undefined) q = q.where("j.tenant_id", "=", where.tenantId);
  if (where.user !== undefined) q = q.where("u.username", "=", where.user);
  if (where.payer !== undefined) q = q.where("t.username", "=", where.payer);
  if (where.status !== undefined) q = q.where("j.status", "=", where.status);
  else q = completed ? q.where("j.status", "not in", ["SUBMITTED", "PROCESSING STARTING"]) : q.where("j.status", "in", ["SUBMITTED", "PROCESSING STARTING"]);
  if (page.before !== undefined) q = q.where("j.number", "<", page.before);
  return q.orderBy("j.number", "desc").limit(page.limit).execute();
}

/**
 * The job named by `name` or `number` if the caller may see it: its owner, its
 * tenant's payer and team admins, system administrators. Otherwise 404, as if
 * it did not exist.
 */
export async function visibleJob(db: Db, caller: Account, query: Record<string, unknown>): Promise<JobView> {
  const { name, number } = query;
  const field = jobField(query);
  if ((name === undefined || name === "") && (number === undefined || number === "")) throw invalid("name", "name or number is required");
  let q = jobQuery(db);
  if (number !== undefined && number !== "") {
    if (typeof number !== "string" || !/^\d{1,9}$/.test(number)) throw invalid("number", "must be a job number");
    q = q.where("j.number", "=", Number(number));
  }
  if (name !== undefined && name !== "") {
    if (typeof name !== "string") throw invalid("name", "must be a job name");
    q = q.where("j.name", "=", name);
  }
  const job = await q.executeTakeFirst();
  if (!job || !(job.owner_id === caller.id || managesTenant(caller, job.tenant_id))) throw new PaddockError("not_found", "job not found", field);
  return job;
}

/** The parameter a request named its job by: `number` when it sent one, else `name` (errors about the job name that field). */
export function jobField(query: Record<string, unknown>): "number" | "name" {
  return query.number !== undefined && query.number !== "" ? "number" : "name";
}
