// The API behind the portal as a product (issue 14): sealed API keys shown
// again to their owner, own password changes that need the current one,
// deletes that refuse (409, naming what uses it) while something still does,
// every tenant's jobs for system administrators with filters, the whole
// output as a download, zone names beside zone ids, machine types in natural
// order, and AppDefs that keep their key order.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type Creds, type TestApp } from "./app";

let t: TestApp;
let acme: Creds;
let wile: Creds;
let globex: Creds;

const SLEEP = { app: "demo", application: { command: "sleep", parameters: { seconds: 600 } }, machine: { type: "n4", nodes: 1 } };

async function waitFor<T>(f: () => Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
async function login(username: string, password: string) {
  return t.call("POST", "/api/login", { body: { username, password } });
}
async function submit(as: Creds, body: unknown = SLEEP): Promise<number> {
  const r = await t.call("POST", "/api/jobs", { as, body });
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { number: number }).number;
}
async function statusOf(n: number): Promise<string> {
  return ((await t.call("GET", `/api/jobs/${n}`, { as: t.admin })).json() as { job: { job_status: string } }).job.job_status;
}
async function terminate(as: Creds, n: number): Promise<void> {
  expect((await t.call("POST", `/api/jobs/${n}/stop`, { as, body: { how: "terminate" } })).statusCode).toBe(200);
  // a job stopped before it started ends CANCELED, a running one TERMINATED
  await waitFor(async () => (["TERMINATED", "CANCELED"].includes(await statusOf(n)) ? true : undefined), `job ${n} to end`);
}

beforeAll(async () => {
  t = await startTestApp({}, { simulated: {} });
  acme = await t.payer("acme", { password: "acme-password-1" });
  wile = await t.member("wile", "acme");
  globex = await t.payer("globex");
});
afterAll(async () => t?.close());

describe("own API key", () => {
  it("is shown again to its owner, and is the key /jarvice/jobs takes", async () => {
    const r = await t.call("GET", "/api/me/apikey", { as: acme });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ username: "acme", apikey: acme.apikey });
    // from a password session too (the portal)
    const token = (await login("acme", "acme-password-1")).json().token as string;
    expect((await t.call("GET", "/api/me/apikey", { headers: bearer(token) })).json()).toEqual({ username: "acme", apikey: acme.apikey });
    expect((await t.call("GET", `/jarvice/jobs?username=acme&apikey=${encodeURIComponent(acme.apikey)}`)).statusCode).toBe(200);
    // stored sealed, not as it is
    const row = await t.opened.db.selectFrom("users").select(["apikey_sealed"]).where("username", "=", "acme").executeTakeFirstOrThrow();
    expect(row.apikey_sealed).toMatch(/^v1:/);
    expect(row.apikey_sealed).not.toContain(acme.apikey);
  });

  it("after a regeneration: the old key is refused, the new one is shown", async () => {
    const token = (await login("acme", "acme-password-1")).json().token as string;
    const r = await t.call("POST", "/api/users/acme/apikey", { headers: bearer(token) });
    expect(r.statusCode, r.body).toBe(200);
    const fresh = (r.json() as { apikey: string }).apikey;
    expect(fresh).not.toBe(acme.apikey);
    expect((await t.call("GET", `/jarvice/jobs?username=acme&apikey=${encodeURIComponent(acme.apikey)}`)).statusCode).toBe(401);
    expect((await t.call("GET", `/jarvice/jobs?username=acme&apikey=${encodeURIComponent(fresh)}`)).statusCode).toBe(200);
    expect((await t.call("GET", "/api/me/apikey", { headers: bearer(token) })).json()).toEqual({ username: "acme", apikey: fresh });
    acme = { ...acme, apikey: fresh };
    // a system administrator's regeneration of another user's key: the owner sees the new one
    const byAdmin = ((await t.call("POST", "/api/users/wile/apikey", { as: t.admin })).json() as { apikey: string }).apikey;
    wile = { ...wile, apikey: byAdmin };
    expect((await t.call("GET", "/api/me/apikey", { as: wile })).json()).toEqual({ username: "wile", apikey: byAdmin });
  });

  it("is never another user's: each caller gets its own, and no route takes another's name", async () => {
    expect((await t.call("GET", "/api/me/apikey", { as: t.admin })).json()).toEqual({ username: "root", apikey: t.admin.apikey });
    expect((await t.call("GET", "/api/me/apikey", { as: globex })).json()).toEqual({ username: "globex", apikey: globex.apikey });
    for (const url of ["/api/users/acme/apikey", "/api/me/apikey?username=acme"]) {
      const r = await t.call("GET", url, { as: t.admin });
      expect(JSON.stringify(r.json())).not.toContain(acme.apikey);
    }
    expect((await t.call("GET", "/api/me/apikey")).statusCode).toBe(401);
  });

  it("a key from before keys were sealed: 404 asking for a new one", async () => {
    const old = await t.member("old-key", "globex");
    await t.opened.db.updateTable("users").set({ apikey_sealed: null }).where("username", "=", "old-key").execute();
    const r = await t.call("GET", "/api/me/apikey", { as: old });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ error: "apikey: not stored; generate a new key", field: "apikey" });
  });
});

