// Identity (issue 9, item 7): user names unique without regard to case, in the
// database; an external identity whose derived name is taken gets a numbered
// name; a disabled account answers exactly like a wrong password; repeated
// failed logins per user name and per client address answer 429 with a
// Retry-After; sessions per user are capped.
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOGIN_POLICY } from "../src/core/loginThrottle";
import { SESSIONS_PER_USER } from "../src/http/auth";
import * as m0004 from "../src/store/migrations/0004_identity";
import { startTestApp, type Creds, type TestApp } from "./app";
import { freshDatabase } from "./db";

type Json = Record<string, unknown>;
const SECRET = "proxy-shared-secret-0123456789";

describe("identity", () => {
  let t: TestApp;
  const login = (body: Json, remoteAddress = "127.0.0.1"): Promise<LightMyRequestResponse> => t.app.inject({ method: "POST", url: "/api/login", payload: body, remoteAddress });
  const invite = (username: string, payer?: string) => t.call("POST", "/api/users", { as: t.admin, body: { username, ...(payer ? { payer } : {}) } });

  beforeAll(async () => {
    t = await startTestApp({ PADDOCK_EXTERNAL_AUTH_RULES: JSON.stringify([{ emailDomain: "acme.com", payer: "acme" }]), PADDOCK_EXTERNAL_AUTH_SECRET: SECRET });
    await t.payer("acme");
  });
  afterAll(async () => t?.close());

  describe("user names are unique without regard to case", () => {
    it("refuses Root next to root and ACME next to acme with a 409 naming username", async () => {
      for (const name of ["Root", "ROOT", "ACME", "Acme"]) {
        const r = await invite(name);
        expect(r.statusCode, r.body).toBe(409);
        expect(r.json()).toMatchObject({ field: "username" });
      }
      const names = (await t.opened.db.selectFrom("users").select("username").execute()).map((u) => u.username.toLowerCase());
      expect(new Set(names).size).toBe(names.length);
    });

    it("lets only one of Bob and bob win when both are created at once", async () => {
      for (const base of ["bob", "carol", "dave", "erin", "frank"]) {
        const upper = base[0]!.toUpperCase() + base.slice(1);
        const answers = await Promise.all([invite(upper, "acme"), invite(base, "acme")]);
        expect(answers.map((r) => r.statusCode).sort(), answers.map((r) => r.body).join("\n")).toEqual([201, 409]);
        expect(answers.find((r) => r.statusCode === 409)!.json()).toMatchObject({ field: "username" });
        const rows = await t.opened.db.selectFrom("users").select("username").where("username", "in", [upper, base]).execute();
        expect(rows).toHaveLength(1);
      }
    });

    it("keeps login exact: a name in another case is an unknown user", async () => {
      const m = await t.member("gina", "acme");
      expect((await login({ username: "gina", password: m.password })).statusCode).toBe(200);
      const other = await login({ username: "Gina", password: m.password });
      expect(other.statusCode).toBe(401);
    });
  });

  describe("an external identity whose name is taken", () => {
    const me = (identity: Json) => t.call("GET", "/api/me", { headers: { "x-paddock-identity": JSON.stringify(identity), "x-paddock-identity-secret": SECRET } });

    it("gets the next free numbered name instead of a 409, and keeps it", async () => {
      await t.member("alice", "acme");
      const a = await me({ subject: "oidc|alice-a", username: "alice", email: "alice@acme.com" });
      expect(a.statusCode, a.body).toBe(200);
      expect((a.json() as Json).username).toBe("alice-2");
      const b = await me({ subject: "oidc|alice-b", username: "ALICE", email: "alice.b@acme.com" });
      expect(b.statusCode, b.body).toBe(200);
      // The provider's spelling is kept; uniqueness is without regard to case.
      expect((b.json() as Json).username).toBe("ALICE-3");
      expect(((await me({ subject: "oidc|alice-a", email: "alice@acme.com" })).json() as Json).username).toBe("alice-2");
    });

    it("keeps a numbered long name within 63 characters", async () => {
      const long = `l${"o".repeat(61)}g`;
      expect(long).toHaveLength(63);
      expect((await me({ subject: "oidc|long-1", username: long, email: "l1@acme.com" })).json()).toMatchObject({ username: long });
      const second = (await me({ subject: "oidc|long-2", username: long, email: "l2@acme.com" })).json() as Json;
      expect(second.username).toBe(`${long.slice(0, 61)}-2`);
      expect((second.username as string).length).toBeLessThanOrEqual(63);
    });

    it("creates one account when the first requests of a new identity with a taken name arrive together", async () => {
      await t.member("zed", "acme");
      const identity = { subject: "oidc|zed-ext", username: "zed", email: "zed@acme.com" };
      const answers = await Promise.all(Array.from({ length: 6 }, () => me(identity)));
      expect(answers.map((r) => r.statusCode)).toEqual(Array(6).fill(200));
      expect(new Set(answers.map((r) => (r.json() as Json).username))).toEqual(new Set(["zed-2"]));
      const rows = await t.opened.db.selectFrom("users").select("username").where("external_subject", "=", identity.subject).execute();
      expect(rows).toEqual([{ username: "zed-2" }]);
    });
  });

  describe("a disabled account answers like a wrong password", () => {
    it("has the same status and body, byte for byte, as a wrong password and an unknown user", async () => {
      const d = await t.member("dora", "acme");
      expect((await t.call("PATCH", "/api/users/dora", { as: t.admin, body: { disabled: true } })).statusCode).toBe(200);
      const disabled = await login({ username: "dora", password: d.password }, "10.1.0.1");
      const wrong = await login({ username: "acme", password: "not-the-password" }, "10.1.0.2");
      const unknown = await login({ username: "nobody-here", password: "whatever-pw" }, "10.1.0.3");
      for (const r of [disabled, unknown]) {
        expect(r.statusCode).toBe(wrong.statusCode);
        expect(r.body).toBe(wrong.body);
      }
      expect(wrong.statusCode).toBe(401);
      // And with an API key: at /api/login and on any route.
      const byKey = await login({ username: "dora", apikey: d.apikey }, "10.1.0.4");
      const wrongKey = await login({ username: "acme", apikey: "not-the-key" }, "10.1.0.5");
      expect([byKey.statusCode, byKey.body]).toEqual([wrongKey.statusCode, wrongKey.body]);
      const basic = await t.call("GET", "/api/me", { as: d });
      const basicWrong = await t.call("GET", "/api/me", { as: { username: "acme", apikey: "not-the-key" } });
      expect([basic.statusCode, basic.body]).toEqual([basicWrong.statusCode, basicWrong.body]);
    });
  });

  describe("POST /api/login slows down repeated failures", () => {
    const expectThrottled = (r: LightMyRequestResponse) => {
      expect(r.statusCode, r.body).toBe(429);
      const retry = Number(r.headers["retry-after"]);
      expect(Number.isInteger(retry) && retry > 0 && retry <= LOGIN_POLICY.perUser.windowMs / 1000).toBe(true);
      expect((r.json() as { error: string }).error).toMatch(new RegExp(`retry in ${retry} s`));
    };

    it("per user name: after the limit of failures, even the right password waits; other users do not", async () => {
      const v = await t.member("victor", "acme");
      const w = await t.member("wendy", "acme");
      for (let i = 0; i < LOGIN_POLICY.perUser.limit; i++) {
        // From a new address each time: the user name alone is counted.
        expect((await login({ username: "victor", password: `wrong-${i}` }, `10.2.0.${i}`)).statusCode).toBe(401);
      }
      expectThrottled(await login({ username: "victor", password: v.password }, "10.2.1.1"));
      expectThrottled(await login({ username: "VICTOR", password: "wrong" }, "10.2.1.2"));
      expect((await login({ username: "wendy", password: w.password }, "10.2.1.3")).statusCode).toBe(200);
      // Scripts using the API key directly are not slowed.
      expect((await t.call("GET", "/api/me", { as: v })).statusCode).toBe(200);
    });

    it("per client address: many failures over many names from one address stop that address only", async () => {
      const x = await t.member("xena", "acme");
      const from = "10.3.0.1";
      for (let i = 0; i < LOGIN_POLICY.perAddress.limit; i++) {
        expect((await login({ username: `guess-${i}`, password: "wrong-password" }, from)).statusCode).toBe(401);
      }
      expectThrottled(await login({ username: "xena", password: x.password }, from));
      expect((await login({ username: "xena", password: x.password }, "10.3.0.2")).statusCode).toBe(200);
    });

    it("does not slow successful logins, and a success forgets the user name's earlier failures", async () => {
      const y = await t.member("yann", "acme");
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < LOGIN_POLICY.perUser.limit - 1; i++) expect((await login({ username: "yann", password: "wrong" }, `10.4.${round}.${i}`)).statusCode).toBe(401);
        expect((await login({ username: "yann", password: y.password }, "10.4.9.9")).statusCode).toBe(200);
      }
      for (let i = 0; i < LOGIN_POLICY.perUser.limit + 5; i++) expect((await login({ username: "yann", apikey: y.apikey }, "10.4.9.9")).statusCode).toBe(200);
    });
  });

  describe("sessions", () => {
    it(`keeps the ${SESSIONS_PER_USER} newest sessions of a user; older ones end`, async () => {
      const s: Creds = await t.member("sam", "acme");
      const tokens: string[] = [];
      for (let i = 0; i < SESSIONS_PER_USER + 5; i++) {
        const r = await login({ username: "sam", apikey: s.apikey }, "10.5.0.1");
        expect(r.statusCode, r.body).toBe(200);
        tokens.push((r.json() as { token: string }).token);
        await new Promise((resolve) => setTimeout(resolve, 2)); // distinct expiry times: "newest" is well defined
      }
      const status = async (token: string) => (await t.call("GET", "/api/me", { headers: { authorization: `Bearer ${token}` } })).statusCode;
      expect(await Promise.all(tokens.slice(0, 5).map(status))).toEqual(Array(5).fill(401));
      expect(await Promise.all(tokens.slice(5).map(status))).toEqual(Array(SESSIONS_PER_USER).fill(200));
      const id = (await t.opened.db.selectFrom("users").select("id").where("username", "=", "sam").executeTakeFirstOrThrow()).id;
      expect((await t.opened.db.selectFrom("sessions").select("token_hash").where("user_id", "=", id).execute()).length).toBe(SESSIONS_PER_USER);
    });

    it("purges expired sessions", async () => {
      const id = (await t.opened.db.selectFrom("users").select("id").where("username", "=", "sam").executeTakeFirstOrThrow()).id;
      await t.opened.db.insertInto("sessions").values({ token_hash: "expired-session", user_id: id, expires_at: new Date(Date.now() - 1000), apikey_hash: null }).execute();
      expect((await login({ username: "acme-nobody", password: "x-wrong-pw" }, "10.6.0.1")).statusCode).toBe(401);
      const acme = await t.call("GET", "/api/me", { as: t.admin });
      expect(acme.statusCode).toBe(200);
      expect((await login({ username: t.admin.username, password: t.admin.password }, "10.6.0.2")).statusCode).toBe(200);
      expect(await t.opened.db.selectFrom("sessions").select("token_hash").where("token_hash", "=", "expired-session").execute()).toEqual([]);
    });
  });

  describe("migration 0004_identity", () => {
    it("refuses existing names that differ only in case, naming them, and changes nothing", async () => {
      const opened = await freshDatabase();
      try {
        const db = opened.db;
        await m0004.down(db);
        const user = (username: string) => ({ username, apikey_hash: `hash-${username}`, password_hash: null, payer_id: null, external_subject: null, upn: null, sam: null, invited_by: null });
        await db.insertInto("users").values([user("Root2"), user("root2"), user("Pat"), user("pat"), user("PAT"), user("solo")]).execute();
        await expect(m0004.up(db)).rejects.toThrow(/differ only in case: PAT, Pat, pat; Root2, root2\. Rename/);
        await db.deleteFrom("users").where("username", "in", ["Root2", "Pat", "PAT"]).execute();
        await m0004.up(db);
        await expect(db.insertInto("users").values(user("SOLO")).execute()).rejects.toThrow(/users_username_lower_unique/);
      } finally {
        await opened.close();
      }
    });
  });
});
