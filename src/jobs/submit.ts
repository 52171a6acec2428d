// POST /jarvice/submit: check everything the user asked for, then store the
// job as SUBMITTED. The job controller takes it from there.
import { sql } from "kysely";
import type { Insertable } from "kysely";
import { reusedQuery } from "../store/reusedQuery";
import type { JobsTable } from "../store/schema";
import { commandLine, machineAllowedProblem, type AppDef, type Checked, type CommandLine } from "../core/appdef";
import { invalid, notFound, PaddockError } from "../core/errors";
import { userNameProblem } from "../core/labels";
import { parseSubmission, type Submission } from "../core/submission";
import { typedSubmission } from "../core/typedSubmission";
import { tenantOf } from "../core/tenancy";
import { hasZoneAccess, machineVaultZoneProblem } from "../core/zoneAccess";
import { multiNodeVaultProblem } from "../core/vaultVolumes";
import type { Ctx } from "../store/ctx";
import type { Db } from "../store/db";
import { isForeignKeyViolation } from "../store/errors";
import { userByApiKey, type Caller } from "../accounts/credentials";
import { zonesGrantedBy } from "../vaults/vaults";
import { claimIpaddrValue, ipaddrValueOrThrow } from "./ipaddrTag";
import { admitAtSubmit, RELEASED, type Admitted } from "./admission";
import { submitReads } from "./submitReads";

export interface Submitted {
  name: string;
  number: number;
}

/**
 * The submission, checked before any database work: its syntax, and the tag's
 * length and syntax (pure, linear in the tag). The tag is checked with the
 * name in the body when that is a valid user name (otherwise the credentials
 * fail first); submitAs checks it again with the stored name.
 */
export function parsed(body: unknown): Submission {
  const p = parseSubmission(body);
  if (!p.ok) throw p.status === 401 ? new PaddockError("unauthorized", `${p.field}: ${p.problem}`, p.field) : invalid(p.field, p.problem);
  const { user, ipaddrTag } = p.value;
  if (ipaddrTag !== undefined && userNameProblem(user.username) === undefined) ipaddrValueOrThrow(user.username, ipaddrTag);
  return p.value;
}

/** /jarvice/submit: the body names the user and its API key. */
export async function submitJob(ctx: Ctx, body: unknown): Promise<Submitted> {
  const sub = parsed(body);
  return submitAs(ctx, await userByApiKey(ctx, sub.user.username, sub.user.apikey), sub, body);
}

/** POST /api/jobs: the same JSON without `user`; the job is the session user's. */
export async function submitForCaller(ctx: Ctx, caller: Caller, body: unknown): Promise<Submitted> {
  if (typeof body === "object" && body !== null && !Array.isArray(body) && "user" in body) throw invalid("user", "must be omitted: the job is submitted as the logged-in user");
  const withUser = typeof body === "object" && body !== null && !Array.isArray(body) ? { ...body, user: { username: caller.user.username, apikey: "(session)" } } : body;
  return submitAs(ctx, caller, parsed(withUser), withUser);
}

/** The command line of a submission: the app's command with its parameters (batch jobs bring their own). */
export type CommandLineOf = (appdef: AppDef, sub: Submission) => Checked<CommandLine>;
const appCommandLine: CommandLineOf = (appdef, sub) => commandLine(appdef, sub.command, sub.parameters);

/** A job's number from the jobs.number identity's sequence, in the INSERT that writes it: named at once, never updated. */
const nextNumber = sql<number>`nextval(pg_get_serial_sequence('jobs', 'number'))::int`;

/** The columns a submission writes (the number and name come from the sequence, in the statement). */
const JOB_COLUMNS = ["owner_id", "tenant_id", "app_id", "app_ref", "command", "argv", "parameters", "env", "machine_id", "machine_name", "nodes", "vault_id", "vault_readonly", "ipaddr_tag", "ipaddr_value", "submit_time", "walltime", "job_label", "job_project", "licenses", "submission", "held", "substatus_text"] as const;
type JobValues = Required<Pick<Insertable<JobsTable>, (typeof JOB_COLUMNS)[number]>>;

/** The INSERT of every submission, compiled once (reusedQuery): it is the same statement with other values. */
const insertJob = reusedQuery<JobValues>()((db, slot) =>
  db
    .with("n", (w) => w.selectNoFrom(nextNumber.as("number")))
    .insertInto("jobs")
    .values({
      number: sql<number>`(select number from n)`,
      name: sql<string>`'jarvice-job-' || (select number from n)`,
      status: "SUBMITTED",
      ...(Object.fromEntries(JOB_COLUMNS.map((c) => [c, slot(c)])) as unknown as JobValues),
    })
    .returning(["name", "number"]),
);

/**
 * The machine type, app or vault the submission named was deleted between the reads and the insert (the delete
 * locked the row, the insert's foreign key check waited for it and failed): the answer a submission naming a
 * missing one gets, not a database error.
 */
