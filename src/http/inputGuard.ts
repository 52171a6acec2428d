// Checks every request's input once, at the root, before any route sees it:
// JSON bodies nested deeper than MAX_DEPTH are refused before they are parsed
// (recursive code further on must not overflow its stack), and no string of the
// body, the query or the path may hold NUL (PostgreSQL refuses it in text and
// jsonb, so it would otherwise surface as a 500 after part of the work is done).
// Each check is linear in the size of the request.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { invalid } from "../core/errors";
import { NO_NUL } from "./schemas";

/** Deepest nesting of arrays and objects accepted in a JSON body. */
export const MAX_DEPTH = 64;

/** The deepest nesting of a JSON text, counted in one pass (brackets inside strings do not count); stops past `limit`. */
export function jsonDepth(text: string, limit = MAX_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** The path of the first string (or key) holding NUL in `value`, or undefined. Iterative: no recursion on the input's depth. */
export function nulPath(value: unknown, root: string): string | undefined {
  const stack: Array<[unknown, string]> = [[value, root]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      if (v.includes("\u0000")) return path;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], path ? `${path}.${i}` : String(i)]);
    } else if (v !== null && typeof v === "object") {
      const entries = Object.entries(v as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i]!;
        const childPath = path ? `${path}.${k}` : k;
        if (k.includes("\u0000")) return childPath.split("\u0000").join("\\u0000");
        stack.push([child, childPath]);
      }
    }
  }
  return undefined;
}

function refuseNul(value: unknown, root: string): void {
  const path = nulPath(value, "");
  if (path !== undefined) throw invalid(path || root, NO_NUL);
}

/** Install the checks on `app`: a depth-bounded JSON parser, and NUL checks on path and query (onRequest: before authentication) and body (preValidation). */
export function guardInput(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser("error", "error");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (req: FastifyRequest, body: string | Buffer, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (jsonDepth(text) > MAX_DEPTH) {
      done(invalid("body", `is nested deeper than ${MAX_DEPTH} levels`), undefined);
      return;
    }
    parse(req, text, done);
  });
  app.addHook("onRequest", async (req) => {
    refuseNul(req.params, "path");
    refuseNul(req.query, "query");
  });
  app.addHook("preValidation", async (req) => {
    refuseNul(req.body, "body");
  });
}
