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
