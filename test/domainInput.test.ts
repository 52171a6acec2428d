// Bad input that needs domain knowledge to refuse (issue 9, item 6): numeric
// AppDef parameters in anything but plain decimal, walltimes with minutes or
// seconds over 59, zone ids beyond 32 bits, node selectors that are not
// Kubernetes labels, sub-paths and NFS paths that climb out with `..` (or are
// absolute where they must be relative), external identities of the wrong
// shape, and DAL-hook output that declares nonsense. Each answers 400 (502 for
// the hook) naming the field, and changes nothing stored.
import { fileURLToPath } from "node:url";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type Creds, type TestApp } from "./app";
import { demoJob } from "./jarviceClient";

type Table = "users" | "vaults" | "payer_metadata" | "jobs" | "clusters" | "machines" | "zones";

async function counts(t: TestApp, tables: Table[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of tables) {
    const r = await t.opened.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    out[table] = Number(r.n);
  }
  return out;
}

/** A 4xx naming `field` (the message starts with `<field>: `) and matching `text`. */
function expectRefused(r: LightMyRequestResponse, status: number, field: string, text: RegExp): void {
  const what = `${r.statusCode} ${r.body}`;
  expect(r.statusCode, what).toBe(status);
  const j = r.json() as { error: string; field?: string };
  expect(j.field, what).toBe(field);
  expect(j.error.startsWith(`${field}: `), what).toBe(true);
  expect(j.error, what).toMatch(text);
}

