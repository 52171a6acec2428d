// Admission Limits (spec/limits-and-queues.md): which limits govern a job,
// whether a job can ever fit them, and which held jobs may go to the cluster
// now. Pure: the database adapter (src/jobs/admission.ts) loads the rows and
// applies the decision.
//
// Two limits at most govern a job:
//  - the tenant's administrator limit: the payer's own (scope "payer"), else the
//    billing range covering the payer's billing code (scope "billing"); it counts
//    every released job of the tenant;
//  - the owner's self-service limit: the user's own (scope "user"), else the team
//    default (scope "team"); it counts the owner's released jobs only.
// A job is released iff it fits every limit governing it and, for each of them,
// no older job governed by that same scope is held because of it (FIFO per limit).
// Jobs that can never fit (refusal) neither go nor block anyone.

export type LimitScope = "payer" | "billing" | "team" | "user";

export interface MachineLimit {
  /** at most this many released active jobs of the type at once */
  jobs?: number;
  /** at most this many nodes per job of the type */
  nodes?: number;
}

/** What a limit says: concurrent cores, and per machine type (a non-empty map makes unlisted types unavailable). */
export interface LimitRule {
  cpus?: number | null;
  machines?: Record<string, MachineLimit>;
}

export interface Limit extends LimitRule {
  id: number;
  scope: LimitScope;
  /** scope payer and team: the tenant (its payer's user id) */
  payerId?: number | null;
  /** scope user */
  userId?: number | null;
  /** scope billing: the billing codes it covers, inclusive */
  billingFrom?: number | null;
  billingTo?: number | null;
}

/** Who a job (or a user) is, as limits see it. */
export interface Who {
  tenant: number;
  tenantName: string;
  /** the tenant payer's billing code */
  billingCode: number | null;
  owner: number;
  ownerName: string;
}

/** A job as admission sees it: who submitted it, what it asks for, and its cluster's mL. */
export interface AdmissionJob extends Who {
  number: number;
  machine: string;
  /** cores of one node of the machine type */
  cores: number;
  nodes: number;
  /** mL of the job's cluster: a CPU limit L applies to it as min(L, mL); null for none */
  maxCpus: number | null;
}

/** Released active jobs, summed per tenant, owner and machine type. */
export interface UsageRow {
  tenant: number;
  owner: number;
  machine: string;
  cpus: number;
  jobs: number;
}

/** A limit in force on one scope: a tenant as a whole, or one user. */
export interface Governing {
  /** the scope it counts: "tenant:<id>" or "user:<id>" */
  key: string;
  /** for messages: "tenant acme", "user bob (team default)" */
  label: string;
  limit: Limit;
}

export interface Refusal {
  field: "machine.type" | "machine.nodes";
  problem: string;
}

export interface ScopeUsage {
  cpus: number;
  jobs: Record<string, number>;
}

export const jobCpus = (j: Pick<AdmissionJob, "cores" | "nodes">): number => j.cores * j.nodes;

const inRange = (l: Limit, code: number | null): boolean => code !== null && l.billingFrom != null && l.billingTo != null && l.billingFrom <= code && code <= l.billingTo;

/** The administrator limit of a tenant: its payer's own, else the narrowest billing range covering its code (then the oldest). */
export function adminLimitOf(who: Pick<Who, "tenant" | "billingCode">, limits: readonly Limit[]): Limit | undefined {
  const own = limits.find((l) => l.scope === "payer" && l.payerId === who.tenant);
  if (own) return own;
  const width = (l: Limit) => (l.billingTo ?? 0) - (l.billingFrom ?? 0);
  return limits.filter((l) => l.scope === "billing" && inRange(l, who.billingCode)).sort((a, b) => width(a) - width(b) || a.id - b.id)[0];
}

/** The self-service limit of a user: its own, else its team's default. */
export function userLimitOf(who: Pick<Who, "tenant" | "owner">, limits: readonly Limit[]): Limit | undefined {
  return limits.find((l) => l.scope === "user" && l.userId === who.owner) ?? limits.find((l) => l.scope === "team" && l.payerId === who.tenant);
}

