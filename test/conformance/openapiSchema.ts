// The JARVICE OpenAPI (../shared/reference/jarvice-openapi.json, read as data at
// test time) and a minimal checker of its response schemas: type, required,
// properties, additionalProperties, items and $ref, which is all that document
// uses. Integers must be JSON integers (1, not 1.0 and not "1"). No ajv in
// node_modules, and this much does not need one.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface Schema {
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  items?: Schema;
  $ref?: string;
}

export interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}

export interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>;
}

export interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const OPENAPI_FILE = path.resolve(ROOT, "../shared/reference/jarvice-openapi.json");

export function loadJarviceOpenApi(): OpenApi {
  return JSON.parse(fs.readFileSync(OPENAPI_FILE, "utf8")) as OpenApi;
}

function resolve(doc: OpenApi, schema: Schema): Schema {
  let s = schema;
  for (let depth = 0; s.$ref; depth++) {
    if (depth > 20) throw new Error(`$ref loop at ${schema.$ref}`);
    const m = /^#\/components\/schemas\/(.+)$/.exec(s.$ref);
    const next = m ? doc.components.schemas[m[1]!] : undefined;
    if (!next) throw new Error(`unresolved $ref ${s.$ref}`);
    s = next;
  }
  return s;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function hasType(v: unknown, type: string): boolean {
  const t = typeOf(v);
  if (type === "number") return t === "number" || t === "integer";
  return t === type;
}

/** Every way `value` breaks `schema` (empty when it conforms), each as "<json path>: <problem>". */
export function schemaProblems(doc: OpenApi, schema: Schema, value: unknown, at = "$"): string[] {
  const s = resolve(doc, schema);
  const out: string[] = [];
  if (s.type && !hasType(value, s.type)) {
    return [`${at}: expected ${s.type}, got ${typeOf(value)} ${JSON.stringify(value)?.slice(0, 80)}`];
  }
  if (typeOf(value) === "object") {
    const obj = value as Record<string, unknown>;
    for (const key of s.required ?? []) if (!(key in obj)) out.push(`${at}: required key "${key}" is missing`);
    for (const [key, v] of Object.entries(obj)) {
      const prop = s.properties?.[key];
      if (prop) out.push(...schemaProblems(doc, prop, v, `${at}.${key}`));
      else if (s.additionalProperties === false) out.push(`${at}: unexpected key "${key}"`);
      else if (typeof s.additionalProperties === "object") out.push(...schemaProblems(doc, s.additionalProperties, v, `${at}.${key}`));
    }
  }
  if (typeOf(value) === "array" && s.items) {
    (value as unknown[]).forEach((v, i) => out.push(...schemaProblems(doc, s.items!, v, `${at}[${i}]`)));
  }
  return out;
}

/** The schema of an operation's 200 answer. */
export function okSchema(doc: OpenApi, route: string, method = "get"): Schema {
  const op = doc.paths[route]?.[method];
  const content = op?.responses["200"]?.content;
  const schema = content ? Object.values(content)[0]?.schema : undefined;
  if (!schema) throw new Error(`${method.toUpperCase()} ${route}: no 200 schema in the OpenAPI`);
  return schema;
}

/** Statuses a job may have (spec/api.md). */
export const JOB_STATUSES = ["SUBMITTED", "PROCESSING STARTING", "COMPLETED", "COMPLETED WITH ERROR", "TERMINATED", "CANCELED", "SEQUENTIALLY QUEUED", "EXEMPT"];

/** The keys spec/api.md promises in a /jarvice/status entry (the OpenAPI declares no `required`). */
export const STATUS_ENTRY_KEYS = ["job_name", "job_status", "job_substatus", "job_application", "job_command", "job_project", "job_submit_time", "job_start_time", "job_end_time", "job_walltime"];

/** sched.JobStatusEntry with the keys the spec promises made required. */
export function statusEntrySchema(doc: OpenApi): Schema {
  return { ...resolve(doc, { $ref: "#/components/schemas/sched.JobStatusEntry" }), required: STATUS_ENTRY_KEYS };
}
