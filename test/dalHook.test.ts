// A site's custom DAL hook (PADDOCK_DAL_HOOK), run at every account creation
// like JARVICE's dal_hook_newuser.sh: the new user's name is argv[1], the
// vault setup (system defaults overridden by the payer's metadata) comes in
// exactly the documented environment variables, vaults the hook declares on
// stdout replace the defaults, and a failing or hanging hook fails the
// creation without leaving anything behind. The hooks are the scripts in
// test/fixtures/hooks/; each lets the bootstrap administrator "root" through,
// since startTestApp creates it (running the hook) before any test.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type Creds, type TestApp } from "./app";

const hook = (name: string) => fileURLToPath(new URL(`./fixtures/hooks/${name}`, import.meta.url));

/** The documented hook variables (spec: the metadata table, plus the user's name and payer). */
const DOCUMENTED = [
  "JARVICE_PVC_VAULT_NAME",
  "JARVICE_PVC_VAULT_STORAGECLASS",
  "JARVICE_PVC_VAULT_VOLUMENAME",
  "JARVICE_PVC_VAULT_ACCESSMODES",
  "JARVICE_PVC_VAULT_SIZE",
  "JARVICE_PVC_VAULT_SUBPATH",
  "JARVICE_PVC_VAULT_ZONE",
  "JARVICE_EPHEMERAL_VAULT_ZONE",
  "JARVICE_DAL_HOOK_META",
  "JARVICE_USER",
  "JARVICE_PAYER",
];
/**
 * Variables the hook's own shell sets for itself, not Paddock: PWD (every
 * POSIX shell), and OLDPWD, SHLVL and _ (bash, if a site's /bin/sh is bash).
 * They are dropped before comparing; everything else must be Paddock's.
 */
const SHELL_ADDED = new Set(["PWD", "OLDPWD", "SHLVL", "_"]);

interface HookRun {
  argv: string[];
  env: Record<string, string>;
}

/** What record-env.sh wrote for `user` into `dir`. */
function recorded(dir: string, user: string): HookRun {
  const argv = fs.readFileSync(path.join(dir, `${user}.argv`), "utf8").split("\n").slice(0, -1);
  const env: Record<string, string> = {};
  for (const line of fs.readFileSync(path.join(dir, `${user}.env`), "utf8").split("\n")) {
    const i = line.indexOf("=");
    if (i > 0 && !SHELL_ADDED.has(line.slice(0, i))) env[line.slice(0, i)] = line.slice(i + 1);
  }
  return { argv, env };
}

interface VaultJson {
  name: string;
  kind: string;
  zone: number;
  default: boolean;
  storageClass: string | null;
  accessModes: string[];
  size: number | null;
  nfsServer: string | null;
  nfsPath: string | null;
}

async function vaultsOf(t: TestApp, username: string): Promise<VaultJson[]> {
  const r = await t.call("GET", `/api/users/${username}/vaults`, { as: t.admin });
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { vaults: VaultJson[] }).vaults;
}

async function newZone(t: TestApp, name: string): Promise<number> {
  const r = await t.call("POST", "/api/zones", { as: t.admin, body: { name } });
  expect(r.statusCode, r.body).toBe(201);
  return (r.json() as { id: number }).id;
}

async function setMetadata(t: TestApp, payer: string, key: string, value: string | number): Promise<void> {
  const r = await t.call("POST", "/api/metadata", { as: t.admin, body: { payer, key, value } });
  expect(r.statusCode, r.body).toBe(201);
}

/** Row counts of everything an account creation writes. */
async function footprint(t: TestApp) {
  const db = t.opened.db;
  const count = async (table: "users" | "vaults" | "payer_metadata") => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
  return { users: await count("users"), vaults: await count("vaults"), metadata: await count("payer_metadata") };
}

async function expectNoUser(t: TestApp, username: string): Promise<void> {
  expect((await t.call("GET", `/api/users/${username}`, { as: t.admin })).statusCode).toBe(404);
  expect(await t.opened.db.selectFrom("users").select("id").where("username", "=", username).execute()).toEqual([]);
}

