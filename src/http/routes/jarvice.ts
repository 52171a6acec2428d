// The JARVICE-compatible API (/jarvice/*): same paths, query parameters, JSON
// keys, statuses and codes as the public JARVICE OpenAPI. Every route answers
// GET and POST (registered with `route`, ../wire.ts jarviceRoute): query
// parameters, or the same keys in a JSON or form body. Routes authenticate with
// `username` and `apikey` (query or body); /jarvice/submit with the `user`
// object in its body. Routes not built yet answer 501.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { invalid, notFound, forbidden, PaddockError } from "../../core/errors";
import { managesTenant, tenantOf } from "../../core/tenancy";
import { hasZoneAccess } from "../../core/zoneAccess";
import type { Ctx } from "../../store/ctx";
import { listMachines } from "../../catalog/catalog";
import type { ClusterBackend } from "../../cluster/cluster";
import { findApp, listApps } from "../../jobs/apps";
import { submitJob } from "../../jobs/submit";
import { timedSubmit } from "../../jobs/jobMetrics";
import { DEFAULT_LINES, jobInfo, jobOutput, linesParam, requestStop } from "../../jobs/actions";
import { jobEntry, jobField, jobPage, jobsOf, visibleJob } from "../../jobs/views";
import { heldVaults, vaultJson, zoneAccessOfUser } from "../../vaults/vaults";
import { submitBatch } from "../../jobs/batch";
import { validateAppDef } from "../../jobs/validate";
import { jobEvents } from "../../jobs/events";
import { billingReport } from "../../jobs/billing";
import { queues } from "../../jobs/queues";
import { userByApiKey, type Caller } from "../../accounts/credentials";
import type { z } from "zod";
import { NAME_MAX, optional, query, SECRET_MAX, TEXT_MAX } from "../schemas";
import { jarviceRoute } from "../wire";

/** JARVICE's booleans in query strings: true/false in any case, 1 or 0 (spec/api.md); anything else is a 400. */
export const jarviceBool = () =>
  optional(8)
    .refine((v) => v === undefined || /^(true|false|1|0)$/i.test(v), "must be true or false")
    .transform((v) => (v === undefined ? undefined : /^(true|1)$/i.test(v)));

/** The query parameters of the /jarvice/* GET routes (unknown ones are kept, as JARVICE ignores them). */
export const jarviceQuery = query({
  username: optional(NAME_MAX),
  apikey: optional(SECRET_MAX),
  number: optional(32).describe("job number"),
  name: optional(NAME_MAX).describe("job name, machine name or application id"),
  lines: optional(16),
  completed: jarviceBool(),
  details: jarviceBool(),
  vault: optional(NAME_MAX),
  path: optional(TEXT_MAX),
  limit: optional(16).describe("jobs lists: at most this many (1 to 1000, the default), newest first"),
  before: optional(16).describe("jobs lists: only jobs numbered below this"),
});
type JarviceQuery = z.output<typeof jarviceQuery>;
const queryOf = (req: FastifyRequest) => req.query as JarviceQuery;

export interface JarviceDeps {
  cluster?: ClusterBackend | undefined;
  /** wake the job controller after a submission or a stop request (for that job; without a number: every job) */
  kick?: ((jobNumber?: number) => void) | undefined;
}

/** Paths of the JARVICE OpenAPI that this release does not serve yet. */
export const NOT_YET = ["action", "build", "history", "license", "metrics", "projects", "pull", "screenshot", "signal"];

/** Why the API cannot serve now (the database, or the cluster, does not answer), or undefined when it can. */
async function notReady(ctx: Ctx, cluster: ClusterBackend | undefined): Promise<string | undefined> {
  try {
    await ctx.db.selectFrom("zones").select("id").limit(1).execute();
  } catch (e) {
    return `database: ${(e as Error).message}`;
  }
  try {
    await cluster?.ready?.();
  } catch (e) {
    return `cluster: ${(e as Error).message}`;
  }
  return undefined;
}

