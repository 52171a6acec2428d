// A Paddock API on a fresh database, driven in-process with fastify.inject,
// with helpers to create callers of each kind.
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { parseSettings, type Settings } from "../src/config/settings";
import { ensureFirstAdmin } from "../src/accounts/bootstrap";
import { buildServer } from "../src/http/server";
import type { OpenedDatabase } from "../src/store/db";
import { freshDatabase } from "./db";

export interface Creds {
  username: string;
  apikey: string;
  password?: string;
}

export interface TestApp {
  app: FastifyInstance;
  opened: OpenedDatabase;
  settings: Settings;
  admin: Creds;
  /** call the API as `as` (HTTP Basic username:apikey), or anonymously */
  call(method: string, url: string, opts?: { as?: Creds; body?: unknown; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  /** invite a payer as the system administrator; returns its credentials */
  payer(username: string, body?: Record<string, unknown>): Promise<Creds>;
  /** invite a member into `payer`'s team, as `by` (default: the admin) */
  member(username: string, payer: string, opts?: { teamAdmin?: boolean; by?: Creds }): Promise<Creds>;
  close(): Promise<void>;
}

export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const { settings } = parseSettings(env);
  const opened = await freshDatabase();
  const ctx = { db: opened.db, settings };
  const first = await ensureFirstAdmin(ctx);
  const app = await buildServer(ctx);
  const admin: Creds = { username: first!.username, apikey: first!.apikey, password: first!.password };

  const call: TestApp["call"] = (method, url, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.as) headers.authorization = `Basic ${Buffer.from(`${opts.as.username}:${opts.as.apikey}`).toString("base64")}`;
    return app.inject({ method: method as "GET", url, headers, ...(opts.body !== undefined ? { payload: opts.body as object } : {}) });
  };

  const created = (r: LightMyRequestResponse, what: string): Creds => {
    if (r.statusCode !== 201) throw new Error(`creating ${what} answered ${r.statusCode}: ${r.body}`);
    const j = r.json() as { user: { username: string }; apikey: string; password?: string };
    return { username: j.user.username, apikey: j.apikey, ...(j.password ? { password: j.password } : {}) };
  };

  return {
    app,
    opened,
    settings,
    admin,
    call,
    payer: async (username, body = {}) => created(await call("POST", "/api/users", { as: admin, body: { username, ...body } }), `payer ${username}`),
    member: async (username, payer, opts = {}) =>
      created(await call("POST", "/api/users", { as: opts.by ?? admin, body: { username, payer, ...(opts.teamAdmin ? { teamAdmin: true } : {}) } }), `member ${username}`),
    close: async () => {
      await app.close();
      await opened.close();
    },
  };
}
