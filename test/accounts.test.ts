// Accounts through the admin API: inviting payers and team members, user-name
// rules (a user name prefixes Kubernetes label values), who may grant what,
// API keys (regenerated: the old one stops working), passwords and sessions
// (a new password ends them), and disabled accounts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type Creds, type TestApp } from "./app";

interface UserJson {
  id: number;
  username: string;
  role: string;
  payer: string | null;
  tenant: string;
  sysadmin: boolean;
  teamAdmin: boolean;
  disabled: boolean;
  external: boolean;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("accounts", () => {
  let t: TestApp;
  let acme: Creds;
  let lead: Creds;
  let member: Creds;
  let globex: Creds;

  const userCount = async () => (await t.opened.db.selectFrom("users").select("id").execute()).length;
  const meAs = (as: Creds) => t.call("GET", "/api/me", { as });
  const login = (username: string, password: string) => t.call("POST", "/api/login", { body: { username, password } });
  const loginToken = async (username: string, password: string) => {
    const r = await login(username, password);
    expect(r.statusCode, r.body).toBe(200);
    return (r.json() as { token: string }).token;
  };
  const invite = (as: Creds, body: Record<string, unknown>) => t.call("POST", "/api/users", { as, body });

  beforeAll(async () => {
    t = await startTestApp();
    acme = await t.payer("acme");
    lead = await t.member("acme-lead", "acme", { teamAdmin: true, by: acme });
    member = await t.member("acme-m1", "acme", { by: lead });
    globex = await t.payer("globex");
  });
  afterAll(async () => t.close());

  describe("invitations", () => {
    it("a payer invited by the administrator is its own tenant, with a generated password and an API key shown once", async () => {
      const r = await invite(t.admin, { username: "initech", email: "boss@initech.example", fullName: "Bill L." });
      expect(r.statusCode, r.body).toBe(201);
      const j = r.json() as { user: UserJson; apikey: string; password: string; vaults: unknown[] };
      expect(j.user).toMatchObject({ username: "initech", role: "payer", payer: null, tenant: "initech", sysadmin: false, teamAdmin: false, disabled: false, external: false });
      // the default setup: the ephemeral vault only, unzoned
      expect(j.vaults).toEqual([expect.objectContaining({ name: "ephemeral", kind: "ephemeral", zone: -1 })]);
      expect((await meAs({ username: "initech", apikey: j.apikey })).json()).toMatchObject({ username: "initech" });
      expect(j.password.length).toBeGreaterThanOrEqual(8);
      expect((await login("initech", j.password)).statusCode).toBe(200);
      // only hashes are stored
      const row = await t.opened.db.selectFrom("users").select(["apikey_hash", "password_hash"]).where("username", "=", "initech").executeTakeFirstOrThrow();
      expect(row.apikey_hash).not.toContain(j.apikey);
      expect(row.password_hash).not.toContain(j.password);
      // a chosen password is not echoed back
      const chosen = await invite(t.admin, { username: "initech-m1", payer: "initech", password: "chosen-password" });
      expect(chosen.statusCode, chosen.body).toBe(201);
      expect(chosen.json()).not.toHaveProperty("password");
      expect((await login("initech-m1", "chosen-password")).statusCode).toBe(200);
    });

    it("members invited by the payer, a team admin or the administrator join the payer's team", async () => {
      for (const [by, name, body] of [
        [acme, "acme-m2", {}],
        [lead, "acme-m3", {}],
        [acme, "acme-m4", { payer: "acme" }],
        [t.admin, "acme-m5", { payer: "acme" }],
      ] as const) {
        const r = await invite(by, { username: name, ...body });
        expect(r.statusCode, r.body).toBe(201);
        expect((r.json() as { user: UserJson }).user).toMatchObject({ username: name, role: "member", payer: "acme", tenant: "acme", teamAdmin: false });
      }
      const team = await t.call("GET", "/api/users", { as: acme });
      expect((team.json() as { users: UserJson[] }).users.map((u) => u.username).sort()).toEqual(["acme", "acme-lead", "acme-m1", "acme-m2", "acme-m3", "acme-m4", "acme-m5"]);
    });

    it.each([
      ["bad name", /may contain only/],
      ["-lead", /start and end with a letter or digit/],
      ["_lead", /start and end with a letter or digit/],
      [".lead", /start and end with a letter or digit/],
      ["lead-", /start and end with a letter or digit/],
      ["a/b", /may contain only/],
      ["a:b", /may contain only/],
      ["bob@acme.com", /may contain only/],
      ["zoë", /may contain only/],
      ["tab\tname", /may contain only/],
      ["x".repeat(64), /at most 63 characters \(is 64\)/],
      ["", /is required/],
    ])("refuses the user name %j with a 400 naming username", async (username, why) => {
      const before = await userCount();
      const r = await invite(t.admin, { username });
      expect(r.statusCode, r.body).toBe(400);
      const j = r.json() as { error: string; field: string };
      expect(j.field).toBe("username");
      expect(j.error).toMatch(/^username: /);
      expect(j.error).toMatch(why);
      expect(await userCount()).toBe(before);
    });

    it("refuses a user name that is not a string", async () => {
      const r = await invite(t.admin, { username: 42 });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ field: "username" });
    });

    it.each([["a"], ["9lives"], ["Mixed.Case_name-1"], ["inner-dash-1"], ["y".repeat(63)]])("accepts the user name %j", async (username) => {
      const r = await invite(t.admin, { username, payer: "globex" });
      expect(r.statusCode, r.body).toBe(201);
      expect((r.json() as { user: UserJson }).user.username).toBe(username);
    });

    it("refuses a taken user name with 409, in any tenant", async () => {
      const before = await userCount();
      for (const [by, body] of [
        [t.admin, { username: "acme" }],
        [t.admin, { username: "acme-m1", payer: "globex" }],
        [acme, { username: "globex" }],
        [globex, { username: "acme-lead" }],
        [t.admin, { username: "root", payer: "acme" }],
      ] as const) {
        const r = await invite(by, body);
        expect(r.statusCode, r.body).toBe(409);
        expect(r.json()).toMatchObject({ field: "username", error: `username: '${body.username}' is already taken` });
      }
      expect(await userCount()).toBe(before);
    });

    it("answers 409 to all but one of several simultaneous invitations of one name", async () => {
      const before = await userCount();
      const answers = await Promise.all([invite(t.admin, { username: "twin" }), invite(acme, { username: "twin" }), invite(t.admin, { username: "twin", payer: "globex" })]);
      expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
      expect(await userCount()).toBe(before + 1);
      // and the loser left no vaults behind
      const twin = await t.opened.db.selectFrom("users").select("id").where("username", "=", "twin").executeTakeFirstOrThrow();
      const owners = await t.opened.db.selectFrom("vaults").select("owner_id").where("name", "=", "ephemeral").execute();
      expect(owners.length).toBe(before + 1);
      expect(owners.map((o) => o.owner_id)).toContain(twin.id);
    });

    it("refuses a short password, an unknown payer and a member as payer, creating nothing", async () => {
      const before = await userCount();
      const short = await invite(t.admin, { username: "shorty", password: "1234567" });
      expect(short.statusCode).toBe(400);
      expect(short.json()).toMatchObject({ field: "password" });
      expect((await invite(t.admin, { username: "orphan", payer: "no-such-payer" })).statusCode).toBe(404);
      const notPayer = await invite(t.admin, { username: "orphan", payer: "acme-m1" });
      expect(notPayer.statusCode).toBe(400);
      expect(notPayer.json()).toMatchObject({ field: "payer" });
      expect(await userCount()).toBe(before);
    });

    it("refuses the system administrator flag from anyone but a system administrator", async () => {
      const before = await userCount();
      for (const [by, body] of [
        [acme, { username: "evil-1", sysadmin: true }],
        [acme, { username: "evil-2", sysadmin: true, payer: "acme" }],
        [lead, { username: "evil-3", sysadmin: true }],
        [lead, { username: "evil-4", sysadmin: "true" }],
      ] as const) {
        const r = await invite(by, body);
        expect(r.statusCode, r.body).toBe(403);
        expect((await t.call("GET", `/api/users/${body.username}`, { as: t.admin })).statusCode).toBe(404);
      }
      expect(await userCount()).toBe(before);
      // nor by changing an existing account
      expect((await t.call("PATCH", "/api/users/acme-m1", { as: acme, body: { sysadmin: true } })).statusCode).toBe(403);
      expect((await t.call("PATCH", "/api/users/acme", { as: acme, body: { sysadmin: true } })).statusCode).toBe(403);
      expect((await t.call("GET", "/api/users/acme-m1", { as: t.admin })).json()).toMatchObject({ sysadmin: false });

      // a system administrator may grant it, and the new administrator invites payers
      const ok = await invite(t.admin, { username: "ops", sysadmin: true });
      expect(ok.statusCode, ok.body).toBe(201);
      expect((ok.json() as { user: UserJson }).user).toMatchObject({ sysadmin: true, role: "payer" });
      const ops = { username: "ops", apikey: (ok.json() as { apikey: string }).apikey };
      const p = await invite(ops, { username: "umbrella" });
      expect(p.statusCode, p.body).toBe(201);
      expect((p.json() as { user: UserJson }).user).toMatchObject({ role: "payer", tenant: "umbrella" });
    });

    it("lets only payers, team admins and administrators invite, each into their own team", async () => {
      const before = await userCount();
      const plain = await invite(member, { username: "m1-friend" });
      expect(plain.statusCode).toBe(403);
      expect((await invite(member, { username: "m1-friend", payer: "acme" })).statusCode).toBe(403);
      // another team's payer is invisible
      expect((await invite(acme, { username: "spy", payer: "globex" })).statusCode).toBe(404);
      expect((await invite(lead, { username: "spy", payer: "globex" })).statusCode).toBe(404);
      expect(await userCount()).toBe(before);
      // a payer cannot make a payer: without `payer`, its invitee joins its team
      const r = await invite(globex, { username: "globex-m1" });
      expect((r.json() as { user: UserJson }).user).toMatchObject({ role: "member", payer: "globex" });
    });
  });

