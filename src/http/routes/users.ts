// Administration -> Users: invite payers (with vault overrides) and team
// members, team admin rights, disabling, API keys, passwords, zone access.
import { forbidden, invalid, notFound } from "../../core/errors";
import { administersSystem, managesTenant, mayChangeProfile, mayChangeRights, mayInvite, mayRegenerateApiKey, maySetPassword, seesAccount, tenantOf } from "../../core/tenancy";
import { explainZoneAccess } from "../../core/zoneAccess";
import { lockoutWarning } from "../../core/lockout";
import { withZoneName, zonesWithMachines, zoneNames } from "../../catalog/catalog";
import { createAccount, findUser, findUserById, listUsers, regenerateApiKey, setPassword, storedApiKey, toAccount } from "../../accounts/accounts";
import type { Ctx } from "../../store/ctx";
import { newPassword } from "../../accounts/secrets";
import type { Db } from "../../store/db";
import type { UserRow } from "../../store/schema";
import { zoneAccessOfUser } from "../../vaults/vaults";
import type { Api } from "../api";
import type { Caller } from "../../accounts/credentials";
import { callerOf } from "../auth";
import { body, int, NAME_MAX, optional, optionalBool, params, query, required, SECRET_MAX, text, TEXT_MAX } from "../schemas";
import { z } from "zod";
import { statusAnswer, userAnswer } from "../answers";

const byName = params({ username: required() });
const users = z.looseObject({ users: z.array(userAnswer) });

export async function userJson(db: Db, u: UserRow, payerName?: string) {
  const tenant = u.payer_id === null ? u.username : (payerName ?? (await findUserById(db, u.payer_id))?.username ?? null);
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    fullName: u.full_name,
    role: u.payer_id === null ? "payer" : "member",
    payer: u.payer_id === null ? null : tenant,
    tenant,
    sysadmin: u.is_sysadmin,
    teamAdmin: u.is_team_admin,
    disabled: u.disabled,
    external: u.external_subject !== null,
    createdAt: new Date(u.created_at).toISOString(),
    billingCode: u.billing_code,
  };
}

/** The target user if the caller may see them; otherwise 404 (never reveal another tenant's users). */
export async function visibleUser(ctx: Ctx, c: Caller, username: string): Promise<UserRow> {
  const target = await findUser(ctx.db, username);
  if (!target || !seesAccount(c.account, toAccount(target))) throw notFound(`user '${username}'`);
  return target;
}