describe("domain input through the API", () => {
  let t: TestApp;
  let acme: Creds;
  let west: number;
  let clusterId: number;
  const asAdmin = (method: string, url: string, body?: unknown) => t.call(method, url, { as: t.admin, ...(body !== undefined ? { body } : {}) });
  const ALL: Table[] = ["users", "vaults", "payer_metadata", "jobs", "clusters", "machines", "zones"];

  beforeAll(async () => {
    t = await startTestApp({}, { simulated: { nodes: 2 } });
    acme = await t.payer("acme");
    const z = await asAdmin("POST", "/api/zones", { name: "west" });
    expect(z.statusCode, z.body).toBe(201);
    west = (z.json() as { id: number }).id;
    const c = await asAdmin("POST", "/api/clusters", { name: "west-1", zone: west, backend: "simulated" });
    expect(c.statusCode, c.body).toBe(201);
    clusterId = (c.json() as { id: number }).id;
  });
  afterAll(async () => t.close());

  describe("submissions", () => {
    const submit = (body: Record<string, unknown>) => t.call("POST", "/jarvice/submit", { body: { user: { username: acme.username, apikey: acme.apikey }, ...body } });
    const sleeping = (seconds: unknown, walltime?: string) => ({ ...demoJob(), application: { command: "sleep", parameters: { seconds }, ...(walltime !== undefined ? { walltime } : {}) } });

    it("accepts the plain decimal forms (control case)", async () => {
      for (const seconds of [30, "30", "+30"]) {
        const r = await submit(sleeping(seconds, "00:59:59"));
        expect(r.statusCode, r.body).toBe(200);
      }
    });

    it.each<[unknown, RegExp]>([
      ["0x10", /must be an integer/],
      ["1e3", /must be an integer/],
      ["0b101", /must be an integer/],
      ["16.0e0", /must be an integer/],
      [" 60", /must be an integer/],
      ["Infinity", /must be an integer/],
      ["9007199254740993", /must be an integer/],
      [86401, /must be at most 86400/],
      ["0", /must be at least 1/],
    ])("refuses seconds %j with 400 naming application.parameters.seconds, and stores no job", async (seconds, text) => {
      const before = await counts(t, ["jobs"]);
      expectRefused(await submit(sleeping(seconds)), 400, "application.parameters.seconds", text);
      // the portal's submission (session user) goes through the same check
      const body = sleeping(seconds);
      expectRefused(await t.call("POST", "/api/jobs", { as: acme, body }), 400, "application.parameters.seconds", text);
      expect(await counts(t, ["jobs"])).toEqual(before);
    });

    it.each(["00:60", "01:75", "1:99", "00:00:60", "02:30:99", "10:60:00"])("refuses walltime %s (minutes or seconds over 59) naming application.walltime", async (walltime) => {
      const before = await counts(t, ["jobs"]);
      expectRefused(await submit(sleeping(30, walltime)), 400, "application.walltime", /minutes and seconds from 00 to 59/);
      expect(await counts(t, ["jobs"])).toEqual(before);
    });
  });

  describe("zone ids", () => {
    it.each<[string, unknown]>([
      ["2^31", 2 ** 31],
      ["2^32", 2 ** 32],
      ["2^53", 2 ** 53],
      ["-2", -2],
      ["-1 (a cluster is always in a zone)", -1],
    ])("a new cluster in zone %s: 400 naming zone, no cluster", async (_what, zone) => {
      const before = await counts(t, ALL);
      expectRefused(await asAdmin("POST", "/api/clusters", { name: "c-big", zone }), 400, "zone", /zone/);
      expect(await counts(t, ALL)).toEqual(before);
    });

    it("moving a cluster to zone 2^32: 400 naming zone, the cluster stays where it was", async () => {
      expectRefused(await asAdmin("PATCH", `/api/clusters/${clusterId}`, { zone: 2 ** 32 }), 400, "zone", /zone ids run from 0 to 2147483647/);
      const row = await t.opened.db.selectFrom("clusters").select("zone_id").where("id", "=", clusterId).executeTakeFirstOrThrow();
      expect(row.zone_id).toBe(west);
    });

    it.each(["vaultZone", "vaultEphemeralZone"])("payer metadata %s beyond 32 bits: 400 naming the key, no row", async (key) => {
      const before = await counts(t, ALL);
      for (const value of ["4294967296", 4294967296, "99999999999999999999", "-5"]) {
        expectRefused(await asAdmin("POST", "/api/metadata", { payer: "acme", key, value }), 400, `value (${key})`, /integer zone id/);
      }
      expectRefused(await asAdmin("POST", "/api/users", { username: "zz-payer", vaultOverrides: { [key]: 2 ** 40 } }), 400, `vaultOverrides.${key}`, /integer zone id/);
      expect(await counts(t, ALL)).toEqual(before);
    });

    it("a vault in zone 2^40: 400 naming zone, no vault", async () => {
      const before = await counts(t, ALL);
      expectRefused(await asAdmin("POST", "/api/users/acme/vaults", { name: "far", kind: "pvc", storageClass: "standard", size: 10, zone: 2 ** 40 }), 400, "zone", /integer zone id/);
      expect(await counts(t, ALL)).toEqual(before);
    });
  });

  describe("node selectors of machine types", () => {
    const machine = (nodeSelector: unknown) => ({ name: "sel-1", cluster: "west-1", cores: 2, memoryGb: 4, nodeSelector });

    it("accepts label keys with a DNS prefix (control case)", async () => {
      const r = await asAdmin("POST", "/api/machines", { ...machine({ "node.example.com/pool": "gpu-a100", arch: "amd64" }), name: "sel-ok" });
      expect(r.statusCode, r.body).toBe(201);
    });

    it.each<[Record<string, unknown>, string, RegExp]>([
      [{ "not a key": "x" }, "nodeSelector.not a key", /label key/],
      [{ "pool;rm": "x" }, "nodeSelector.pool;rm", /label key/],
      [{ "a/b/c": "x" }, "nodeSelector.a/b/c", /more than one '\/'/],
      [{ "Example.COM/pool": "x" }, "nodeSelector.Example.COM/pool", /DNS prefix/],
      [{ ["k".repeat(64)]: "x" }, `nodeSelector.${"k".repeat(64)}`, /label key/],
      [{ pool: "gpu a100" }, "nodeSelector.pool", /label value/],
      [{ pool: "v".repeat(64) }, "nodeSelector.pool", /label value/],
    ])("refuses %j naming the key, and stores no machine", async (selector, field, text) => {
      const before = await counts(t, ALL);
      expectRefused(await asAdmin("POST", "/api/machines", machine(selector)), 400, field, text);
      expect(await counts(t, ALL)).toEqual(before);
    });

    it("refuses the same on a change, leaving the machine's selector as it was", async () => {
      const created = await asAdmin("POST", "/api/machines", machine({ pool: "cpu" }));
      expect(created.statusCode, created.body).toBe(201);
      const id = (created.json() as { id: number }).id;
      expectRefused(await asAdmin("PATCH", `/api/machines/${id}`, { nodeSelector: { "bad key": "x" } }), 400, "nodeSelector.bad key", /label key/);
      const row = await t.opened.db.selectFrom("machines").select("node_selector").where("id", "=", id).executeTakeFirstOrThrow();
      expect(row.node_selector).toEqual({ pool: "cpu" });
    });
  });

  describe("sub-paths and NFS paths", () => {
    const pvc = (over: Record<string, unknown>) => ({ name: "projects", kind: "pvc", storageClass: "standard", size: 10, ...over });
    const nfs = (over: Record<string, unknown>) => ({ name: "home", kind: "nfs", nfsServer: "nfs1.example.com", nfsPath: "/export/acme", ...over });

    it("accepts a relative sub-path and an absolute NFS path (control case)", async () => {
      expect((await asAdmin("POST", "/api/users/acme/vaults", pvc({ name: "ok-pvc", subpath: "teams/acme/%USER%" }))).statusCode).toBe(201);
      expect((await asAdmin("POST", "/api/users/acme/vaults", nfs({ name: "ok-nfs", nfsServer: "10.0.0.5" }))).statusCode).toBe(201);
    });

    it.each<[string, Record<string, unknown>, string, RegExp]>([
      ["a sub-path climbing out", pvc({ subpath: "../../other-tenant" }), "subpath", /'\.\.' segment/],
      ["a sub-path climbing out after a substitution", pvc({ subpath: "%USER%/../../x" }), "subpath", /'\.\.' segment/],
      ["an absolute sub-path", pvc({ subpath: "/etc" }), "subpath", /relative to the volume's root/],
      ["an NFS path with '..'", nfs({ nfsPath: "/export/../etc" }), "nfsPath", /'\.\.' segment/],
      ["a relative NFS path", nfs({ nfsPath: "export/acme" }), "nfsPath", /absolute/],
      ["an NFS server that is not a host", nfs({ nfsServer: "nfs1; reboot" }), "nfsServer", /host name or an IP address/],
      ["an NFS server with a path", nfs({ nfsServer: "nfs1:/export" }), "nfsServer", /host name or an IP address/],
      ["a vault name with shell characters", nfs({ name: "home$(id)" }), "name", /letters, digits/],
    ])("a vault with %s: 400 naming the field, no vault", async (_what, body, field, text) => {
      const before = await counts(t, ALL);
      expectRefused(await asAdmin("POST", "/api/users/acme/vaults", body), 400, field, text);
      expect(await counts(t, ALL)).toEqual(before);
    });

    it.each(["../other", "home/../../..", "/home/%USER%"])("payer metadata vaultSubpath '%s': 400 naming the key, no row", async (value) => {
      const before = await counts(t, ALL);
      expectRefused(await asAdmin("POST", "/api/metadata", { payer: "acme", key: "vaultSubpath", value }), 400, "value (vaultSubpath)", /'\.\.' segment|relative/);
      expectRefused(await asAdmin("POST", "/api/users", { username: "sp-payer", vaultOverrides: { vaultSubpath: value } }), 400, "vaultOverrides.vaultSubpath", /'\.\.' segment|relative/);
      expect(await counts(t, ALL)).toEqual(before);
    });

    it("vaultDalHookMeta with NUL (it reaches the hook's environment): 400 naming the key, no row", async () => {
      const before = await counts(t, ALL);
      // refused at the HTTP layer's root guard (which names the body field) before the metadata rules see it
      expectRefused(await asAdmin("POST", "/api/metadata", { payer: "acme", key: "vaultDalHookMeta", value: "tier=gold\u0000x" }), 400, "value", /NUL/);
      expectRefused(await asAdmin("POST", "/api/users", { username: "nul-payer", vaultOverrides: { vaultDalHookMeta: "\u0000" } }), 400, "vaultOverrides.vaultDalHookMeta", /NUL/);
      expect(await counts(t, ALL)).toEqual(before);
    });

    it("an edit of vaultSubpath to '..' keeps the old value", async () => {
      const created = await asAdmin("POST", "/api/metadata", { payer: "acme", key: "vaultSubpath", value: "teams/acme/%USER%" });
      expect(created.statusCode, created.body).toBe(201);
      const id = (created.json() as { id: number }).id;
      expectRefused(await asAdmin("PUT", `/api/metadata/${id}`, { value: "teams/../../%USER%" }), 400, "value (vaultSubpath)", /'\.\.' segment/);
      const row = await t.opened.db.selectFrom("payer_metadata").select("value").where("id", "=", id).executeTakeFirstOrThrow();
      expect(row.value).toBe("teams/acme/%USER%");
    });
  });
});

describe("JARVICE_PVC_VAULT_SUBPATH with '..' stops start-up naming the setting", () => {
  it("refuses to start", async () => {
    await expect(startTestApp({ JARVICE_PVC_VAULT_SUBPATH: "../%USER%" })).rejects.toThrow(/JARVICE_PVC_VAULT_SUBPATH: must not contain a '\.\.' segment/);
  });
});

describe("external identities as a shape", () => {
  const SECRET = "proxy-shared-secret-0123456789";
  const RULES = [
    { group: "acme-admins", payer: "ext-acme", teamAdmin: true },
    { emailDomain: "acme.com", payer: "ext-acme" },
  ];
  let t: TestApp;
  const me = (identity: unknown) =>
    t.call("GET", "/api/me", { headers: { "x-paddock-identity": typeof identity === "string" ? identity : JSON.stringify(identity), "x-paddock-identity-secret": SECRET } });

  beforeAll(async () => {
    t = await startTestApp({ PADDOCK_EXTERNAL_AUTH_RULES: JSON.stringify(RULES), PADDOCK_EXTERNAL_AUTH_SECRET: SECRET });
    await t.payer("ext-acme");
  });
  afterAll(async () => t.close());

  it("creates a member for a well-formed identity (control case)", async () => {
    const r = await me({ subject: "ok-1", email: "carol@acme.com", groups: ["staff"], upn: "carol@CORP", sam: "CAROL" });
    expect(r.statusCode, r.body).toBe(200);
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ["groups as a string containing the rule's group", { subject: "g-1", groups: "acme-admins-not" }, "groups", /list of group names/],
    ["a group that is a list", { subject: "g-2", groups: [["acme-admins"]] }, "groups[0]", /must be a string/],
    ["an e-mail with two '@'", { subject: "e-1", email: "mallory@acme.com@evil.example" }, "email", /exactly one '@'/],
    ["an e-mail without '@'", { subject: "e-2", email: "mallory" }, "email", /exactly one '@'/],
    ["a user name that is an object", { subject: "u-1", username: { first: "bob" }, email: "bob@acme.com" }, "username", /must be a string/],
    ["a subject that is a number", { subject: 42, email: "n@acme.com" }, "subject", /must be a string/],
    ["a subject with NUL", { subject: "nul\u0000x", email: "nul@acme.com" }, "subject", /control characters/],
    ["a UPN that climbs a path", { subject: "p-1", email: "p@acme.com", upn: "../../other@CORP" }, "upn", /'\.\.'/],
    ["a UPN with '/'", { subject: "p-2", email: "p2@acme.com", upn: "a/b@CORP" }, "upn", /'\/'/],
    ["a sAMAccountName of '..'", { subject: "p-3", email: "p3@acme.com", sam: ".." }, "sam", /'\.\.'/],
    ["an over-long subject", { subject: "s".repeat(256), email: "s@acme.com" }, "subject", /at most 255/],
  ])("%s: 400 naming x-paddock-identity.<field>, no user", async (_what, identity, field, text) => {
    const before = await counts(t, ["users", "vaults"]);
    expectRefused(await me(identity), 400, `x-paddock-identity.${field}`, text);
    expect(await counts(t, ["users", "vaults"])).toEqual(before);
  });

  it("a group that only contains the rule's group name is no match: 403, no user", async () => {
    const before = await counts(t, ["users", "vaults"]);
    const r = await me({ subject: "g-3", groups: ["acme-admins-not", "x-acme-admins"] });
    expect(r.statusCode, r.body).toBe(403);
    expect(await counts(t, ["users", "vaults"])).toEqual(before);
  });

  it("a header that is JSON but not an object: 400 naming the header", async () => {
    expectRefused(await me('["acme-admins"]'), 400, "x-paddock-identity", /JSON identity/);
  });
});

describe("DAL-hook output that declares nonsense", () => {
  let t: TestApp;
  const hook = fileURLToPath(new URL("./fixtures/hooks/declare-bad.sh", import.meta.url));

  beforeAll(async () => {
    t = await startTestApp({ PADDOCK_DAL_HOOK: hook, PADDOCK_DAL_HOOK_TIMEOUT: "30" });
  });
  afterAll(async () => t.close());

  it("creates an account from a good declaration (control case)", async () => {
    const r = await t.call("POST", "/api/users", { as: t.admin, body: { username: "good-one" } });
    expect(r.statusCode, r.body).toBe(201);
    expect((r.json() as { vaults: Array<{ name: string }> }).vaults.map((v) => v.name)).toEqual(["home"]);
  });

  it.each<[string, RegExp]>([
    ["bad-dup", /declared vault 'home' twice/],
    ["bad-negative", /size must be a whole number of GB/],
    ["bad-fraction", /size must be a whole number of GB/],
    ["bad-many", /declared more than 100 vaults/],
    ["bad-semicolon", /name 'home;rm -rf \/' must be 1-63 letters/],
    ["bad-dollar", /name '\$\(id\)' must be 1-63 letters/],
    ["bad-backtick", /name '`id`' must be 1-63 letters/],
    ["bad-kind", /kind must be one of ephemeral, pvc, nfs/],
    ["bad-zone", /zone must be an integer zone id/],
    ["bad-missing-zone", /zone 77, which does not exist/],
    ["bad-path", /nfsPath must not contain a '\.\.' segment/],
    ["bad-subpath", /subpath must not contain a '\.\.' segment/],
  ])("%s: 502 naming the hook and the problem; no user, vault or metadata row", async (username, problem) => {
    const before = await counts(t, ["users", "vaults", "payer_metadata"]);
    const r = await t.call("POST", "/api/users", { as: t.admin, body: { username, vaultOverrides: { vaultSize: 5 } } });
    expect(r.statusCode, r.body).toBe(502);
    const error = (r.json() as { error: string }).error;
    expect(error).toMatch(/DAL hook/);
    if (username !== "bad-missing-zone") expect(error).toContain(hook);
    expect(error).toMatch(problem);
    expect(error.length).toBeLessThan(1000);
    expect(await counts(t, ["users", "vaults", "payer_metadata"])).toEqual(before);
  });
});
