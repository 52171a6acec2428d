// Errors are values with a code and the field they concern, raised at the edge
// (the HTTP layer turns the code into a status; see src/http/errors.ts).

export type ErrorCode =
  | "invalid" // 400: malformed or missing input
  | "unauthorized" // 401: bad or missing credentials
  | "forbidden" // 403: known caller, not allowed
  | "not_found" // 404: does not exist, or belongs to another tenant
  | "conflict" // 409: collides with something that exists
  | "too_many_requests" // 429: slowed down; retryAfterS says when to come back
  | "failed" // 500-class: an external step (e.g. a DAL hook) failed
  | "not_implemented"; // 501

export class PaddockError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    /** with "too_many_requests": seconds until a retry may succeed (the Retry-After header) */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = "PaddockError";
  }
}

/** 400 naming the field: the message always starts with `<field>: `. */
export function invalid(field: string, problem: string): PaddockError {
  return new PaddockError("invalid", `${field}: ${problem}`, field);
}

export function notFound(what: string): PaddockError {
  return new PaddockError("not_found", `${what} not found`);
}

export function forbidden(why: string): PaddockError {
  return new PaddockError("forbidden", why);
}

export function conflict(field: string, why: string): PaddockError {
  return new PaddockError("conflict", `${field}: ${why}`, field);
}

export function unauthorized(why = "invalid credentials"): PaddockError {
  return new PaddockError("unauthorized", why);
}

export function tooManyRequests(why: string, retryAfterS: number): PaddockError {
  return new PaddockError("too_many_requests", why, undefined, retryAfterS);
}