  describe("API keys", () => {
    it("regenerating a key makes the old one stop working", async () => {
      const r = await invite(acme, { username: "keyholder" });
      const old: Creds = { username: "keyholder", apikey: (r.json() as { apikey: string }).apikey };
      expect((await meAs(old)).statusCode).toBe(200);

      const regen = await t.call("POST", "/api/users/keyholder/apikey", { as: old });
      expect(regen.statusCode, regen.body).toBe(200);
      const fresh: Creds = { username: "keyholder", apikey: (regen.json() as { apikey: string }).apikey };
      expect(fresh.apikey).not.toBe(old.apikey);
      expect((await meAs(old)).statusCode).toBe(401);
      expect((await meAs(fresh)).json()).toMatchObject({ username: "keyholder" });
      // JARVICE style: username and apikey as query parameters
      expect((await t.call("GET", `/api/me?username=keyholder&apikey=${encodeURIComponent(fresh.apikey)}`)).statusCode).toBe(200);
      expect((await t.call("GET", `/api/me?username=keyholder&apikey=${encodeURIComponent(old.apikey)}`)).statusCode).toBe(401);

      // the team's payer may not (the key is the account: issue 9); a system administrator may, and the user's current key stops working
      expect((await t.call("POST", "/api/users/keyholder/apikey", { as: acme })).statusCode).toBe(403);
      expect((await meAs(fresh)).statusCode).toBe(200);
      const byAdmin = await t.call("POST", "/api/users/keyholder/apikey", { as: t.admin });
      expect(byAdmin.statusCode).toBe(200);
      expect((await meAs(fresh)).statusCode).toBe(401);
      expect((await meAs({ username: "keyholder", apikey: (byAdmin.json() as { apikey: string }).apikey })).statusCode).toBe(200);
    });

    it("keys of users one cannot see are not found", async () => {
      expect((await t.call("POST", "/api/users/acme-m1/apikey", { as: globex })).statusCode).toBe(404);
      expect((await t.call("POST", "/api/users/acme/apikey", { as: member })).statusCode).toBe(404);
      expect((await t.call("POST", "/api/users/acme-lead/apikey", { as: member })).statusCode).toBe(404);
      expect((await meAs(member)).statusCode).toBe(200);
      expect((await meAs(lead)).statusCode).toBe(200);
    });

    it("a key is only good for its own user", async () => {
      expect((await meAs({ username: "acme", apikey: member.apikey })).statusCode).toBe(401);
      expect((await meAs({ username: "nobody", apikey: member.apikey })).statusCode).toBe(401);
    });
  });

