// IP-address label values belong to the first user who used them (spec:
// jobs-and-endpoints.md, "Label-value ownership"). `bob` + tag `x-web` and
// `bob-x` + tag `web` are one value: whoever submits first keeps it, the other
// gets a 409 that names nobody; creating users (by invitation or single
// sign-on) is never refused because of tags; concurrent submitters cannot both
// win. And a tag is checked for length and syntax before any database work.
// Submissions stay SUBMITTED: no job controller runs here.
import fc from "fast-check";
import type { LightMyRequestResponse } from "fastify";
import { DefaultQueryExecutor, sql, type CompiledQuery } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { seedDemoCatalog } from "../src/catalog/demo";
import { ownedByAnotherProblem } from "../src/core/ipaddr";
import { down, up } from "../src/store/migrations/0005_ipaddr_owners";
import { startTestApp, type Creds, type TestApp } from "./app";
import { demoJob, type Json } from "./jarviceClient";

const SECRET = "proxy-shared-secret-0123456789";
const RULES = [{ emailDomain: "acme.com", payer: "acme" }];

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ PADDOCK_EXTERNAL_AUTH_RULES: JSON.stringify(RULES), PADDOCK_EXTERNAL_AUTH_SECRET: SECRET });
  await seedDemoCatalog(t.opened.db, 16, 64);
});
afterAll(async () => t?.close());

const submit = (as: Creds, tag: string, body: Json = {}) => t.call("POST", "/jarvice/submit", { body: { user: { username: as.username, apikey: as.apikey }, ...demoJob({ extra: { ipaddr: tag, ...body } }) } });
const createUser = (username: string, by: Creds = t.admin, payer?: string) => t.call("POST", "/api/users", { as: by, body: { username, ...(payer ? { payer } : {}) } });
const jobCount = async () => Number((await t.opened.db.selectFrom("jobs").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow()).n);

function expectStatus(r: LightMyRequestResponse, status: number): Json {
  expect(r.statusCode, r.body).toBe(status);
  return r.json() as Json;
}

/** A 409 for `value`: field ipaddr, and the message names only the caller's own value. */
function expectOwnedByAnother(r: LightMyRequestResponse, value: string): void {
  const e = expectStatus(r, 409);
  expect(e).toEqual({ error: `ipaddr: ${ownedByAnotherProblem(value)}`, field: "ipaddr" });
}

/** Label values that more than one user holds in jobs (must stay empty). */
async function sharedValues(): Promise<Array<{ value: string; owners: number }>> {
  const rows = await t.opened.db
    .selectFrom("jobs")
    .select(["ipaddr_value as value", (eb) => eb.fn.count<string>("owner_id").distinct().as("owners")])
    .where("ipaddr_value", "is not", null)
    .groupBy("ipaddr_value")
    .having((eb) => eb.fn.count("owner_id").distinct(), ">", 1)
    .execute();
  return rows.map((r) => ({ value: r.value!, owners: Number(r.owners) }));
}

