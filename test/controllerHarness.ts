// Seams for job controller tests, from outside the controller: a Kysely plugin
// that sees every statement (to count them, or to fail one before or after it
// runs), and a cluster wrapper that can fail any call. A "crash" arms one
// point; when the controller reaches it, that call throws and every later call
// of that controller (database and cluster) throws too, as if its process had
// died there. A fresh controller is then started on the same database and cluster.
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryId, QueryResult, RootOperationNode, UnknownRow } from "kysely";
import type { ClusterBackend } from "../src/cluster/cluster";
import type { SimulatedCluster } from "../src/cluster/simulated";
import { LABEL_JOB_NUMBER, LABEL_POD_INDEX } from "../src/core/podPlan";

/** What a statement is: its kind, table, and for an UPDATE the status it sets (if any). */
export interface Statement {
  kind: "select" | "insert" | "update" | "delete" | "other";
  table?: string | undefined;
  /** the statuses it sets (one per job for the controller's batched transitions) */
  setsStatus?: string[] | undefined;
  /** for an INSERT: how many rows */
  rows?: number | undefined;
}

// Kysely's operation nodes, as far as these tests read them.
interface AnyNode {
  kind: string;
  [k: string]: unknown;
}

function tableName(n: unknown): string | undefined {
  const node = n as AnyNode | undefined;
  if (!node) return undefined;
  if (node.kind === "TableNode") return ((node.table as AnyNode).identifier as { name: string }).name;
  if (node.kind === "AliasNode") return tableName(node.node);
  return undefined;
}

export function describeStatement(node: RootOperationNode): Statement {
  const n = node as unknown as AnyNode;
  switch (n.kind) {
    case "SelectQueryNode":
      return { kind: "select" };
    case "InsertQueryNode":
      return { kind: "insert", table: tableName(n.into), rows: ((n.values as AnyNode | undefined)?.values as unknown[] | undefined)?.length };
    case "UpdateQueryNode": {
      const updates = (n.updates as Array<{ column: { column: { name: string } }; value: AnyNode }> | undefined) ?? [];
      const status = updates.find((u) => u.column.column.name === "status")?.value;
      return { kind: "update", table: tableName(n.table), setsStatus: status?.kind === "ValueNode" ? [String(status.value)] : undefined };
    }
    case "RawNode": {
      // The controller's batched transitions (src/jobs/controllerStore.ts saveTransitions): an UPDATE of
      // jobs from unnest(numbers, old statuses, new statuses, ...): the third parameter is the statuses set.
      const text = (n.sqlFragments as string[]).join("?");
      // the batched pod rows (savePodRows): an INSERT into job_pods from unnest(...)
      if (/^\s*INSERT INTO job_pods\b/i.test(text)) {
        const jobs = ((n.parameters as AnyNode[])[0] as AnyNode | undefined)?.value;
        return { kind: "insert", table: "job_pods", rows: Array.isArray(jobs) ? jobs.length : undefined };
      }
      if (!/^\s*UPDATE jobs\b/i.test(text)) return { kind: "other" };
      const statuses = ((n.parameters as AnyNode[])[2] as AnyNode | undefined)?.value;
      return { kind: "update", table: "jobs", setsStatus: Array.isArray(statuses) ? statuses.map(String) : undefined };
    }
    case "DeleteQueryNode":
      return { kind: "delete" };
    default:
      return { kind: "other" };
  }
}

export const isWrite = (s: Statement) => s.kind === "insert" || s.kind === "update" || s.kind === "delete";

/** Sees every statement of the Kysely instance it is plugged into (db.withPlugin(spy)). */
export class StatementSpy implements KyselyPlugin {
  readonly statements: Statement[] = [];
  /** called before a statement runs: a throw fails it without running it */
  before?: (s: Statement) => void;
  /** called after a statement ran: a throw fails the call although the statement took effect */
  after?: (s: Statement) => void;
  private readonly pending = new WeakMap<QueryId, Statement>();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const s = describeStatement(args.node);
    this.statements.push(s);
    this.before?.(s);
    this.pending.set(args.queryId, s);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const s = this.pending.get(args.queryId);
    if (s) this.after?.(s);
    return args.result;
  }

  reset(): void {
    this.statements.length = 0;
  }
}

