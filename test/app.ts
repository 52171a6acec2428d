// A Paddock API on a fresh database, driven in-process with fastify.inject,
// with helpers to create callers of each kind. With `simulated`, also the
// demo catalog, a simulated cluster and a job controller, wired as in
// src/main.ts but with fast timings.
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseSettings, type Settings } from "../src/config/settings";
import { ensureFirstAdmin } from "../src/accounts/bootstrap";
import { seedDemoCatalog } from "../src/catalog/demo";
import { SimulatedCluster } from "../src/cluster/simulated";
import { buildServer, type ServerOptions } from "../src/http/server";
import type { JarviceDeps } from "../src/http/routes/jarvice";
import type { ClusterStatus } from "../src/http/routes/catalog";
import { JobController } from "../src/jobs/controller";
import { releaseHeld } from "../src/jobs/admission";
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
  /** with `simulated`: the cluster the jobs run on */
  cluster?: SimulatedCluster;
  /** with `simulated`: the running job controller (replaced by restartController) */
  readonly controller: JobController | undefined;
  /** with `simulated`: stop the job controller and start a new one on the same database and cluster, as a process restart would */
  restartController(): Promise<JobController>;
  close(): Promise<void>;
}

const NO_PORTAL = path.join(tmpdir(), "paddock-no-portal");

export interface SimulatedOptions {
  /** simulated nodes (default 4), each with nodeCores cores (16) and nodeMemoryGb GB (64) */
  nodes?: number;
  nodeCores?: number;
  nodeMemoryGb?: number;
  /** from bound to Running (default 50 ms) */
  startDelayMs?: number;
  /** the cluster's clock (default 20 ms) */
  tickMs?: number;
  /** the controller's periodic reconcile (default 50 ms) */
  resyncMs?: number;
  multiTenant?: boolean;
}

export interface TestAppOptions {
  /** seed the demo catalog (machines n4/n8/n16, app "demo") and run jobs on a simulated cluster */
  simulated?: SimulatedOptions;
  /** or: the cluster and controller kick the API should use (the Kubernetes tier brings its own) */
  backend?: JarviceDeps & { clusters?: ClusterStatus };
  /**
   * A built portal to serve. Default none, whatever dist/portal holds on this machine:
   * the API's answers must not depend on whether someone ran `npm start` here.
   */
  portalDir?: string;
  /** the API's logger (default none), as buildServer takes it */
  logger?: ServerOptions["logger"];
}

export async function startTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const { settings } = parseSettings(env);
  settings.secretKey ??= randomBytes(32); // main.ts: PADDOCK_SECRET_KEY or the data directory's key
  const opened = await freshDatabase();
  const ctx = { db: opened.db, settings };
  const first = await ensureFirstAdmin(ctx);

  let cluster: SimulatedCluster | undefined;
  let controller: JobController | undefined;
  const sim = options.simulated;
  const newController = () => {
    const c = new JobController(opened.db, cluster!, { namespace: settings.JARVICE_JOBS_NAMESPACE, resyncMs: sim?.resyncMs ?? 50, admission: { releaseHeld: () => releaseHeld(opened.db) } });
    c.start();
    return c;
  };
  if (sim) {
    const nodeCores = sim.nodeCores ?? 16;
    const nodeMemoryGb = sim.nodeMemoryGb ?? 64;
    await seedDemoCatalog(opened.db, nodeCores, nodeMemoryGb);
    cluster = new SimulatedCluster(
      Array.from({ length: sim.nodes ?? 4 }, (_, i) => ({ name: `sim-node-${i}`, cores: nodeCores, memoryGb: nodeMemoryGb })),
      { multiTenant: sim.multiTenant ?? false, startDelayMs: sim.startDelayMs ?? 50, tickMs: sim.tickMs ?? 20 },
    );
    controller = newController();
  }
  const deps = cluster ? { cluster, kick: (n?: number) => controller?.kick(n) } : (options.backend ?? {});
  const app = await buildServer(ctx, { ...deps, portalDir: options.portalDir ?? NO_PORTAL, ...(options.logger !== undefined ? { logger: options.logger } : {}) });
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
    ...(cluster ? { cluster } : {}),
    get controller() {
      return controller;
    },
    restartController: async () => {
      if (!cluster || !controller) throw new Error("restartController needs startTestApp(env, { simulated: ... })");
      await controller.stop();
      controller = newController();
      return controller;
    },
    payer: async (username, body = {}) => created(await call("POST", "/api/users", { as: admin, body: { username, ...body } }), `payer ${username}`),
    member: async (username, payer, opts = {}) =>
      created(await call("POST", "/api/users", { as: opts.by ?? admin, body: { username, payer, ...(opts.teamAdmin ? { teamAdmin: true } : {}) } }), `member ${username}`),
    close: async () => {
      await app.close();
      await controller?.stop();
      await cluster?.close();
      await opened.close();
    },
  };
}
