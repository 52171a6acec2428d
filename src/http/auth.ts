// Who is calling: a portal session (Authorization: Bearer), an API key
// (HTTP Basic username:apikey, or JARVICE's username/apikey query parameters),
// or an identity relayed by a trusted authenticating proxy (external auth),
// which creates the team member on first sight.
import type { FastifyRequest } from "fastify";
import { unauthorized, forbidden, invalid, PaddockError } from "../core/errors";
import { parseExternalIdentity, ruleFor, usernameFor, type ExternalIdentity } from "../core/externalAuth";
import { createAccount, findUser } from "../accounts/accounts";
import { caller, equalHashes, userByApiKey, type Caller } from "../accounts/credentials";
import type { Ctx } from "../store/ctx";
import { isConnectionLost } from "../store/errors";
import { hashToken, newSessionToken, verifyPassword } from "../accounts/secrets";
import { nulPath } from "./inputGuard";
import { NO_NUL } from "./schemas";


/** A portal session for a user name and its password, or (secret.apikey) its API key. */
export async function login(ctx: Ctx, username: string, secret: { password: string } | { apikey: string }): Promise<{ token: string; expires: Date; caller: Caller }> {
  let c: Caller;
  if ("apikey" in secret) {
    c = await userByApiKey(ctx, username, secret.apikey).catch((e: unknown) => {
      if (isConnectionLost(e)) throw e; // 503, not a wrong key
      throw unauthorized("invalid user name or API key");
    });
  } else {
    const user = await findUser(ctx.db, username);
    if (!user || !(await verifyPassword(secret.password, user.password_hash))) throw unauthorized("invalid user name or password");
    c = caller(user);
  }
  const user = c.user;
  const token = newSessionToken();
  const expires = new Date(Date.now() + ctx.settings.sessionTtlMs);
  await ctx.db.deleteFrom("sessions").where("expires_at", "<", new Date()).execute();
  await ctx.db.insertInto("sessions").values({ token_hash: hashToken(token), user_id: user.id, expires_at: expires }).execute();
  return { token, expires, caller: c };
}

export async function logout(ctx: Ctx, token: string): Promise<void> {
  await ctx.db.deleteFrom("sessions").where("token_hash", "=", hashToken(token)).execute();
}

async function userBySession(ctx: Ctx, token: string): Promise<Caller> {
  const row = await ctx.db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .selectAll("users")
    .select("sessions.expires_at")
    .where("sessions.token_hash", "=", hashToken(token))
    .executeTakeFirst();
  if (!row || new Date(row.expires_at).getTime() < Date.now()) throw unauthorized("session expired or unknown; log in again");
  const { expires_at: _, ...user } = row;
  return caller(user);
}

async function userByExternalIdentity(ctx: Ctx, raw: string, secret: string | undefined): Promise<Caller> {
  const cfg = ctx.settings.externalAuth!;
  if (!secret || !equalHashes(hashToken(secret), hashToken(cfg.secret))) throw unauthorized("external identity from an untrusted source");
  let identity: ExternalIdentity;
  try {
    identity = JSON.parse(raw) as ExternalIdentity;
  } catch {
    throw invalid(cfg.header, "must be a JSON identity {subject, username?, email?, groups?}");
  }
  const shape = parseExternalIdentity(identity);
  if (!shape.ok) throw invalid(shape.field ? `${cfg.header}.${shape.field}` : cfg.header, shape.problem);
  identity = shape.value;
  const nul = nulPath(identity, "");
  if (nul !== undefined) throw invalid(`${cfg.header}.${nul}`, NO_NUL);
  const known = await ctx.db.selectFrom("users").selectAll().where("external_subject", "=", identity.subject).executeTakeFirst();
  if (known) return caller(known);
  const rule = ruleFor(identity, cfg.rules);
  if (!rule) throw forbidden(`no external-auth rule maps identity '${identity.subject}' to a team`);
  const payer = await findUser(ctx.db, rule.payer);
  if (!payer || payer.payer_id !== null) throw forbidden(`external-auth rule names '${rule.payer}', which is not a payer`);
  try {
    const created = await createAccount(ctx, {
      username: usernameFor(identity),
      email: identity.email,
      payer,
      teamAdmin: rule.teamAdmin ?? false,
      externalSubject: identity.subject,
      upn: identity.upn,
      sam: identity.sam,
    });
    return caller(created.user);
  } catch (e) {
    // Several first requests of one identity at once (a portal loading after the
    // login): one creates the account, the others find it instead of a 409.
    if (e instanceof PaddockError && e.code === "conflict") {
      const winner = await ctx.db.selectFrom("users").selectAll().where("external_subject", "=", identity.subject).executeTakeFirst();
      if (winner) return caller(winner);
    }
    throw e;
  }
}

/** Resolve the caller of a request, or throw 401. */
export async function authenticate(ctx: Ctx, req: FastifyRequest): Promise<Caller> {
  const h = req.headers.authorization;
  if (h?.startsWith("Bearer ")) return userBySession(ctx, h.slice(7).trim());
  if (h?.startsWith("Basic ")) {
    const decoded = Buffer.from(h.slice(6).trim(), "base64").toString();
    if (decoded.includes("\u0000")) throw invalid("authorization", NO_NUL);
    const i = decoded.indexOf(":");
    if (i < 0) throw unauthorized("Basic credentials must be <username>:<apikey>");
    return userByApiKey(ctx, decoded.slice(0, i), decoded.slice(i + 1));
  }
  const ext = ctx.settings.externalAuth;
  const identityHeader = ext ? req.headers[ext.header] : undefined;
  if (ext && typeof identityHeader === "string") {
    const secret = req.headers[`${ext.header}-secret`];
    return userByExternalIdentity(ctx, identityHeader, typeof secret === "string" ? secret : undefined);
  }
  const q = req.query as Record<string, unknown> | undefined;
  if (typeof q?.username === "string" && typeof q?.apikey === "string") return userByApiKey(ctx, q.username, q.apikey);
  throw unauthorized("credentials required: a session token, Basic <username>:<apikey>, or username and apikey");
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** "user": the route needs a caller, resolved before the handler (callerOf); "session": a caller with a session token; "none": anyone */
    auth?: "user" | "session" | "none";
  }
  interface FastifyRequest {
    caller: Caller | null;
  }
}

/** The onRequest hook that authenticates the routes declared with `auth: "user"`. */
export function authHook(ctx: Ctx) {
  return async (req: FastifyRequest): Promise<void> => {
    const auth = req.routeOptions.config.auth;
    if (auth === "session" && !req.headers.authorization?.startsWith("Bearer ")) {
      throw invalid("authorization", "no session to end: send the session token ('Authorization: Bearer <token>'); API keys and anonymous requests have no session");
    }
    if (auth === "user" || auth === "session") req.caller = await authenticate(ctx, req);
  };
}

/** The caller of a route declared with `auth: "user"` (the hook resolved it, or answered 401). */
export function callerOf(req: FastifyRequest): Caller {
  if (!req.caller) throw unauthorized("credentials required");
  return req.caller;
}
