// Turns errors into HTTP answers: a JSON body {"error": "<field>: <problem>"}.
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { PaddockError, type ErrorCode } from "../core/errors";

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

export function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof PaddockError) {
    if (err.retryAfterS !== undefined) void reply.header("Retry-After", String(err.retryAfterS));
    void reply.status(STATUS[err.code]).send({ error: err.message, ...(err.field ? { field: err.field } : {}) });
    return;
  }
  const fe = err as FastifyError;
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Fastify's own: unparseable JSON, wrong content type, body too large.
    void reply.status(fe.statusCode).send({ error: `body: ${fe.message}`, field: "body" });
    return;
  }
  req.log.error({ err }, "unhandled error");
  void reply.status(500).send({ error: "internal error; see the server log" });
}
