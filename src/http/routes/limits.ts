// Administration -> Limits (spec/limits-and-queues.md): administrator limits
// (a payer's whole tenant, or a range of billing codes) set by system
// administrators; self-service limits (a team's default for each user, one
// user's own) set by the payer and team admins within the administrator
// limit; and what governs one user now, with the usage it counts.
import { z } from "zod";
import { forbidden, invalid, notFound } from "../../core/errors";
import { adminLimitOf, beyondAdminLimit, userLimitOf, usageByScope, type Limit, type LimitRule, type Who } from "../../core/limits";
import { managesTenant, seesAccount, tenantOf } from "../../core/tenancy";
import { findUser, toAccount } from "../../accounts/accounts";
import type { Caller } from "../../accounts/credentials";
import { listMachines } from "../../catalog/catalog";
import { lockTenant, releaseHeld, usageOfTenant } from "../../jobs/admission";
import { allLimits, deleteLimit, limitById, limitJson, limitRowsOfTenant, saveLimit, toLimit, type LimitKey, type LimitRow } from "../../jobs/limitStore";
import type { Ctx } from "../../store/ctx";
import type { Db } from "../../store/db";
import type { UserRow } from "../../store/schema";
import type { Api } from "../api";
import { callerOf } from "../auth";
import { body, idParam, int, NAME_MAX, optional, params, query } from "../schemas";
import { visibleUser } from "./users";

const SCOPES = ["payer", "billing", "team", "user"] as const;
const ADMIN_SCOPES: readonly string[] = ["payer", "billing"];

const machineLimit = z
  .object(
    {
      jobs: int().min(0, "must be an integer >= 0").optional().describe("at most this many jobs of the type at once"),
      nodes: int().min(1, "must be an integer >= 1").optional().describe("at most this many nodes per job of the type"),
    },
    { error: "must be an object {jobs?, nodes?}" },
  )
  .strict();
const machinesSchema = z
  .record(z.string().max(NAME_MAX, `keys must be at most ${NAME_MAX} characters`), machineLimit, { error: "must be an object of machine types to {jobs?, nodes?}" })
  .describe("per machine type; when not empty, the types it does not list are unavailable");

const limitAnswer = z.looseObject({
  id: z.number(),
  scope: z.enum(SCOPES),
  payer: z.string().optional(),
  user: z.string().optional(),
  billingFrom: z.number().optional(),
  billingTo: z.number().optional(),
  cpus: z.number().nullable(),
  machines: z.record(z.string(), z.looseObject({ jobs: z.number().optional(), nodes: z.number().optional() })),
});
const scopeUse = z.looseObject({
  limit: limitAnswer.nullable(),
  usage: z.looseObject({ cpus: z.number(), jobs: z.record(z.string(), z.number()) }),
  held: z.number().describe("jobs held by admission limits"),
});

/** Who may see tenant `tenant`'s limits: system administrators, its payer and team admins. */
const managesLimitsOf = (c: Caller, tenant: number) => managesTenant(c.account, tenant);

/** The limits shown to a payer or team admin of `tenant`: the administrator limit governing it (read-only), and its team's self-service limits. */
async function limitsShownTo(db: Db, tenant: number, billingCode: number | null): Promise<LimitRow[]> {
  const rows = await limitRowsOfTenant(db, tenant);
  const admin = adminLimitOf({ tenant, billingCode }, rows.map(toLimit));
  return rows.filter((r) => r.id === admin?.id || !ADMIN_SCOPES.includes(r.scope));
}

async function payerNamed(ctx: Ctx, c: Caller, name: string | undefined): Promise<UserRow> {
  if (name === undefined) throw invalid("payer", "is required for this scope");
  const p = await findUser(ctx.db, name);
  // A member knows its own payer (GET /api/me names it): that answers 403 later, not 404.
  if (!p || !(seesAccount(c.account, toAccount(p)) || p.id === tenantOf(c.account))) throw notFound(`payer '${name}'`);
  if (p.payer_id !== null) throw invalid("payer", `'${name}' is a team member, not a payer`);
  return p;
}

