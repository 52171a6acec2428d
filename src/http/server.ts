// The API process's HTTP server: the admin API under /api/, health routes,
// Prometheus metrics on /metrics (unauthenticated, as scrapers expect; no
// tenant, user or job names in them),
// the JARVICE-compatible /jarvice/* API, and the portal (the built single-page
// app in dist/portal, when present; any other GET path falls back to its
// index.html so the portal's own paths survive a reload).
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import helmet from "helmet";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from "fastify";
import { createJsonSchemaTransform, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import type { Ctx } from "../store/ctx";
import { Api } from "./api";
import { authHook } from "./auth";
import { errorHandler, redactUrl } from "./errors";
import { guardInput } from "./inputGuard";
import { METRICS_CONTENT_TYPE, metricsText } from "../lib/metrics";
import { exactMediaTypes, isApiPath, lenientBodies } from "./wire";
import { catalogRoutes, type ClusterStatus } from "./routes/catalog";
import { metadataRoutes } from "./routes/metadata";
import { sessionRoutes } from "./routes/session";
import { userRoutes } from "./routes/users";
import { vaultRoutes } from "./routes/vaults";
import { appRoutes } from "./routes/apps";
import { jarviceRoutes, type JarviceDeps } from "./routes/jarvice";
import { jobRoutes } from "./routes/jobs";
import { limitRoutes } from "./routes/limits";

/** Where `vite build --config portal/vite.config.ts` puts the portal. */
export const PORTAL_DIR = fileURLToPath(new URL("../../dist/portal", import.meta.url));

const zodTransform = createJsonSchemaTransform({});

/**
 * The security headers of every answer. The portal is a built Vite single-page app:
 * module scripts and styles from its own origin only (no inline script); React's
 * style attributes are set through the DOM, which style-src does not govern.
 */
export const HELMET = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      "default-src": ["'self'"],
      "script-src": ["'self'"],
      "style-src": ["'self'", "'unsafe-inline'"],
      "img-src": ["'self'", "data:"],
      "font-src": ["'self'", "data:"],
      "connect-src": ["'self'"],
      "object-src": ["'none'"],
      "base-uri": ["'self'"],
      "form-action": ["'self'"],
      "frame-ancestors": ["'none'"],
    },
  },
  frameguard: { action: "deny" as const },
  // The API is called from scripts on other hosts (JARVICE clients); the portal is same-origin anyway.
  crossOriginResourcePolicy: false,
  crossOriginEmbedderPolicy: false,
  // Served over plain HTTP in development and behind the operator's TLS ingress in production.
  hsts: false,
};

export interface ServerOptions extends JarviceDeps {
  /** pino logging (Fastify's logger): false (tests), true (info) or options such as { level: "warn" } */
  logger?: FastifyServerOptions["logger"];
  portalDir?: string;
  /** several clusters: their reachability for GET /api/clusters, and the registry to resync after a change */
  clusters?: ClusterStatus | undefined;
}

export async function buildServer(ctx: Ctx, opts: ServerOptions = {}): Promise<FastifyInstance> {
  const logger = opts.logger === true ? { level: "info" } : (opts.logger ?? false);
  const app = Fastify({
    logger: logger && typeof logger === "object" ? { ...logger, serializers: { req: (r: { method: string; url: string; ip?: string }) => ({ method: r.method, url: redactUrl(r.url), remoteAddress: r.ip }) } } : logger,
    // One line per request, when it is answered (below), instead of Fastify's two ("incoming request"
    // with the request, "request completed" with only the status): half the log volume of a busy API,
    // and the line an operator searches for has the method, URL, status and time together.
    // (through a LogController: Fastify 5.12 deprecates the top-level option and warns on every start)
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1 << 20,
  });
  if (logger) {
    app.addHook("onResponse", (req, reply, done) => {
      req.log.info({ req, res: reply, responseTime: reply.elapsedTime }, "request completed");
      done();
    });
  }
  app.setErrorHandler(errorHandler);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest("caller", null);
  // helmet's middleware built once: @fastify/helmet built it again on every request (its options parsed
  // each time, ~0.1 ms of the API's ~4.7 ms per submission in a profile at a paced 100/s)
  const securityHeaders = helmet(HELMET);
  app.addHook("onRequest", (req, reply, done) => securityHeaders(req.raw, reply.raw, (err?: unknown) => done(err as Error | undefined)));
  guardInput(app);
  lenientBodies(app);
  exactMediaTypes(app);
  app.addHook("onRequest", authHook(ctx));
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.0.3",
      info: { title: "Paddock admin API", version: "0.1.0", description: "Administration API used by the Paddock portal. Authenticate with a session token (POST /api/login, then 'Authorization: Bearer <token>') or with HTTP Basic '<username>:<apikey>'." },
      components: { securitySchemes: { session: { type: "http", scheme: "bearer" }, apikey: { type: "http", scheme: "basic" } } },
      security: [{ session: [] }, { apikey: [] }],
    },
    // Only the admin API is described here; /jarvice/* follows JARVICE's own OpenAPI.
    transform: (doc) => (doc.url.startsWith("/api/") ? zodTransform(doc) : { schema: { ...doc.schema, hide: true }, url: doc.url }),
  });
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
  catalogRoutes(api, ctx, { clusters: opts.clusters });
  appRoutes(api, ctx);
  jobRoutes(api, ctx, { cluster: opts.cluster, kick: opts.kick });
  limitRoutes(api, ctx, { kick: opts.kick });
  jarviceRoutes(app, ctx, { cluster: opts.cluster, kick: opts.kick });

  app.get("/api/openapi.json", { schema: { hide: true } }, async () => api.document());
  app.get("/api/health", { schema: { hide: true } }, async () => ({ status: "ok" }));
  // Not in /api/openapi.json (not an /api/ route) and not JARVICE's /jarvice/metrics (a job's utilization).
  // The media type is prom-client's, `text/plain; version=0.0.4; charset=utf-8`, which the exact-media-type hook (./wire.ts) leaves alone.
  app.get("/metrics", { schema: { hide: true }, config: { auth: "none" } }, async (_req, reply) => reply.type(METRICS_CONTENT_TYPE).send(await metricsText()));
  await app.ready();
  return app;
}
