// Turns errors into HTTP answers: a JSON body {"error": "<field>: <problem>", "field": "<field>"}.
// Schema validation failures name the field path (e.g. `vaultOverrides.vaultSize`);
// anything unexpected is logged with the request and answers 500 without internals.
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { PaddockError, type ErrorCode } from "../core/errors";
import { isConnectionLost } from "../store/errors";

/** Request URLs as logged: credentials in the query (JARVICE's apikey) are blanked. */
export const redactUrl = (url: string) => url.replace(/([?&](?:apikey|password|token)=)[^&]*/gi, "$1[redacted]");

const STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_many_requests: 429,
  failed: 502,
  not_implemented: 501,
};

/** The field a schema validation failure names: the path inside the body, query or path parameters. */
function validationField(err: FastifyError): { field: string; message: string } {
  const first = err.validation?.[0] as { instancePath?: string; message?: string; params?: { missingProperty?: string } } | undefined;
  const context = err.validationContext === "querystring" ? "query" : err.validationContext === "params" ? "path" : (err.validationContext ?? "body");
  const segments = (first?.instancePath ?? "").split("/").filter((s) => s !== "");
  if (first?.params?.missingProperty) segments.push(first.params.missingProperty);
  return { field: segments.length > 0 ? segments.join(".") : context, message: first?.message ?? "is invalid" };
}

export function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof PaddockError) {
    if (err.retryAfterS !== undefined) void reply.header("Retry-After", String(err.retryAfterS));
    void reply.status(STATUS[err.code]).send({ error: err.message, ...(err.field ? { field: err.field } : {}) });
    return;
  }
  const fe = err as FastifyError;
  if (fe.validation) {
    const { field, message } = validationField(fe);
    void reply.status(400).send({ error: `${field}: ${message}`, field });
    return;
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Fastify's own: unparseable JSON, wrong content type, body too large.
    void reply.status(fe.statusCode).send({ error: `body: ${fe.message}`, field: "body" });
    return;
  }
  if (isConnectionLost(err)) {
    // the database restarts or is unreachable: db.ts logs the outage once; the client may retry
    void reply.status(503).header("retry-after", "1").send({ error: "database unavailable; retry later" });
    return;
  }
  req.log.error({ err, method: req.method, url: redactUrl(req.url) }, "unhandled error");
  void reply.status(500).send({ error: "internal error" });
}