  describe("passwords and sessions", () => {
    let wile: Creds;
    beforeAll(async () => {
      const r = await invite(acme, { username: "wile", password: "first-password" });
      wile = { username: "wile", apikey: (r.json() as { apikey: string }).apikey };
    });

    it("sets a password, logs in with it and logs out", async () => {
      const set = await t.call("PUT", "/api/users/wile/password", { as: wile, body: { password: "second-password", current: "first-password" } });
      expect(set.statusCode, set.body).toBe(200);
      expect((await login("wile", "first-password")).statusCode).toBe(401);
      const r = await login("wile", "second-password");
      expect(r.statusCode).toBe(200);
      const j = r.json() as { token: string; expires: string; user: UserJson };
      expect(j.user).toMatchObject({ username: "wile", role: "member", payer: "acme" });
      expect(new Date(j.expires).getTime()).toBeGreaterThan(Date.now());

      expect((await t.call("GET", "/api/me", { headers: bearer(j.token) })).json()).toMatchObject({ username: "wile" });
      const out = await t.call("POST", "/api/logout", { headers: bearer(j.token) });
      expect(out.statusCode).toBe(200);
      expect((await t.call("GET", "/api/me", { headers: bearer(j.token) })).statusCode).toBe(401);
      expect((await t.call("GET", "/api/me", { headers: bearer("not-a-token") })).statusCode).toBe(401);
    });

    it("refuses wrong passwords and unknown users alike, and short new passwords", async () => {
      const wrong = await login("wile", "not-the-password");
      const unknown = await login("nobody-here", "not-the-password");
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(wrong.json()).toEqual(unknown.json());
      // an empty password is missing input
      expect((await login("wile", "")).statusCode).toBe(400);
      const short = await t.call("PUT", "/api/users/wile/password", { as: wile, body: { password: "short", current: "second-password" } });
      expect(short.statusCode).toBe(400);
      expect(short.json()).toMatchObject({ field: "password" });
      expect((await login("wile", "second-password")).statusCode).toBe(200);
    });

    it("ends every session of the user when the password changes; the API key stays valid", async () => {
      const a = await loginToken("wile", "second-password");
      const b = await loginToken("wile", "second-password");
      const adminToken = await loginToken("root", t.admin.password!);
      for (const token of [a, b]) expect((await t.call("GET", "/api/me", { headers: bearer(token) })).statusCode).toBe(200);

      const set = await t.call("PUT", "/api/users/wile/password", { as: t.admin, body: { password: "third-password" } });
      expect(set.statusCode, set.body).toBe(200);
      for (const token of [a, b]) expect((await t.call("GET", "/api/me", { headers: bearer(token) })).statusCode).toBe(401);
      // another user's session is untouched
      expect((await t.call("GET", "/api/me", { headers: bearer(adminToken) })).statusCode).toBe(200);
      expect((await login("wile", "second-password")).statusCode).toBe(401);
      expect((await login("wile", "third-password")).statusCode).toBe(200);
      expect((await meAs(wile)).statusCode).toBe(200);
    });

    it("lets only the user and system administrators set a password", async () => {
      expect((await t.call("PUT", "/api/users/wile/password", { as: acme, body: { password: "payer-chosen" } })).statusCode).toBe(403);
      expect((await t.call("PUT", "/api/users/wile/password", { as: lead, body: { password: "lead-chosen!" } })).statusCode).toBe(403);
      expect((await t.call("PUT", "/api/users/wile/password", { as: globex, body: { password: "other-tenant" } })).statusCode).toBe(404);
      expect((await login("wile", "third-password")).statusCode).toBe(200);
    });
  });

