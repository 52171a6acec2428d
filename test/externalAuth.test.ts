// External authentication: a trusted authenticating proxy (OIDC/SAML/LDAP)
// relays the identity in a header, with a shared secret in a second header.
// On first sight, the configured rules map the identity to a payer's team and
// the member is created (with the payer's default vaults); afterwards the
// identity's subject finds the same account. No secret, a wrong secret or no
// matching rule creates nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./app";

const SECRET = "proxy-shared-secret-0123456789";
const RULES = [
  { emailDomain: "acme.com", payer: "acme" },
  { group: "acme-admins", payer: "acme", teamAdmin: true },
  { emailDomain: "ghost.org", payer: "ghost" },
  { emailDomain: "member-as-payer.org", payer: "acme-m1" },
];

interface Identity {
  subject: string;
  username?: string;
  email?: string;
  groups?: string[];
  upn?: string;
  sam?: string;
}

interface UserJson {
  id: number;
  username: string;
  role: string;
  payer: string | null;
  tenant: string;
  teamAdmin: boolean;
  sysadmin: boolean;
  external: boolean;
  email: string;
}

/** The proxy's headers; `secret: null` leaves the secret header out. */
const identityHeaders = (identity: Identity | string, secret: string | null = SECRET): Record<string, string> => ({
  "x-paddock-identity": typeof identity === "string" ? identity : JSON.stringify(identity),
  ...(secret !== null ? { "x-paddock-identity-secret": secret } : {}),
});

