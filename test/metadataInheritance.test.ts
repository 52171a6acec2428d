// Payer metadata (Administration -> Metadata) through the admin API: it sets
// the default vaults of accounts created from now on in the payer's team and
// never changes existing accounts (the payer's own included); a payer invited
// with vault overrides gets them stored as its metadata, and an ephemeral-zone
// override locks the whole team to one zone; writes are validated by type.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type Creds, type TestApp } from "./app";

interface VaultJson {
  id: number;
  name: string;
  kind: string;
  zone: number;
  default: boolean;
  storageClass: string | null;
  volumeName: string | null;
  accessModes: string[];
  size: number | null;
  subpath: string | null;
}
interface MetadataJson {
  id: number;
  payer: string;
  key: string;
  value: string;
}
interface ZoneAccessJson {
  zones: { id: number; name: string; reasons: string[] }[];
  lockedTo: { id: number; name: string } | null;
  explanation: string;
}

/** System vault defaults of the first app: every account gets a PVC vault unless metadata says otherwise. */
const SYSTEM_PVC = {
  JARVICE_PVC_VAULT_NAME: "data",
  JARVICE_PVC_VAULT_STORAGECLASS: "standard",
  JARVICE_PVC_VAULT_ACCESSMODES: "ReadWriteOnce",
  JARVICE_PVC_VAULT_SIZE: "10",
};

function helpers(t: TestApp) {
  const ok = async <T>(r: Promise<{ statusCode: number; body: string; json(): unknown }>, status = 200): Promise<T> => {
    const res = await r;
    expect(res.statusCode, res.body).toBe(status);
    return res.json() as T;
  };
  return {
    ok,
    zone: async (name: string) => (await ok<{ id: number }>(t.call("POST", "/api/zones", { as: t.admin, body: { name } }), 201)).id,
    vaults: async (username: string, as: Creds = t.admin) => (await ok<{ vaults: VaultJson[] }>(t.call("GET", `/api/users/${username}/vaults`, { as }))).vaults,
    zoneAccess: (username: string, as: Creds = t.admin) => ok<ZoneAccessJson>(t.call("GET", `/api/users/${username}/zone-access`, { as })),
    metadata: async (query = "", as: Creds = t.admin) => (await ok<{ metadata: MetadataJson[] }>(t.call("GET", `/api/metadata${query}`, { as }))).metadata,
    setMetadata: async (payer: string, key: string, value: string | number) =>
      ok<MetadataJson>(t.call("POST", "/api/metadata", { as: t.admin, body: { payer, key, value } }), 201),
    /** invite a member into the caller's own team (a payer or team admin calling, no `payer` field) */
    invite: async (by: Creds, username: string, extra: Record<string, unknown> = {}) => {
      const j = await ok<{ user: { username: string; role: string; payer: string }; apikey: string }>(t.call("POST", "/api/users", { as: by, body: { username, ...extra } }), 201);
      return { username: j.user.username, apikey: j.apikey, user: j.user };
    },
  };
}

const ephemeral = (v: VaultJson[]) => v.find((x) => x.kind === "ephemeral");
const pvc = (v: VaultJson[]) => v.find((x) => x.kind === "pvc");

