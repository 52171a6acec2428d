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

/** Released active jobs of a tenant, summed per owner and machine type (but job `except`: the one being decided). */
export async function usageOfTenant(db: Db, tenant: number, except?: number): Promise<UsageRow[]> {
  let q = db
    .selectFrom("jobs as j")
    .innerJoin("machines as m", "m.id", "j.machine_id")
    .select(["j.owner_id", "m.name", sql<string>`sum(m.cores * j.nodes)`.as("cpus"), sql<string>`count(*)`.as("jobs")])
    .where("j.tenant_id", "=", tenant)
    .where("j.status", "in", [...ACTIVE_STATUSES])
    .where("j.held", "=", false);
  if (except !== undefined) q = q.where("j.number", "<>", except);
  const rows = await q.groupBy(["j.owner_id", "m.name"]).execute();
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

export interface Gate {
  /** after the job row is inserted (number known): held or released, and the substatus text to store */
  decide(number: number): Promise<{ held: boolean; substatusText: string }>;
}

/**
 * At submit, inside the submit transaction `trx`, before the job row is
 * written: lock the tenant (if any limit concerns it), and refuse (400 naming the field and the limit) a
 * job that can never fit the limits governing it.
 */
export async function admissionGate(trx: Db, job: { tenant: number; owner: number; ownerName: string; machineId: number; nodes: number }): Promise<Gate> {
  // A tenant without limits (the common case) costs one query and takes no lock. A limit saved at the same
  // moment is a race either way round; saving it takes the lock and releases or keeps what it governs.
  const limits = await limitsOfTenant(trx, job.tenant);
  if (limits.length === 0) return { decide: async () => ({ held: false, substatusText: "" }) };
  await lockTenant(trx, job.tenant);
  const t = await tenantOf(trx, job.tenant);
  const m = await trx
    .selectFrom("machines as m")
    .innerJoin("clusters as c", "c.id", "m.cluster_id")
    .select(["m.name", "m.cores", "c.max_cpus"])
    .where("m.id", "=", job.machineId)
    .executeTakeFirstOrThrow();
  const who: Who = { tenant: job.tenant, tenantName: t.name, billingCode: t.billingCode, owner: job.owner, ownerName: job.ownerName };
  const govs = governing(who, limits);
  const never = refusal({ ...who, number: 0, machine: m.name, cores: m.cores, nodes: job.nodes, maxCpus: m.max_cpus }, govs);
  if (never) throw invalid(never.field, never.problem);
  if (govs.length === 0) return { decide: async () => ({ held: false, substatusText: "" }) };
  return {
    decide: async (number) => {
      const mine: AdmissionJob = { ...who, number, machine: m.name, cores: m.cores, nodes: job.nodes, maxCpus: m.max_cpus };
      const held = await heldJobsOfTenant(trx, job.tenant, t);
      const d = decide([...held, mine], await usageOfTenant(trx, job.tenant, number), limits);
      // Older held jobs the decision releases too (the usage fell since the last release): out with this one.
      const others = d.released.filter((n) => n !== number);
      if (others.length > 0) await trx.updateTable("jobs").set({ held: false, substatus_text: "" }).where("number", "in", others).where("held", "=", true).execute();
      const text = d.waiting.get(number);
      return text === undefined ? { held: false, substatusText: "" } : { held: true, substatusText: text };
    },
  };
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
