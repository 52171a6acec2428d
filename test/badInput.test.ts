// Bad input on every field of every route (issue 9, items 6 and 10): generated
// from the served /api/openapi.json (every path, method, declared parameter and
// body property) plus the /jarvice/* routes listed below, each field gets a
// string with NUL, an over-long string, a value nested 10,000 deep and a value
// of the wrong type, inside an otherwise valid request. Every answer must be a
// 4xx (never a 5xx, never a success), and the database must be unchanged:
// all tables are dumped before and after each case.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoCatalog } from "../src/catalog/demo";
import { startTestApp, type Creds, type TestApp } from "./app";

type Json = Record<string, unknown>;
interface JsonSchema {
  type?: string;
  anyOf?: JsonSchema[];
  pattern?: string;
  properties?: Record<string, JsonSchema>;
}
interface Operation {
  parameters?: Array<{ name: string; in: "path" | "query"; schema: JsonSchema }>;
  requestBody?: { content: { "application/json": { schema: JsonSchema } } };
}

const TABLES = ["users", "vaults", "vault_shares", "payer_metadata", "zones", "clusters", "machines", "apps", "jobs", "sessions", "limits"];
const LONG = "x".repeat(100 * 1024);
const NUL = "bad\u0000value";
const DEPTH = 10_000;
/** A JSON value nested DEPTH arrays deep, as text (built as text: the test's own JSON.stringify must not recurse that deep). */
const DEEP_TEXT = `${"[".repeat(DEPTH)}1${"]".repeat(DEPTH)}`;
const DEEP = Symbol("deep");
const APPDEF = { name: "Bad input", image: { type: "docker", data: "busybox" }, commands: { run: { path: "/bin/true" } } };
const JOB = { app: "demo", application: { command: "sleep", parameters: { seconds: 60 } }, machine: { type: "n4", nodes: 1 }, ipaddr: "web" };

let t: TestApp;
let payer: Creds & { password: string };
let member: Creds;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  await seedDemoCatalog(t.opened.db, 16, 64);
  const p = await t.payer("bi-payer");
  payer = { ...p, password: p.password! };
  member = await t.member("bi-member", "bi-payer");
  await t.member("bi-other", "bi-payer");
  const vault = await t.call("POST", "/api/users/bi-member/vaults", { as: t.admin, body: { name: "bidata", kind: "pvc", storageClass: "fast", size: 1 } });
  ids.vault = String((vault.json() as { id: number }).id);
  const meta = await t.call("POST", "/api/metadata", { as: t.admin, body: { payer: "bi-payer", key: "vaultSize", value: "5" } });
  ids.meta = String((meta.json() as { id: number }).id);
  const zone = await t.call("POST", "/api/zones", { as: t.admin, body: { name: "bi-zone" } });
  ids.zone = String((zone.json() as { id: number }).id);
  const clusters = (await t.call("GET", "/api/clusters", { as: t.admin })).json() as { clusters: Array<{ id: number }> };
  ids.cluster = String(clusters.clusters[0]!.id);
  const machines = (await t.call("GET", "/api/machines", { as: t.admin })).json() as { machines: Array<{ id: number }> };
  ids.machine = String(machines.machines[0]!.id);
  for (const r of [vault, meta, zone]) expect(r.statusCode, r.body).toBe(201);
  const limit = await t.call("PUT", "/api/limits", { as: t.admin, body: { scope: "payer", payer: "bi-payer", cpus: 64 } });
  expect(limit.statusCode, limit.body).toBe(200);
  ids.limit = String((limit.json() as { id: number }).id);
}, 120_000);
afterAll(async () => t?.close());

/** Every table's rows, as sorted JSON text: one query for all. */
async function dump(): Promise<string> {
  const cols = TABLES.map((name) => sql`(select coalesce(json_agg(x), '[]'::json) from ${sql.table(name)} x) as ${sql.ref(name)}`);
  const { rows } = await sql<Record<string, unknown[]>>`select ${sql.join(cols)}`.execute(t.opened.db);
  const row = rows[0]!;
  return JSON.stringify(TABLES.map((name) => [name, row[name]!.map((r) => JSON.stringify(r)).sort()]));
}