export function limitRoutes(api: Api, ctx: Ctx, opts: { kick?: (() => void) | undefined } = {}): void {
  const { db } = ctx;

  /** After a limit changed: release what it now allows, and wake the job controller. */
  const afterChange = async () => {
    const released = await releaseHeld(db);
    if (released.length > 0) opts.kick?.();
  };

  api.get(
    "/api/limits",
    {
      summary: "Admission limits",
      tags: ["limits"],
      access: "system administrators: all; payers and team admins: the administrator limit governing their tenant (read-only) and their team's self-service limits; members: 403",
      response: { 200: z.looseObject({ limits: z.array(limitAnswer) }) },
    },
    async (req) => {
      const c = callerOf(req);
      const a = c.account;
      if (a.isSysadmin) return { limits: (await allLimits(db)).map(limitJson) };
      const tenant = tenantOf(a);
      if (!managesLimitsOf(c, tenant)) throw forbidden("limits are for payers, team admins and system administrators");
      const payer = await db.selectFrom("users").select("billing_code").where("id", "=", tenant).executeTakeFirstOrThrow();
      return { limits: (await limitsShownTo(db, tenant, payer.billing_code)).map(limitJson) };
    },
  );

  api.put(
    "/api/limits",
    {
      summary: "Set the limit of one scope (created, or replaced as a whole)",
      tags: ["limits"],
      access: "scopes payer and billing: system administrators; team and user: system administrators, the team's payer and team admins, within the administrator limit",
      body: body({
        scope: z.enum(SCOPES, { error: `must be one of ${SCOPES.join(", ")}` }).describe("payer: one tenant; billing: tenants by billing code; team: each user of a team; user: one user"),
        payer: optional().describe("scopes payer and team: the payer's user name"),
        user: optional().describe("scope user: the user name"),
        billingFrom: int().optional().describe("scope billing: the first billing code covered"),
        billingTo: int().optional().describe("scope billing: the last billing code covered"),
        cpus: int().min(0, "must be an integer >= 0").nullable().optional().describe("concurrent cores (machine cores x nodes); null or absent for none"),
        machines: machinesSchema.optional(),
      }),
      response: { 200: limitAnswer },
    },
    async (req) => {
      const c = callerOf(req);
      const b = req.body;
      const scope = b.scope;
      const rule: Required<LimitRule> = { cpus: b.cpus ?? null, machines: b.machines ?? {} };
      // Fields of other scopes: a mistake, not something to ignore.
      if (scope !== "payer" && scope !== "team" && b.payer !== undefined) throw invalid("payer", `is for scopes payer and team, not ${scope}`);
      if (scope !== "user" && b.user !== undefined) throw invalid("user", `is for scope user, not ${scope}`);
      if (scope !== "billing" && (b.billingFrom !== undefined || b.billingTo !== undefined)) throw invalid(b.billingFrom !== undefined ? "billingFrom" : "billingTo", `is for scope billing, not ${scope}`);
      const types = new Set((await listMachines(db)).map((m) => m.name));
      for (const t of Object.keys(rule.machines)) if (!types.has(t)) throw invalid(`machines.${t}`, `machine type '${t}' does not exist`);

      let key: LimitKey;
      let tenant: number | undefined;
      if (scope === "payer" || scope === "billing") {
        if (!c.account.isSysadmin) throw forbidden("administrator limits are set by system administrators");
        if (scope === "payer") {
          const p = await payerNamed(ctx, c, b.payer);
          key = { scope, payerId: p.id };
          tenant = p.id;
        } else {
          if (b.billingFrom === undefined) throw invalid("billingFrom", "is required for scope billing");
          if (b.billingTo === undefined) throw invalid("billingTo", "is required for scope billing");
          if (b.billingFrom > b.billingTo) throw invalid("billingTo", `must be at least billingFrom (${b.billingFrom})`);
          key = { scope, billingFrom: b.billingFrom, billingTo: b.billingTo };
        }
      } else if (scope === "team") {
        const p = await payerNamed(ctx, c, b.payer);
        if (!managesLimitsOf(c, p.id)) throw forbidden("a team's limits are set by its payer, its team admins and system administrators");
        key = { scope, payerId: p.id };
        tenant = p.id;
      } else {
        if (b.user === undefined) throw invalid("user", "is required for scope user");
        const u = await visibleUser(ctx, c, b.user);
        tenant = tenantOf(toAccount(u));
        if (!managesLimitsOf(c, tenant)) throw forbidden("a user's limit is set by its team's payer, team admins and system administrators");
        key = { scope, userId: u.id };
      }

      const saved = await db.transaction().execute(async (trx) => {
        if (tenant !== undefined) await lockTenant(trx, tenant);
        if (tenant !== undefined && (scope === "team" || scope === "user")) {
          const payer = await trx.selectFrom("users").select(["username", "billing_code"]).where("id", "=", tenant).executeTakeFirstOrThrow();
          const admin = adminLimitOf({ tenant, billingCode: payer.billing_code }, (await limitRowsOfTenant(trx, tenant)).map(toLimit));
          const beyond = beyondAdminLimit(rule, admin, `tenant ${payer.username}`);
          if (beyond) throw invalid(beyond.field, beyond.problem);
        }
        return saveLimit(trx, key, rule);
      });
      await afterChange();
      return limitJson(saved);
    },
  );

  api.delete(
    "/api/limits/:id",
    {
      summary: "Remove a limit",
      tags: ["limits"],
      access: "as for setting it: administrator limits, system administrators; a team's and its users', also its payer and team admins",
      params: params({ id: idParam() }),
      responses: { "204": "removed" },
    },
    async (req, reply) => {
      const c = callerOf(req);
      const row = await limitById(db, req.params.id);
      if (!row) throw notFound("limit");
      if (!c.account.isSysadmin) {
        // Only what GET /api/limits shows the caller exists for it; of that, administrator limits are read-only.
        const own = tenantOf(c.account);
        const shown = managesLimitsOf(c, own) ? await limitsShownTo(db, own, (await db.selectFrom("users").select("billing_code").where("id", "=", own).executeTakeFirstOrThrow()).billing_code) : [];
        if (!shown.some((r) => r.id === row.id)) throw notFound("limit");
        if (ADMIN_SCOPES.includes(row.scope)) throw forbidden("administrator limits are removed by system administrators");
      }
      await deleteLimit(db, row.id);
      await afterChange();
      return reply.status(204).send();
    },
  );

  api.get(
    "/api/limits/effective",
    {
      summary: "The limits that govern one user's jobs now: the tenant's and the user's own, with the usage they count and the jobs they hold",
      tags: ["limits"],
      access: "the user itself, its team's payer and team admins, system administrators",
      query: query({ user: optional().describe("a user name (default: the caller)") }),
      response: { 200: z.looseObject({ tenant: scopeUse, user: scopeUse }) },
    },
    async (req) => {
      const c = callerOf(req);
      const target = req.query.user === undefined ? c.user : await visibleUser(ctx, c, req.query.user);
      const tenant = tenantOf(toAccount(target));
      const payer = await db.selectFrom("users").select(["username", "billing_code"]).where("id", "=", tenant).executeTakeFirstOrThrow();
      const rows = await limitRowsOfTenant(db, tenant);
      const limits = rows.map(toLimit);
      const who: Who = { tenant, tenantName: payer.username, billingCode: payer.billing_code, owner: target.id, ownerName: target.username };
      const used = usageByScope(await usageOfTenant(db, tenant));
      const held = await db
        .selectFrom("jobs")
        .select(["owner_id", (eb) => eb.fn.countAll<string>().as("n")])
        .where("tenant_id", "=", tenant)
        .where("held", "=", true)
        .where("status", "=", "SUBMITTED")
        .groupBy("owner_id")
        .execute();
      const json = (l: Limit | undefined) => (l ? limitJson(rows.find((r) => r.id === l.id)!) : null);
      const use = (key: string) => used.get(key) ?? { cpus: 0, jobs: {} };
      return {
        tenant: { limit: json(adminLimitOf(who, limits)), usage: use(`tenant:${tenant}`), held: held.reduce((s, r) => s + Number(r.n), 0) },
        user: { limit: json(userLimitOf(who, limits)), usage: use(`user:${target.id}`), held: Number(held.find((r) => r.owner_id === target.id)?.n ?? 0) },
      };
    },
  );
}