export function jarviceRoutes(app: FastifyInstance, ctx: Ctx, deps: JarviceDeps): void {
  const { db } = ctx;

  /**
   * Register /jarvice/<name> for GET and POST. By default its parameters are the
   * query's, with a POST body's keys merged in, checked by `jarviceQuery` (pass
   * `{ querystring: <zod schema> }` for other parameters: build it from
   * jarviceQuery.extend({...}) or with `query()` and `jarviceBool()`); with
   * `{ raw: true }` neither: the handler reads `req.body` (submit, batch, validate)
   * or nothing (live, ready) itself.
   */
  const route = (name: string, handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>, opts: { querystring?: z.ZodType; raw?: boolean } = {}) =>
    jarviceRoute(app, `/jarvice/${name}`, opts.raw ? { params: "body" } : { schema: { querystring: opts.querystring ?? jarviceQuery } }, handler);

  async function caller(req: FastifyRequest): Promise<Caller> {
    const { username, apikey } = queryOf(req);
    if (!username || !apikey) throw new PaddockError("unauthorized", "username and apikey are required");
    return userByApiKey(ctx, username, apikey);
  }

  const teamManager = (c: Caller) => {
    if (!managesTenant(c.account, tenantOf(c.account))) throw forbidden("team jobs and users are for payers and team admins");
  };

  // Health (no credentials): JARVICE's bodies. Ready: the database answers, and the cluster if the backend can tell
  // (several clusters: at least one; those that do not answer are listed in `unreachable`).
  route("live", async () => ({ status: "OK" }), { raw: true });
  route(
    "ready",
    async (_req, reply) => {
      const problem = await notReady(ctx, deps.cluster);
      if (problem !== undefined) return reply.status(503).send({ status: "not ready", error: problem });
      // Several clusters: one that does not answer holds up only its own jobs; the API stays ready and says which.
      const unreachable = (await deps.cluster?.problems?.().catch(() => [])) ?? [];
      return unreachable.length === 0 ? { status: "OK" } : { status: "OK", unreachable };
    },
    { raw: true },
  );

  route(
    "submit",
    async (req) => {
      const submitted = await timedSubmit(() => submitJob(ctx, req.body));
      deps.kick?.(submitted.number);
      return submitted;
    },
    { raw: true },
  );

  route("status", async (req) => {
    const c = await caller(req);
    const job = await visibleJob(db, c.account, queryOf(req));
    return { [job.number]: jobEntry(job) };
  });

  for (const [path, team] of [
    ["jobs", false],
    ["teamjobs", true],
  ] as const) {
    route(path, async (req) => {
      const c = await caller(req);
      if (team) teamManager(c);
      const completed = queryOf(req).completed === true;
      const jobs = await jobsOf(db, team ? { tenantId: tenantOf(c.account) } : { ownerId: c.account.id }, completed, jobPage(queryOf(req)));
      return Object.fromEntries(jobs.map((j) => [j.number, jobEntry(j)]));
    });
  }

  route("teamusers", async (req) => {
    const c = await caller(req);
    teamManager(c);
    const t = tenantOf(c.account);
    const users = await db.selectFrom("users").select(["username", "email", "full_name"]).where((eb) => eb.or([eb("id", "=", t), eb("payer_id", "=", t)])).orderBy("username").execute();
    return Object.fromEntries(users.map((u) => [u.username, { name: u.full_name || u.username, email: u.email }]));
  });

  route("info", async (req) => {
    const c = await caller(req);
    const job = await visibleJob(db, c.account, queryOf(req));
    return jobInfo(db, deps.cluster, job, jobField(queryOf(req)));
  });

  route("connect", async (req) => {
    const c = await caller(req);
    const job = await visibleJob(db, c.account, queryOf(req));
    const { address } = await jobInfo(db, deps.cluster, job, jobField(queryOf(req)));
    return { address, password: "" };
  });

  for (const [path, kind] of [
    ["shutdown", "shutdown"],
    ["terminate", "terminate"],
  ] as const) {
    route(path, async (req) => {
      const c = await caller(req);
      const job = await visibleJob(db, c.account, queryOf(req));
      const answer = await requestStop(db, job, kind, jobField(queryOf(req)));
      deps.kick?.(job.number);
      return answer;
    });
  }

  for (const path of ["output", "tail"]) {
    route(path, async (req, reply) => {
      const c = await caller(req);
      const q = queryOf(req);
      const job = await visibleJob(db, c.account, q);
      const text = await jobOutput(deps.cluster, job, linesParam(q.lines, DEFAULT_LINES));
      void reply.type("text/plain");
      return text;
    });
  }

  route("machines", async (req) => {
    const c = await caller(req);
    const q = queryOf(req);
    const name = q.name;
    const vaultName = q.vault;
    const access = await zoneAccessOfUser(db, c.account.id);
    let machines = (await listMachines(db)).filter((m) => hasZoneAccess(access, m.zone));
    if (vaultName) {
      const vault = (await heldVaults(db, c.account.id)).find((h) => h.vault.name === vaultName)?.vault;
      if (!vault) throw notFound(`vault '${vaultName}'`);
      if (vault.zoneId !== null) machines = machines.filter((m) => m.zone === vault.zoneId);
    }
    if (name) machines = machines.filter((m) => m.name === name);
    return Object.fromEntries(
      machines.map((m) => [
        m.name,
        {
          mc_name: m.name,
          mc_description: m.description,
          mc_cores: m.cores,
          mc_slots: m.cores,
          mc_gpus: m.gpus,
          mc_ram: m.memoryGb,
          mc_arch: m.arch,
          mc_price: m.price,
          mc_scale_min: 1,
          mc_scale_max: m.maxNodes,
          mc_zone: m.zone,
          mc_cluster: m.cluster,
          mc_per_node: m.perNode,
        },
      ]),
    );
  });

  route("apps", async (req) => {
    // anonymous callers see the public apps too (JARVICE); credentials given must be right
    const q = queryOf(req);
    if (q.username !== undefined || q.apikey !== undefined) await caller(req);
    const name = queryOf(req).name;
    const apps = (await listApps(db)).filter((a) => a.public && (!name || a.id === name));
    return Object.fromEntries(apps.map((a) => [a.id, { id: a.id, data: a.appdef, price: 0, arch: "x86_64", updated: a.updated, certified: false }]));
  });

  route("appdef", async (req) => {
    await caller(req);
    const name = queryOf(req).name;
    if (!name) throw invalid("name", "is required: the application id");
    const found = await findApp(db, name);
    if (!found || !found.public) throw notFound(`app '${name}'`);
    return found.appdef;
  });

  route("vault", async (req) => {
    const c = await caller(req);
    const q = queryOf(req);
    const name = q.vault;
    const held = await heldVaults(db, c.account.id);
    if (name) {
      const h = held.find((x) => x.vault.name === name);
      if (!h) throw notFound(`vault '${name}'`);
      if (q.path !== undefined) {
        // An ephemeral vault is scratch space for a job's life: between jobs it holds no files.
        if (h.vault.kind === "ephemeral") return [];
        throw new PaddockError("not_implemented", `vault '${name}' (${h.vault.kind}) does not support file listing`);
      }
      return vaultJson(h);
    }
    return held.map((h) => vaultJson(h));
  });

  // ---- second-release routes (spec/api.md) ----

  route(
    "batch",
    async (req) => {
      const submitted = await timedSubmit(() => submitBatch(ctx, req.body));
      deps.kick?.(submitted.number);
      return submitted;
    },
    { raw: true },
  );

  route("validate", async (req) => validateAppDef(req.body), { raw: true });

  route("events", async (req, reply) => {
    const c = await caller(req);
    const text = await jobEvents(db, deps.cluster, c.account, queryOf(req));
    void reply.type("text/plain");
    return text;
  });

  route(
    "billing",
    async (req, reply) => {
      const c = await caller(req);
      const csv = await billingReport(db, c.account, req.query as z.output<typeof billingQuery>);
      void reply.type("text/csv");
      return csv;
    },
    { querystring: billingQuery },
  );

  route(
    "queues",
    async (req) => {
      const c = await caller(req);
      return queues(db, c.account, req.query as z.output<typeof queuesQuery>);
    },
    { querystring: queuesQuery },
  );

  for (const p of NOT_YET) {
    const handler = async () => {
      throw new PaddockError("not_implemented", `/jarvice/${p} is not implemented in this release of Paddock`);
    };
    route(p, handler, { raw: true });
  }
}