/** The limits in force for a job of `who`: the tenant's administrator limit, then the user's self-service limit. */
export function governing(who: Who, limits: readonly Limit[]): Governing[] {
  const out: Governing[] = [];
  const admin = adminLimitOf(who, limits);
  if (admin) out.push({ key: `tenant:${who.tenant}`, label: `tenant ${who.tenantName}${admin.scope === "billing" ? ` (billing codes ${admin.billingFrom}-${admin.billingTo})` : ""}`, limit: admin });
  const own = userLimitOf(who, limits);
  if (own) out.push({ key: `user:${who.owner}`, label: `user ${who.ownerName}${own.scope === "team" ? " (team default)" : ""}`, limit: own });
  return out;
}

/** The CPU limit that applies to `job`: the limit's, capped by the cluster's mL; Infinity for none. */
export function cpuCap(job: Pick<AdmissionJob, "maxCpus">, limit: LimitRule): number {
  if (limit.cpus === undefined || limit.cpus === null) return Infinity;
  return Math.min(limit.cpus, job.maxCpus ?? Infinity);
}

const listed = (rule: LimitRule): string[] => Object.keys(rule.machines ?? {}).sort();

/** Why `job` can never run under the limits governing it, or undefined when it can. */
export function refusal(job: AdmissionJob, govs: readonly Governing[]): Refusal | undefined {
  for (const g of govs) {
    const types = listed(g.limit);
    const m = g.limit.machines?.[job.machine];
    if (types.length > 0 && !m) return { field: "machine.type", problem: `machine type '${job.machine}' is not available under the limits of ${g.label} (allowed: ${types.join(", ")})` };
    if (m?.jobs === 0) return { field: "machine.type", problem: `the limits of ${g.label} allow no jobs of machine type '${job.machine}'` };
    if (m?.nodes !== undefined && job.nodes > m.nodes) return { field: "machine.nodes", problem: `${job.nodes} is more than the ${m.nodes} node(s) per job of machine type '${job.machine}' allowed by the limits of ${g.label}` };
    const cap = cpuCap(job, g.limit);
    if (jobCpus(job) > cap) {
      const mL = job.maxCpus !== null && job.maxCpus < (g.limit.cpus ?? Infinity) ? ` (the cluster's mL)` : "";
      return { field: "machine.nodes", problem: `the job's ${jobCpus(job)} CPUs (${job.nodes} x ${job.cores} cores of '${job.machine}') are more than the ${cap}-CPU limit${mL} of ${g.label}` };
    }
  }
  return undefined;
}

/** Why `job` does not fit `g` now, given the scope's usage; undefined when it fits. */
export function shortOf(job: AdmissionJob, g: Governing, used: ScopeUsage): string | undefined {
  const cap = cpuCap(job, g.limit);
  if (used.cpus + jobCpus(job) > cap) return `${g.label} at ${used.cpus} of ${cap} CPUs`;
  const max = g.limit.machines?.[job.machine]?.jobs;
  const running = used.jobs[job.machine] ?? 0;
  if (max !== undefined && running + 1 > max) return `${g.label} at ${running} of ${max} '${job.machine}' jobs`;
  return undefined;
}

/** Usage per scope key ("tenant:<id>", "user:<id>") from the usage rows. */
export function usageByScope(rows: readonly UsageRow[]): Map<string, ScopeUsage> {
  const out = new Map<string, ScopeUsage>();
  const add = (key: string, r: Pick<UsageRow, "machine" | "cpus" | "jobs">) => {
    const u = out.get(key) ?? { cpus: 0, jobs: {} };
    u.cpus += r.cpus;
    u.jobs[r.machine] = (u.jobs[r.machine] ?? 0) + r.jobs;
    out.set(key, u);
  };
  for (const r of rows) {
    add(`tenant:${r.tenant}`, r);
    add(`user:${r.owner}`, r);
  }
  return out;
}

