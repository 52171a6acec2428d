// Admission Limits as the portal shows and edits them (spec/limits-and-queues.md):
// the API's Limit JSON, the form a limit is edited in, the PUT /api/limits body
// built from it, and the sentences that describe a limit and its usage.
// Pure: the views (admin/Limits.tsx, account/TeamLimits.tsx) do the calls.

export type Scope = "payer" | "billing" | "team" | "user";
export interface MachineLimit {
  jobs?: number;
  nodes?: number;
}
export interface Limit {
  id: number;
  scope: Scope;
  payer?: string;
  user?: string;
  billingFrom?: number;
  billingTo?: number;
  cpus: number | null;
  machines: Record<string, MachineLimit>;
}
export interface Usage {
  cpus: number;
  jobs: Record<string, number>;
}
/** What GET /api/limits/effective says of one governed scope (the tenant, or one user). */
export interface Governing {
  limit: Limit | null;
  usage: Usage;
  held: number;
}
export interface Effective {
  tenant: Governing;
  user: Governing;
}

/** Administrator limits bound a tenant; self-service limits bound one user. */
export const isAdminScope = (s: Scope) => s === "payer" || s === "billing";

export const SCOPE_LABELS: Record<Scope, string> = {
  payer: "Payer (the whole tenant)",
  billing: "Billing-code range (each tenant in it)",
  team: "Team default (each user of a team)",
  user: "User (one user)",
};

export interface MachineRow {
  type: string;
  jobs: string;
  nodes: string;
}
export interface LimitForm {
  scope: Scope;
  payer: string;
  user: string;
  billingFrom: string;
  billingTo: string;
  /** empty: no CPU limit */
  cpus: string;
  machines: MachineRow[];
}

export const emptyForm = (scope: Scope, payer = ""): LimitForm => ({ scope, payer, user: "", billingFrom: "", billingTo: "", cpus: "", machines: [] });

const str = (n: number | undefined | null) => (n === undefined || n === null ? "" : String(n));

/** The form that edits `l`. */
export function formOf(l: Limit): LimitForm {
  return {
    scope: l.scope,
    payer: l.payer ?? "",
    user: l.user ?? "",
    billingFrom: str(l.billingFrom),
    billingTo: str(l.billingTo),
    cpus: str(l.cpus),
    machines: Object.entries(l.machines ?? {}).map(([type, m]) => ({ type, jobs: str(m.jobs), nodes: str(m.nodes) })),
  };
}

/** An integer as a number; anything else stays as typed, so that the API names the field. */
const num = (v: string): number | string => (/^-?\d+$/.test(v.trim()) ? Number(v) : v);

/**
 * Problems the form can see before asking the API, by field (the API's names):
 * a machine-type row without its type, or a type twice. Empty when none.
 */
export function checkLimitForm(f: LimitForm): Record<string, string> {
  const seen = new Set<string>();
  for (const r of f.machines) {
    const type = r.type.trim();
    if (type === "" && (r.jobs.trim() !== "" || r.nodes.trim() !== "")) return { machines: "machines: choose the machine type of every row" };
    if (type !== "" && seen.has(type)) return { machines: `machines: ${type} is listed twice` };
    seen.add(type);
  }
  return {};
}

/** The PUT /api/limits body: the scope, its target, and what the limit says (cpus null: no CPU limit). */
export function limitBody(f: LimitForm): Record<string, unknown> {
  const target =
    f.scope === "billing" ? { billingFrom: num(f.billingFrom), billingTo: num(f.billingTo) } : f.scope === "user" ? { user: f.user.trim() } : { payer: f.payer.trim() };
  const machines: Record<string, Record<string, number | string>> = {};
  for (const r of f.machines) {
    const type = r.type.trim();
    if (type === "") continue;
    const m: Record<string, number | string> = {};
    if (r.jobs.trim() !== "") m.jobs = num(r.jobs);
    if (r.nodes.trim() !== "") m.nodes = num(r.nodes);
    machines[type] = m;
  }
  return { scope: f.scope, ...target, cpus: f.cpus.trim() === "" ? null : num(f.cpus), machines };
}

/** Whom a limit governs, as a phrase. */
export function targetText(l: Pick<Limit, "scope" | "payer" | "user" | "billingFrom" | "billingTo">): string {
  switch (l.scope) {
    case "payer":
      return `payer ${l.payer ?? "?"} (whole tenant)`;
    case "billing":
      return l.billingFrom === l.billingTo ? `billing code ${str(l.billingFrom)}` : `billing codes ${str(l.billingFrom)} to ${str(l.billingTo)}`;
    case "team":
      return `each user of ${l.payer ?? "?"}'s team`;
    case "user":
      return `user ${l.user ?? "?"}`;
  }
}

export const cpusText = (cpus: number | null) => (cpus === null ? "no CPU limit" : `${cpus} CPUs`);

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** One machine type's rule: "n4: at most 2 jobs at once, at most 4 nodes per job". */
export function machineText(type: string, m: MachineLimit): string {
  const parts = [m.jobs === undefined ? "" : `at most ${plural(m.jobs, "job", "jobs")} at once`, m.nodes === undefined ? "" : `at most ${plural(m.nodes, "node", "nodes")} per job`].filter(Boolean);
  return `${type}: ${parts.length ? parts.join(", ") : "allowed"}`;
}

/** The machine-type rules, or that every type is allowed. */
export function machinesText(machines: Record<string, MachineLimit>): string {
  const entries = Object.entries(machines ?? {});
  if (entries.length === 0) return "any machine type";
  return `only ${entries.map(([t, m]) => machineText(t, m)).join("; ")}`;
}

/** What a governed scope uses against its limit: "12 of 32 CPUs in use". */
export function cpuUsageText(g: Governing): string {
  const cap = g.limit?.cpus;
  return cap === null || cap === undefined ? `${g.usage.cpus} CPUs in use (no CPU limit)` : `${g.usage.cpus} of ${cap} CPUs in use`;
}

/** Per machine type of the limit: "n4: 1 of 2 jobs running or starting, at most 4 nodes per job". */
export function machineUsageLines(g: Governing): string[] {
  return Object.entries(g.limit?.machines ?? {}).map(([type, m]) => {
    const used = g.usage.jobs[type] ?? 0;
    const jobs = m.jobs === undefined ? `${plural(used, "job", "jobs")} released (no job limit)` : `${used} of ${plural(m.jobs, "job", "jobs")} released`;
    return `${type}: ${jobs}${m.nodes === undefined ? "" : `, at most ${plural(m.nodes, "node", "nodes")} per job`}`;
  });
}

/**
 * The machine types a self-service limit may name: those of the administrator
 * limit when it lists some (the API refuses any other), else every type.
 */
export function allowedMachineTypes(admin: Limit | null, all: string[]): string[] {
  const listed = Object.keys(admin?.machines ?? {});
  return listed.length > 0 ? listed : all;
}

/** The hint beside a self-service CPU field: the administrator limit it must stay within. */
export function cpusWithin(admin: Limit | null): string | undefined {
  return admin?.cpus === null || admin?.cpus === undefined ? undefined : `at most ${admin.cpus} (the administrator limit); empty: no CPU limit of its own`;
}