/** Where a controller can be stopped dead. */
export type CrashPoint =
  | { at: "create"; index: number; when: "before" | "after" }
  | { at: "delete"; when: "before" | "after" }
  | { at: "logs" }
  | { at: "status"; status: string; when: "before" | "after" }
  | { at: "podRows"; when: "before" | "after" };

export const crashName = (p: CrashPoint): string =>
  p.at === "create" ? `${p.when} creating pod ${p.index}` : p.at === "delete" ? `${p.when} deleting the pods` : p.at === "logs" ? "capturing the output" : p.at === "status" ? `${p.when} saving ${p.status}` : `${p.when} writing the pod rows`;

/** One controller's "process": dies at the armed point, and stays dead. */
export class Mortal {
  dead = false;
  fired = false;
  constructor(
    private readonly point?: CrashPoint,
    private readonly jobNumber?: number,
  ) {}

  alive(): void {
    if (this.dead) throw new Error("killed");
  }

  /** The controller reached `here` (for `jobNumber`, when the point is about a job). */
  reach(here: CrashPoint, jobNumber?: number): void {
    this.alive();
    const p = this.point;
    if (!p || (jobNumber !== undefined && this.jobNumber !== undefined && jobNumber !== this.jobNumber)) return;
    if (JSON.stringify(p) !== JSON.stringify(here)) return;
    this.dead = true;
    this.fired = true;
    throw new Error(`killed ${crashName(p)}`);
  }

  /** A spy that kills at the armed database points (status and pod-row writes). */
  spy(): StatementSpy {
    const spy = new StatementSpy();
    const at = (when: "before" | "after") => (s: Statement) => {
      this.alive();
      if (s.kind === "update" && s.table === "jobs") for (const status of s.setsStatus ?? []) this.reach({ at: "status", status, when });
      if (s.kind === "insert" && s.table === "job_pods") this.reach({ at: "podRows", when });
    };
    spy.before = at("before");
    spy.after = at("after");
    return spy;
  }

  /** `cluster` as this controller sees it: every call can be where it dies; pod creations one by one. */
  cluster(cluster: SimulatedCluster, created: Map<string, number>): ClusterBackend {
    return {
      description: cluster.description,
      prepareTenant: async () => (this.alive(), cluster.prepareTenant()),
      createPods: async (pods) => {
        for (const pod of pods) {
          const n = Number(pod.metadata.labels[LABEL_JOB_NUMBER]);
          const index = Number(pod.metadata.labels[LABEL_POD_INDEX]);
          this.reach({ at: "create", index, when: "before" }, n);
          const existed = (await cluster.jobPods(n)).some((p) => p.name === pod.metadata.name);
          await cluster.createPods([pod]);
          if (!existed) created.set(pod.metadata.name, (created.get(pod.metadata.name) ?? 0) + 1);
          this.reach({ at: "create", index, when: "after" }, n);
        }
      },
      deleteJobPods: async (n) => {
        this.reach({ at: "delete", when: "before" }, n);
        await cluster.deleteJobPods(n);
        this.reach({ at: "delete", when: "after" }, n);
      },
      listPods: async () => (this.alive(), cluster.listPods()),
      jobPods: async (n) => (this.alive(), cluster.jobPods(n)),
      watch: (f) => cluster.watch(f),
      podLogs: async (n, i, lines) => {
        this.reach({ at: "logs" }, n);
        return cluster.podLogs(n, i, lines);
      },
      servicesSelecting: async () => (this.alive(), cluster.servicesSelecting()),
      close: async () => {},
    };
  }
}
