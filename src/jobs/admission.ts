// Admission Limits against the database: at submit, refuse a job that can
// never fit (400 naming the limit) or decide whether it is held; afterwards,
// release held jobs as the usage allows (releaseHeld, called by the job
// controller on its resync and when a job ends). The decisions are the core's
// (src/core/limits.ts); this file loads what they read and saves what they say.
//
// Usage and held jobs are read and written under a per-tenant advisory lock
// taken in the transaction (pg_advisory_xact_lock), so two submits of one
// tenant, or a submit and a release, cannot both count the same room: the
// second waits for the first to commit and then reads its job.
import { sql } from "kysely";
import { ACTIVE_STATUSES } from "../core/jobLifecycle";
import { invalid } from "../core/errors";
import { decide, governing, refusal, WAITING_PREFIX, type AdmissionJob, type Limit, type UsageRow, type Who } from "../core/limits";
import type { Db } from "../store/db";
import { limitsOfTenant } from "./limitStore";

/** The first key of the advisory locks of admission ("LIM"); the second is the tenant id. */
const LIMITS_LOCK = 0x4c494d;

/** Serialize admission for one tenant until the end of the transaction `trx`. */
export async function lockTenant(trx: Db, tenant: number): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${LIMITS_LOCK}::int, ${tenant}::int)`.execute(trx);
}

async function tenantOf(db: Db, tenant: number): Promise<{ name: string; billingCode: number | null }> {
  const t = await db.selectFrom("users").select(["username", "billing_code"]).where("id", "=", tenant).executeTakeFirstOrThrow();
  return { name: t.username, billingCode: t.billing_code };
}

/** Released active jobs of a tenant, summed per owner and machine type. */
export async function usageOfTenant(db: Db, tenant: number): Promise<UsageRow[]> {
  const rows = await db
    .selectFrom("jobs as j")
    .innerJoin("machines as m", "m.id", "j.machine_id")
    .select(["j.owner_id", "m.name", sql<string>`sum(m.cores * j.nodes)`.as("cpus"), sql<string>`count(*)`.as("jobs")])
    .where("j.tenant_id", "=", tenant)
    .where("j.status", "in", [...ACTIVE_STATUSES])
    .where("j.held", "=", false)
    .groupBy(["j.owner_id", "m.name"])
    .execute();
  return rows.map((r) => ({ tenant, owner: r.owner_id, machine: r.name, cpus: Number(r.cpus), jobs: Number(r.jobs) }));
}

/** Held jobs of a tenant that still wait (not asked to stop), oldest first. */
export async function heldJobsOfTenant(db: Db, tenant: number, who: { name: string; billingCode: number | null }): Promise<(AdmissionJob & { text: string })[]> {
  const rows = await db
    .selectFrom("jobs as j")
    .innerJoin("users as u", "u.id", "j.owner_id")
    .innerJoin("machines as m", "m.id", "j.machine_id")
    .innerJoin("clusters as c", "c.id", "m.cluster_id")
    .select(["j.number", "j.owner_id", "u.username", "m.name as machine", "m.cores", "j.nodes", "c.max_cpus", "j.substatus_text"])
    .where("j.tenant_id", "=", tenant)
    .where("j.held", "=", true)
    .where("j.status", "=", "SUBMITTED")
    .where("j.stop_requested", "is", null)
    .orderBy("j.number")
    .execute();
  return rows.map((r) => ({
    number: r.number,
    tenant,
    tenantName: who.name,
    billingCode: who.billingCode,
    owner: r.owner_id,
    ownerName: r.username,
    machine: r.machine,
    cores: r.cores,
    nodes: r.nodes,
    maxCpus: r.max_cpus,
    text: r.substatus_text,
  }));
}

/** Held or released, and the substatus text to store with the job. */
export interface Admitted {
  held: boolean;
  substatusText: string;
}

export const RELEASED: Admitted = { held: false, substatusText: "" };

/**
 * The number a job being submitted is decided with: above every job's, as the
 * job will be the newest of its tenant (numbers grow, and a later submission of
 * the tenant waits for this one's lock). Used before the row exists, so that the
 * row is written once, held or not; it never reaches a text (only older jobs
 * are named in "behind job N").
 */
const NEWEST = Number.MAX_SAFE_INTEGER;

/**
 * At submit, inside the submit transaction `trx`, before the job row is
 * written, for a tenant with `limits` (those that may concern it, read with the
 * submission's other reads before the transaction: a limit saved meanwhile is a
 * race either way round, as saving takes the tenant's lock and releases or keeps
 * what it governs then): lock the tenant,
 * refuse (400 naming the field and the limit) a job that can never fit the
 * limits governing it, and decide whether it is held. Older held jobs that
 * the same decision releases (the usage fell since the last release) are
 * released here, in the same transaction.
 */
export async function admitAtSubmit(
  trx: Db,
  job: { tenant: number; owner: number; ownerName: string; machine: { name: string; cores: number; maxCpus: number | null }; nodes: number },
  limits: readonly Limit[],
): Promise<Admitted> {
  // The lock and the tenant's name and billing code (which it does not guard) in one statement: its snapshot may
  // predate the lock, so usage and held jobs, which the lock does guard, are read by the statements after it.
  const row = await trx
    .selectFrom("users")
    .select([sql<void>`pg_advisory_xact_lock(${LIMITS_LOCK}::int, ${job.tenant}::int)`.as("locked"), "username", "billing_code"])
    .where("id", "=", job.tenant)
    .executeTakeFirstOrThrow();
  const t = { name: row.username, billingCode: row.billing_code };
  const who: Who = { tenant: job.tenant, tenantName: t.name, billingCode: t.billingCode, owner: job.owner, ownerName: job.ownerName };
  const mine: AdmissionJob = { ...who, number: NEWEST, machine: job.machine.name, cores: job.machine.cores, nodes: job.nodes, maxCpus: job.machine.maxCpus };
  const govs = governing(who, limits);
  const never = refusal(mine, govs);
  if (never) throw invalid(never.field, never.problem);
  if (govs.length === 0) return RELEASED;
  const held = await heldJobsOfTenant(trx, job.tenant, t);
  const d = decide([...held, mine], await usageOfTenant(trx, job.tenant), limits);
  const others = d.released.filter((n) => n !== NEWEST);
  if (others.length > 0) await trx.updateTable("jobs").set({ held: false, substatus_text: "" }).where("number", "in", others).where("held", "=", true).execute();
  const text = d.waiting.get(NEWEST);
  return text === undefined ? RELEASED : { held: true, substatusText: text };
}

/** Decide tenant `tenant`'s held jobs in one transaction under its lock; the numbers released. */
async function releaseTenant(db: Db, tenant: number): Promise<number[]> {
  return db.transaction().execute(async (trx) => {
    await lockTenant(trx, tenant);
    const t = await tenantOf(trx, tenant);
    const held = await heldJobsOfTenant(trx, tenant, t);
    if (held.length === 0) return [];
    const limits: Limit[] = await limitsOfTenant(trx, tenant);
    const d = decide(held, await usageOfTenant(trx, tenant), limits);
    if (d.released.length > 0) await trx.updateTable("jobs").set({ held: false, substatus_text: "" }).where("number", "in", d.released).where("held", "=", true).execute();
    // Texts that changed (another job is now the reason, or a limit was lowered so far the job can never run): one write each.
    for (const j of held) {
      const never = d.refused.get(j.number);
      const text = never ? `${WAITING_PREFIX}can never run under the limits now in force: ${never.problem}` : d.waiting.get(j.number);
      if (text !== undefined && text !== j.text) await trx.updateTable("jobs").set({ substatus_text: text }).where("number", "=", j.number).where("held", "=", true).execute();
    }
    return d.released;
  });
}

/**
 * Release the held jobs the limits now allow, tenant by tenant (each in its own
 * transaction under its lock); the numbers released, in submission order per tenant.
 */
export async function releaseHeld(db: Db): Promise<number[]> {
  const tenants = await db.selectFrom("jobs").select("tenant_id").distinct().where("held", "=", true).where("status", "=", "SUBMITTED").orderBy("tenant_id").execute();
  const out: number[] = [];
  for (const { tenant_id } of tenants) out.push(...(await releaseTenant(db, tenant_id)));
  return out;
}