describe("a custom DAL hook gets the new user's name and exactly the documented variables", () => {
  let t: TestApp;
  let tmp: string;
  let east: number;
  let scratch: number;
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "paddock-dal-"));
    t = await startTestApp({
      PADDOCK_DAL_HOOK: hook("record-env.sh"),
      PADDOCK_DAL_HOOK_TIMEOUT: "20",
      // the system default; record-env.sh writes into the directory it names
      JARVICE_DAL_HOOK_META: path.join(tmp, "system"),
      JARVICE_PVC_VAULT_NAME: "data",
      JARVICE_PVC_VAULT_STORAGECLASS: "standard",
      JARVICE_PVC_VAULT_ACCESSMODES: "ReadWriteOnce",
      JARVICE_PVC_VAULT_SIZE: "10",
    });
    east = await newZone(t, "east");
    scratch = await newZone(t, "scratch");
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("ran for the bootstrap administrator with the system defaults (unset ones empty, zones -1)", () => {
    const run = recorded(path.join(tmp, "system"), "root");
    expect(run.argv).toEqual([hook("record-env.sh"), "root"]);
    expect(run.env).toEqual({
      PATH: expect.any(String),
      JARVICE_PVC_VAULT_NAME: "data",
      JARVICE_PVC_VAULT_STORAGECLASS: "standard",
      JARVICE_PVC_VAULT_VOLUMENAME: "",
      JARVICE_PVC_VAULT_ACCESSMODES: "ReadWriteOnce",
      JARVICE_PVC_VAULT_SIZE: "10",
      JARVICE_PVC_VAULT_SUBPATH: "",
      JARVICE_PVC_VAULT_ZONE: "-1",
      JARVICE_EPHEMERAL_VAULT_ZONE: "-1",
      JARVICE_DAL_HOOK_META: path.join(tmp, "system"),
      JARVICE_USER: "root",
      JARVICE_PAYER: "root",
    });
  });

  it("gives a team member's hook the payer's metadata, and nothing of Paddock's own environment", async () => {
    const payer = await t.payer("acme");
    const meta = path.join(tmp, "acme");
    for (const [key, value] of [
      ["vaultName", "home"],
      ["vaultStorageClassName", "fast-ssd"],
      ["vaultVolumeName", "pv-home"],
      ["vaultAccessModes", "ReadWriteMany,ReadOnlyOnce"],
      ["vaultSize", 50],
      ["vaultSubpath", "teams/acme/%USER%"],
      ["vaultZone", east],
      ["vaultEphemeralZone", scratch],
      ["vaultDalHookMeta", meta],
    ] as const) {
      await setMetadata(t, "acme", key, value);
    }

    // a variable of the API process that must not reach the hook
    process.env.PADDOCK_TEST_CANARY = "must-not-leak";
    try {
      const r = await t.call("POST", "/api/users", { as: payer, body: { username: "wile.e" } });
      expect(r.statusCode, r.body).toBe(201);
    } finally {
      delete process.env.PADDOCK_TEST_CANARY;
    }

    const run = recorded(meta, "wile.e");
    expect(run.argv).toEqual([hook("record-env.sh"), "wile.e"]);
    expect(Object.keys(run.env).sort()).toEqual([...DOCUMENTED, "PATH"].sort());
    expect(run.env).toMatchObject({
      JARVICE_PVC_VAULT_NAME: "home",
      JARVICE_PVC_VAULT_STORAGECLASS: "fast-ssd",
      JARVICE_PVC_VAULT_VOLUMENAME: "pv-home",
      JARVICE_PVC_VAULT_ACCESSMODES: "ReadWriteMany,ReadOnlyOnce",
      JARVICE_PVC_VAULT_SIZE: "50",
      JARVICE_PVC_VAULT_SUBPATH: "teams/acme/%USER%",
      JARVICE_PVC_VAULT_ZONE: String(east),
      JARVICE_EPHEMERAL_VAULT_ZONE: String(scratch),
      JARVICE_DAL_HOOK_META: meta,
      JARVICE_USER: "wile.e",
      JARVICE_PAYER: "acme",
    });
    expect(run.env.PATH).not.toBe("");

    // the hook declared no vaults: the default vaults, from the same setup
    const vaults = await vaultsOf(t, "wile.e");
    expect(vaults).toEqual([
      expect.objectContaining({ name: "ephemeral", kind: "ephemeral", zone: scratch }),
      expect.objectContaining({ name: "home", kind: "pvc", storageClass: "fast-ssd", accessModes: ["ReadWriteMany", "ReadOnlyOnce"], size: 50, zone: east }),
    ]);
  });

  it("gives a new payer's hook the payer's overrides, with the payer as its own payer", async () => {
    const meta = path.join(tmp, "roadrunner");
    const r = await t.call("POST", "/api/users", {
      as: t.admin,
      body: { username: "roadrunner", vaultOverrides: { vaultSize: 7, vaultEphemeralZone: east, vaultDalHookMeta: meta } },
    });
    expect(r.statusCode, r.body).toBe(201);
    const run = recorded(meta, "roadrunner");
    expect(run.argv).toEqual([hook("record-env.sh"), "roadrunner"]);
    expect(Object.keys(run.env).sort()).toEqual([...DOCUMENTED, "PATH"].sort());
    expect(run.env).toMatchObject({
      JARVICE_PVC_VAULT_NAME: "data",
      JARVICE_PVC_VAULT_STORAGECLASS: "standard",
      JARVICE_PVC_VAULT_SIZE: "7",
      JARVICE_PVC_VAULT_ZONE: "-1",
      JARVICE_EPHEMERAL_VAULT_ZONE: String(east),
      JARVICE_DAL_HOOK_META: meta,
      JARVICE_USER: "roadrunner",
      JARVICE_PAYER: "roadrunner",
    });
  });

  it("falls back to the system default JARVICE_DAL_HOOK_META for a payer without vaultDalHookMeta", async () => {
    await t.payer("coyote");
    await t.member("coyote-m1", "coyote");
    const run = recorded(path.join(tmp, "system"), "coyote-m1");
    expect(run.env).toMatchObject({ JARVICE_USER: "coyote-m1", JARVICE_PAYER: "coyote", JARVICE_DAL_HOOK_META: path.join(tmp, "system"), JARVICE_PVC_VAULT_SIZE: "10" });
  });
});

