// GET /jarvice/billing: the usage report from the job records. System
// administrators report on everyone, a payer on its own team; the filters are
// the JARVICE OpenAPI's. Core-hours and cost are computed in core/billing.ts
// from each machine's current price per node-hour.
import { BILLING_STATUSES, billingCsv, periodOf, type UsageJob } from "../core/billing";
import { forbidden, invalid } from "../core/errors";
import { isPayer, tenantOf, type Account } from "../core/tenancy";
import type { Db } from "../store/db";

export interface BillingQuery {
  reportuser?: string | undefined;
  zone?: string | undefined;
  billingcode?: string | undefined;
  statuses?: string | undefined;
  machtypes?: string | undefined;
  jobapp?: string | undefined;
  itemized?: boolean | undefined;
  timeperiod?: string | undefined;
  startdate?: string | undefined;
  enddate?: string | undefined;
}

/** Paddock keeps no billing codes yet: every payer's is 0 (the filter `billingcode=0` matches all, any other none). */
export const DEFAULT_BILLING_CODE = 0;

const list = (s: string | undefined) =>
  (s ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");

export async function billingReport(db: Db, caller: Account, q: BillingQuery, now = new Date()): Promise<string> {
  if (!caller.isSysadmin && !isPayer(caller)) throw forbidden("billing reports are for system administrators and payers");
  const period = periodOf(q, now);
  if (!period.ok) throw invalid(period.field, period.problem);

  const statuses = list(q.statuses);
  const bad = statuses.find((s) => !(BILLING_STATUSES as readonly string[]).includes(s));
  if (bad !== undefined) throw invalid("statuses", `'${bad}' is not a job status (${BILLING_STATUSES.join(", ")})`);

  let billingCode: number | undefined;
  if (q.billingcode !== undefined && q.billingcode !== "") {
    if (!/^-?\d{1,10}$/.test(q.billingcode)) throw invalid("billingcode", "must be an integer");
    billingCode = Number(q.billingcode);
  }

  let zone: number | undefined;
  if (q.zone !== undefined && q.zone !== "") {
    const z = await db
      .selectFrom("zones")
      .select("id")
      .where((eb) => (/^\d{1,9}$/.test(q.zone!) ? eb.or([eb("id", "=", Number(q.zone)), eb("name", "=", q.zone!)]) : eb("name", "=", q.zone!)))
      .executeTakeFirst();
    if (!z) throw invalid("zone", `no zone '${q.zone}' (a zone id or name)`);
    zone = z.id;
  }

  // Users reported on: those named (a payer stands for its whole team), inside the caller's reach.
  const names = list(q.reportuser);
  let owners: number[] | undefined;
  if (names.length > 0) {
    const rows = await db.selectFrom("users").select(["id", "username", "payer_id"]).where("username", "in", names).execute();
    const reachable = rows.filter((r) => caller.isSysadmin || tenantOf({ id: r.id, payerId: r.payer_id }) === tenantOf(caller));
    const missing = names.find((n) => !reachable.some((r) => r.username === n));
    if (missing !== undefined) throw invalid("reportuser", `'${missing}' is not a user you may report on`);
    const payers = reachable.filter((r) => r.payer_id === null).map((r) => r.id);
    const team = payers.length > 0 ? await db.selectFrom("users").select("id").where("payer_id", "in", payers).execute() : [];
    owners = [...new Set([...reachable.map((r) => r.id), ...team.map((r) => r.id)])];
  }

  let sql = db
    .selectFrom("jobs as j")
    .innerJoin("users as u", "u.id", "j.owner_id")
    .innerJoin("users as t", "t.id", "j.tenant_id")
    .innerJoin("machines as m", "m.id", "j.machine_id")
    .innerJoin("clusters as c", "c.id", "m.cluster_id")
    .select(["j.number", "j.name", "j.app_id", "j.status", "j.nodes", "j.submit_time", "j.start_time", "j.end_time", "u.username as user", "t.username as payer", "m.name as machine", "m.cores", "m.price", "c.zone_id"]);
  if (!caller.isSysadmin) sql = sql.where("j.tenant_id", "=", tenantOf(caller));
  if (owners) sql = sql.where("j.owner_id", "in", owners);
  if (zone !== undefined) sql = sql.where("c.zone_id", "=", zone);
  if (statuses.length > 0) sql = sql.where("j.status", "in", statuses);
  const machtypes = list(q.machtypes);
  if (machtypes.length > 0) sql = sql.where("m.name", "in", machtypes);
  if (q.jobapp !== undefined && q.jobapp !== "") sql = sql.where("j.app_id", "=", q.jobapp);
  const rows = billingCode !== undefined && billingCode !== DEFAULT_BILLING_CODE ? [] : await sql.orderBy("j.number").execute();

  const jobs: UsageJob[] = rows.map((r) => ({
    number: r.number,
    name: r.name,
    user: r.user,
    payer: r.payer,
    billingCode: DEFAULT_BILLING_CODE,
    app: r.app_id,
    machine: r.machine,
    zone: r.zone_id,
    status: r.status,
    nodes: r.nodes,
    cores: r.cores,
    price: Number(r.price),
    submitTime: Number(r.submit_time),
    startTime: Number(r.start_time),
    endTime: Number(r.end_time),
  }));
  return billingCsv(jobs, { itemized: q.itemized === true, period: period.value, now: Math.floor(now.getTime() / 1000) });
}