describe("payer metadata sets the default vaults of the payer's future team members", () => {
  let t: TestApp;
  let h: ReturnType<typeof helpers>;
  let east: number;
  let scratch: number;
  beforeAll(async () => {
    t = await startTestApp(SYSTEM_PVC);
    h = helpers(t);
    east = await h.zone("east");
    scratch = await h.zone("scratch-east");
  });
  afterAll(async () => t.close());

  it("members follow the metadata in force when they are created; existing accounts and the payer never change", async () => {
    const payer = await t.payer("pinecone");
    const payerVaults = await h.vaults("pinecone");
    // no metadata yet: the system defaults
    expect(ephemeral(payerVaults)).toMatchObject({ name: "ephemeral", zone: -1, default: true });
    expect(pvc(payerVaults)).toMatchObject({ name: "data", storageClass: "standard", accessModes: ["ReadWriteOnce"], size: 10, zone: -1, default: true });
    expect(payerVaults).toHaveLength(2);

    // a team admin invited before any metadata: system defaults too
    const lead = await h.invite(payer, "pine-lead", { teamAdmin: true });
    expect(lead.user).toMatchObject({ role: "member", payer: "pinecone" });
    const leadVaults = await h.vaults("pine-lead");
    expect(pvc(leadVaults)).toMatchObject({ name: "data", size: 10, zone: -1 });

    const rows = {
      vaultName: await h.setMetadata("pinecone", "vaultName", "home"),
      vaultStorageClassName: await h.setMetadata("pinecone", "vaultStorageClassName", "fast-ssd"),
      vaultAccessModes: await h.setMetadata("pinecone", "vaultAccessModes", "ReadWriteMany"),
      vaultSize: await h.setMetadata("pinecone", "vaultSize", "50"),
      vaultZone: await h.setMetadata("pinecone", "vaultZone", east),
      vaultEphemeralZone: await h.setMetadata("pinecone", "vaultEphemeralZone", String(scratch)),
      vaultSubpath: await h.setMetadata("pinecone", "vaultSubpath", "teams/pinecone/%USER%"),
    };
    expect(rows.vaultZone).toMatchObject({ payer: "pinecone", key: "vaultZone", value: String(east) });

    // the payer invites M (as itself, no `payer` field): M joins the team with the metadata's vaults
    const m1 = await h.invite(payer, "pine-m1");
    expect(m1.user).toMatchObject({ role: "member", payer: "pinecone" });
    const m1Vaults = await h.vaults("pine-m1");
    expect(m1Vaults).toHaveLength(2);
    expect(ephemeral(m1Vaults)).toMatchObject({ name: "ephemeral", zone: scratch, default: true });
    expect(pvc(m1Vaults)).toMatchObject({
      name: "home",
      storageClass: "fast-ssd",
      volumeName: null,
      accessModes: ["ReadWriteMany"],
      size: 50,
      zone: east,
      subpath: "teams/pinecone/%USER%",
      default: true,
    });
    // every vault zoned, in two zones: those two zones and not Default
    const m1Access = await h.zoneAccess("pine-m1");
    expect(m1Access.zones.map((z) => z.id).sort()).toEqual([east, scratch].sort());
    expect(m1Access.lockedTo).toBeNull();
    // M sees its own vaults too
    expect(await h.vaults("pine-m1", m1)).toEqual(m1Vaults);

    // the payer and the earlier team admin keep what they had
    expect(await h.vaults("pinecone")).toEqual(payerVaults);
    expect(await h.vaults("pine-lead")).toEqual(leadVaults);

    // an edit: existing members unchanged, a new member (invited by the admin into the team) gets the new value;
    // the ephemeral vault moves to the persistent vault's zone, which locks new members to that zone
    expect((await t.call("PUT", `/api/metadata/${rows.vaultSize.id}`, { as: t.admin, body: { value: 100 } })).statusCode).toBe(200);
    const put = await t.call("PUT", `/api/metadata/${rows.vaultEphemeralZone.id}`, { as: t.admin, body: { value: String(east) } });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ id: rows.vaultEphemeralZone.id, key: "vaultEphemeralZone", value: String(east) });
    await t.member("pine-m2", "pinecone");
    const m2Vaults = await h.vaults("pine-m2");
    expect(pvc(m2Vaults)).toMatchObject({ name: "home", size: 100, zone: east });
    expect(ephemeral(m2Vaults)).toMatchObject({ zone: east });
    expect((await h.zoneAccess("pine-m2")).lockedTo).toEqual({ id: east, name: "east" });
    expect(await h.vaults("pine-m1")).toEqual(m1Vaults);
    expect(await h.vaults("pinecone")).toEqual(payerVaults);

    // deleting keys: the system default applies again for new members (here invited by the team admin)
    for (const row of [rows.vaultSize, rows.vaultEphemeralZone]) {
      const del = await t.call("DELETE", `/api/metadata/${row.id}`, { as: t.admin });
      expect(del.statusCode, del.body).toBe(200);
    }
    expect((await h.metadata("?payer=pinecone")).map((r) => r.key).sort()).toEqual(["vaultAccessModes", "vaultName", "vaultStorageClassName", "vaultSubpath", "vaultZone"]);
    await h.invite(lead, "pine-m3");
    const m3Vaults = await h.vaults("pine-m3");
    expect(pvc(m3Vaults)).toMatchObject({ name: "home", storageClass: "fast-ssd", size: 10, zone: east });
    expect(ephemeral(m3Vaults)).toMatchObject({ zone: -1 });
    expect((await h.zoneAccess("pine-m3")).zones.map((z) => z.id)).toContain(0);

    // and still nobody who existed before changed
    expect(await h.vaults("pine-m1")).toEqual(m1Vaults);
    expect(await h.vaults("pine-m2")).toEqual(m2Vaults);
    expect(await h.vaults("pine-lead")).toEqual(leadVaults);
    expect(await h.vaults("pinecone")).toEqual(payerVaults);
  });

  it("one payer's metadata does not reach another payer's team", async () => {
    await t.payer("oak");
    await h.setMetadata("oak", "vaultSize", 77);
    const birch = await t.payer("birch");
    await h.invite(birch, "birch-m1");
    expect(pvc(await h.vaults("birch-m1"))).toMatchObject({ name: "data", size: 10 });
    await t.member("oak-m1", "oak");
    expect(pvc(await h.vaults("oak-m1"))).toMatchObject({ name: "data", size: 77 });
  });

  it("a payer invited with vault overrides gets them, stored as its metadata, and its members inherit them", async () => {
    const r = await t.call("POST", "/api/users", {
      as: t.admin,
      body: { username: "spruce", vaultOverrides: { vaultName: "work", vaultSize: 25, vaultZone: east, vaultEphemeralZone: east } },
    });
    expect(r.statusCode, r.body).toBe(201);
    const spruce: Creds = { username: "spruce", apikey: (r.json() as { apikey: string }).apikey };
    const spruceVaults = await h.vaults("spruce");
    expect(pvc(spruceVaults)).toMatchObject({ name: "work", storageClass: "standard", size: 25, zone: east });
    expect(ephemeral(spruceVaults)).toMatchObject({ zone: east });
    expect((await h.zoneAccess("spruce")).lockedTo).toEqual({ id: east, name: "east" });

    const rows = await h.metadata("?payer=spruce");
    expect(rows.map((x) => [x.key, x.value])).toEqual([
      ["vaultEphemeralZone", String(east)],
      ["vaultName", "work"],
      ["vaultSize", "25"],
      ["vaultZone", String(east)],
    ]);
    // the payer may read its own rows, not write them
    expect((await h.metadata("", spruce)).map((x) => x.payer)).toEqual(["spruce", "spruce", "spruce", "spruce"]);
    expect((await t.call("POST", "/api/metadata", { as: spruce, body: { payer: "spruce", key: "vaultSize", value: 999 } })).statusCode).toBe(403);
    const sizeRow = rows.find((x) => x.key === "vaultSize")!;
    expect((await t.call("PUT", `/api/metadata/${sizeRow.id}`, { as: spruce, body: { value: 999 } })).statusCode).toBe(403);

    await h.invite(spruce, "spruce-m1");
    expect(pvc(await h.vaults("spruce-m1"))).toMatchObject({ name: "work", size: 25, zone: east });

    // a later edit of the payer's own overrides leaves the payer as it is
    expect((await t.call("PUT", `/api/metadata/${sizeRow.id}`, { as: t.admin, body: { value: "30" } })).statusCode).toBe(200);
    expect(await h.vaults("spruce")).toEqual(spruceVaults);
    await h.invite(spruce, "spruce-m2");
    expect(pvc(await h.vaults("spruce-m2"))).toMatchObject({ size: 30 });
  });

  it("only an ephemeral-zone override with an unzoned persistent default keeps Default in reach", async () => {
    await t.payer("willow", { vaultOverrides: { vaultEphemeralZone: scratch } });
    const access = await h.zoneAccess("willow");
    expect(access.zones.map((z) => z.id).sort()).toEqual([0, scratch].sort());
    expect(access.lockedTo).toBeNull();
    expect(access.explanation).toMatch(/unzoned/);
  });

  it("vault overrides are refused for team members and when invalid, leaving nothing behind", async () => {
    await t.payer("elm");
    const member = await t.call("POST", "/api/users", { as: t.admin, body: { username: "elm-m1", payer: "elm", vaultOverrides: { vaultSize: 5 } } });
    expect(member.statusCode).toBe(400);
    expect(member.json()).toMatchObject({ field: "vaultOverrides" });

    for (const [overrides, field] of [
      [{ vaultSize: "huge" }, "vaultOverrides.vaultSize"],
      [{ vaultEphemeralZone: 4242 }, "vaultOverrides.vaultEphemeralZone"],
      [{ VaultZone: east }, "vaultOverrides.VaultZone"],
    ] as const) {
      const r = await t.call("POST", "/api/users", { as: t.admin, body: { username: "cedar", vaultOverrides: overrides } });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json()).toMatchObject({ field });
      expect((r.json() as { error: string }).error).toContain(field);
    }
    expect((await t.call("POST", "/api/users", { as: t.admin, body: { username: "cedar", vaultOverrides: ["vaultSize"] } })).statusCode).toBe(400);
    expect((await t.call("GET", "/api/users/cedar", { as: t.admin })).statusCode).toBe(404);
    expect((await t.call("GET", "/api/users/elm-m1", { as: t.admin })).statusCode).toBe(404);
    expect(await h.metadata("?payer=cedar")).toEqual([]);
  });
});

