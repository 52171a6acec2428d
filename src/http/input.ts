// Reading request input: every problem is a 400 naming the field.
import { invalid } from "../core/errors";

export type Input = Record<string, unknown>;

export function objectBody(body: unknown): Input {
  if (body === undefined || body === null) return {};
  if (typeof body !== "object" || Array.isArray(body)) throw invalid("body", "must be a JSON object");
  return body as Input;
}

export function requiredString(o: Input, field: string): string {
  const v = o[field];
  if (v === undefined || v === null || v === "") throw invalid(field, "is required");
  if (typeof v !== "string") throw invalid(field, "must be a string");
  return v;
}

export function optionalString(o: Input, field: string): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalid(field, "must be a string");
  return v;
}

export function optionalBool(o: Input, field: string): boolean | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  throw invalid(field, "must be true or false");
}

export function optionalInt(o: Input, field: string): number | undefined {
  const v = o[field];
  if (v === undefined || v === null || v === "") return undefined;
  const n = typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n)) throw invalid(field, "must be an integer");
  return n;
}

/** Largest value of the database's integer columns (ids, sizes, counts). */
const DB_INT_MAX = 2_147_483_647;

export function idParam(params: unknown, field = "id"): number {
  const v = (params as Input)[field];
  if (typeof v !== "string" || !/^\d+$/.test(v) || Number(v) > DB_INT_MAX) throw invalid(field, "must be a positive integer id");
  return Number(v);
}

export function stringParam(params: unknown, field: string): string {
  const v = (params as Input)[field];
  if (typeof v !== "string" || v === "") throw invalid(field, "is required");
  return v;
}