describe("password changes", () => {
  it("one's own needs the current password: missing 400, wrong 403 and unchanged", async () => {
    const missing = await t.call("PUT", "/api/users/acme/password", { as: acme, body: { password: "acme-password-2" } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ error: "current: required", field: "current" });
    const wrong = await t.call("PUT", "/api/users/acme/password", { as: acme, body: { password: "acme-password-2", current: "not-the-password" } });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ field: "current" });
    expect((await login("acme", "acme-password-2")).statusCode).toBe(401);
    expect((await login("acme", "acme-password-1")).statusCode).toBe(200);
    const ok = await t.call("PUT", "/api/users/acme/password", { as: acme, body: { password: "acme-password-2", current: "acme-password-1" } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await login("acme", "acme-password-2")).statusCode).toBe(200);
  });

  it("a system administrator sets another user's without it", async () => {
    const r = await t.call("PUT", "/api/users/acme/password", { as: t.admin, body: { password: "acme-password-3" } });
    expect(r.statusCode, r.body).toBe(200);
    expect((await login("acme", "acme-password-3")).statusCode).toBe(200);
  });
});

describe("deletes", () => {
  it("zones: not the Default one, not while clusters or vaults use it; then gone", async () => {
    const admin = { as: t.admin };
    const def = await t.call("DELETE", "/api/zones/0", admin);
    expect(def.statusCode).toBe(409);
    expect(def.json().error).toMatch(/Default zone/);
    const zone = (await t.call("POST", "/api/zones", { ...admin, body: { name: "west" } })).json() as { id: number };
    const cluster = (await t.call("POST", "/api/clusters", { ...admin, body: { name: "west-1", zone: zone.id, backend: "simulated" } })).json() as { id: number; zoneName: string };
    expect(cluster.zoneName).toBe("west");
    const used = await t.call("DELETE", `/api/zones/${zone.id}`, admin);
    expect(used.statusCode).toBe(409);
    expect(used.json().error).toMatch(/cluster\(s\) west-1/);
    expect((await t.call("DELETE", `/api/zones/${zone.id}`, { as: acme })).statusCode).toBe(403);

    const machine = (await t.call("POST", "/api/machines", { ...admin, body: { name: "w4", cluster: "west-1", cores: 4, memoryGb: 8 } })).json() as { id: number; zoneName: string };
    expect(machine.zoneName).toBe("west");
    const busyCluster = await t.call("DELETE", `/api/clusters/${cluster.id}`, admin);
    expect(busyCluster.statusCode).toBe(409);
    expect(busyCluster.json().error).toMatch(/machine type\(s\) w4/);
    expect((await t.call("DELETE", `/api/machines/${machine.id}`, admin)).json()).toEqual({ status: "deleted" });
    expect((await t.call("DELETE", `/api/clusters/${cluster.id}`, admin)).json()).toEqual({ status: "deleted" });

    const vault = await t.call("POST", "/api/users/globex/vaults", { ...admin, body: { name: "west-data", kind: "pvc", zone: zone.id, storageClass: "standard", size: 1 } });
    expect(vault.statusCode, vault.body).toBe(201);
    expect(vault.json()).toMatchObject({ zone: zone.id, zoneName: "west" });
    const withVault = await t.call("DELETE", `/api/zones/${zone.id}`, admin);
    expect(withVault.statusCode).toBe(409);
    expect(withVault.json().error).toMatch(/vault\(s\) globex\/west-data/);
    expect((await t.call("DELETE", `/api/vaults/${(vault.json() as { id: number }).id}`, { as: globex })).json()).toEqual({ status: "deleted" });
    expect((await t.call("DELETE", `/api/zones/${zone.id}`, admin)).json()).toEqual({ status: "deleted" });
    expect(((await t.call("GET", "/api/zones", admin)).json() as { zones: Array<{ id: number }> }).zones.map((z) => z.id)).not.toContain(zone.id);
    expect((await t.call("DELETE", `/api/zones/${zone.id}`, admin)).statusCode).toBe(404);
  });

  it("machine types and apps: not while an active job uses them; finished jobs keep their names", async () => {
    const admin = { as: t.admin };
    const embedded = ((await t.call("GET", "/api/clusters", admin)).json() as { clusters: Array<{ name: string }> }).clusters[0]!.name;
    const m = (await t.call("POST", "/api/machines", { ...admin, body: { name: "n2", cluster: embedded, cores: 2, memoryGb: 4, perNode: 8 } })).json() as { id: number };
    const appdef = { name: "Temp", image: { type: "docker", data: "busybox" }, commands: { sleep: { path: "/bin/sleep", parameters: { s: { name: "S", type: "INT", value: 60, positional: true } } } } };
    expect((await t.call("POST", "/api/apps", { ...admin, body: { id: "temp", appdef } })).statusCode).toBe(201);
    const n = await submit(wile, { app: "temp", application: { command: "sleep" }, machine: { type: "n2", nodes: 1 } });

    const busyMachine = await t.call("DELETE", `/api/machines/${m.id}`, admin);
    expect(busyMachine.statusCode).toBe(409);
    expect(busyMachine.json().error).toBe(`id: machine type 'n2' is used by active job(s) jarvice-job-${n}; wait for them to end or stop them`);
    const busyApp = await t.call("DELETE", "/api/apps/temp", admin);
    expect(busyApp.statusCode).toBe(409);
    expect(busyApp.json().error).toMatch(new RegExp(`app 'temp' is used by active job\\(s\\) jarvice-job-${n}`));
    expect((await t.call("DELETE", "/api/apps/temp", { as: acme })).statusCode).toBe(403);

    await terminate(wile, n);
    expect((await t.call("DELETE", `/api/machines/${m.id}`, admin)).json()).toEqual({ status: "deleted" });
    expect((await t.call("DELETE", "/api/apps/temp", admin)).json()).toEqual({ status: "deleted" });
    expect((await t.call("GET", "/api/apps/temp", admin)).statusCode).toBe(404);
    const job = ((await t.call("GET", `/api/jobs/${n}`, { as: wile })).json() as { job: Record<string, unknown> }).job;
    expect(job).toMatchObject({ job_mc_name: "n2", job_application: "temp" });
    const listed = (await t.call("GET", `/jarvice/jobs?username=wile&apikey=${encodeURIComponent(wile.apikey)}&completed=true`)).json() as Record<string, { job_mc_name: string }>;
    expect(listed[`jarvice-job-${n}`] ?? Object.values(listed).find((e) => (e as unknown as { job_number: number }).job_number === n)).toMatchObject({ job_mc_name: "n2" });
    // a submission naming the deleted ones: 404, as for any unknown name
    expect((await t.call("POST", "/api/jobs", { as: wile, body: { app: "temp", application: { command: "sleep" }, machine: { type: "n2" } } })).statusCode).toBe(404);
  });

  it("a job inserted while a machine type is being deleted: the delete waits for it and refuses (409), never a job on a deleted machine", async () => {
    const admin = { as: t.admin };
    const m = (await t.call("POST", "/api/machines", { ...admin, body: { name: "n3", cluster: "embedded", cores: 3, memoryGb: 3, perNode: 4 } })).json() as { id: number };
    const users = await t.opened.db.selectFrom("users").select(["id", "username"]).where("username", "in", ["wile", "acme"]).execute();
    const id = (name: string) => users.find((u) => u.username === name)!.id;
    let deleting: Promise<{ statusCode: number; body: string }> | undefined;
    const number = await t.opened.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto("jobs")
        .values({ name: "jarvice-job-race", owner_id: id("wile"), tenant_id: id("acme"), app_id: "demo", app_ref: "demo", command: "sleep", argv: JSON.stringify(["/bin/sleep", "600"]), machine_id: m.id, machine_name: "n3", nodes: 1, status: "SUBMITTED", submit_time: Math.floor(Date.now() / 1000), submission: "{}" })
        .returning("number")
        .executeTakeFirstOrThrow();
      // the delete starts while this insert is not committed yet (on PostgreSQL it waits for the row lock; on PGlite for the connection)
      deleting = t.call("DELETE", `/api/machines/${m.id}`, admin);
      await new Promise((r) => setTimeout(r, 200));
      return row.number;
    });
    const r = await deleting!;
    expect(r.statusCode, r.body).toBe(409);
    expect(r.body).toContain("jarvice-job-race");
    const job = await t.opened.db.selectFrom("jobs").select(["machine_id"]).where("number", "=", number).executeTakeFirstOrThrow();
    expect(job.machine_id).toBe(m.id);
    await terminate(wile, number);
    expect((await t.call("DELETE", `/api/machines/${m.id}`, admin)).statusCode).toBe(200);
    // and the other way round: a job can never be stored naming a deleted machine type or app
    await expect(
      t.opened.db.insertInto("jobs").values({ name: "jarvice-job-late", owner_id: id("wile"), tenant_id: id("acme"), app_id: "demo", app_ref: "demo", command: "sleep", argv: "[]", machine_id: m.id, nodes: 1, status: "SUBMITTED", submit_time: 0, submission: "{}" }).execute(),
    ).rejects.toMatchObject({ code: "23503" });
  });

  it("vaults: by their owner or its managers, not while an active job uses them; shares go too", async () => {
    const v = await t.call("POST", "/api/users/wile/vaults", { as: t.admin, body: { name: "scratch", kind: "pvc", storageClass: "standard", size: 1 } });
    const id = (v.json() as { id: number }).id;
    expect((await t.call("POST", `/api/vaults/${id}/shares`, { as: wile, body: { username: "acme" } })).statusCode).toBe(201);
    const n = await submit(wile, { ...SLEEP, vault: { name: "scratch" } });
    const busy = await t.call("DELETE", `/api/vaults/${id}`, { as: wile });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().error).toBe(`id: vault 'scratch' is used by active job(s) jarvice-job-${n}; wait for them to end or stop them`);
    expect((await t.call("DELETE", `/api/vaults/${id}`, { as: globex })).statusCode).toBe(404);
    await terminate(wile, n);
    expect((await t.call("DELETE", `/api/vaults/${id}`, { as: acme })).json()).toEqual({ status: "deleted" });
    expect((await t.call("GET", `/api/vaults/${id}`, { as: t.admin })).statusCode).toBe(404);
    expect(await t.opened.db.selectFrom("vault_shares").select("vault_id").where("vault_id", "=", id).execute()).toEqual([]);
  });

  it("apps are made public or private", async () => {
    const r = await t.call("PATCH", "/api/apps/demo", { as: t.admin, body: { public: false } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ id: "demo", public: false });
    expect(((await t.call("GET", "/api/apps/demo", { as: acme })).json() as { public: boolean }).public).toBe(false);
    expect((await t.call("PATCH", "/api/apps/demo", { as: t.admin, body: { public: "yes" } })).statusCode).toBe(400);
    expect((await t.call("PATCH", "/api/apps/demo", { as: acme, body: { public: true } })).statusCode).toBe(403);
    expect((await t.call("PATCH", "/api/apps/demo", { as: t.admin, body: { public: true } })).json()).toMatchObject({ public: true });
  });
});