/** /jarvice/billing's filters (the JARVICE OpenAPI's; formats checked by the billing service, which names the field). */
const billingQuery = query({
  username: optional(NAME_MAX),
  apikey: optional(SECRET_MAX),
  reportuser: optional(TEXT_MAX).describe("comma-separated user names; a payer stands for its whole team"),
  zone: optional(NAME_MAX).describe("zone id or name of the jobs' machines"),
  billingcode: optional(16).describe("payers' billing code (integer)"),
  statuses: optional(TEXT_MAX).describe("comma-separated job statuses"),
  machtypes: optional(TEXT_MAX).describe("comma-separated machine types"),
  jobapp: optional(NAME_MAX).describe("application id"),
  itemized: jarviceBool().describe("true: one line per job"),
  timeperiod: optional(16).describe("last, current or range (UTC months)"),
  startdate: optional(16).describe("YYYY-MM-DD, with timeperiod=range"),
  enddate: optional(16).describe("YYYY-MM-DD (included), with timeperiod=range"),
});

/** /jarvice/queues: one queue or all, and whether to show its details. */
const queuesQuery = query({
  username: optional(NAME_MAX),
  apikey: optional(SECRET_MAX),
  name: optional(NAME_MAX).describe("queue name (default all)"),
  info: jarviceBool().describe("true: the queues keyed by name, with app, machine, size and depth"),
});
