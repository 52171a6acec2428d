// Database errors the services turn into answers: a unique violation names the
// constraint it broke, so each service can say which of its fields collided.

const UNIQUE_VIOLATION = "23505";

/** The name of the unique constraint (or index) `e` violated; undefined for any other error. */
export function violatedUniqueConstraint(e: unknown): string | undefined {
  const err = e as { code?: string; constraint?: string; message?: string } | null | undefined;
  const message = String(err?.message ?? "");
  const fromMessage = /duplicate key value violates unique constraint "([^"]+)"/.exec(message)?.[1];
  if (err?.code !== UNIQUE_VIOLATION && fromMessage === undefined) return undefined;
  return err?.constraint ?? fromMessage ?? "(unknown constraint)";
}

export const isUniqueViolation = (e: unknown): boolean => violatedUniqueConstraint(e) !== undefined;

/** A row referenced a row that is not there (a delete won the race: catalog/deletes.ts). */
export const isForeignKeyViolation = (e: unknown): boolean => (e as { code?: string } | null | undefined)?.code === "23503";

// The server went away or is not taking connections yet: a restart, a failover, a crash, the network.
// Retrying later can succeed, so the HTTP layer answers 503 and the job controller backs off.
const CONNECTION_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN",
  "57P01", // admin_shutdown (pg_ctl stop/restart -m fast, pg_terminate_backend)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, shutting down, recovering)
  "08000", "08001", "08003", "08004", "08006", // connection_exception class
]);
const CONNECTION_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to (administrator command|unexpected postmaster exit)|server closed the connection unexpectedly/i;

/** Whether `e` says the database connection was lost or could not be made (retry later), not that the query was wrong. */
export function isConnectionLost(e: unknown): boolean {
  for (let err = e as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown } | null | undefined, depth = 0; err && depth < 4; depth++) {
    if (typeof err.code === "string" && CONNECTION_CODES.has(err.code)) return true;
    if (typeof err.message === "string" && CONNECTION_MESSAGES.test(err.message)) return true;
    // Node's AggregateError (connect to ::1 and 127.0.0.1 both refused) carries the causes in `errors`
    if (Array.isArray(err.errors) && err.errors.some((x) => isConnectionLost(x))) return true;
    err = err.cause as typeof err;
  }
  return false;
}