describe("job history", () => {
  let running: number;
  let finished: number;
  beforeAll(async () => {
    finished = await submit(wile);
    running = await submit(globex);
    await waitFor(async () => ((await statusOf(running)) === "PROCESSING STARTING" && (await statusOf(finished)) === "PROCESSING STARTING" ? true : undefined), "both running");
    await terminate(wile, finished);
  });

  it("system administrators list every tenant's jobs with all=true, filtered by status, user and payer; others get 403", async () => {
    const all = (await t.call("GET", "/api/jobs?all=true", { as: t.admin })).json() as { jobs: Array<Record<string, unknown>> };
    expect(all.jobs.map((j) => j.job_number)).toContain(running);
    const done = (await t.call("GET", "/api/jobs?all=true&completed=true", { as: t.admin })).json() as { jobs: Array<Record<string, unknown>> };
    const numbers = done.jobs.map((j) => j.job_number as number);
    expect(numbers).toContain(finished);
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a)); // newest first
    const entry = done.jobs.find((j) => j.job_number === finished)!;
    expect(entry).toMatchObject({ job_owner_username: "wile", job_owner_payer: "acme", job_status: "TERMINATED" });
    for (const k of ["job_submit_time", "job_start_time", "job_end_time"]) expect(entry[k], k).toBeGreaterThan(1_700_000_000);
    expect(typeof entry.job_exitcode === "number" || entry.job_exitcode === null).toBe(true);
    const active = all.jobs.find((j) => j.job_number === running)!;
    expect(active).toMatchObject({ job_end_time: 0, job_exitcode: null, job_owner_payer: "globex" });

    const byStatus = (await t.call("GET", "/api/jobs?all=true&status=TERMINATED", { as: t.admin })).json() as { jobs: Array<{ job_status: string; job_number: number }> };
    expect(byStatus.jobs.length).toBeGreaterThan(0);
    expect(byStatus.jobs.every((j) => j.job_status === "TERMINATED")).toBe(true);
    expect(byStatus.jobs.map((j) => j.job_number)).toContain(finished);
    const byUser = (await t.call("GET", "/api/jobs?all=true&user=wile&completed=true", { as: t.admin })).json() as { jobs: Array<{ job_owner_username: string }> };
    expect(byUser.jobs.length).toBeGreaterThan(0);
    expect(byUser.jobs.every((j) => j.job_owner_username === "wile")).toBe(true);
    const byPayer = (await t.call("GET", "/api/jobs?all=true&payer=globex", { as: t.admin })).json() as { jobs: Array<{ job_number: number; job_payer: string }> };
    expect(byPayer.jobs.map((j) => j.job_number)).toEqual([running]);

    expect((await t.call("GET", "/api/jobs?all=true", { as: acme })).statusCode).toBe(403);
    const bad = await t.call("GET", "/api/jobs?all=true&status=DONE", { as: t.admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: "status" });
    // a payer's own list never holds another tenant's job, whatever the filters
    const payers = (await t.call("GET", "/api/jobs?team=true&payer=globex", { as: acme })).json() as { jobs: unknown[] };
    expect(payers.jobs).toEqual([]);
  });

  it("/jarvice/jobs keeps JARVICE's entry: no portal keys, exit code 0 while running", async () => {
    const r = (await t.call("GET", `/jarvice/jobs?username=globex&apikey=${encodeURIComponent(globex.apikey)}`)).json() as Record<string, Record<string, unknown>>;
    const e = Object.values(r).find((x) => x.job_number === running)!;
    expect(e).not.toHaveProperty("job_owner_payer");
    expect(e.job_exitcode).toBe(0);
  });

  it("downloads the whole output as a text file", async () => {
    const lines = Array.from({ length: 150 }, (_, i) => `line ${i + 1}`).join("\n");
    await t.opened.db.updateTable("jobs").set({ output: lines }).where("number", "=", finished).execute();
    const tail = (await t.call("GET", `/api/jobs/${finished}/output?lines=20`, { as: wile })).json() as { output: string };
    expect(tail.output.split("\n")).toHaveLength(20);
    const r = await t.call("GET", `/api/jobs/${finished}/output?download=true`, { as: wile });
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(r.headers["content-disposition"]).toBe(`attachment; filename="jarvice-job-${finished}.txt"`);
    expect(r.body).toBe(lines);
    expect((await t.call("GET", `/api/jobs/${finished}/output?download=true`, { as: globex })).statusCode).toBe(404);
  });
});

