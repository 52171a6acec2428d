// Registers an /api route from one declaration: its zod schemas (path
// parameters, query, body, answer) are what Fastify validates and serializes
// with, and what @fastify/swagger turns into /api/openapi.json, so the
// documentation, the types and the checks cannot drift. Authentication is a
// route option: `auth: "user"` (the default) resolves the caller before the
// handler runs (see ./auth.ts, `callerOf`).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";

type Method = "get" | "post" | "put" | "patch" | "delete";
type Schema = z.ZodType;

export interface RouteDoc<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined> {
  summary: string;
  tags: string[];
  /** who may call it, in words (authorization is decided in the handler) */
  access: string;
  /** "user" (default): a caller is required and set on the request; "session": the same, with a session token (else 400); "none": anyone */
  auth?: "user" | "session" | "none";
  params?: P;
  query?: Q;
  body?: B;
  /** answer schemas per status code */
  response?: Record<number, Schema>;
  /** further answers, described in words */
  responses?: Record<string, string>;
}

type Out<S> = S extends Schema ? z.output<S> : unknown;
export type ApiRequest<P, Q, B> = FastifyRequest<{ Params: Out<P>; Querystring: Out<Q>; Body: Out<B> }>;
type Handler<P, Q, B> = (req: ApiRequest<P, Q, B>, reply: FastifyReply) => Promise<unknown>;

/** Answers every /api route may give, described in words in the OpenAPI document. */
const COMMON: Record<string, string> = {
  "400": "invalid input; the error names the field",
  "401": "missing or bad credentials",
  "404": "not found, or not yours",
};

export class Api {
  /** described answers per "<method> <path>", merged into the generated document */
  private readonly described = new Map<string, Record<string, string>>();
  constructor(private readonly app: FastifyInstance) {}

  route<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined>(method: Method, url: string, doc: RouteDoc<P, Q, B>, handler: Handler<P, Q, B>): void {
    this.app.route({
      method: method.toUpperCase() as "GET",
      url,
      config: { auth: doc.auth ?? "user" },
      schema: {
        summary: doc.summary,
        tags: doc.tags,
        description: `Access: ${doc.access}`,
        ...(doc.params ? { params: doc.params } : {}),
        ...(doc.query ? { querystring: doc.query } : {}),
        ...(doc.body ? { body: doc.body } : {}),
        ...(doc.response ? { response: doc.response } : {}),
      },
      handler: handler as (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
    });
    this.described.set(`${method} ${url.replace(/:(\w+)/g, "{$1}")}`, { ...(doc.responses ?? {}), ...COMMON });
  }

  get = <P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(url: string, doc: RouteDoc<P, Q, B>, h: Handler<P, Q, B>) =>
    this.route("get", url, doc, h);
  post = <P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(url: string, doc: RouteDoc<P, Q, B>, h: Handler<P, Q, B>) =>
    this.route("post", url, doc, h);
  put = <P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(url: string, doc: RouteDoc<P, Q, B>, h: Handler<P, Q, B>) =>
    this.route("put", url, doc, h);
  patch = <P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(url: string, doc: RouteDoc<P, Q, B>, h: Handler<P, Q, B>) =>
    this.route("patch", url, doc, h);
  delete = <P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(url: string, doc: RouteDoc<P, Q, B>, h: Handler<P, Q, B>) =>
    this.route("delete", url, doc, h);

  /** The generated OpenAPI document (from @fastify/swagger), with the answers described in words. */
  document(): Record<string, unknown> {
    const doc = structuredClone((this.app as unknown as { swagger(): Record<string, unknown> }).swagger()) as { paths?: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    for (const [p, methods] of Object.entries(doc.paths ?? {})) {
      for (const [m, op] of Object.entries(methods)) {
        const words = this.described.get(`${m} ${p}`) ?? {};
        op.responses ??= {};
        for (const [code, description] of Object.entries(words)) {
          const existing = op.responses[code] as { description?: string } | undefined;
          op.responses[code] = existing ? { ...existing, description } : { description };
        }
        // @fastify/swagger describes a 200 when no answer schema is declared; a route that answers 201 does not answer 200.
        const defaulted = (op.responses["200"] as { description?: string } | undefined)?.description === "Default Response";
        if (defaulted && Object.keys(op.responses).some((c) => c.startsWith("2") && c !== "200")) delete op.responses["200"];
        else if (defaulted) op.responses["200"] = { ...(op.responses["200"] as object), description: "OK" };
        if (!Object.keys(op.responses).some((c) => c.startsWith("2"))) op.responses["200"] = { description: "OK" };
      }
    }
    return doc;
  }
}
