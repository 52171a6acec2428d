// The wire rules existing JARVICE clients depend on (spec/api.md, "Wire rules
// that existing clients depend on"), kept at one place for every route:
// - media types exactly `application/json` and `text/plain`, never with a
//   `; charset=...` suffix (the legacy Python clients compare the header string);
// - on /jarvice/*, a POST body with no Content-Type, a form type or text/plain is
//   read as JSON when it holds JSON (jobperf, `curl -d`), else as form fields;
// - every /jarvice/* route answers GET and POST, the body's keys read as query
//   parameters (jarviceRoute).
// The body limit (the server's bodyLimit) and the depth and NUL guards of
// ./inputGuard.ts apply to these bodies as to JSON ones.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from "fastify";
import { invalid } from "../core/errors";
import { jsonDepth, MAX_DEPTH } from "./inputGuard";

/** JSON is UTF-8 by definition (RFC 8259): no charset parameter is needed, and the legacy clients refuse one. */
const CHARSET = /^\s*(application\/json|text\/plain)\s*;\s*charset=utf-8\s*$/i;

/**
 * Strip Fastify's `; charset=utf-8` from JSON answers everywhere and from text answers of the API (the portal's own files
 * keep theirs, and so do downloads: a file saved by a browser needs its charset).
 */
export function exactMediaTypes(app: FastifyInstance): void {
  app.addHook("onSend", async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const type = reply.getHeader("content-type");
    const m = typeof type === "string" ? CHARSET.exec(type) : null;
    const download = String(reply.getHeader("content-disposition") ?? "").startsWith("attachment");
    if (m && (m[1]!.toLowerCase() === "application/json" || (isApiPath(req.url) && !download))) void reply.header("content-type", m[1]!.toLowerCase());
    return payload;
  });
}

export const isApiPath = (url: string) => /^\/(api|jarvice)(\/|$|\?)/.test(url);
const isJarvicePath = (url: string) => /^\/jarvice(\/|$|\?)/.test(url);

/** An error Fastify's error handler answers with its status code (as Fastify's own 415). */
function unsupported(type: string): Error {
  return Object.assign(new Error(`unsupported media type '${type}'; send application/json`), { statusCode: 415 });
}

/** Form fields (`a=1&b=2`) as an object; a key given twice keeps its last value. */
function formFields(text: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(text));
}

/**
 * Body parsers for what JARVICE clients send besides `application/json`: on
 * /jarvice/* paths, no Content-Type, `application/x-www-form-urlencoded` or
 * `text/plain` holding JSON is read as JSON (depth-bounded, as ./inputGuard's
 * JSON parser), anything else as form fields. Other paths keep answering 415
 * (a cross-site form cannot post JSON to the admin API).
 */
export function lenientBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  const parser = (req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    const type = req.headers["content-type"] ?? "";
    if (!isJarvicePath(req.url)) {
      done(unsupported(type));
      return;
    }
    const text = typeof body === "string" ? body : body.toString("utf8");
    const trimmed = text.trimStart();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      if (jsonDepth(text) > MAX_DEPTH) {
        done(invalid("body", `is nested deeper than ${MAX_DEPTH} levels`));
        return;
      }
      parseJson(req, text, done);
      return;
    }
    done(null, text.trim() === "" ? undefined : formFields(text.trim()));
  };
  app.addContentTypeParser(["application/x-www-form-urlencoded", "text/plain"], { parseAs: "string" }, parser);
  // no Content-Type at all (and any type no other parser takes: refused by the parser unless it is absent)
  app.addContentTypeParser("*", { parseAs: "string" }, (req, body, done) => {
    const type = req.headers["content-type"];
    if (type !== undefined && type !== "") {
      done(unsupported(type));
      return;
    }
    parser(req, body, done);
  });
}

/** A scalar body value as a query string would carry it; objects and arrays are kept (the route's schema refuses them, naming the key). */
const asQueryValue = (v: unknown): unknown => (typeof v === "number" || typeof v === "boolean" ? String(v) : v);

/** The request's parameters: the query, with the keys of a JSON or form body that the query does not give. */
export function mergedParams(query: unknown, body: unknown): Record<string, unknown> {
  const q = (query ?? {}) as Record<string, unknown>;
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ...q };
  const fromBody = Object.fromEntries(Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, asQueryValue(v)]));
  return { ...fromBody, ...q };
}

export type JarviceHandler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/**
 * Register a /jarvice/* route for both GET and POST (JARVICE: every endpoint
 * accepts both). With `params: "merged"` (the default), a POST body's keys are
 * read as query parameters (the query wins when both give a key), before the
 * route's querystring schema checks them; with `params: "body"` (submit,
 * batch, validate), the body is left to the handler.
 */
export function jarviceRoute(app: FastifyInstance, path: string, opts: RouteShorthandOptions & { params?: "merged" | "body" }, handler: JarviceHandler): void {
  const { params = "merged", ...options } = opts;
  app.route({
    ...options,
    method: ["GET", "POST"],
    url: path,
    ...(params === "merged"
      ? {
          preValidation: async (req: FastifyRequest) => {
            if (req.method === "POST") req.query = mergedParams(req.query, req.body);
          },
        }
      : {}),
    handler,
  });
}
