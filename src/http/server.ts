// The API process's HTTP server: the admin API under /api/, health routes,
// the JARVICE-compatible /jarvice/* API, and the portal (the built single-page
// app in dist/portal, when present; any other GET path falls back to its
// index.html so the portal's own paths survive a reload).
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyInstance } from "fastify";
import type { Ctx } from "../store/ctx";
import { Api } from "./api";
import { errorHandler } from "./errors";
import { catalogRoutes } from "./routes/catalog";
import { metadataRoutes } from "./routes/metadata";
import { sessionRoutes } from "./routes/session";
import { userRoutes } from "./routes/users";
import { vaultRoutes } from "./routes/vaults";
import { appRoutes } from "./routes/apps";
import { jarviceRoutes, type JarviceDeps } from "./routes/jarvice";
import { jobRoutes } from "./routes/jobs";

/** Where `vite build --config portal/vite.config.ts` puts the portal. */
export const PORTAL_DIR = fileURLToPath(new URL("../../dist/portal", import.meta.url));

const isApiPath = (url: string) => /^\/(api|jarvice)(\/|$|\?)/.test(url);

export async function buildServer(ctx: Ctx, opts: { logger?: boolean; portalDir?: string } & JarviceDeps = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: 1 << 20 });
  app.setErrorHandler(errorHandler);
  const portalDir = opts.portalDir ?? PORTAL_DIR;
  const portal = fs.existsSync(`${portalDir}/index.html`);
  if (portal) await app.register(fastifyStatic, { root: portalDir, prefix: "/", wildcard: true, index: ["index.html"] });
  app.setNotFoundHandler((req, reply) => {
    if (portal && req.method === "GET" && !isApiPath(req.url)) return reply.type("text/html; charset=utf-8").sendFile("index.html");
    return reply.status(404).send({ error: `no route ${req.method} ${req.url.split("?")[0]}` });
  });

  const api = new Api(app);
  sessionRoutes(api, ctx);
  userRoutes(api, ctx);
  vaultRoutes(api, ctx);
  metadataRoutes(api, ctx);
  catalogRoutes(api, ctx);
  appRoutes(api, ctx);
  jobRoutes(api, ctx, { cluster: opts.cluster, kick: opts.kick });
  jarviceRoutes(app, ctx, { cluster: opts.cluster, kick: opts.kick });

  app.get("/api/openapi.json", async () => api.document());
  app.get("/api/health", async () => ({ status: "ok" }));
  app.get("/jarvice/live", async () => ({ status: "ok" }));
  app.get("/jarvice/ready", async (_req, reply) => {
    try {
      await ctx.db.selectFrom("zones").select("id").limit(1).execute();
      return { status: "ready" };
    } catch (e) {
      return reply.status(503).send({ status: "not ready", error: (e as Error).message });
    }
  });
  await app.ready();
  return app;
}