describe("an ephemeral-zone override at payer invitation makes a single-zone team", () => {
  let t: TestApp;
  let h: ReturnType<typeof helpers>;
  let north: number;
  beforeAll(async () => {
    // the default setup: no system PVC vault, so users get the ephemeral vault only
    t = await startTestApp();
    h = helpers(t);
    north = await h.zone("north");
    for (const [cluster, zone, machine] of [
      ["c-north", north, "n-north"],
      ["c-default", 0, "n-default"],
    ] as const) {
      await h.ok(t.call("POST", "/api/clusters", { as: t.admin, body: { name: cluster, zone } }), 201);
      await h.ok(t.call("POST", "/api/machines", { as: t.admin, body: { name: machine, cluster, cores: 4, memoryGb: 16 } }), 201);
    }
  });
  afterAll(async () => t.close());

  it("locks the payer and the members it invites to that zone and its machines", async () => {
    const r = await t.call("POST", "/api/users", { as: t.admin, body: { username: "northwind", vaultOverrides: { vaultEphemeralZone: north } } });
    expect(r.statusCode, r.body).toBe(201);
    expect((r.json() as { vaults: unknown[] }).vaults).toEqual([expect.objectContaining({ name: "ephemeral", kind: "ephemeral", zone: north })]);
    const payer: Creds = { username: "northwind", apikey: (r.json() as { apikey: string }).apikey };

    const access = await h.zoneAccess("northwind");
    expect(access.zones.map((z) => z.id)).toEqual([north]);
    expect(access.lockedTo).toEqual({ id: north, name: "north" });
    expect(access.zones.some((z) => z.id === 0)).toBe(false);
    expect(access.explanation).toContain("north");

    // the override is the payer's metadata row
    const rows = await h.metadata("?payer=northwind");
    expect(rows).toEqual([expect.objectContaining({ payer: "northwind", key: "vaultEphemeralZone", value: String(north) })]);

    // its members inherit the lock
    const m = await h.invite(payer, "nw-m1");
    expect(await h.vaults("nw-m1")).toEqual([expect.objectContaining({ kind: "ephemeral", zone: north })]);
    const mAccess = await h.zoneAccess("nw-m1", payer);
    expect(mAccess.lockedTo).toEqual({ id: north, name: "north" });
    expect(mAccess.zones.map((z) => z.id)).toEqual([north]);

    // and so to that zone's clusters' machines
    for (const who of [payer, m]) {
      const machines = (await h.ok<{ machines: { name: string }[] }>(t.call("GET", "/api/machines", { as: who }))).machines;
      expect(machines.map((x) => x.name)).toEqual(["n-north"]);
    }
  });

  it("without the override, the team has the Default zone", async () => {
    const payer = await t.payer("southwind");
    await h.invite(payer, "sw-m1");
    for (const name of ["southwind", "sw-m1"]) {
      const access = await h.zoneAccess(name);
      expect(access.zones.map((z) => z.id)).toEqual([0]);
      expect(access.zones[0]!.reasons.join(" ")).toMatch(/ephemeral.*unzoned/);
    }
    expect(await h.metadata("?payer=southwind")).toEqual([]);
    const machines = (await h.ok<{ machines: { name: string }[] }>(t.call("GET", "/api/machines", { as: payer }))).machines;
    expect(machines.map((x) => x.name)).toEqual(["n-default"]);
  });
});

