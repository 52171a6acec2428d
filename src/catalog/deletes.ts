// Deleting zones, clusters, machine types, apps and vaults. Each delete locks
// the row (FOR UPDATE) in its transaction before it looks for what still
// uses it, so nothing can start using the row between the check and the
// delete: a job inserted meanwhile references it through a foreign key, whose
// check waits for this transaction and then fails, and a cluster or vault made
// in a zone meanwhile does the same. 409 answers name what still uses the row.
import { conflict, notFound } from "../core/errors";
import type { Settings } from "../config/settings";
import type { Db } from "../store/db";

const ACTIVE = ["SUBMITTED", "PROCESSING STARTING"];
/** How many users of a row a 409 names before "and N more". */
const NAMED = 5;

function names(list: string[]): string {
  return list.length <= NAMED ? list.join(", ") : `${list.slice(0, NAMED).join(", ")} and ${list.length - NAMED} more`;
}

async function activeJobsOf(trx: Db, column: "machine_id" | "app_ref" | "vault_id", value: number | string): Promise<string[]> {
  const rows = await trx
    .selectFrom("jobs")
    .select("name")
    .where(column, "=", value as never)
    .where("status", "in", ACTIVE)
    .orderBy("number")
    .execute();
  return rows.map((r) => r.name);
}

export async function deleteZone(db: Db, id: number, settings: Pick<Settings, "vaultDefaults">): Promise<void> {
  if (id === 0) throw conflict("id", "the Default zone (0) is always there; it cannot be deleted");
  await db.transaction().execute(async (trx) => {
    const zone = await trx.selectFrom("zones").select(["id", "name"]).where("id", "=", id).forUpdate().executeTakeFirst();
    if (!zone) throw notFound("zone");
    const clusters = (await trx.selectFrom("clusters").select("name").where("zone_id", "=", id).orderBy("name").execute()).map((c) => c.name);
    if (clusters.length > 0) throw conflict("id", `zone '${zone.name}' still has cluster(s) ${names(clusters)}; delete or move them first`);
    const vaults = await trx.selectFrom("vaults as v").innerJoin("users as u", "u.id", "v.owner_id").select(["v.name", "u.username"]).where("v.zone_id", "=", id).orderBy("u.username").orderBy("v.name").execute();
    if (vaults.length > 0) throw conflict("id", `zone '${zone.name}' still has vault(s) ${names(vaults.map((v) => `${v.username}/${v.name}`))}; delete them first`);
    const metadata = await trx
      .selectFrom("payer_metadata as pm")
      .innerJoin("users as u", "u.id", "pm.payer_id")
      .select(["u.username", "pm.key"])
      .where("pm.key", "in", ["vaultZone", "vaultEphemeralZone"])
      .where("pm.value", "=", String(id))
      .orderBy("u.username")
      .execute();
    if (metadata.length > 0) throw conflict("id", `zone '${zone.name}' is named in payer metadata ${names(metadata.map((m) => `${m.username} ${m.key}`))}; change it first`);
    for (const k of ["JARVICE_PVC_VAULT_ZONE", "JARVICE_EPHEMERAL_VAULT_ZONE"] as const) {
      if (settings.vaultDefaults[k] !== undefined && Number(settings.vaultDefaults[k]) === id) throw conflict("id", `zone '${zone.name}' is the system setting ${k}`);
    }
    await trx.deleteFrom("zones").where("id", "=", id).execute();
  });
}

export async function deleteCluster(db: Db, id: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const cluster = await trx.selectFrom("clusters").select(["id", "name"]).where("id", "=", id).forUpdate().executeTakeFirst();
    if (!cluster) throw notFound("cluster");
    const machines = (await trx.selectFrom("machines").select("name").where("cluster_id", "=", id).orderBy("name").execute()).map((m) => m.name);
    if (machines.length > 0) throw conflict("id", `cluster '${cluster.name}' still offers machine type(s) ${names(machines)}; delete or move them first`);
    await trx.deleteFrom("clusters").where("id", "=", id).execute();
  });
}

/** Completed jobs keep the machine type's name (jobs.machine_name); active ones refuse the delete. */
export async function deleteMachine(db: Db, id: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const machine = await trx.selectFrom("machines").select(["id", "name"]).where("id", "=", id).forUpdate().executeTakeFirst();
    if (!machine) throw notFound("machine");
    const jobs = await activeJobsOf(trx, "machine_id", id);
    if (jobs.length > 0) throw conflict("id", `machine type '${machine.name}' is used by active job(s) ${names(jobs)}; wait for them to end or stop them`);
    // the names stay on finished jobs (filled at submit; here for rows from before migration 0008 that missed it)
    await trx.updateTable("jobs").set({ machine_name: machine.name }).where("machine_id", "=", id).where("machine_name", "=", "").execute();
    await trx.deleteFrom("machines").where("id", "=", id).execute();
  });
}

/** Completed jobs keep the app's id (jobs.app_id); active ones refuse the delete. */
export async function deleteApp(db: Db, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const app = await trx.selectFrom("apps").select("id").where("id", "=", id).forUpdate().executeTakeFirst();
    if (!app) throw notFound(`app '${id}'`);
    const jobs = await activeJobsOf(trx, "app_ref", id);
    if (jobs.length > 0) throw conflict("id", `app '${id}' is used by active job(s) ${names(jobs)}; wait for them to end or stop them`);
    await trx.deleteFrom("apps").where("id", "=", id).execute();
  });
}

/** The vault and its shares; finished jobs that used it keep no reference (jobs.vault_id is set null). */
export async function deleteVault(db: Db, id: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const vault = await trx.selectFrom("vaults").select(["id", "name"]).where("id", "=", id).forUpdate().executeTakeFirst();
    if (!vault) throw notFound("vault");
    const jobs = await activeJobsOf(trx, "vault_id", id);
    if (jobs.length > 0) throw conflict("id", `vault '${vault.name}' is used by active job(s) ${names(jobs)}; wait for them to end or stop them`);
    await trx.deleteFrom("vaults").where("id", "=", id).execute();
  });
}