async function deletedMeanwhile<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (isForeignKeyViolation(e)) throw new PaddockError("conflict", "machine.type: the machine type, app or vault was deleted while the job was being submitted; check the catalog and submit again", "machine.type");
    throw e;
  }
}

export async function submitAs(ctx: Ctx, { user, account }: Caller, sub: Submission, body: unknown, commandLineOf: CommandLineOf = appCommandLine): Promise<Submitted> {
  const { db } = ctx;
  const tenant = tenantOf(account);

  // Everything the checks read, in one statement; checked below in the order the answers have always had (an
  // unknown app is a 404 before any machine problem, and so on).
  const { app, machine, held, limits } = await submitReads(db, { app: sub.app, machine: sub.machineType, user: user.id, tenant });

  if (!app) throw notFound(`app '${sub.app}'`);
  const cl = commandLineOf(app.appdef, sub);
  if (!cl.ok) throw invalid(cl.field, cl.problem);

  // Machines outside the user's zones do not exist for the user.
  if (!machine || !hasZoneAccess(zonesGrantedBy(held), machine.zone)) throw notFound(`machine type '${sub.machineType}'`);
  const allowed = machineAllowedProblem(app.appdef, sub.command, machine.name);
  if (allowed) throw invalid("machine.type", allowed);
  const maxNodes = Math.min(machine.maxNodes, app.appdef.scale_max ?? Infinity);
  if (sub.nodes > maxNodes) throw invalid("machine.nodes", `${sub.nodes} is more than the ${maxNodes} node(s) allowed for machine '${machine.name}'${app.appdef.scale_max !== undefined ? ` and app '${sub.app}'` : ""}`);

  const vault = sub.vault.name !== undefined ? held.find((h) => h.vault.name === sub.vault.name)?.vault : (held.find((h) => h.vault.isDefault && h.vault.kind === "pvc" && !h.sharedBy) ?? held.find((h) => h.vault.isDefault && !h.sharedBy))?.vault;
  if (!vault) throw notFound(`vault '${sub.vault.name ?? "(default)"}'`);
  const zoneProblem = machineVaultZoneProblem({ name: machine.name, zoneId: machine.zone }, vault);
  if (zoneProblem) throw invalid("vault.name", zoneProblem);
  // A ReadWriteOnce vault mounts on one node: the job's pods must all fit on one node of the machine type.
  const oneNodeProblem = multiNodeVaultProblem(vault, sub.nodes, machine.perNode);
  if (oneNodeProblem) throw invalid("machine.nodes", oneNodeProblem);

  const ipaddr = sub.ipaddrTag !== undefined ? ipaddrValueOrThrow(user.username, sub.ipaddrTag) : undefined;

  const insert = async (trx: Db, admitted: Admitted) =>
    (
      await insertJob.execute(trx, {
        owner_id: user.id,
        tenant_id: tenant,
        app_id: app.id,
        app_ref: app.id,
        command: sub.command,
        argv: JSON.stringify(cl.value.argv),
        parameters: JSON.stringify(cl.value.parameters),
        env: JSON.stringify(cl.value.env),
        machine_id: machine.id,
        machine_name: machine.name,
        nodes: sub.nodes,
        vault_id: vault.id,
        vault_readonly: sub.vault.readonly,
        ipaddr_tag: sub.ipaddrTag ?? null,
        ipaddr_value: ipaddr ?? null,
        submit_time: Math.floor(Date.now() / 1000),
        walltime: sub.walltime,
        job_label: sub.jobLabel,
        job_project: sub.jobProject,
        licenses: sub.licenses,
        submission: JSON.stringify(typedSubmission(body)),
        held: admitted.held,
        substatus_text: admitted.held ? admitted.substatusText : "",
      })
    ).rows[0]!;

  // The common case, a tenant without limits and no tag: one INSERT, no transaction. A limit saved meanwhile
  // (after the read above) misses this job, as it did when the read was in the transaction: nothing locks a
  // tenant without limits, and saving a limit takes the lock and decides the jobs it then sees.
  if (limits.length === 0 && ipaddr === undefined) return deletedMeanwhile(() => insert(db, RELEASED));

  return deletedMeanwhile(() => db.transaction().execute(async (trx) => {
    // Admission Limits first, under the tenant's lock: a job that can never fit is refused with nothing stored,
    // and the job is written once, held or not.
    const admitted = limits.length > 0 ? await admitAtSubmit(trx, { tenant, owner: user.id, ownerName: user.username, machine, nodes: sub.nodes }, limits) : RELEASED;
    // The label value is the first user's who used it: claimed here, so a concurrent claim by another user waits and loses.
    if (ipaddr !== undefined) await claimIpaddrValue(trx, user.id, ipaddr);
    return insert(trx, admitted);
  }));
}