  describe("disabled accounts", () => {
    it("a disabled user is refused with 401 on every way in, and comes back when enabled", async () => {
      const r = await invite(acme, { username: "roadrunner", password: "meep-meep-meep" });
      const rr: Creds = { username: "roadrunner", apikey: (r.json() as { apikey: string }).apikey };
      const token = await loginToken("roadrunner", "meep-meep-meep");

      const off = await t.call("PATCH", "/api/users/roadrunner", { as: acme, body: { disabled: true } });
      expect(off.statusCode, off.body).toBe(200);
      expect(off.json()).toMatchObject({ disabled: true });
      expect((await meAs(rr)).statusCode).toBe(401);
      expect((await t.call("GET", "/api/me", { headers: bearer(token) })).statusCode).toBe(401);
      expect((await login("roadrunner", "meep-meep-meep")).statusCode).toBe(401);
      expect((await t.call("GET", "/api/users/roadrunner/vaults", { as: rr })).statusCode).toBe(401);

      const on = await t.call("PATCH", "/api/users/roadrunner", { as: t.admin, body: { disabled: false } });
      expect(on.statusCode).toBe(200);
      expect((await meAs(rr)).statusCode).toBe(200);
      // the sessions of the disabled time stay ended
      expect((await t.call("GET", "/api/me", { headers: bearer(token) })).statusCode).toBe(401);
      expect((await login("roadrunner", "meep-meep-meep")).statusCode).toBe(200);
    });

    it("only the team's managers disable, never themselves", async () => {
      expect((await t.call("PATCH", "/api/users/acme-m2", { as: member, body: { disabled: true } })).statusCode).toBe(404);
      expect((await t.call("PATCH", "/api/users/acme-m1", { as: member, body: { disabled: true } })).statusCode).toBe(403);
      expect((await t.call("PATCH", "/api/users/acme-m1", { as: globex, body: { disabled: true } })).statusCode).toBe(404);
      const self = await t.call("PATCH", "/api/users/acme", { as: acme, body: { disabled: true } });
      expect(self.statusCode).toBe(400);
      expect(self.json()).toMatchObject({ field: "disabled" });
      expect((await meAs(member)).statusCode).toBe(200);
      expect((await meAs(acme)).statusCode).toBe(200);
    });
  });
});
