// /api/openapi.json is generated from the schemas Fastify validates and
// serializes with (src/http/api.ts), so the document cannot drift from what is
// served: every operation declares its inputs and its answer as schemas, and
// what the document declares is what the server enforces.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./app";

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[] };
interface Operation {
  summary?: string;
  description?: string;
  parameters?: Array<{ name: string; in: string; schema?: Schema }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
}

let t: TestApp;
let paths: Record<string, Record<string, Operation>>;
beforeAll(async () => {
  t = await startTestApp();
  paths = ((await t.call("GET", "/api/openapi.json")).json() as { paths: typeof paths }).paths;
});
afterAll(async () => t?.close());

const operations = () => Object.entries(paths).flatMap(([p, ms]) => Object.entries(ms).map(([m, op]) => ({ label: `${m.toUpperCase()} ${p}`, method: m, op })));
const typed = (s: Schema | undefined): boolean => !!s && (s.type !== undefined || !!s.anyOf || !!s.oneOf || !!s.allOf);

describe("/api/openapi.json, generated from the route schemas", () => {
  it("describes every operation with a summary, who may call it and a typed answer", () => {
    const problems: string[] = [];
    for (const { label, op } of operations()) {
      if (!op.summary) problems.push(`${label}: no summary`);
      if (!op.description?.startsWith("Access: ")) problems.push(`${label}: no 'Access: ...' description`);
      const ok = Object.entries(op.responses).filter(([code]) => /^2\d\d$/.test(code));
      // 204 No Content has no body to type
      if (ok.length === 0 || !ok.some(([code, r]) => code === "204" || typed(r.content?.["application/json"]?.schema))) problems.push(`${label}: no typed 2xx answer`);
    }
    expect(operations().length).toBeGreaterThan(25);
    expect(problems).toEqual([]);
  });

  it("types every parameter and every property of every request body", () => {
    const problems: string[] = [];
    let bodies = 0;
    for (const { label, method, op } of operations()) {
      for (const p of op.parameters ?? []) if (!typed(p.schema)) problems.push(`${label}: parameter ${p.name} has no type`);
      const body = op.requestBody?.content["application/json"]?.schema;
      if (["post", "put", "patch"].includes(method) && body) {
        bodies++;
        for (const [name, s] of Object.entries(body.properties ?? {})) if (!typed(s) && Object.keys(s).length === 0) problems.push(`${label}: body property ${name} has no schema`);
      }
    }
    expect(bodies).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  });

  it("enforces what it declares: a documented string body field refuses a number, naming the field", async () => {
    const zones = paths["/api/zones"]!.post!.requestBody!.content["application/json"]!.schema;
    expect(zones.properties?.name?.type).toBe("string");
    const r = await t.call("POST", "/api/zones", { as: t.admin, body: { name: 42 } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ field: "name" });
  });
});
