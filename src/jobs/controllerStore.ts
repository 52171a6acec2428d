// The job controller's database work, batched (src/lib/batcher.ts): each
// reconcile reads its job and saves its transition and pod rows as if alone,
// and the reconciles running at the same time share one statement for each
// kind. A lone reconcile still costs one round trip per step; a thousand
// reconciles cost a few statements, not a few thousand.
import { reusedQuery } from "../store/reusedQuery";
import { sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { Batcher } from "../lib/batcher";
import type { Db } from "../store/db";

/** A transition to save with compare-and-swap on the status; an undefined field keeps what is stored. */
export interface Transition {
  number: number;
  /** the status the decision was made from: the row is changed only if it still has it */
  from: string;
  status: string;
  startTime?: number;
  endTime?: number;
  exitcode?: number;
  substatusText?: string;
  output?: string;
}

export interface PodRow {
  jobNumber: number;
  index: number;
  name: string;
  phase: string;
  node: string | null;
  ip: string | null;
}

/** readJobs' statement, compiled once (reusedQuery). */
const readJobsQuery = reusedQuery<{ numbers: number[] }>()((db, slot) =>
  db
    .selectFrom("jobs as j")
    .innerJoin("users as u", "u.id", "j.owner_id")
    .innerJoin("users as t", "t.id", "j.tenant_id")
    .innerJoin("machines as m", "m.id", "j.machine_id")
    .innerJoin("apps as a", "a.id", "j.app_id")
    .leftJoin("vaults as v", "v.id", "j.vault_id")
    .leftJoin("users as vo", "vo.id", "v.owner_id")
    .select((eb) => [
      "j.number",
      "j.status",
      "j.nodes",
      "j.stop_requested",
      "j.held",
      "j.substatus_text",
      "j.argv",
      "j.env",
      "j.ipaddr_value",
      "j.walltime",
      "u.username",
      "u.upn",
      "u.sam",
      "t.username as tenant",
      "m.name as machine",
      "m.cores",
      "m.memory_gb",
      "m.gpus",
      "m.node_selector",
      "m.tolerations",
      "m.cluster_id",
      "j.vault_readonly",
      "v.name as vault_name",
      "v.kind as vault_kind",
      "vo.username as vault_owner",
      "v.storage_class as vault_storage_class",
      "v.volume_name as vault_volume_name",
      "v.access_modes as vault_access_modes",
      "v.size_gb as vault_size_gb",
      "v.subpath as vault_subpath",
      "v.nfs_server as vault_nfs_server",
      "v.nfs_path as vault_nfs_path",
      "a.appdef",
      jsonArrayFrom(eb.selectFrom("job_pods as p").select(["p.pod_index", "p.name", "p.phase", "p.node", "p.ip"]).whereRef("p.job_number", "=", "j.number")).as("pod_rows"),
    ])
    // one array parameter, not an IN list: the same statement (prepared once per connection) for any batch size
    .where("j.number", "=", sql<number>`any(${slot("numbers")}::int[])`),
);

export type JobRow = NonNullable<Awaited<ReturnType<typeof readJobs>>[number]>;

/** Jobs with what their pods need, and their stored pod rows, in one statement; in the order of `numbers` (undefined: no such job). */
export async function readJobs(db: Db, numbers: readonly number[]) {
  const { rows } = await readJobsQuery.execute(db, { numbers: [...numbers] });
  const byNumber = new Map(rows.map((r) => [r.number, r]));
  return numbers.map((n) => byNumber.get(n));
}

/** saveTransitions' statement, compiled once (reusedQuery): eight arrays, one element per transition. */
const saveTransitionsQuery = reusedQuery<{ number: number[]; from: string[]; status: string[]; startTime: Array<number | null>; endTime: Array<number | null>; exitcode: Array<number | null>; substatusText: Array<string | null>; output: Array<string | null> }>()((db, slot) => {
  const update = sql<{ number: number }>`
    UPDATE jobs AS j SET
      status = v.status,
      start_time = coalesce(v.start_time, j.start_time),
      end_time = coalesce(v.end_time, j.end_time),
      exitcode = coalesce(v.exitcode, j.exitcode),
      substatus_text = coalesce(v.substatus_text, j.substatus_text),
      output = coalesce(v.output, j.output)
    FROM unnest(
      ${slot("number")}::int[], ${slot("from")}::text[], ${slot("status")}::text[],
      ${slot("startTime")}::bigint[], ${slot("endTime")}::bigint[], ${slot("exitcode")}::int[],
      ${slot("substatusText")}::text[], ${slot("output")}::text[]
    ) AS v(number, old_status, status, start_time, end_time, exitcode, substatus_text, output)
    WHERE j.number = v.number AND j.status = v.old_status
    RETURNING j.number`;
  return { compile: () => update.compile(db) };
});

/** Save transitions, each only if its job still has the status it was decided from; whether each was saved. */
export async function saveTransitions(db: Db, ts: readonly Transition[]): Promise<boolean[]> {
  const col = <T>(f: (t: Transition) => T | undefined) => ts.map((t) => f(t) ?? null);
  const { rows } = await saveTransitionsQuery.execute(db, {
    number: ts.map((t) => t.number),
    from: ts.map((t) => t.from),
    status: ts.map((t) => t.status),
    startTime: col((t) => t.startTime),
    endTime: col((t) => t.endTime),
    exitcode: col((t) => t.exitcode),
    substatusText: col((t) => t.substatusText),
    output: col((t) => t.output),
  });
  const saved = new Set(rows.map((r) => Number(r.number)));
  return ts.map((t) => saved.has(t.number));
}

/** savePodRows' statement, compiled once (reusedQuery): six arrays, one element per pod. */
const savePodRowsQuery = reusedQuery<{ job: number[]; index: number[]; name: string[]; phase: string[]; node: Array<string | null>; ip: Array<string | null> }>()((db, slot) => {
  const upsert = sql`
    INSERT INTO job_pods (job_number, pod_index, name, phase, node, ip)
    SELECT * FROM unnest(${slot("job")}::int[], ${slot("index")}::int[], ${slot("name")}::text[], ${slot("phase")}::text[], ${slot("node")}::text[], ${slot("ip")}::text[])
    ON CONFLICT (job_number, pod_index) DO UPDATE SET
      name = excluded.name, phase = excluded.phase, node = excluded.node, ip = excluded.ip, updated_at = now()`;
  return { compile: () => upsert.compile(db) };
});

/** Insert or update pod rows (phase, node, address), all jobs' in one statement. */
export async function savePodRows(db: Db, rows: readonly PodRow[]): Promise<void> {
  // one row per pod (a later one wins): ON CONFLICT cannot touch a row twice in one statement
  const unique = [...new Map(rows.map((r) => [`${r.jobNumber}/${r.index}`, r])).values()];
  if (unique.length === 0) return;
  await savePodRowsQuery.execute(db, {
    job: unique.map((c) => c.jobNumber),
    index: unique.map((c) => c.index),
    name: unique.map((c) => c.name),
    phase: unique.map((c) => c.phase),
    node: unique.map((c) => c.node),
    ip: unique.map((c) => c.ip),
  });
}

/** The three batched round trips of a reconcile. */
export class ControllerStore {
  private readonly reads: Batcher<number, JobRow | undefined>;
  private readonly transitions: Batcher<Transition, boolean>;
  private readonly podRows: Batcher<PodRow[], undefined>;

  constructor(db: Db, opts: { maxBatch?: number } = {}) {
    this.reads = new Batcher((ns) => readJobs(db, ns), opts);
    this.transitions = new Batcher((ts) => saveTransitions(db, ts), opts);
    this.podRows = new Batcher(async (lists) => {
      await savePodRows(db, lists.flat());
      return lists.map(() => undefined);
    }, opts);
  }

  readJob(n: number): Promise<JobRow | undefined> {
    return this.reads.add(n);
  }

  /** whether it was saved (false: the job's status changed meanwhile) */
  saveTransition(t: Transition): Promise<boolean> {
    return this.transitions.add(t);
  }

  async savePodRows(rows: PodRow[]): Promise<void> {
    if (rows.length > 0) await this.podRows.add(rows);
  }
}