export function userRoutes(api: Api, ctx: Ctx): void {
  const { db } = ctx;

  api.get(
    "/api/users",
    { summary: "List users", tags: ["users"], access: "system administrators: all; payers and team admins: their team; others: themselves", query: query({ search: optional().describe("text in user name, e-mail or full name"), payer: optional().describe("a payer's user name: that tenant only") }), response: { 200: users } },
    async (req) => {
      const c = callerOf(req);
      const { search, payer } = req.query;
      const a = c.account;
      let rows: UserRow[];
      if (a.isSysadmin) rows = await listUsers(db, { search, payer });
      else if (managesTenant(a, tenantOf(a))) rows = await listUsers(db, { search, payer, tenantId: tenantOf(a) });
      else rows = await listUsers(db, { search, payer, userId: a.id });
      const names = new Map(rows.map((u) => [u.id, u.username]));
      return { users: await Promise.all(rows.map((u) => userJson(db, u, u.payer_id === null ? undefined : names.get(u.payer_id)))) };
    },
  );

  api.post(
    "/api/users",
    {
      summary: "Invite a user: a payer (system administrators, optionally with vault overrides) or a member of a payer's team",
      tags: ["users"],
      access: "system administrators (any payer, or new payers); payers and team admins (their own team)",
      body: body({
        username: required(),
        email: optional(),
        fullName: optional(),
        password: optional(SECRET_MAX).describe("generated and returned once when omitted"),
        payer: optional().describe("payer whose team the user joins; omit to invite a payer"),
        teamAdmin: optionalBool(),
        sysadmin: optionalBool(),
        vaultOverrides: z
          .record(z.string().max(NAME_MAX), z.union([text(TEXT_MAX), z.number()], { error: "must be a string or a number" }), { error: "must be an object of payer metadata keys to values" })
          .optional()
          .describe("payer invitations: payer metadata keys (vaultName, vaultEphemeralZone, ...) overriding the system default vault setup; stored as the payer's metadata"),
      }),
      response: {
        201: z.looseObject({
          user: userAnswer,
          warnings: z.array(z.string()),
          apikey: z.string(),
          password: z.string().optional().describe("only when generated"),
          vaults: z.array(z.looseObject({ id: z.number(), name: z.string(), kind: z.string(), zone: z.number() })),
        }),
      },
      responses: { "201": "created; the API key (and a generated password) are shown once", "409": "user name taken" },
    },
    async (req, reply) => {
      const c = callerOf(req);
      const b = req.body;
      const username = b.username;
      const payerName = b.payer;
      const overrides = b.vaultOverrides;
      const a = c.account;
      let payer: UserRow | undefined;
      if (payerName !== undefined) {
        payer = await findUser(db, payerName);
        // A member knows its own payer (GET /api/me names it): that answers 403 below, not 404.
        if (!payer || !(seesAccount(a, toAccount(payer)) || payer.id === tenantOf(a))) throw notFound(`payer '${payerName}'`);
        if (payer.payer_id !== null) throw invalid("payer", `'${payerName}' is a team member, not a payer`);
        if (!managesTenant(a, payer.id)) throw forbidden("only the payer, its team admins and system administrators invite into a team");
      } else if (!administersSystem(a)) {
        if (!managesTenant(a, tenantOf(a))) throw forbidden("only payers, team admins and system administrators invite users");
        payer = a.payerId === null ? c.user : await findUserById(db, a.payerId);
      }
      const sysadmin = b.sysadmin;
      if (!mayInvite(a, payer?.id ?? null, { sysadmin })) throw forbidden("only system administrators grant system administrator rights");
      const password = b.password ?? newPassword();
      const created = await createAccount(ctx, {
        username,
        email: b.email,
        fullName: b.fullName,
        password,
        payer,
        teamAdmin: b.teamAdmin,
        sysadmin,
        invitedBy: a.id,
        vaultOverrides: overrides,
      });
      const warning = lockoutWarning(username, await zoneAccessOfUser(db, created.user.id), await zonesWithMachines(db));
      const names = await zoneNames(db);
      reply.status(201);
      return {
        user: await userJson(db, created.user, payer?.username),
        warnings: warning ? [warning] : [],
        apikey: created.apikey,
        ...(b.password === undefined ? { password } : {}),
        vaults: created.vaults.map((v) => withZoneName({ id: v.id, name: v.name, kind: v.kind, zone: v.zone_id ?? -1 }, names)),
      };
    },
  );

  api.get("/api/users/:username", { summary: "One user", tags: ["users"], access: "the user, its team's payer and team admins, system administrators", params: byName, response: { 200: userAnswer } }, async (req) => {
    const c = callerOf(req);
    return userJson(db, await visibleUser(ctx, c, req.params.username));
  });

  api.patch(
    "/api/users/:username",
    {
      summary: "Change a user: team admin rights, disabled, system administrator, e-mail, full name, a payer's billing code",
      tags: ["users"],
      access: "the user (e-mail, full name); payers (their team), team admins (plain members of their team); system administrators (also billing codes)",
      params: byName,
      body: body({
        teamAdmin: optionalBool(),
        disabled: optionalBool(),
        sysadmin: optionalBool(),
        email: optional(),
        fullName: optional(),
        billingCode: int().nullable().optional().describe("payers: the billing code that groups tenants into tiers for administrator limits; null for none"),
      }),
      response: { 200: userAnswer },
    },
    async (req) => {
      const c = callerOf(req);
      const target = await visibleUser(ctx, c, req.params.username);
      const b = req.body;
      const a = c.account;
      const set: Partial<Pick<UserRow, "is_team_admin" | "disabled" | "is_sysadmin" | "email" | "full_name" | "billing_code">> = {};
      const { teamAdmin, disabled, sysadmin, email, fullName, billingCode } = b;
      const manages = managesTenant(a, tenantOf(toAccount(target)));
      if ((teamAdmin !== undefined || disabled !== undefined) && !manages) throw forbidden("only the team's payer, team admins and system administrators change these");
      if ((teamAdmin !== undefined || disabled !== undefined) && target.id !== a.id && !mayChangeRights(a, toAccount(target))) throw forbidden("team admins manage plain members; payers their team; system administrators everyone");
      if (teamAdmin !== undefined) {
        if (target.payer_id === null) throw invalid("teamAdmin", "a payer manages its team already; team admin rights are for members");
        set.is_team_admin = teamAdmin;
      }
      if (disabled !== undefined) {
        // Whom one may disable (never a higher rank, a payer or a system administrator but by system
        // administrators) was decided by mayChangeRights above.
        if (target.id === a.id) throw invalid("disabled", "you cannot disable yourself");
        set.disabled = disabled;
      }
      if (sysadmin !== undefined) {
        if (!administersSystem(a)) throw forbidden("only system administrators grant system administrator rights");
        if (target.id === a.id && !sysadmin) throw invalid("sysadmin", "you cannot revoke your own system administrator rights");
        set.is_sysadmin = sysadmin;
      }
      if (email !== undefined || fullName !== undefined) {
        if (!mayChangeProfile(a, toAccount(target))) throw forbidden("not yours to change: team admins manage plain members; payers their team; system administrators everyone");
        if (email !== undefined) set.email = email;
        if (fullName !== undefined) set.full_name = fullName;
      }
      if (billingCode !== undefined) {
        if (!administersSystem(a)) throw forbidden("only system administrators set billing codes");
        if (target.payer_id !== null) throw invalid("billingCode", "billing codes are for payers; a team member's jobs count under its payer's");
        set.billing_code = billingCode;
      }
      if (Object.keys(set).length === 0) throw invalid("body", "nothing to change (teamAdmin, disabled, sysadmin, email, fullName, billingCode)");
      const updated = await db.updateTable("users").set(set).where("id", "=", target.id).returningAll().executeTakeFirstOrThrow();
      if (set.disabled) await db.deleteFrom("sessions").where("user_id", "=", target.id).execute();
      return userJson(db, updated);
    },
  );

  api.get(
    "/api/me/apikey",
    { summary: "The caller's own API key, shown again (it is stored sealed under the server key)", tags: ["users", "session"], access: "any authenticated user, for its own key only", response: { 200: z.looseObject({ username: z.string(), apikey: z.string() }) }, responses: { "404": "a key made before keys were stored sealed: generate a new one" } },
    async (req) => {
      const c = callerOf(req);
      // Read again: the caller's row was read before this request's own checks, a regeneration may have followed.
      const me = await findUserById(db, c.user.id);
      if (!me) throw notFound("user");
      return { username: me.username, apikey: storedApiKey(ctx, me) };
    },
  );

  api.post("/api/users/:username/apikey", { summary: "Regenerate a user's API key (the old one stops working); its owner can see it again at GET /api/me/apikey", tags: ["users"], access: "the user; system administrators", params: byName, response: { 200: z.looseObject({ username: z.string(), apikey: z.string() }) } }, async (req) => {
    const c = callerOf(req);
    const target = await visibleUser(ctx, c, req.params.username);
    if (!mayRegenerateApiKey(c.account, toAccount(target))) throw forbidden("only the user and system administrators regenerate an API key");
    return { username: target.username, apikey: await regenerateApiKey(ctx, target.id) };
  });

  api.put(
    "/api/users/:username/password",
    {
      summary: "Set a user's password (ends the user's sessions); your own needs your current password",
      tags: ["users"],
      access: "the user (with `current`); system administrators (another user's, without `current`)",
      params: byName,
      body: body({ password: required(SECRET_MAX), current: optional(SECRET_MAX).describe("your current password: required when you change your own") }),
      response: { 200: statusAnswer },
      responses: { "403": "not yours to set, or `current` is not your current password (nothing changes)" },
    },
    async (req) => {
      const c = callerOf(req);
      const target = await visibleUser(ctx, c, req.params.username);
      if (!maySetPassword(c.account, toAccount(target))) throw forbidden("only the user and system administrators set a password");
      const own = target.id === c.account.id;
      const current = req.body.current;
      if (own && current === undefined) throw invalid("current", "required");
      await setPassword(db, target.id, req.body.password, own ? { password: current!, storedHash: target.password_hash } : undefined);
      return { status: "password set" };
    },
  );

  api.get("/api/users/:username/zone-access", { summary: "The zones a user may use, with the reasons", tags: ["users", "zones"], access: "those who may see the user", params: byName, response: { 200: z.looseObject({ username: z.string(), zones: z.array(z.looseObject({ id: z.number(), name: z.string(), reasons: z.array(z.unknown()) })), lockedTo: z.looseObject({ id: z.number(), name: z.string() }).nullable(), explanation: z.unknown() }) } }, async (req) => {
    const c = callerOf(req);
    const target = await visibleUser(ctx, c, req.params.username);
    const access = await zoneAccessOfUser(db, target.id);
    return {
      username: target.username,
      zones: access.zones.map((z) => ({ id: z.zoneId, name: z.zoneName, reasons: z.reasons })),
      lockedTo: access.lockedTo ? { id: access.lockedTo.zoneId, name: access.lockedTo.zoneName } : null,
      explanation: explainZoneAccess(access),
    };
  });
}