describe("label-value ownership: the first user who used a value keeps it", () => {
  it("bob submits x-web first; bob-x, another tenant, then gets 409 for web naming nobody, and keeps every other tag", async () => {
    const bob = await t.payer("bob");
    const bobx = await t.payer("bob-x"); // creating bob-x is never refused
    expectStatus(await submit(bob, "x-web"), 200);

    const before = await jobCount();
    expectOwnedByAnother(await submit(bobx, "web"), "bob-x-web");
    // the tag inside application, and the portal's route: the same answer
    expectOwnedByAnother(await submit(bobx, "", { ipaddr: undefined, application: { command: "sleep", parameters: { seconds: 5 }, ipaddr: "web" } }), "bob-x-web");
    expectOwnedByAnother(await t.call("POST", "/api/jobs", { as: bobx, body: demoJob({ extra: { ipaddr: "web" } }) }), "bob-x-web");
    expect(await jobCount()).toBe(before);

    // the live check agrees, and names nobody either
    expect(expectStatus(await t.call("POST", "/api/ipaddr/check", { as: bobx, body: { tag: "web" } }), 200)).toEqual({
      ok: false,
      prefix: "bob-x-",
      value: "bob-x-web",
      remaining: 63 - 6 - 3,
      problem: ownedByAnotherProblem("bob-x-web"),
      conflict: true,
    });
    expect(expectStatus(await t.call("POST", "/api/ipaddr/check", { as: bob, body: { tag: "x-web" } }), 200)).toMatchObject({ ok: true, conflict: false, problem: "" });

    // bob-x's other values are its own, even though bob could produce them too
    expectStatus(await submit(bobx, "api"), 200);
    expectOwnedByAnother(await submit(bob, "x-api"), "bob-x-api");
  });

  it("the owner reuses its value on as many jobs as it likes (one Service across jobs)", async () => {
    const pool = await t.payer("pooler");
    const a = expectStatus(await submit(pool, "pool"), 200);
    const b = expectStatus(await submit(pool, "pool"), 200);
    const c = expectStatus(await t.call("POST", "/api/jobs", { as: pool, body: demoJob({ extra: { ipaddr: "pool" } }) }), 200);
    const rows = await t.opened.db.selectFrom("jobs").select("ipaddr_value").where("number", "in", [a.number as number, b.number as number, c.number as number]).execute();
    expect(rows.map((r) => r.ipaddr_value)).toEqual(["pooler-pool", "pooler-pool", "pooler-pool"]);
  });

  it("never refuses a new user because of tags: carol-d after carol's d-web, dora after dora-x's web, by any inviter", async () => {
    const carol = await t.payer("carol");
    expectStatus(await submit(carol, "d-web"), 200);
    expectStatus(await createUser("carol-d"), 201);
    expectStatus(await createUser("carol-d-x", carol, "carol"), 201); // as a member of carol's own team
    const carold = await t.payer("carol-dd");
    expectStatus(await submit(carold, "web"), 200); // carol-dd-web: nobody had it

    const dorax = await t.payer("dora-x");
    expectStatus(await submit(dorax, "web"), 200);
    const dora = await t.payer("dora");
    expectOwnedByAnother(await submit(dora, "x-web"), "dora-x-web");
    expectStatus(await submit(dora, "web"), 200);
  });

  it("never refuses a single sign-on login because of tags", async () => {
    await t.payer("acme");
    const sso = await t.member("sso", "acme");
    expectStatus(await submit(sso, "x-web"), 200);
    const headers = { "x-paddock-identity": JSON.stringify({ subject: "oidc|ssox", email: "sso-x@acme.com" }), "x-paddock-identity-secret": SECRET };
    const me = expectStatus(await t.call("GET", "/api/me", { headers }), 200);
    expect(me.username).toBe("sso-x");
    // the new member cannot take sso's value, and is told so without a name
    expectOwnedByAnother(await t.call("POST", "/api/jobs", { headers, body: demoJob({ extra: { ipaddr: "web" } }) }), "sso-x-web");
    expectStatus(await t.call("POST", "/api/jobs", { headers, body: demoJob({ extra: { ipaddr: "api" } }) }), 200);
  });

  it("migration 0005 gives each existing value to the owner of its earliest job", async () => {
    const early = await t.payer("early");
    const late = await t.payer("late");
    const first = expectStatus(await submit(early, "m"), 200).number as number;
    // values shared by two users, as the old guard let races through: the earliest job wins
    await down(t.opened.db);
    const copy = (number: number, owner: Creds, value: string) =>
      sql`INSERT INTO jobs (name, owner_id, tenant_id, app_id, command, argv, parameters, env, machine_id, nodes, vault_id, ipaddr_tag, ipaddr_value, status, submit_time, submission)
          SELECT 'copy-' || md5(random()::text), u.id, u.id, j.app_id, j.command, j.argv, j.parameters, j.env, j.machine_id, j.nodes, j.vault_id, 'x', ${value}::text, j.status, j.submit_time, j.submission
          FROM jobs j, users u WHERE j.number = ${number}::integer AND u.username = ${owner.username}::text`.execute(t.opened.db);
    try {
      await copy(first, late, "shared-a"); // late first
      await copy(first, early, "shared-a");
      await copy(first, early, "shared-b"); // early first
      await copy(first, late, "shared-b");
    } finally {
      await up(t.opened.db);
    }
    const owners = await t.opened.db.selectFrom("ipaddr_owners as o").innerJoin("users as u", "u.id", "o.owner_id").select(["o.value", "u.username"]).where("o.value", "in", ["early-m", "shared-a", "shared-b"]).orderBy("o.value").execute();
    expect(owners).toEqual([
      { value: "early-m", username: "early" },
      { value: "shared-a", username: "late" },
      { value: "shared-b", username: "early" },
    ]);
    // and every value of a job has exactly one owner row
    const orphans = await t.opened.db.selectFrom("jobs").leftJoin("ipaddr_owners as o", "o.value", "jobs.ipaddr_value").select("jobs.ipaddr_value").where("jobs.ipaddr_value", "is not", null).where("o.value", "is", null).execute();
    expect(orphans).toEqual([]);
    // clean up the copies, which break the one-owner rule on purpose
    await t.opened.db.deleteFrom("jobs").where("ipaddr_value", "in", ["shared-a", "shared-b"]).execute();
  });

  it("property: concurrent submitters and user creations never leave a value with two users, and no 409 names another user (seeded, 50 interleavings)", async () => {
    // One family of names per run (base, base-x, base-x-web). Each submission aims at a value suffix
    // that two or three of them can produce, so users compete for values in most runs.
    const SUFFIXES = ["", "-x", "-x-web"];
    const TARGETS = ["-x-web", "-x-web-x", "-x"];
    /** The tag that makes `suffix`'s user produce base + `target`, or a tag of its own when it cannot. */
    const tagFor = (suffix: string, target: string) => (target.startsWith(`${suffix}-`) ? target.slice(suffix.length + 1) : "own");
    const who = fc.nat(SUFFIXES.length - 1);
    const op = fc.oneof(
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("create" as const), who }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant("submit" as const), who, target: fc.constantFrom(...TARGETS), portal: fc.boolean() }) },
    );
    const scenario = fc.record({
      pre: fc.uniqueArray(who, { minLength: 1, maxLength: SUFFIXES.length }),
      teamOfFirst: fc.boolean(),
      phase1: fc.array(op, { minLength: 2, maxLength: 6 }),
      phase2: fc.array(fc.record({ who, target: fc.constantFrom(...TARGETS) }), { minLength: 1, maxLength: 4 }),
    });
    let run = 0;
    let refusals = 0;

    await fc.assert(
      fc.asyncProperty(scenario, async ({ pre, teamOfFirst, phase1, phase2 }) => {
        const base = `pr${run++}q`;
        const names = SUFFIXES.map((s) => base + s);
        const creds = new Map<string, Creds>();
        const firstPayer = names[pre[0]!]!;
        const create = async (name: string) => {
          // other tenants, or (teamOfFirst) members of the first user's team
          const r = teamOfFirst && name !== firstPayer ? await createUser(name, t.admin, firstPayer) : await createUser(name);
          expect(r.statusCode, `creating ${name}: ${r.body}`).toBe(201); // never refused because of tags
          const j = r.json() as { apikey: string };
          creds.set(name, { username: name, apikey: j.apikey });
        };
        for (const i of pre) await create(names[i]!);

        const answers: Array<{ who: string; value: string; r: LightMyRequestResponse }> = [];
        const submitOne = async (who: string, tag: string, portal: boolean) => {
          const c = creds.get(who);
          if (!c) return;
          const r = portal ? await t.call("POST", "/api/jobs", { as: c, body: demoJob({ extra: { ipaddr: tag } }) }) : await submit(c, tag);
          answers.push({ who, value: `${who}-${tag}`, r });
        };
        const creating = new Set<string>();
        await Promise.all(
          phase1.map((o) => {
            const name = names[o.who]!;
            if (o.kind === "create") {
              if (creds.has(name) || creating.has(name)) return Promise.resolve();
              creating.add(name);
              return create(name);
            }
            return submitOne(name, tagFor(SUFFIXES[o.who]!, o.target), o.portal);
          }),
        );
        await Promise.all(phase2.map((o) => submitOne(names[o.who]!, tagFor(SUFFIXES[o.who]!, o.target), false)));

        const owners = new Map((await t.opened.db.selectFrom("ipaddr_owners as o").innerJoin("users as u", "u.id", "o.owner_id").select(["o.value", "u.username"]).where("u.username", "like", `${base}%`).execute()).map((o) => [o.value, o.username]));
        for (const { who, value, r } of answers) {
          if (r.statusCode === 200) {
            expect(owners.get(value), `${who} got ${value}`).toBe(who);
          } else {
            refusals++;
            expectOwnedByAnother(r, value);
            expect(owners.get(value)).not.toBe(who);
            // nothing in the message but the caller's own value: no other user's name
            const rest = (r.json() as { error: string }).error.replace(`'${value}'`, "");
            for (const n of names) expect(rest, `409 to ${who}`).not.toContain(n);
          }
        }
        expect(await sharedValues()).toEqual([]);
      }),
      { seed: 20251201, numRuns: 50 },
    );
    // The scenarios must actually make users compete for values.
    expect(refusals).toBeGreaterThan(15);
  }, 300_000);
});