describe("metadata writes are validated by type; the list is searchable and filterable by payer", () => {
  let t: TestApp;
  let h: ReturnType<typeof helpers>;
  let zone: number;
  let alpha: Creds;
  let alphaMember: Creds;
  beforeAll(async () => {
    t = await startTestApp();
    h = helpers(t);
    zone = await h.zone("west");
    alpha = await t.payer("alpha");
    await t.payer("beta");
    alphaMember = await t.member("alpha-m1", "alpha");
    await h.setMetadata("alpha", "vaultName", "alpha_home");
    await h.setMetadata("alpha", "vaultSize", "20");
    await h.setMetadata("alpha", "vaultSubpath", "a/%USER%");
    await h.setMetadata("beta", "vaultName", "beta-home");
    await h.setMetadata("beta", "vaultZone", zone);
    await h.setMetadata("beta", "vaultAccessModes", " ReadWriteOnce, ReadWriteMany ");
  });
  afterAll(async () => t.close());

  it.each([
    ["vaultSize", "ten", "vaultSize"],
    ["vaultSize", "0", "vaultSize"],
    ["vaultSize", "-5", "vaultSize"],
    ["vaultSize", "1.5", "vaultSize"],
    ["vaultAccessModes", "ReadWriteSometimes", "ReadWriteSometimes"],
    ["vaultAccessModes", "ReadWriteOnce,readwritemany", "readwritemany"],
    ["vaultZone", "4242", "4242"],
    ["vaultEphemeralZone", "4242", "vaultEphemeralZone"],
    ["vaultZone", "east", "vaultZone"],
    ["vaultName", "bad name", "vaultName"],
    ["vaultStorageClassName", "Fast_SSD", "vaultStorageClassName"],
  ])("refuses %s = %j with a 400 naming the key, storing nothing", async (key, value, mentioned) => {
    const before = await h.metadata();
    const r = await t.call("POST", "/api/metadata", { as: t.admin, body: { payer: "alpha", key, value } });
    expect(r.statusCode, r.body).toBe(400);
    const j = r.json() as { error: string; field: string };
    expect(j.error).toContain(key);
    expect(j.error).toContain(mentioned);
    expect(j.field).toContain(key);
    expect(await h.metadata()).toEqual(before);
  });

  it.each([["vaultColour"], ["VaultSize"], ["vaultsize"], ["vault_size"], ["VAULTNAME"]])("refuses the unknown or case-wrong key %s, naming it", async (key) => {
    const before = await h.metadata();
    const r = await t.call("POST", "/api/metadata", { as: t.admin, body: { payer: "alpha", key, value: "10" } });
    expect(r.statusCode, r.body).toBe(400);
    const j = r.json() as { error: string; field: string };
    expect(j.field).toBe("key");
    expect(j.error).toMatch(/^key: /);
    expect(j.error).toContain(`'${key}'`);
    expect(j.error).toMatch(/case-sensitive/);
    expect(await h.metadata()).toEqual(before);
  });

  it("refuses values of the wrong JSON type, rows for non-payers, and a second row for a key", async () => {
    const before = await h.metadata();
    for (const [body, status, field] of [
      [{ payer: "alpha", key: "vaultSize", value: true }, 400, "value"],
      [{ payer: "alpha", key: "vaultSize" }, 400, "value"],
      [{ payer: "alpha-m1", key: "vaultSize", value: 5 }, 400, "payer"],
      [{ payer: "nobody", key: "vaultSize", value: 5 }, 400, "payer"],
      [{ key: "vaultSize", value: 5 }, 400, "payer"],
      [{ payer: "alpha", value: 5 }, 400, "key"],
      [{ payer: "alpha", key: "vaultSize", value: 30 }, 409, "key"],
    ] as const) {
      const r = await t.call("POST", "/api/metadata", { as: t.admin, body });
      expect(r.statusCode, `${JSON.stringify(body)}: ${r.body}`).toBe(status);
      expect(r.json()).toMatchObject({ field });
    }
    expect(await h.metadata()).toEqual(before);
  });

  it("refuses a bad edit naming the key and keeps the old value; unknown rows are 404", async () => {
    const row = (await h.metadata("?payer=beta")).find((r) => r.key === "vaultZone")!;
    for (const value of ["4242", "x", ""]) {
      const r = await t.call("PUT", `/api/metadata/${row.id}`, { as: t.admin, body: { value } });
      expect(r.statusCode, r.body).toBe(400);
      expect((r.json() as { error: string }).error).toContain("vaultZone");
    }
    expect((await h.metadata("?payer=beta")).find((r) => r.key === "vaultZone")).toEqual(row);
    expect((await t.call("PUT", "/api/metadata/999999", { as: t.admin, body: { value: "1" } })).statusCode).toBe(404);
    expect((await t.call("DELETE", "/api/metadata/999999", { as: t.admin })).statusCode).toBe(404);
  });

  it("stores values normalized: trimmed, de-duplicated access modes, integers as decimal", async () => {
    const beta = await h.metadata("?payer=beta");
    expect(beta.find((r) => r.key === "vaultAccessModes")?.value).toBe("ReadWriteOnce,ReadWriteMany");
    expect(beta.find((r) => r.key === "vaultZone")?.value).toBe(String(zone));
    const r = await t.call("POST", "/api/metadata", { as: t.admin, body: { payer: "beta", key: "vaultSize", value: " 007 " } });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ key: "vaultSize", value: "7" });
    expect((await t.call("DELETE", `/api/metadata/${(r.json() as MetadataJson).id}`, { as: t.admin })).statusCode).toBe(200);
  });

  it("answers 409 to all but one of simultaneous rows for the same payer and key", async () => {
    const post = () => t.call("POST", "/api/metadata", { as: t.admin, body: { payer: "beta", key: "vaultDalHookMeta", value: "x" } });
    const answers = await Promise.all([post(), post(), post()]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
    const row = answers.find((r) => r.statusCode === 201)!.json() as MetadataJson;
    expect((await h.metadata("?payer=beta")).filter((r) => r.key === "vaultDalHookMeta")).toHaveLength(1);
    expect((await t.call("DELETE", `/api/metadata/${row.id}`, { as: t.admin })).statusCode).toBe(200);
  });

  it("creates a persistent vault only when name, storage class, access modes and size are all set", async () => {
    const gamma = await t.payer("gamma");
    const steps: [string, string][] = [
      ["vaultName", "g-home"],
      ["vaultStorageClassName", "g-class"],
      ["vaultAccessModes", "ReadWriteOnce"],
      ["vaultSize", "3"],
    ];
    for (const [i, [key, value]] of steps.entries()) {
      await h.setMetadata("gamma", key, value);
      await h.invite(gamma, `gamma-m${i}`);
      const kinds = (await h.vaults(`gamma-m${i}`)).map((v) => v.kind);
      expect(kinds, `after setting ${key}`).toEqual(i < steps.length - 1 ? ["ephemeral"] : ["ephemeral", "pvc"]);
    }
    expect(pvc(await h.vaults("gamma-m3"))).toMatchObject({ name: "g-home", storageClass: "g-class", accessModes: ["ReadWriteOnce"], size: 3, zone: -1 });
    for (const r of await h.metadata("?payer=gamma")) await t.call("DELETE", `/api/metadata/${r.id}`, { as: t.admin });
  });

  it("filters by payer and searches payer, key and value", async () => {
    const rows = (q: string) => h.metadata(q).then((list) => list.map((r) => `${r.payer}/${r.key}`));
    expect(await rows("")).toEqual(["alpha/vaultName", "alpha/vaultSize", "alpha/vaultSubpath", "beta/vaultAccessModes", "beta/vaultName", "beta/vaultZone"]);
    expect(await rows("?payer=alpha")).toEqual(["alpha/vaultName", "alpha/vaultSize", "alpha/vaultSubpath"]);
    expect(await rows("?payer=beta")).toEqual(["beta/vaultAccessModes", "beta/vaultName", "beta/vaultZone"]);
    expect(await rows("?payer=alpha-m1")).toEqual([]);
    expect(await rows("?payer=nobody")).toEqual([]);
    // by value, by key (case-insensitive search), by payer name
    expect(await rows("?search=home")).toEqual(["alpha/vaultName", "beta/vaultName"]);
    expect(await rows("?search=ZONE")).toEqual(["beta/vaultZone"]);
    expect(await rows("?search=readwritemany")).toEqual(["beta/vaultAccessModes"]);
    expect(await rows("?search=bet")).toEqual(["beta/vaultAccessModes", "beta/vaultName", "beta/vaultZone"]);
    // LIKE wildcards are searched for literally
    expect(await rows(`?search=${encodeURIComponent("%USER%")}`)).toEqual(["alpha/vaultSubpath"]);
    expect(await rows(`?search=${encodeURIComponent("_")}`)).toEqual(["alpha/vaultName"]);
    expect(await rows(`?search=${encodeURIComponent("%")}`)).toEqual(["alpha/vaultSubpath"]);
    // both at once
    expect(await rows("?search=home&payer=beta")).toEqual(["beta/vaultName"]);
    expect(await rows("?search=home&payer=alpha")).toEqual(["alpha/vaultName"]);
    expect(await rows("?search=nothing-like-this")).toEqual([]);
  });

  it("shows a payer its own rows only, and no rows to plain members", async () => {
    expect((await h.metadata("", alpha)).map((r) => r.payer)).toEqual(["alpha", "alpha", "alpha"]);
    expect(await h.metadata("?payer=beta", alpha)).toEqual([]);
    expect(await h.metadata("?search=beta", alpha)).toEqual([]);
    expect((await t.call("GET", "/api/metadata", { as: alphaMember })).statusCode).toBe(403);
  });
});
