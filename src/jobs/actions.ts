// What one may do with a visible job, shared by the JARVICE API (/jarvice/*)
// and the portal's session routes (/api/jobs/*): connection info, stop
// requests, output. The caller has already been shown the job (visibleJob).
import { invalid } from "../core/errors";
import { isActive } from "../core/jobLifecycle";
import { JOB_IPADDR_LABEL, POD0_IPADDR_LABEL } from "../core/ipaddr";
import { jobPodLabels } from "../core/podPlan";
import type { ClusterBackend } from "../cluster/cluster";
import type { Db } from "../store/db";
import type { JobView } from "./views";

export async function podsOf(db: Db, job: JobView) {
  return db.selectFrom("job_pods").selectAll().where("job_number", "=", job.number).orderBy("pod_index").execute();
}

/** /jarvice/info for a running job: pod 0's address, the ipaddr label value, which Services select the job. */
export async function jobInfo(db: Db, cluster: ClusterBackend | undefined, job: JobView, field: JobField = "name") {
  if (job.status !== "PROCESSING STARTING") throw invalid(field, `job ${job.number} is not running (${job.status})`);
  const pods = await podsOf(db, job);
  const address = pods.find((p) => p.pod_index === 0)?.ip ?? "";
  const labels = jobPodLabels({ number: job.number, username: job.owner, tenant: job.payer, ipaddr: job.ipaddr_value ?? undefined }, 0);
  const services = cluster ? await cluster.servicesSelecting(labels) : [];
  return {
    address,
    url: address ? `http://${address}/` : "",
    about: `job ${job.name} (${job.app_id} ${job.command}) on ${job.nodes} x ${job.machine}`,
    help: job.ipaddr_value
      ? `Services selecting ${JOB_IPADDR_LABEL}=${job.ipaddr_value} reach every pod of this job; ${POD0_IPADDR_LABEL}=${job.ipaddr_value} reaches pod 0`
      : "this job has no IP address tag (ipaddr)",
    actions: {},
    ipaddr: job.ipaddr_value ?? "",
    services,
    pods: pods.map((p) => ({ index: p.pod_index, name: p.name, phase: p.phase, node: p.node ?? "", address: p.ip ?? "" })),
  };
}

/** The parameter the request named the job by (views.ts jobField): errors about the job name it. */
export type JobField = "number" | "name";

export type StopKind = "shutdown" | "terminate";

/** Record a stop request; a terminate overrides an earlier shutdown, a shutdown never softens a terminate. */
export async function requestStop(db: Db, job: JobView, kind: StopKind, field: JobField = "name"): Promise<{ status: string }> {
  if (!isActive(job.status)) throw invalid(field, `job ${job.number} is not running (${job.status})`);
  let q = db.updateTable("jobs").set({ stop_requested: kind }).where("number", "=", job.number);
  if (kind === "shutdown") q = q.where("stop_requested", "is", null);
  await q.execute();
  return { status: kind === "shutdown" ? "shutdown requested" : "terminated" };
}

/** JARVICE's tail and output: the last 100 lines unless `lines` says otherwise. */
export const DEFAULT_LINES = 100;

/** `lines` as a query parameter: a non-negative integer, 0 meaning all (undefined); absent: `fallback` (default: all). */
export function linesParam(raw: unknown, fallback?: number): number | undefined {
  if (raw === undefined || raw === "") return fallback;
  if (typeof raw !== "string" || !/^\d{1,6}$/.test(raw)) throw invalid("lines", "must be a positive integer");
  const n = Number(raw);
  return n === 0 ? undefined : n;
}

/** The job's output: live from pod 0 while it runs, else what was kept at the end. */
export async function jobOutput(cluster: ClusterBackend | undefined, job: JobView, lines: number | undefined): Promise<string> {
  let text = job.output ?? "";
  if (isActive(job.status) && cluster) text = await cluster.podLogs(job.number, 0, lines).catch(() => "");
  if (lines !== undefined) text = text.split("\n").slice(-lines).join("\n");
  return text;
}
