// GET /jarvice/queues: the queues jobs wait in. This release has one, "default":
// every submitted job waits in it until its pods are created and running. Its
// depth is the number of jobs SUBMITTED and not yet started: held ones (waiting
// for their admission Limits, spec/limits-and-queues.md) and released ones
// (waiting for their pods to run). With info, each queue is shown as the JARVICE
// HPC clients read it ({name, app, machine, size}: the app and machine type a
// batch job of the queue uses by default and its most nodes), plus its depth
// and the held and released counts.
import { notFound } from "../core/errors";
import { hasZoneAccess } from "../core/zoneAccess";
import type { Account } from "../core/tenancy";
import type { Db } from "../store/db";
import { listMachines } from "../catalog/catalog";
import { zoneAccessOfUser } from "../vaults/vaults";
import { listApps } from "./apps";
import { DEFAULT_BATCH_APP } from "./batch";

export const DEFAULT_QUEUE = "default";

export interface QueueInfo {
  name: string;
  app: string;
  machine: string;
  size: number;
  depth: number;
  held: number;
  released: number;
}

/** Queue names, or with `info` the queues keyed by name (as the JARVICE HPC clients read them). */
export async function queues(db: Db, caller: Account, q: { name?: string | undefined; info?: boolean | undefined }): Promise<string[] | Record<string, QueueInfo>> {
  const name = q.name === undefined || q.name === "" ? "all" : q.name;
  if (name !== "all" && name !== DEFAULT_QUEUE) throw notFound(`queue '${name}'`);
  if (!q.info) return [DEFAULT_QUEUE];

  const waiting = await db
    .selectFrom("jobs")
    .select((eb) => [eb.fn.countAll<string>().as("n"), eb.fn.count<string>("number").filterWhere("held", "=", true).as("held")])
    .where("status", "=", "SUBMITTED")
    .where("start_time", "=", 0)
    .executeTakeFirstOrThrow();
  const depth = Number(waiting.n);
  const held = Number(waiting.held);
  const access = await zoneAccessOfUser(db, caller.id);
  const machine = (await listMachines(db)).find((m) => hasZoneAccess(access, m.zone));
  const apps = (await listApps(db)).filter((a) => a.public);
  const app = apps.find((a) => a.id === DEFAULT_BATCH_APP) ?? apps[0];
  return {
    [DEFAULT_QUEUE]: { name: DEFAULT_QUEUE, app: app?.id ?? "", machine: machine?.name ?? "", size: machine?.maxNodes ?? 0, depth, held, released: depth - held },
  };
}
