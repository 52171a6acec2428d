// Turns errors into HTTP answers: a JSON body {"error": "<field>: <problem>"}.
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { PaddockError, type ErrorCode } from "../core/errors";
import { isConnectionLost } from "../store/errors";

const STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  failed: 502,
  not_implemented: 501,
};

export function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof PaddockError) {
    void reply.status(STATUS[err.code]).send({ error: err.message, ...(err.field ? { field: err.field } : {}) });
    return;
  }
  const fe = err as FastifyError;
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
  req.log.error({ err }, "unhandled error");
  void reply.status(500).send({ error: "internal error; see the server log" });
}
