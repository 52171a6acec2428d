// GET /jarvice/events (system administrators): the Kubernetes Events of a
// job's pods (scheduling failures, image pulls, starts, kills), as text, one
// line per event, oldest first. Events outlive the pods for a while (an hour
// by default in Kubernetes); a job whose events have expired shows none.
import { forbidden } from "../core/errors";
import { podName } from "../core/podPlan";
import type { Account } from "../core/tenancy";
import type { ClusterBackend, ClusterEvent } from "../cluster/cluster";
import type { Db } from "../store/db";
import { visibleJob } from "./views";

export const NO_EVENTS = "(no events)";

/** "<time> <pod> <type> <reason>[ (xN)]: <message>" per event. */
export function eventsText(events: ClusterEvent[]): string {
  if (events.length === 0) return `${NO_EVENTS}\n`;
  return events.map((e) => `${e.time} ${e.pod} ${e.type} ${e.reason}${e.count > 1 ? ` (x${e.count})` : ""}: ${e.message.replace(/\r?\n/g, " ")}\n`).join("");
}

export async function jobEvents(db: Db, cluster: ClusterBackend | undefined, caller: Account, query: Record<string, unknown>): Promise<string> {
  if (!caller.isSysadmin) throw forbidden("job events are for system administrators");
  const job = await visibleJob(db, caller, query);
  const recorded = await db.selectFrom("job_pods").select("name").where("job_number", "=", job.number).execute();
  const names = [...new Set([...Array.from({ length: job.nodes }, (_, i) => podName(job.number, i)), ...recorded.map((r) => r.name)])];
  const events = cluster?.events ? await cluster.events(job.number, names) : [];
  return eventsText(events);
}