describe("a DAL hook that declares vaults on stdout", () => {
  let t: TestApp;
  let west: number;
  beforeAll(async () => {
    t = await startTestApp({ PADDOCK_DAL_HOOK: hook("declare-nfs.sh"), JARVICE_PVC_VAULT_NAME: "data", JARVICE_PVC_VAULT_STORAGECLASS: "standard", JARVICE_PVC_VAULT_ACCESSMODES: "ReadWriteOnce", JARVICE_PVC_VAULT_SIZE: "10" });
    west = await newZone(t, "west");
  });
  afterAll(async () => t.close());

  it("makes the declared vaults the user's only default vaults", async () => {
    const r = await t.call("POST", "/api/users", { as: t.admin, body: { username: "nfsco", vaultOverrides: { vaultZone: west } } });
    expect(r.statusCode, r.body).toBe(201);
    expect((r.json() as { vaults: unknown[] }).vaults).toEqual([expect.objectContaining({ name: "home", kind: "nfs", zone: west })]);
    const payer: Creds = { username: "nfsco", apikey: (r.json() as { apikey: string }).apikey };
    expect(await vaultsOf(t, "nfsco")).toEqual([
      expect.objectContaining({ name: "home", kind: "nfs", zone: west, default: true, nfsServer: "nfs1", nfsPath: "/export/nfsco", storageClass: null, size: null }),
    ]);

    // a member the payer invites: the hook sees the payer's vaultZone, and the user's name
    const m = await t.call("POST", "/api/users", { as: payer, body: { username: "nfs-m1" } });
    expect(m.statusCode, m.body).toBe(201);
    expect(await vaultsOf(t, "nfs-m1")).toEqual([expect.objectContaining({ name: "home", kind: "nfs", zone: west, nfsServer: "nfs1", nfsPath: "/export/nfs-m1" })]);

    // the zone rules apply to declared vaults too: only the NFS vault's zone
    const access = await t.call("GET", "/api/users/nfs-m1/zone-access", { as: t.admin });
    expect(access.json()).toMatchObject({ zones: [{ id: west }], lockedTo: { id: west, name: "west" } });
  });

  it("declared vaults of the bootstrap administrator are unzoned when no zone is set", async () => {
    expect(await vaultsOf(t, "root")).toEqual([expect.objectContaining({ name: "home", kind: "nfs", zone: -1, nfsPath: "/export/root" })]);
  });
});

describe("a DAL hook that fails", () => {
  let t: TestApp;
  let zone: number;
  beforeAll(async () => {
    t = await startTestApp({ PADDOCK_DAL_HOOK: hook("fail.sh") });
    zone = await newZone(t, "south");
  });
  afterAll(async () => t.close());

  it("fails a payer's invitation with the hook's message and leaves no user, vault or metadata row", async () => {
    const before = await footprint(t);
    const r = await t.call("POST", "/api/users", { as: t.admin, body: { username: "doomed", vaultOverrides: { vaultEphemeralZone: zone, vaultSize: 5 } } });
    expect(r.statusCode, r.body).toBe(502);
    const error = (r.json() as { error: string }).error;
    expect(error).toContain("quota server unreachable for doomed");
    expect(error).toMatch(/exit 3/);
    await expectNoUser(t, "doomed");
    expect(await footprint(t)).toEqual(before);
    expect((await t.call("GET", "/api/metadata?payer=doomed", { as: t.admin })).json()).toMatchObject({ metadata: [] });

    // nothing was reserved: trying again fails the same way, not with "name taken"
    const again = await t.call("POST", "/api/users", { as: t.admin, body: { username: "doomed" } });
    expect(again.statusCode).toBe(502);
    expect(await footprint(t)).toEqual(before);
  });

  it("fails a team member's invitation the same way", async () => {
    const before = await footprint(t);
    const r = await t.call("POST", "/api/users", { as: t.admin, body: { username: "doomed-m1", payer: "root" } });
    expect(r.statusCode, r.body).toBe(502);
    expect((r.json() as { error: string }).error).toContain("quota server unreachable for doomed-m1");
    await expectNoUser(t, "doomed-m1");
    expect(await footprint(t)).toEqual(before);
  });
});

describe("a DAL hook that hangs", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ PADDOCK_DAL_HOOK: hook("slow.sh"), PADDOCK_DAL_HOOK_TIMEOUT: "1" });
  });
  afterAll(async () => t.close());

  it("is stopped at the time-out, which fails the creation and leaves no user", async () => {
    const before = await footprint(t);
    const started = Date.now();
    const r = await t.call("POST", "/api/users", { as: t.admin, body: { username: "sleepy" } });
    // well under the hook's 60 s sleep: the hook (and its `sleep` child) were killed, not awaited
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.statusCode, r.body).toBe(502);
    expect((r.json() as { error: string }).error).toMatch(/timed out after 1s/);
    await expectNoUser(t, "sleepy");
    expect(await footprint(t)).toEqual(before);
  });
});