/** A valid value for a path parameter, by route and name. */
function pathValue(path: string, name: string): string {
  if (name === "username") return "bi-member";
  if (name === "number") return "1";
  if (name === "id") {
    if (path.startsWith("/api/vaults")) return ids.vault!;
    if (path.startsWith("/api/metadata")) return ids.meta!;
    if (path.startsWith("/api/zones")) return ids.zone!;
    if (path.startsWith("/api/clusters")) return ids.cluster!;
    if (path.startsWith("/api/machines")) return ids.machine!;
    if (path.startsWith("/api/apps")) return "demo";
    if (path.startsWith("/api/limits")) return ids.limit!;
  }
  throw new Error(`no value for path parameter ${name} of ${path}`);
}

/** A valid body per route, so that only the bad field can be refused. */
const BODIES: Record<string, () => Json> = {
  "post /api/login": () => ({ username: "bi-payer", password: payer.password }),
  "post /api/users": () => ({ username: "bi-new", payer: "bi-payer" }),
  "patch /api/users/{username}": () => ({ fullName: "Renamed" }),
  "put /api/users/{username}/password": () => ({ password: "a-long-new-password" }),
  "post /api/users/{username}/vaults": () => ({ name: "binew", kind: "pvc", storageClass: "fast", size: 1 }),
  "post /api/vaults/{id}/shares": () => ({ username: "bi-other" }),
  "post /api/metadata": () => ({ payer: "bi-payer", key: "vaultName", value: "bi" }),
  "put /api/metadata/{id}": () => ({ value: "7" }),
  "post /api/zones": () => ({ name: "bi-new" }),
  "patch /api/zones/{id}": () => ({ description: "changed" }),
  "post /api/clusters": () => ({ name: "bi-new" }),
  "patch /api/clusters/{id}": () => ({ description: "changed" }),
  "post /api/machines": () => ({ name: "bi-new", cluster: "embedded", cores: 1, memoryGb: 1 }),
  "patch /api/machines/{id}": () => ({ description: "changed" }),
  "post /api/apps": () => ({ id: "bi-new", appdef: APPDEF }),
  "put /api/apps/{id}": () => ({ appdef: APPDEF }),
  "patch /api/apps/{id}": () => ({ public: true }),
  "post /api/ipaddr/check": () => ({ tag: "web" }),
  "post /api/jobs": () => structuredClone(JOB),
  "post /api/jobs/{number}/stop": () => ({ how: "shutdown" }),
  "put /api/limits": () => ({ scope: "team", payer: "bi-payer", cpus: 8, machines: { n4: { jobs: 1, nodes: 1 } } }),
};

/** A value of the wrong type for a declared schema. */
function wrongType(s: JsonSchema): unknown {
  const types = s.anyOf ? s.anyOf.map((x) => x.type) : [s.type];
  if (types.includes("boolean")) return "maybe";
  if (types.includes("string") && types.includes("number")) return { not: "a string" };
  if (types.includes("integer") || types.includes("number")) return "twelve";
  if (types.includes("string")) return 12345;
  if (types.includes("object")) return [1, 2];
  return [{ wrong: true }];
}

interface Case {
  what: string;
  method: string;
  url: string;
  body?: unknown;
}

const setAt = (o: Json, path: string[], v: unknown): Json => {
  const copy = structuredClone(o);
  let at: Json = copy;
  for (const k of path.slice(0, -1)) at = (at[k] ??= {}) as Json;
  at[path.at(-1)!] = v;
  return copy;
};