describe("external authentication through a trusted header", () => {
  let t: TestApp;
  let zone: number;
  const asIdentity = (method: string, url: string, identity: Identity | string, secret: string | null = SECRET, body?: unknown) =>
    t.call(method, url, { headers: identityHeaders(identity, secret), ...(body !== undefined ? { body } : {}) });
  const me = (identity: Identity | string, secret: string | null = SECRET) => asIdentity("GET", "/api/me", identity, secret);
  const userCount = async () => (await t.opened.db.selectFrom("users").select("id").execute()).length;
  const expectNoUser = async (username: string) => {
    expect((await t.call("GET", `/api/users/${username}`, { as: t.admin })).statusCode).toBe(404);
    expect(await t.opened.db.selectFrom("users").select("id").where("username", "=", username).execute()).toEqual([]);
  };

  beforeAll(async () => {
    t = await startTestApp({ PADDOCK_EXTERNAL_AUTH_RULES: JSON.stringify(RULES), PADDOCK_EXTERNAL_AUTH_SECRET: SECRET });
    const z = await t.call("POST", "/api/zones", { as: t.admin, body: { name: "acme-zone" } });
    zone = (z.json() as { id: number }).id;
    await t.payer("acme");
    await t.member("acme-m1", "acme");
    for (const [key, value] of [
      ["vaultName", "acme-home"],
      ["vaultStorageClassName", "acme-ssd"],
      ["vaultAccessModes", "ReadWriteOnce"],
      ["vaultSize", "20"],
      ["vaultZone", String(zone)],
      ["vaultEphemeralZone", String(zone)],
    ]) {
      const r = await t.call("POST", "/api/metadata", { as: t.admin, body: { payer: "acme", key, value } });
      expect(r.statusCode, r.body).toBe(201);
    }
  });
  afterAll(async () => t.close());

  it("creates the member of the rule's payer on first sight, with the payer's default vaults", async () => {
    const before = await userCount();
    const r = await me({ subject: "oidc|123", email: "carol@acme.com" });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ username: "carol", email: "carol@acme.com", role: "member", payer: "acme", tenant: "acme", teamAdmin: false, sysadmin: false, external: true });
    expect(await userCount()).toBe(before + 1);

    const vaults = await t.call("GET", "/api/users/carol/vaults", { as: t.admin });
    expect((vaults.json() as { vaults: unknown[] }).vaults).toEqual([
      expect.objectContaining({ name: "ephemeral", kind: "ephemeral", zone, default: true }),
      expect.objectContaining({ name: "acme-home", kind: "pvc", storageClass: "acme-ssd", accessModes: ["ReadWriteOnce"], size: 20, zone, default: true }),
    ]);
    expect((await t.call("GET", "/api/users/carol/zone-access", { as: t.admin })).json()).toMatchObject({ lockedTo: { id: zone } });

    // the team sees the new member
    const team = await t.call("GET", "/api/users?payer=acme", { as: t.admin });
    expect((team.json() as { users: UserJson[] }).users.map((u) => u.username)).toContain("carol");
  });

  it("finds the same account by subject on later requests, whatever else the identity says", async () => {
    const first = (await me({ subject: "oidc|123", email: "carol@acme.com" })).json() as UserJson;
    const before = await userCount();
    for (const identity of [
      { subject: "oidc|123", email: "carol@acme.com" },
      { subject: "oidc|123", email: "carol.new@acme.com", username: "carol2" },
      { subject: "oidc|123" },
    ]) {
      const r = await me(identity);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ id: first.id, username: "carol" });
    }
    expect(await userCount()).toBe(before);
    expect(await t.opened.db.selectFrom("users").select("username").where("external_subject", "=", "oidc|123").execute()).toEqual([{ username: "carol" }]);
    // and the identity works on other routes, as that member
    const own = await asIdentity("GET", "/api/users/carol/vaults", { subject: "oidc|123" });
    expect(own.statusCode).toBe(200);
    expect((await asIdentity("GET", "/api/users/acme", { subject: "oidc|123" })).statusCode).toBe(404);
  });

  it("creates one account when the first requests of a new identity arrive together", async () => {
    const before = await userCount();
    const identity = { subject: "oidc|parallel", email: "pat@acme.com" };
    const answers = await Promise.all([me(identity), me(identity), me(identity)]);
    for (const r of answers) expect(r.statusCode, r.body).toBe(200);
    expect(new Set(answers.map((r) => (r.json() as UserJson).id)).size).toBe(1);
    expect(await userCount()).toBe(before + 1);
  });

  it("refuses a missing or wrong secret with 401 and creates nothing", async () => {
    const before = await userCount();
    for (const secret of [null, "", "wrong-secret-0123456789", SECRET.slice(0, -1), `${SECRET}x`]) {
      const r = await me({ subject: "oidc|mallory", email: "mallory@acme.com" }, secret);
      expect(r.statusCode, `secret ${JSON.stringify(secret)}: ${r.body}`).toBe(401);
    }
    // not even for a known subject
    expect((await me({ subject: "oidc|123" }, "wrong-secret-0123456789")).statusCode).toBe(401);
    expect(await userCount()).toBe(before);
    await expectNoUser("mallory");
  });

  it("refuses an identity that matches no rule with 403 and creates nothing", async () => {
    const before = await userCount();
    for (const identity of [
      { subject: "oidc|dave", email: "dave@other.org" },
      { subject: "oidc|dave", email: "dave@acme.com.evil.org" },
      { subject: "oidc|dave", email: "dave@sub.acme.com" },
      { subject: "oidc|dave", email: "dave@other.org", groups: ["acme-users", "ACME-ADMINS"] },
      { subject: "oidc|dave" },
    ]) {
      const r = await me(identity);
      expect(r.statusCode, `${JSON.stringify(identity)}: ${r.body}`).toBe(403);
    }
    expect(await userCount()).toBe(before);
    await expectNoUser("dave");
  });

  it("refuses a rule whose payer does not exist or is not a payer", async () => {
    const before = await userCount();
    expect((await me({ subject: "oidc|casper", email: "casper@ghost.org" })).statusCode).toBe(403);
    expect((await me({ subject: "oidc|mole", email: "mole@member-as-payer.org" })).statusCode).toBe(403);
    expect(await userCount()).toBe(before);
  });

  it("gives team admin rights through the group rule, which the member can use", async () => {
    const r = await me({ subject: "saml|erin", email: "erin@partner.net", groups: ["staff", "acme-admins"] });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ username: "erin", role: "member", payer: "acme", tenant: "acme", teamAdmin: true });
    // as team admin, erin invites into acme's team
    const invite = await asIdentity("POST", "/api/users", { subject: "saml|erin" }, SECRET, { username: "erin-recruit" });
    expect(invite.statusCode, invite.body).toBe(201);
    expect(invite.json()).toMatchObject({ user: { role: "member", payer: "acme" } });
    // the first matching rule wins: an acme.com address with the group is a plain member
    const both = await me({ subject: "saml|frank", email: "frank@acme.com", groups: ["acme-admins"] });
    expect(both.json()).toMatchObject({ username: "frank", teamAdmin: false });
  });

  it("makes a label-safe user name from the provider's user name or the e-mail", async () => {
    const a = await me({ subject: "ldap|gh", username: "Grace.Hopper", email: "ghopper@acme.com", upn: "grace@CORP.ACME.COM", sam: "GHOPPER" });
    expect(a.json()).toMatchObject({ username: "Grace.Hopper" });
    const row = await t.opened.db.selectFrom("users").select(["upn", "sam", "external_subject"]).where("username", "=", "Grace.Hopper").executeTakeFirstOrThrow();
    expect(row).toEqual({ upn: "grace@CORP.ACME.COM", sam: "GHOPPER", external_subject: "ldap|gh" });
    const b = await me({ subject: "oidc|ob", email: "o'brien+paddock@acme.com" });
    expect(b.statusCode, b.body).toBe(200);
    expect(b.json()).toMatchObject({ username: "o-brien-paddock" });
  });

  it("never signs an identity in as an existing local account of the same name: it gets a numbered name of its own", async () => {
    const before = await userCount();
    for (const [identity, name] of [
      [{ subject: "oidc|fake-root", email: "root@acme.com" }, "root-2"],
      [{ subject: "oidc|fake-m1", username: "acme-m1", email: "x@acme.com" }, "acme-m1-2"],
    ] as const) {
      const r = await me(identity);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ username: name, tenant: "acme", sysadmin: false, external: true });
      expect(((await me(identity)).json() as UserJson).username).toBe(name);
    }
    expect(await userCount()).toBe(before + 2);
    const root = await t.opened.db.selectFrom("users").select(["external_subject", "is_sysadmin"]).where("username", "=", "root").executeTakeFirstOrThrow();
    expect(root).toEqual({ external_subject: null, is_sysadmin: true });
  });

  it("refuses a malformed identity with 400 naming the header", async () => {
    const before = await userCount();
    for (const raw of ["not json", "{}", JSON.stringify({ subject: "" }), JSON.stringify({ email: "x@acme.com" })]) {
      const r = await me(raw);
      expect(r.statusCode, `${raw}: ${r.body}`).toBe(400);
      expect((r.json() as { error: string }).error).toMatch(/^x-paddock-identity/);
    }
    expect(await userCount()).toBe(before);
  });

  it("refuses a disabled external account with 401", async () => {
    expect((await me({ subject: "oidc|dis", email: "dis@acme.com" })).statusCode).toBe(200);
    const off = await t.call("PATCH", "/api/users/dis", { as: t.admin, body: { disabled: true } });
    expect(off.statusCode, off.body).toBe(200);
    expect((await me({ subject: "oidc|dis", email: "dis@acme.com" })).statusCode).toBe(401);
  });
});

describe("without external authentication configured", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await t.payer("acme");
  });
  afterAll(async () => t.close());

  it("ignores the identity headers: 401 and nobody created", async () => {
    const before = (await t.opened.db.selectFrom("users").select("id").execute()).length;
    const r = await t.call("GET", "/api/me", { headers: identityHeaders({ subject: "oidc|123", email: "carol@acme.com" }) });
    expect(r.statusCode).toBe(401);
    expect((await t.opened.db.selectFrom("users").select("id").execute()).length).toBe(before);
  });
});