const EMPTY: ScopeUsage = { cpus: 0, jobs: {} };

export interface Admission {
  /** job numbers to release, in submission order */
  released: number[];
  /** the held jobs that stay held, with why ("Waiting for limits: ...") */
  waiting: Map<number, string>;
  /** held jobs that can never fit the limits now in force (e.g. lowered since they were submitted) */
  refused: Map<number, Refusal>;
}

export const WAITING_PREFIX = "Waiting for limits: ";

/** The whole decision: which held jobs go now, and why the others wait. See admit. */
export function decide(held: readonly AdmissionJob[], usage: readonly UsageRow[], limits: readonly Limit[]): Admission {
  const used = usageByScope(usage);
  /** scopes where an older job waits because of that scope's limit: younger jobs of the scope queue behind it */
  const blocked = new Map<string, number>();
  const out: Admission = { released: [], waiting: new Map(), refused: new Map() };
  for (const job of [...held].sort((a, b) => a.number - b.number)) {
    const govs = governing(job, limits);
    const never = refusal(job, govs);
    if (never) {
      out.refused.set(job.number, never);
      continue;
    }
    const short = govs.flatMap((g) => {
      const why = shortOf(job, g, used.get(g.key) ?? EMPTY);
      return why === undefined ? [] : [{ g, why }];
    });
    const behind = govs.filter((g) => blocked.has(g.key));
    if (short.length === 0 && behind.length === 0) {
      out.released.push(job.number);
      for (const g of govs) {
        const u = used.get(g.key) ?? { cpus: 0, jobs: {} };
        used.set(g.key, { cpus: u.cpus + jobCpus(job), jobs: { ...u.jobs, [job.machine]: (u.jobs[job.machine] ?? 0) + 1 } });
      }
      continue;
    }
    for (const { g } of short) if (!blocked.has(g.key)) blocked.set(g.key, job.number);
    const reasons = [...short.map((s) => s.why), ...behind.filter((g) => !short.some((s) => s.g.key === g.key)).map((g) => `${g.label}, behind job ${blocked.get(g.key)}`)];
    out.waiting.set(job.number, WAITING_PREFIX + reasons.join("; "));
  }
  return out;
}

/**
 * The held jobs (any order; decided in submission order) that may go to the
 * cluster now, given the usage of released active jobs and the limits in force.
 */
export function admit(held: readonly AdmissionJob[], usage: readonly UsageRow[], limits: readonly Limit[]): number[] {
  return decide(held, usage, limits).released;
}

/**
 * Why a self-service rule (scope team or user) asks for more than the tenant's
 * administrator limit allows: the field and the problem, or undefined.
 */
export function beyondAdminLimit(rule: LimitRule, admin: Limit | undefined, adminLabel: string): { field: string; problem: string } | undefined {
  if (!admin) return undefined;
  if (admin.cpus != null && rule.cpus != null && rule.cpus > admin.cpus) {
    return { field: "cpus", problem: `${rule.cpus} is more than the ${admin.cpus} CPUs the administrator limit of ${adminLabel} allows` };
  }
  const adminTypes = listed(admin);
  for (const [type, m] of Object.entries(rule.machines ?? {})) {
    const a = admin.machines?.[type];
    if (adminTypes.length > 0 && !a) return { field: `machines.${type}`, problem: `machine type '${type}' is not available under the administrator limit of ${adminLabel} (allowed: ${adminTypes.join(", ")})` };
    if (a?.jobs !== undefined && m.jobs !== undefined && m.jobs > a.jobs) return { field: `machines.${type}.jobs`, problem: `${m.jobs} is more than the ${a.jobs} jobs the administrator limit of ${adminLabel} allows` };
    if (a?.nodes !== undefined && m.nodes !== undefined && m.nodes > a.nodes) return { field: `machines.${type}.nodes`, problem: `${m.nodes} is more than the ${a.nodes} nodes per job the administrator limit of ${adminLabel} allows` };
  }
  return undefined;
}