function bodyCases(label: string, method: string, url: string, base: Json, fields: Array<{ path: string[]; schema?: JsonSchema }>): Case[] {
  const cases: Case[] = [];
  for (const f of fields) {
    const name = f.path.join(".");
    cases.push({ what: `${label} body.${name} with NUL`, method, url, body: setAt(base, f.path, NUL) });
    cases.push({ what: `${label} body.${name} 100 KiB long`, method, url, body: setAt(base, f.path, LONG) });
    cases.push({ what: `${label} body.${name} nested ${DEPTH} deep`, method, url, body: setAt(base, f.path, DEEP) });
    cases.push({ what: `${label} body.${name} of the wrong type`, method, url, body: setAt(base, f.path, f.schema ? wrongType(f.schema) : [{ wrong: true }]) });
  }
  cases.push({ what: `${label} body nested ${DEPTH} deep`, method, url, body: DEEP });
  cases.push({ what: `${label} body an array`, method, url, body: [base] });
  cases.push({ what: `${label} body with a NUL key`, method, url, body: { ...base, "k\u0000": "v" } });
  return cases;
}

function queryCases(label: string, method: string, path: string, base: Record<string, string>, fields: Array<{ name: string; schema?: JsonSchema }>): Case[] {
  const qs = (q: Record<string, string | string[]>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
    const s = p.toString();
    return s ? `${path}?${s}` : path;
  };
  const cases: Case[] = [];
  for (const f of fields) {
    const bool = f.schema && wrongType(f.schema) === "maybe";
    cases.push({ what: `${label} ?${f.name} with NUL`, method, url: qs({ ...base, [f.name]: NUL }) });
    cases.push({ what: `${label} ?${f.name} 100 KiB long`, method, url: qs({ ...base, [f.name]: LONG }) });
    cases.push({ what: `${label} ?${f.name} nested brackets`, method, url: qs({ ...base, [f.name]: DEEP_TEXT }) });
    cases.push({ what: `${label} ?${f.name} of the wrong type`, method, url: qs({ ...base, [f.name]: bool ? "maybe" : ["a", "b"] }) });
  }
  return cases;
}

function pathCases(label: string, method: string, template: string, params: Array<{ name: string; schema: JsonSchema }>, body: unknown): Case[] {
  const fill = (name: string, v: string) => template.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(n === name ? v : pathValue(template, n)));
  const cases: Case[] = [];
  for (const p of params) {
    cases.push({ what: `${label} path ${p.name} with NUL`, method, url: fill(p.name, NUL), body });
    cases.push({ what: `${label} path ${p.name} 100 KiB long`, method, url: fill(p.name, LONG), body });
    if (p.schema.pattern) cases.push({ what: `${label} path ${p.name} beyond 2^31-1`, method, url: fill(p.name, "2147483648"), body });
  }
  return cases;
}

/** Run the cases; the problems found (empty when all is well). */
async function run(cases: Case[], as?: Creds): Promise<string[]> {
  const problems: string[] = [];
  let before = await dump();
  for (const c of cases) {
    let payload: string | undefined;
    if (c.body === DEEP) payload = DEEP_TEXT;
    else if (c.body !== undefined) payload = JSON.stringify(c.body, (_k, v: unknown) => (v === DEEP ? "__DEEP__" : v)).replace('"__DEEP__"', DEEP_TEXT);
    const r = await t.call(c.method, c.url, { ...(as ? { as } : {}), ...(payload !== undefined ? { body: payload, headers: { "content-type": "application/json" } } : {}) });
    if (r.statusCode < 400 || r.statusCode >= 500) problems.push(`${c.what}: ${r.statusCode} ${r.body.slice(0, 200)}`);
    const after = await dump();
    if (after !== before) {
      problems.push(`${c.what}: changed the database (${r.statusCode})`);
      before = after;
    }
  }
  return problems;
}

