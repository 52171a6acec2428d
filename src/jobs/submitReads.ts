// What a submission reads before it writes, in one statement: the app, the
// machine type (with its cluster's zone and mL), the user's vaults and the
// limits that may concern the tenant. Each is a subquery turned into JSON in
// the database (Kysely's jsonObjectFrom and jsonArrayFrom), so a submission
// waits for one round trip and takes a connection once, where four separate
// reads cost four statements: at 200 clients, statements waiting for one of
// the pool's connections are most of a submission's latency.
//
// Only columns that JSON carries as node-postgres reads them are selected
// (text, integers, booleans, jsonb): no timestamps, numerics or bigints.
import { jsonArrayFrom, jsonObjectFrom } from "kysely/helpers/postgres";
import type { AppDef } from "../core/appdef";
import { parseAppDef } from "./apps";
import type { Limit } from "../core/limits";
import type { HeldVault } from "../core/vaults";
import type { Db } from "../store/db";
import { heldOf, heldVaultRows } from "../vaults/vaults";
import { reusedQuery } from "../store/reusedQuery";
import { LIMIT_COLUMNS, limitsConcerning, toLimit } from "./limitStore";

export interface SubmitMachine {
  id: number;
  name: string;
  /** cores of one node */
  cores: number;
  maxNodes: number;
  /** its cluster's zone */
  zone: number;
  /** its cluster's mL (null for none) */
  maxCpus: number | null;
  /** how many of it fit on one node (a ReadWriteOnce vault keeps a job on one node) */
  perNode: number;
}

export interface SubmitReads {
  app: { id: string; appdef: AppDef } | undefined;
  machine: SubmitMachine | undefined;
  /** the user's vaults: owned, then shared with it */
  held: HeldVault[];
  /** the limits that may concern the tenant (limitsConcerning) */
  limits: Limit[];
}

/** The statement, compiled once (reusedQuery): only the app, machine, user and tenant change. */
const readsQuery = reusedQuery<{ app: string; machine: string; user: number; tenant: number }>()((db, slot) =>
  db.selectNoFrom([
    jsonObjectFrom(db.selectFrom("apps").select(["id", "appdef"]).where("id", "=", slot("app"))).as("app"),
    jsonObjectFrom(
      db
        .selectFrom("machines as m")
        .innerJoin("clusters as c", "c.id", "m.cluster_id")
        .select(["m.id", "m.name", "m.cores", "m.max_nodes", "m.per_node", "c.zone_id", "c.max_cpus"])
        .where("m.name", "=", slot("machine")),
    ).as("machine"),
    jsonArrayFrom(heldVaultRows(db, slot("user"))).as("held"),
    jsonArrayFrom(limitsConcerning(db, slot("tenant")).select(LIMIT_COLUMNS).orderBy("l.id")).as("limits"),
  ]),
);

export async function submitReads(db: Db, q: { app: string; machine: string; user: number; tenant: number }): Promise<SubmitReads> {
  const r = (await readsQuery.execute(db, q)).rows[0]!;
  const m = r.machine;
  return {
    app: r.app ? { id: r.app.id, appdef: parseAppDef(r.app.appdef) } : undefined,
    machine: m ? { id: m.id, name: m.name, cores: m.cores, maxNodes: m.max_nodes, zone: m.zone_id, maxCpus: m.max_cpus, perNode: m.per_node } : undefined,
    // An aggregate's order is its subquery's in practice, not by any promise: the held vaults' order is kept here.
    held: heldOf([...r.held].sort((a, b) => a.shared - b.shared || a.id - b.id)),
    limits: r.limits.map(toLimit),
  };
}
