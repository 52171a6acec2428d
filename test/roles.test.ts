// Rights between roles inside one tenant (issue 9, item 1): a team admin or a
// payer could regenerate the API key of any member of its team, a system
// administrator on the team included, and so take over the system. Now keys
// and passwords are the user's own and the system administrators'; nobody
// acts on an account whose rights exceed its own; regenerating a key ends the
// sessions made from the old key; and disabling a payer disables its team.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type Creds, type TestApp } from "./app";

type Json = Record<string, unknown>;

describe("rights between roles inside a tenant", () => {
  let t: TestApp;
  let payer: Creds;
  let teamAdmin: Creds;
  let member: Creds;
  let sysMember: Creds;

  const call = (as: Creds, method: string, url: string, body?: unknown) => t.call(method, url, { as, ...(body !== undefined ? { body } : {}) });
  const canAuthenticate = async (c: Creds) => (await t.call("GET", "/api/me", { as: c })).statusCode === 200;

  beforeAll(async () => {
    t = await startTestApp({}, { simulated: {} });
    payer = await t.payer("acme");
    teamAdmin = await t.member("acme-lead", "acme", { teamAdmin: true });
    member = await t.member("acme-m1", "acme");
    const r = await t.call("POST", "/api/users", { as: t.admin, body: { username: "acme-ops", payer: "acme", sysadmin: true } });
    expect(r.statusCode, r.body).toBe(201);
    sysMember = { username: "acme-ops", apikey: (r.json() as { apikey: string }).apikey };
  });
  afterAll(async () => t?.close());

  it("a team admin or the payer cannot regenerate the API key of the system administrator on its team, nor any member's", async () => {
    for (const by of [teamAdmin, payer]) {
      for (const target of [sysMember, member, teamAdmin, payer].filter((x) => x !== by)) {
        const r = await call(by, "POST", `/api/users/${target.username}/apikey`);
        expect(r.statusCode, `${by.username} -> ${target.username}: ${r.body}`).toBe(403);
        expect(r.body).not.toContain("apikey\"");
      }
    }
    // Nothing changed: every old key still works, and the system administrator's rights are intact.
    for (const c of [sysMember, member, teamAdmin, payer]) expect(await canAuthenticate(c)).toBe(true);
    const ops = await call(sysMember, "GET", "/api/me");
    expect((ops.json() as Json).sysadmin).toBe(true);
  });

  it("the user itself and system administrators regenerate a key", async () => {
    const own = await call(member, "POST", `/api/users/${member.username}/apikey`);
    expect(own.statusCode, own.body).toBe(200);
    member.apikey = (own.json() as { apikey: string }).apikey;
    const byRoot = await call(t.admin, "POST", `/api/users/${teamAdmin.username}/apikey`);
    expect(byRoot.statusCode, byRoot.body).toBe(200);
    teamAdmin.apikey = (byRoot.json() as { apikey: string }).apikey;
    expect(await canAuthenticate(member)).toBe(true);
    expect(await canAuthenticate(teamAdmin)).toBe(true);
  });

  it("a team admin or the payer cannot change the profile or rights of the system administrator on the team, and a team admin not the payer's", async () => {
    const cases: [Creds, Creds, Json][] = [
      [teamAdmin, sysMember, { email: "owned@evil.example" }],
      [teamAdmin, sysMember, { disabled: true }],
      [teamAdmin, sysMember, { teamAdmin: true }],
      [payer, sysMember, { fullName: "owned" }],
      [payer, sysMember, { disabled: true }],
      [teamAdmin, payer, { email: "owned@evil.example" }],
      [teamAdmin, payer, { fullName: "owned" }],
      [teamAdmin, payer, { disabled: true }],
    ];
    for (const [by, target, body] of cases) {
      const r = await call(by, "PATCH", `/api/users/${target.username}`, body);
      expect(r.statusCode, `${by.username} -> ${target.username} ${JSON.stringify(body)}: ${r.body}`).toBe(403);
    }
    const ops = (await call(t.admin, "GET", `/api/users/${sysMember.username}`)).json() as Json;
    expect(ops).toMatchObject({ email: "", fullName: "", disabled: false, teamAdmin: false, sysadmin: true });
    const acme = (await call(t.admin, "GET", "/api/users/acme")).json() as Json;
    expect(acme).toMatchObject({ email: "", fullName: "", disabled: false });
  });

  it("a team admin manages plain members but not another team admin; the payer manages both", async () => {
    const second = await t.member("acme-lead2", "acme", { teamAdmin: true });
    expect((await call(teamAdmin, "PATCH", `/api/users/${second.username}`, { teamAdmin: false })).statusCode).toBe(403);
    expect((await call(teamAdmin, "PATCH", `/api/users/${second.username}`, { fullName: "demoted" })).statusCode).toBe(403);
    expect((await call(teamAdmin, "PATCH", `/api/users/${member.username}`, { fullName: "Member One" })).statusCode).toBe(200);
    const r = await call(payer, "PATCH", `/api/users/${second.username}`, { teamAdmin: false, fullName: "Lead Two" });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ teamAdmin: false, fullName: "Lead Two" });
  });

  it("vaults: nobody but system administrators adds one; nobody shares into the system administrator on the team", async () => {
    for (const by of [teamAdmin, payer]) {
      const r = await call(by, "POST", `/api/users/${sysMember.username}/vaults`, { name: "planted", kind: "nfs", nfsServer: "nfs.evil", nfsPath: "/x" });
      expect(r.statusCode, r.body).toBe(403);
    }
    const added = await call(t.admin, "POST", `/api/users/${member.username}/vaults`, { name: "projects", kind: "pvc", storageClass: "standard", size: 1 });
    expect(added.statusCode, added.body).toBe(201);
    const vault = (added.json() as { id: number }).id;
    for (const by of [member, teamAdmin, payer]) {
      const r = await call(by, "POST", `/api/vaults/${vault}/shares`, { username: sysMember.username });
      expect(r.statusCode, `${by.username}: ${r.body}`).toBe(403);
    }
    const held = (await call(t.admin, "GET", `/api/users/${sysMember.username}/vaults`)).json() as { vaults: { name: string }[] };
    expect(held.vaults.map((v) => v.name)).not.toContain("projects");
    // A team admin cannot hand out the payer's or the system administrator's vaults either.
    const opsVault = held.vaults[0] as unknown as { id: number };
    expect((await call(teamAdmin, "POST", `/api/vaults/${opsVault.id}/shares`, { username: member.username })).statusCode).toBe(403);
    // Within the team, sharing a member's vault still works.
    expect((await call(teamAdmin, "POST", `/api/vaults/${vault}/shares`, { username: payer.username })).statusCode).toBe(201);
  });

  it("regenerating a key ends the sessions made from the old key; password sessions stay", async () => {
    const m = await t.member("acme-m2", "acme");
    const login = async (body: Json) => {
      const r = await t.call("POST", "/api/login", { body: { username: m.username, ...body } });
      expect(r.statusCode, r.body).toBe(200);
      return (r.json() as { token: string }).token;
    };
    const byKey = await login({ apikey: m.apikey });
    const byPassword = await login({ password: m.password });
    const session = (token: string) => t.call("GET", "/api/me", { headers: { authorization: `Bearer ${token}` } });
    expect((await session(byKey)).statusCode).toBe(200);
    const r = await t.call("POST", `/api/users/${m.username}/apikey`, { headers: { authorization: `Bearer ${byPassword}` } });
    expect(r.statusCode, r.body).toBe(200);
    expect((await session(byKey)).statusCode).toBe(401);
    expect((await session(byPassword)).statusCode).toBe(200);
  });

  describe("a disabled payer disables its whole team", () => {
    let p: Creds;
    let lead: Creds;
    let m: Creds;
    let token: string;
    const submit = (c: Creds) =>
      t.call("POST", "/jarvice/submit", { body: { app: "demo", application: { command: "sleep", parameters: { seconds: 1 } }, machine: { type: "n4" }, user: { username: c.username, apikey: c.apikey } } });
    const login = (c: Creds) => t.call("POST", "/api/login", { body: { username: c.username, password: c.password } });
    const invite = (c: Creds, username: string) => call(c, "POST", "/api/users", { username });
    const withSession = () => t.call("GET", "/api/me", { headers: { authorization: `Bearer ${token}` } });

    beforeAll(async () => {
      p = await t.payer("globex");
      lead = await t.member("globex-lead", "globex", { teamAdmin: true });
      m = await t.member("globex-m1", "globex");
      token = ((await login(m)).json() as { token: string }).token;
    });

    it("members work while the payer is enabled", async () => {
      expect((await submit(m)).statusCode).toBe(200);
      expect((await withSession()).statusCode).toBe(200);
    });

    it("while disabled, its members cannot log in, use keys or sessions, submit or invite", async () => {
      expect((await call(t.admin, "PATCH", "/api/users/globex", { disabled: true })).statusCode).toBe(200);
      for (const c of [m, lead]) {
        const l = await login(c);
        expect(l.statusCode, l.body).toBe(401);
        expect((await t.call("GET", "/api/me", { as: c })).statusCode).toBe(401);
        expect((await t.call("GET", `/jarvice/jobs?username=${c.username}&apikey=${c.apikey}`)).statusCode).toBe(401);
        expect((await submit(c)).statusCode).toBe(401);
      }
      expect((await withSession()).statusCode).toBe(401);
      expect((await invite(lead, "globex-new")).statusCode).toBe(401);
      expect((await call(t.admin, "GET", "/api/users/globex-new")).statusCode).toBe(404);
      // Other tenants are untouched.
      expect(await canAuthenticate(member)).toBe(true);
    });

    it("re-enabling the payer restores its team, sessions included", async () => {
      expect((await call(t.admin, "PATCH", "/api/users/globex", { disabled: false })).statusCode).toBe(200);
      expect((await login(m)).statusCode).toBe(200);
      expect((await withSession()).statusCode).toBe(200);
      expect((await submit(m)).statusCode).toBe(200);
      expect((await invite(lead, "globex-new")).statusCode).toBe(201);
      expect(await canAuthenticate(p)).toBe(true);
    });
  });
});