describe("bad input on every field", () => {
  it("of every /api route of the served OpenAPI document: 4xx, nothing changed", async () => {
    const doc = (await t.call("GET", "/api/openapi.json")).json() as { paths: Record<string, Record<string, Operation>> };
    const cases: Case[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const label = `${method.toUpperCase()} ${path}`;
        const base = BODIES[`${method} ${path}`]?.();
        const bodySchema = op.requestBody?.content["application/json"].schema;
        const pathParams = (op.parameters ?? []).filter((p) => p.in === "path");
        const queryParams = (op.parameters ?? []).filter((p) => p.in === "query");
        const url = path.replace(/\{(\w+)\}/g, (_, n: string) => pathValue(path, n));
        if (bodySchema) {
          if (!base) throw new Error(`${label}: declares a body; add a valid one to BODIES`);
          cases.push(...bodyCases(label, method, url, base, Object.entries(bodySchema.properties ?? {}).map(([name, schema]) => ({ path: [name], schema }))));
        }
        cases.push(...pathCases(label, method, path, pathParams, base));
        cases.push(...queryCases(label, method, url, {}, queryParams));
      }
    }
    expect(cases.length).toBeGreaterThan(300);
    expect(await run(cases, t.admin)).toEqual([]);
  }, 300_000);

  // The /jarvice/* routes (src/http/routes/jarvice.ts) and the query parameters each reads.
  const JARVICE: Record<string, string[]> = {
    status: ["number", "name"],
    jobs: ["completed", "limit", "before"],
    teamjobs: ["completed", "limit", "before"],
    teamusers: [],
    info: ["number", "name"],
    connect: ["number", "name"],
    shutdown: ["number", "name"],
    terminate: ["number", "name"],
    output: ["number", "name", "lines"],
    tail: ["number", "name", "lines"],
    machines: ["name", "vault"],
    apps: ["name"],
    appdef: ["name"],
    vault: ["vault", "path"],
  };

  it("of every /jarvice route: 4xx, nothing changed", async () => {
    const cases: Case[] = [];
    for (const [route, params] of Object.entries(JARVICE)) {
      const base = { username: payer.username, apikey: payer.apikey };
      const bools = new Set(["completed"]);
      const fields = ["username", "apikey", ...params].map((name) => ({ name, ...(bools.has(name) ? { schema: { type: "boolean" } } : {}) }));
      cases.push(...queryCases(`GET /jarvice/${route}`, "GET", `/jarvice/${route}`, base, fields));
    }
    const submission = { ...structuredClone(JOB), user: { username: member.username, apikey: member.apikey } };
    const fields = [
      ...Object.keys(submission).map((k) => ({ path: [k] })),
      ...["command", "parameters", "geometry", "walltime", "ipaddr"].map((k) => ({ path: ["application", k] })),
      { path: ["application", "parameters", "seconds"] },
      { path: ["machine", "type"] },
      { path: ["machine", "nodes"] },
      { path: ["vault", "name"] },
      { path: ["user", "username"] },
      { path: ["user", "apikey"] },
      { path: ["job_label"] },
      { path: ["job_project"] },
      { path: ["licenses"] },
    ];
    cases.push(...bodyCases("POST /jarvice/submit", "POST", "/jarvice/submit", submission, fields));
    expect(await run(cases)).toEqual([]);
  }, 300_000);

  it("before authentication too: /api/login with NUL in the user name is a 400 naming it", async () => {
    const r = await t.call("POST", "/api/login", { body: { username: NUL, password: "whatever-password" } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ error: "username: must not contain NUL characters", field: "username" });
  });

  it("NUL in HTTP Basic credentials is a 400 naming authorization, before any lookup", async () => {
    const r = await t.call("GET", "/api/me", { headers: { authorization: `Basic ${Buffer.from(`bi-payer\u0000:${payer.apikey}`).toString("base64")}` } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ field: "authorization" });
  });

  it("names the nested field: vaultOverrides.vaultSize", async () => {
    const r = await t.call("POST", "/api/users", { as: t.admin, body: { username: "bi-x", vaultOverrides: { vaultSize: NUL } } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ field: "vaultOverrides.vaultSize" });
  });
});
