// Registers a route and describes it in the OpenAPI document at the same time,
// so /api/openapi.json cannot drift from what is served.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

type Method = "get" | "post" | "put" | "patch" | "delete";

export interface RouteDoc {
  summary: string;
  tags: string[];
  /** who may call it, in words (authorization is enforced in the handler) */
  access: string;
  body?: Record<string, unknown>;
  query?: Record<string, string>;
  responses?: Record<string, string>;
}

type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export class Api {
  readonly paths: Record<string, Record<string, unknown>> = {};
  constructor(private readonly app: FastifyInstance) {}

  route(method: Method, url: string, doc: RouteDoc, handler: Handler): void {
    this.app.route({ method: method.toUpperCase() as "GET", url, handler });
    const oaPath = url.replace(/:(\w+)/g, "{$1}");
    const params = [...url.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    const query = Object.entries(doc.query ?? {}).map(([name, description]) => ({ name, in: "query", required: false, description, schema: { type: "string" } }));
    this.paths[oaPath] ??= {};
    this.paths[oaPath][method] = {
      summary: doc.summary,
      tags: doc.tags,
      description: `Access: ${doc.access}`,
      parameters: [...params, ...query],
      ...(doc.body ? { requestBody: { content: { "application/json": { schema: { type: "object", properties: doc.body } } } } } : {}),
      responses: {
        ...(doc.responses ?? { "200": "OK" }),
        "400": "invalid input; the error names the field",
        "401": "missing or bad credentials",
        "404": "not found, or not yours",
      },
    };
  }

  get = (url: string, doc: RouteDoc, h: Handler) => this.route("get", url, doc, h);
  post = (url: string, doc: RouteDoc, h: Handler) => this.route("post", url, doc, h);
  put = (url: string, doc: RouteDoc, h: Handler) => this.route("put", url, doc, h);
  patch = (url: string, doc: RouteDoc, h: Handler) => this.route("patch", url, doc, h);
  delete = (url: string, doc: RouteDoc, h: Handler) => this.route("delete", url, doc, h);

  document(): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const [p, methods] of Object.entries(this.paths)) {
      paths[p] = {};
      for (const [m, op] of Object.entries(methods)) {
        const o = op as { responses: Record<string, string> };
        paths[p][m] = { ...o, responses: Object.fromEntries(Object.entries(o.responses).map(([code, d]) => [code, { description: d }])) };
      }
    }
    return {
      openapi: "3.0.3",
      info: { title: "Paddock admin API", version: "0.1.0", description: "Administration API used by the Paddock portal. Authenticate with a session token (POST /api/login, then 'Authorization: Bearer <token>') or with HTTP Basic '<username>:<apikey>'." },
      components: { securitySchemes: { session: { type: "http", scheme: "bearer" }, apikey: { type: "http", scheme: "basic" } } },
      security: [{ session: [] }, { apikey: [] }],
      paths,
    };
  }
}
