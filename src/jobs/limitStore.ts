// The limits table as the core sees it (src/core/limits.ts) and as the API
// shows it: loading the limits that concern one tenant, saving one limit by
// its scope key (the unique indexes of migration 0006 make two concurrent
// saves one row), deleting one.
import { sql } from "kysely";
import type { Limit, LimitScope, MachineLimit } from "../core/limits";
import type { Db } from "../store/db";
import type { Database, LimitsTable } from "../store/schema";
import type { Selectable, SelectQueryBuilder } from "kysely";

export type LimitRow = Selectable<LimitsTable> & { payer_name: string | null; user_name: string | null };

/** A limit as the API shows it. */
export interface LimitJson {
  id: number;
  scope: LimitScope;
  payer?: string;
  user?: string;
  billingFrom?: number;
  billingTo?: number;
  cpus: number | null;
  machines: Record<string, MachineLimit>;
}

/** Limits (all of them, or those of `from`) with the names of their payer and user. */
const withNames = (db: Db, from: SelectQueryBuilder<Database & { l: LimitsTable }, "l", object> = db.selectFrom("limits as l")) =>
  from
    .leftJoin("users as p", "p.id", "l.payer_id")
    .leftJoin("users as u", "u.id", "l.user_id")
    .selectAll("l")
    .select(["p.username as payer_name", "u.username as user_name"]);

export const toLimit = (r: Pick<Selectable<LimitsTable>, "id" | "scope" | "payer_id" | "user_id" | "billing_from" | "billing_to" | "cpus" | "machines">): Limit => ({
  id: r.id,
  scope: r.scope,
  payerId: r.payer_id,
  userId: r.user_id,
  billingFrom: r.billing_from,
  billingTo: r.billing_to,
  cpus: r.cpus,
  machines: r.machines ?? {},
});

export function limitJson(r: LimitRow): LimitJson {
  return {
    id: r.id,
    scope: r.scope,
    ...(r.payer_name !== null ? { payer: r.payer_name } : {}),
    ...(r.user_name !== null ? { user: r.user_name } : {}),
    ...(r.billing_from !== null ? { billingFrom: r.billing_from } : {}),
    ...(r.billing_to !== null ? { billingTo: r.billing_to } : {}),
    cpus: r.cpus,
    machines: r.machines ?? {},
  };
}

/** Every limit (system administrators' view). */
export async function allLimits(db: Db): Promise<LimitRow[]> {
  return withNames(db).orderBy("l.id").execute();
}

/**
 * The limits that may concern tenant `tenant`: its payer and team limits, its
 * users' own limits, and the billing ranges covering its payer's billing code.
 * A query to select from (limitRowsOfTenant; the submission's one read, src/jobs/submitReads.ts).
 */
export function limitsConcerning(db: Db, tenant: number) {
  const code = db.selectFrom("users").select("billing_code").where("id", "=", tenant);
  return db.selectFrom("limits as l").where((eb) =>
    eb.or([
      eb.and([eb("l.scope", "in", ["payer", "team"]), eb("l.payer_id", "=", tenant)]),
      eb.and([eb("l.scope", "=", "user"), eb("l.user_id", "in", db.selectFrom("users").select("id").where((w) => w.or([w("id", "=", tenant), w("payer_id", "=", tenant)])))]),
      eb.and([eb("l.scope", "=", "billing"), eb("l.billing_from", "<=", code), eb("l.billing_to", ">=", code)]),
    ]),
  );
}

/** The columns of a limit that say what it is (toLimit reads them). */
export const LIMIT_COLUMNS = ["l.id", "l.scope", "l.payer_id", "l.user_id", "l.billing_from", "l.billing_to", "l.cpus", "l.machines"] as const;

/** The limits that may concern tenant `tenant` (limitsConcerning), with the names of their payer and user. */
export async function limitRowsOfTenant(db: Db, tenant: number): Promise<LimitRow[]> {
  return withNames(db, limitsConcerning(db, tenant)).orderBy("l.id").execute();
}

export async function limitsOfTenant(db: Db, tenant: number): Promise<Limit[]> {
  return (await limitsConcerning(db, tenant).select(LIMIT_COLUMNS).orderBy("l.id").execute()).map(toLimit);
}

export async function limitById(db: Db, id: number): Promise<LimitRow | undefined> {
  return withNames(db).where("l.id", "=", id).executeTakeFirst();
}

export interface LimitKey {
  scope: LimitScope;
  payerId?: number;
  userId?: number;
  billingFrom?: number;
  billingTo?: number;
}

/** Insert or replace the limit of one scope key; what it says is given in full (cpus null for none). */
export async function saveLimit(db: Db, key: LimitKey, what: { cpus: number | null; machines: Record<string, MachineLimit> }): Promise<LimitRow> {
  const values = {
    scope: key.scope,
    payer_id: key.scope === "payer" || key.scope === "team" ? (key.payerId ?? null) : null,
    user_id: key.scope === "user" ? (key.userId ?? null) : null,
    billing_from: key.scope === "billing" ? (key.billingFrom ?? null) : null,
    billing_to: key.scope === "billing" ? (key.billingTo ?? null) : null,
    cpus: what.cpus,
    machines: JSON.stringify(what.machines),
  };
  const update = { cpus: what.cpus, machines: JSON.stringify(what.machines), updated_at: new Date() };
  // The conflict targets are the partial unique indexes of migration 0006; their predicates are written as
  // literals so PostgreSQL can match the index at plan time.
  const row = await db
    .insertInto("limits")
    .values(values)
    .onConflict((oc) =>
      key.scope === "user"
        ? oc.column("user_id").where(sql<boolean>`scope = 'user'`).doUpdateSet(update)
        : key.scope === "billing"
          ? oc.columns(["billing_from", "billing_to"]).where(sql<boolean>`scope = 'billing'`).doUpdateSet(update)
          : oc.columns(["scope", "payer_id"]).where(sql<boolean>`scope IN ('payer', 'team')`).doUpdateSet(update),
    )
    .returning("id")
    .executeTakeFirstOrThrow();
  return (await limitById(db, row.id))!;
}

export async function deleteLimit(db: Db, id: number): Promise<boolean> {
  const r = await db.deleteFrom("limits").where("id", "=", id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