describe("names and order", () => {
  it("machine types sort naturally and name their zone", async () => {
    const r = (await t.call("GET", "/api/machines", { as: acme })).json() as { machines: Array<{ name: string; zone: number; zoneName: string }> };
    const demo = r.machines.map((m) => m.name).filter((n) => ["n4", "n8", "n16"].includes(n));
    expect(demo).toEqual(["n4", "n8", "n16"]);
    expect(r.machines[0]).toMatchObject({ zone: 0, zoneName: "Default" });
    const clusters = (await t.call("GET", "/api/clusters", { as: t.admin })).json() as { clusters: Array<{ zoneName: string }> };
    expect(clusters.clusters[0]!.zoneName).toBe("Default");
    const vaults = (await t.call("GET", "/api/users/wile/vaults", { as: wile })).json() as { vaults: Array<{ zone: number; zoneName: string | null }> };
    for (const v of vaults.vaults) expect(v.zoneName).toBe(v.zone === -1 ? null : "Default");
    // payer metadata whose value is a zone id
    const meta = await t.call("POST", "/api/metadata", { as: t.admin, body: { payer: "globex", key: "vaultEphemeralZone", value: 0 } });
    expect(meta.statusCode, meta.body).toBe(201);
    expect(meta.json()).toMatchObject({ key: "vaultEphemeralZone", value: "0", zoneName: "Default" });
    const rows = (await t.call("GET", "/api/metadata?payer=globex", { as: t.admin })).json() as { metadata: Array<{ key: string; zoneName?: string }> };
    expect(rows.metadata.find((r) => r.key === "vaultEphemeralZone")).toMatchObject({ zoneName: "Default" });
  });

  it("AppDefs keep their key order through POST, PUT, GET /api/apps and /jarvice/apps, and so do command lines", async () => {
    const appdef = {
      name: "Ordered",
      image: { type: "docker", data: "busybox" },
      commands: {
        web: { path: "/bin/httpd", name: "Web", parameters: { foreground: { name: "F", type: "CONST", value: "-f" }, port: { name: "P", type: "CONST", value: "-p 80" } } },
        aaa: { path: "/bin/true", parameters: {} },
      },
      zzz: { b: 1, a: 2 },
      description: "keys deliberately not in alphabetical order",
    };
    const keys = (o: unknown): unknown => (o && typeof o === "object" && !Array.isArray(o) ? Object.entries(o).map(([k, v]) => [k, keys(v)]) : o);
    const created = await t.call("POST", "/api/apps", { as: t.admin, body: { id: "ordered", appdef } });
    expect(created.statusCode, created.body).toBe(201);
    const expected = keys({ ...appdef, commands: { web: appdef.commands.web, aaa: { name: "aaa", ...appdef.commands.aaa } } });
    expect(keys((await t.call("GET", "/api/apps/ordered", { as: acme })).json().appdef)).toEqual(expected);
    const listed = ((await t.call("GET", "/api/apps", { as: acme })).json() as { apps: Array<{ id: string; appdef: unknown }> }).apps.find((a) => a.id === "ordered")!;
    expect(keys(listed.appdef)).toEqual(expected);
    const jarvice = (await t.call("GET", `/jarvice/apps?username=acme&apikey=${encodeURIComponent(acme.apikey)}`)).json() as Record<string, { data: unknown }>;
    expect(keys(jarvice.ordered!.data)).toEqual(expected);
    const one = (await t.call("GET", `/jarvice/appdef?username=acme&apikey=${encodeURIComponent(acme.apikey)}&name=ordered`)).json();
    expect(keys(one)).toEqual(expected);

    const swapped = { ...appdef, commands: { aaa: appdef.commands.aaa, web: { ...appdef.commands.web, parameters: { port: appdef.commands.web.parameters.port, foreground: appdef.commands.web.parameters.foreground } } } };
    expect((await t.call("PUT", "/api/apps/ordered", { as: t.admin, body: { appdef: swapped } })).statusCode).toBe(200);
    const after = (await t.call("GET", "/api/apps/ordered", { as: acme })).json().appdef as { commands: Record<string, { parameters: object }> };
    expect(Object.keys(after.commands)).toEqual(["aaa", "web"]);
    expect(Object.keys(after.commands.web!.parameters)).toEqual(["port", "foreground"]);

    // the command line follows the parameters' order
    expect((await t.call("PUT", "/api/apps/ordered", { as: t.admin, body: { appdef } })).statusCode).toBe(200);
    const n = await submit(acme, { app: "ordered", application: { command: "web" }, machine: { type: "n4" } });
    const row = await t.opened.db.selectFrom("jobs").select("argv").where("number", "=", n).executeTakeFirstOrThrow();
    expect(row.argv.join(" ")).toMatch(/httpd -f -p 80$/);
  });
});
