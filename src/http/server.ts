// The API process's HTTP server: the admin API under /api/, health routes,
// the JARVICE-compatible /jarvice/* API (and, later, the portal).
import Fastify, { type FastifyInstance } from "fastify";
import type { Ctx } from "../accounts/accounts";
import { Api } from "./api";
import { errorHandler } from "./errors";
import { catalogRoutes } from "./routes/catalog";
import { metadataRoutes } from "./routes/metadata";
import { sessionRoutes } from "./routes/session";
import { userRoutes } from "./routes/users";
import { vaultRoutes } from "./routes/vaults";
import { appRoutes } from "./routes/apps";
import { jarviceRoutes, type JarviceDeps } from "./routes/jarvice";

export async function buildServer(ctx: Ctx, opts: { logger?: boolean } & JarviceDeps = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: 1 << 20 });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ error: `no route ${req.method} ${req.url.split("?")[0]}` });
  });

  const api = new Api(app);
  sessionRoutes(api, ctx);
  userRoutes(api, ctx);
  vaultRoutes(api, ctx);
  metadataRoutes(api, ctx);
  catalogRoutes(api, ctx);
  appRoutes(api, ctx);
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
