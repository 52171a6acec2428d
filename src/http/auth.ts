// Who is calling: a portal session (Authorization: Bearer), an API key
// (HTTP Basic username:apikey, or JARVICE's username/apikey query parameters),
// or an identity relayed by a trusted authenticating proxy (external auth),
// which creates the team member on first sight.
import type { FastifyRequest } from "fastify";
import { unauthorized, forbidden, invalid, PaddockError, tooManyRequests } from "../core/errors";
import { parseExternalIdentity, ruleFor, usernameCandidate, usernameFor, type ExternalIdentity } from "../core/externalAuth";
import { LOGIN_POLICY, retryAfterMs, withFailure, type ThrottlePolicy } from "../core/loginThrottle";
import { createAccount, findUser } from "../accounts/accounts";
import { caller, equalHashes, userByApiKey, userByPassword, usersWithPayer, WRONG_APIKEY, type Caller } from "../accounts/credentials";
import type { Ctx } from "../store/ctx";
import type { Db } from "../store/db";
import { hashToken, newSessionToken } from "../accounts/secrets";
import { NO_NUL } from "./schemas";

/** The newest sessions a user keeps; logging in once more ends the oldest. */
export const SESSIONS_PER_USER = 20;

/**
 * Failed logins per user name and per client address, kept in this process's memory (one map per
 * database handle, i.e. per server): a restart forgets them, and several replicas each count their own.
 */
class FailedLogins {
  private readonly byKey = new Map<string, number[]>();
  constructor(private readonly policy: ThrottlePolicy) {}
  retryAfterMs(key: string, now: number): number {
    return retryAfterMs(this.byKey.get(key) ?? [], now, this.policy);
  }
  fail(key: string, now: number): void {
    const failures = withFailure(this.byKey.get(key) ?? [], now, this.policy);
    this.byKey.delete(key); // re-inserted last: the map's order is least recently failed first
    this.byKey.set(key, failures);
    // Bounded memory: forget the least recently failed keys beyond 10,000.
    for (const k of this.byKey.keys()) {
      if (this.byKey.size <= 10_000) break;
      this.byKey.delete(k);
    }
  }
  clear(key: string): void {
    this.byKey.delete(key);
  }
}

const throttles = new WeakMap<Db, { users: FailedLogins; addresses: FailedLogins }>();
function throttleOf(ctx: Ctx) {
  let t = throttles.get(ctx.db);
  if (!t) throttles.set(ctx.db, (t = { users: new FailedLogins(LOGIN_POLICY.perUser), addresses: new FailedLogins(LOGIN_POLICY.perAddress) }));
  return t;
}

/**
 * A portal session for a user name and its password, or (secret.apikey) its API key. Repeated
 * failures for one user name or from one client `address` answer 429 with a Retry-After for a while.
 */
export async function login(ctx: Ctx, username: string, secret: { password: string } | { apikey: string }, address = "unknown"): Promise<{ token: string; expires: Date; caller: Caller }> {
  const throttle = throttleOf(ctx);
  const userKey = username.toLowerCase();
  const now = Date.now();
  const waitMs = Math.max(throttle.users.retryAfterMs(userKey, now), throttle.addresses.retryAfterMs(address, now));
  if (waitMs > 0) {
    const s = Math.ceil(waitMs / 1000);
    throw tooManyRequests(`too many failed logins for this user name or from this address; retry in ${s} s (after ${new Date(now + s * 1000).toISOString()})`, s);
  }
  let c: Caller;
  try {
    c = "apikey" in secret ? await userByApiKey(ctx, username, secret.apikey, WRONG_APIKEY) : await userByPassword(ctx, username, secret.password);
  } catch (e) {
    if (e instanceof PaddockError && e.code === "unauthorized") {
      throttle.users.fail(userKey, Date.now());
      throttle.addresses.fail(address, Date.now());
    }
    throw e;
  }
  throttle.users.clear(userKey);
  const user = c.user;
  const token = newSessionToken();
  const expires = new Date(Date.now() + ctx.settings.sessionTtlMs);
  await ctx.db.deleteFrom("sessions").where("expires_at", "<", new Date()).execute();
  // A session made from an API key remembers the key's hash: regenerating the key ends it.
  await ctx.db
    .insertInto("sessions")
    .values({ token_hash: hashToken(token), user_id: user.id, expires_at: expires, apikey_hash: "apikey" in secret ? user.apikey_hash : null })
    .execute();
  await ctx.db
    .deleteFrom("sessions")
    .where("user_id", "=", user.id)
    .where("token_hash", "not in", (eb) => eb.selectFrom("sessions").select("token_hash").where("user_id", "=", user.id).orderBy("expires_at", "desc").limit(SESSIONS_PER_USER))
    .execute();
  return { token, expires, caller: c };
}

export async function logout(ctx: Ctx, token: string): Promise<void> {
  await ctx.db.deleteFrom("sessions").where("token_hash", "=", hashToken(token)).execute();
}

const SESSION_GONE = "session expired or unknown; log in again";

async function userBySession(ctx: Ctx, token: string): Promise<Caller> {
  const row = await usersWithPayer(ctx.db)
    .innerJoin("sessions", "sessions.user_id", "users.id")
    .select("sessions.expires_at")
    .where("sessions.token_hash", "=", hashToken(token))
    .executeTakeFirst();
  if (!row || new Date(row.expires_at).getTime() < Date.now()) throw unauthorized(SESSION_GONE);
  const { expires_at: _, ...user } = row;
  return caller(user, SESSION_GONE);
}

/** How many names an external identity tries (its derived name, then name-2, name-3, ...) before giving up. */
const EXTERNAL_NAME_TRIES = 50;

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
  const bySubject = () => usersWithPayer(ctx.db).where("users.external_subject", "=", identity.subject).executeTakeFirst();
  const known = await bySubject();
  if (known) return caller(known);
  const rule = ruleFor(identity, cfg.rules);
  if (!rule) throw forbidden(`no external-auth rule maps identity '${identity.subject}' to a team`);
  const payer = await findUser(ctx.db, rule.payer);
  if (!payer || payer.payer_id !== null) throw forbidden(`external-auth rule names '${rule.payer}', which is not a payer`);
  const base = usernameFor(identity);
  for (let n = 1; n <= EXTERNAL_NAME_TRIES; n++) {
    try {
      const created = await createAccount(ctx, {
        username: usernameCandidate(base, n),
        email: identity.email,
        payer,
        teamAdmin: rule.teamAdmin ?? false,
        externalSubject: identity.subject,
        upn: identity.upn,
        sam: identity.sam,
      });
      return caller({ ...created.user, payer_disabled: payer.disabled });
    } catch (e) {
      if (!(e instanceof PaddockError && e.code === "conflict")) throw e;
      // Several first requests of one identity at once (a portal loading after the
      // login): one creates the account, the others find it instead of a 409.
      const winner = await bySubject();
      if (winner) return caller(winner);
      // The name is someone else's: try the next one.
      if (e.field !== "username") throw e;
    }
  }
  throw new PaddockError("conflict", `username: '${base}' and its next ${EXTERNAL_NAME_TRIES - 1} numbered variants are all taken`, "username");
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