describe("a tag is checked for length and syntax before any database work (linear in its size)", () => {
  const base = Object.getPrototypeOf(DefaultQueryExecutor.prototype) as { executeQuery(q: CompiledQuery): Promise<unknown> };
  /** The SQL statements run while `f` runs. */
  async function statementsOf(f: () => Promise<LightMyRequestResponse>): Promise<{ r: LightMyRequestResponse; sql: string[] }> {
    const spy = vi.spyOn(base, "executeQuery");
    try {
      const r = await f();
      return { r, sql: spy.mock.calls.map(([q]) => q.sql) };
    } finally {
      spy.mockRestore();
    }
  }
  const DASHES = "-".repeat(31 * 1024);
  let lena: Creds;
  beforeAll(async () => {
    lena = await t.payer("lena");
  });

  it("counts statements (the spy sees a normal submission's)", async () => {
    const { r, sql } = await statementsOf(() => submit(lena, "web"));
    expectStatus(r, 200);
    expect(sql.some((s) => s.includes("ipaddr_owners"))).toBe(true);
    expect(sql.some((s) => s.includes('"users"'))).toBe(true);
  });

  it("/jarvice/submit: a 31 KiB tag of dashes answers 400 naming ipaddr and the room left, and runs no SQL at all", async () => {
    const before = await jobCount();
    const { r, sql } = await statementsOf(() => submit(lena, DASHES));
    expect(expectStatus(r, 400)).toEqual({
      error: `ipaddr: 'lena-' + tag is ${DASHES.length + 5} characters; the limit is 63, which leaves 58 characters for the tag (it has ${DASHES.length})`,
      field: "ipaddr",
    });
    expect(sql).toEqual([]);
    expect(await jobCount()).toBe(before);
  });

  it("POST /api/jobs: the same, with no statement but the session's authentication", async () => {
    const short = await statementsOf(() => t.call("POST", "/api/jobs", { as: lena, body: demoJob({ extra: { ipaddr: "a b" } }) }));
    expectStatus(short.r, 400);
    const { r, sql } = await statementsOf(() => t.call("POST", "/api/jobs", { as: lena, body: demoJob({ extra: { ipaddr: DASHES } }) }));
    expect(expectStatus(r, 400).error).toMatch(/^ipaddr: .*leaves 58 characters for the tag/);
    expect(sql).toEqual(short.sql);
    expect(sql.some((s) => s.includes("ipaddr_owners") || s.includes('"jobs"'))).toBe(false);
  });

  it("POST /api/ipaddr/check: answers the refusal with the room left, running only the authentication's statements", async () => {
    const short = await statementsOf(() => t.call("POST", "/api/ipaddr/check", { as: lena, body: { tag: "a b" } }));
    expect(expectStatus(short.r, 200)).toMatchObject({ ok: false, conflict: false });
    // Too long for a label value but within the route's bound: the check's own answer, with the room left.
    const long = "-".repeat(200);
    const { r, sql } = await statementsOf(() => t.call("POST", "/api/ipaddr/check", { as: lena, body: { tag: long } }));
    expect(expectStatus(r, 200)).toMatchObject({ ok: false, conflict: false, remaining: 58 - long.length, problem: expect.stringMatching(/leaves 58 characters for the tag/) });
    expect(sql).toEqual(short.sql);
    expect(sql.some((s) => s.includes("ipaddr_owners"))).toBe(false);
    // 31 KiB: refused by the route's schema (a 400 naming tag), with no statement but the authentication's.
    const huge = await statementsOf(() => t.call("POST", "/api/ipaddr/check", { as: lena, body: { tag: DASHES } }));
    expect(expectStatus(huge.r, 400)).toMatchObject({ field: "tag" });
    expect(huge.sql).toEqual(short.sql);
  });
});
