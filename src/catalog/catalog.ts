// Zones, clusters and machine types. The Default zone (id 0) always exists;
// each cluster is in one zone; each machine type is offered on one cluster.
import { conflict, invalid, notFound } from "../core/errors";
import { nodeSelectorProblem } from "../core/labels";
import type { PodToleration } from "../core/podPlan";
import { parseTolerations } from "../core/tolerations";
import { parseZoneId } from "../core/vaults";
import { naturalCompare } from "../core/naturalOrder";
import { kubeconfigPathProblem, namespaceProblem, secretNameProblem } from "../core/clusterRouting";
import { isUniqueViolation } from "../store/errors";
import type { Db } from "../store/db";
import type { MachineRow } from "../store/schema";

const NAME = /^[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$/;
const nameProblem = (name: unknown) => (typeof name === "string" && NAME.test(name) ? undefined : "must be 1-63 letters, digits, '-', '_' or '.', starting with a letter or digit");

async function uniquely<T>(field: string, what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(field, `a ${what} with that name already exists`);
    throw e;
  }
}

/** Every zone's name by id, for answers that show a zone id (they name it beside: zoneName). */
export async function zoneNames(db: Db): Promise<Map<number, string>> {
  return new Map((await db.selectFrom("zones").select(["id", "name"]).execute()).map((z) => [z.id, z.name]));
}

/** `row` with its zone's name beside its zone id (`zone`): null for unzoned (-1) or an unknown id. */
export function withZoneName<R extends { zone: number }>(row: R, names: Map<number, string>): R & { zoneName: string | null } {
  return { ...row, zoneName: names.get(row.zone) ?? null };
}

export async function listZones(db: Db) {
  return db.selectFrom("zones").select(["id", "name", "description"]).orderBy("id").execute();
}

export async function createZone(db: Db, input: { name?: unknown; description?: unknown }) {
  const p = nameProblem(input.name);
  if (p) throw invalid("name", p);
  return uniquely("name", "zone", () =>
    db
      .insertInto("zones")
      .values({ name: input.name as string, description: typeof input.description === "string" ? input.description : "" })
      .returning(["id", "name", "description"])
      .executeTakeFirstOrThrow(),
  );
}

export async function updateZone(db: Db, id: number, input: { name?: unknown; description?: unknown }) {
  const set: { name?: string; description?: string } = {};
  if (input.name !== undefined) {
    const p = nameProblem(input.name);
    if (p) throw invalid("name", p);
    if (id === 0 && input.name !== "Default") throw invalid("name", "the Default zone keeps its name");
    set.name = input.name as string;
  }
  if (input.description !== undefined) {
    if (typeof input.description !== "string") throw invalid("description", "must be a string");
    set.description = input.description;
  }
  if (Object.keys(set).length === 0) throw invalid("body", "nothing to change (name, description)");
  const row = await uniquely("name", "zone", () => db.updateTable("zones").set(set).where("id", "=", id).returning(["id", "name", "description"]).executeTakeFirst());
  if (!row) throw notFound("zone");
  return row;
}

/** A cluster as the API shows it; maxCpus is its mL (spec/limits-and-queues.md): a CPU limit L applies to its jobs as min(L, mL). */
const CLUSTER_COLUMNS = ["id", "name", "zone_id as zone", "description", "backend", "max_cpus as maxCpus", "kubeconfig_secret as kubeconfigSecret", "kubeconfig_path as kubeconfigPath", "jobs_namespace as jobsNamespace"] as const;

/** How to reach a cluster (issue 13): each field a string or null (null: the cluster Paddock was started with / its jobs namespace). */
function reachFields(input: { kubeconfigSecret?: unknown; kubeconfigPath?: unknown; jobsNamespace?: unknown }) {
  const out: { kubeconfig_secret?: string | null; kubeconfig_path?: string | null; jobs_namespace?: string | null } = {};
  const field = (key: "kubeconfigSecret" | "kubeconfigPath" | "jobsNamespace", problem: (v: string) => string | undefined) => {
    const v = input[key];
    if (v === undefined) return undefined;
    if (v === null || v === "") return null;
    if (typeof v !== "string") throw invalid(key, "must be a string, or null");
    const p = problem(v);
    if (p) throw invalid(key, p);
    return v;
  };
  const secret = field("kubeconfigSecret", secretNameProblem);
  const file = field("kubeconfigPath", kubeconfigPathProblem);
  const ns = field("jobsNamespace", namespaceProblem);
  if (secret !== undefined) out.kubeconfig_secret = secret;
  if (file !== undefined) out.kubeconfig_path = file;
  if (ns !== undefined) out.jobs_namespace = ns;
  if (secret && file) throw invalid("kubeconfigPath", "give a kubeconfig Secret or a kubeconfig file, not both");
  return out;
}

export async function listClusters(db: Db) {
  return db.selectFrom("clusters").select(CLUSTER_COLUMNS).orderBy("id").execute();
}

const BACKENDS = ["kubernetes", "simulated"];

/** A cluster's zone: a 32-bit zone id (never -1: a cluster is always in a zone) that exists. */
async function existingZone(db: Db, raw: unknown): Promise<number> {
  // JSON integers only here (the body's type); parseZoneId bounds them before the query.
  const zone = typeof raw === "number" ? parseZoneId(raw, false) : { ok: false as const, problem: "must be a zone id (integer)" };
  if (!zone.ok) throw invalid("zone", zone.problem);
  if (!(await db.selectFrom("zones").select("id").where("id", "=", zone.value).executeTakeFirst())) throw invalid("zone", `zone ${zone.value} does not exist`);
  return zone.value;
}

export async function createCluster(db: Db, input: { name?: unknown; zone?: unknown; description?: unknown; backend?: unknown; kubeconfigSecret?: unknown; kubeconfigPath?: unknown; jobsNamespace?: unknown }) {
  const p = nameProblem(input.name);
  if (p) throw invalid("name", p);
  const zone = await existingZone(db, input.zone ?? 0);
  const backend = input.backend ?? "kubernetes";
  if (!BACKENDS.includes(backend as string)) throw invalid("backend", `must be one of ${BACKENDS.join(", ")}`);
  const reach = reachFields(input);
  return uniquely("name", "cluster", () =>
    db
      .insertInto("clusters")
      .values({ name: input.name as string, zone_id: zone, description: typeof input.description === "string" ? input.description : "", backend: backend as string, ...reach })
      .returning(CLUSTER_COLUMNS)
      .executeTakeFirstOrThrow(),
  );
}

export async function updateCluster(db: Db, id: number, input: { zone?: unknown; description?: unknown; maxCpus?: unknown; kubeconfigSecret?: unknown; kubeconfigPath?: unknown; jobsNamespace?: unknown }) {
  const set: { zone_id?: number; description?: string; max_cpus?: number | null; kubeconfig_secret?: string | null; kubeconfig_path?: string | null; jobs_namespace?: string | null } = { ...reachFields(input) };
  if (set.kubeconfig_secret || set.kubeconfig_path) {
    // one way to reach it: the other is cleared unless both were given (refused above)
    if (set.kubeconfig_secret && input.kubeconfigPath === undefined) set.kubeconfig_path = null;
    if (set.kubeconfig_path && input.kubeconfigSecret === undefined) set.kubeconfig_secret = null;
  }
  if (input.zone !== undefined) {
    set.zone_id = await existingZone(db, input.zone);
  }
  if (input.description !== undefined) {
    if (typeof input.description !== "string") throw invalid("description", "must be a string");
    set.description = input.description;
  }
  if (input.maxCpus !== undefined) {
    const m = input.maxCpus;
    if (m !== null && (typeof m !== "number" || !Number.isInteger(m) || m < 1 || m > 2_147_483_647)) throw invalid("maxCpus", "must be a positive integer (the cluster's mL), or null for none");
    set.max_cpus = m;
  }
  if (Object.keys(set).length === 0) throw invalid("body", "nothing to change (zone, description, maxCpus, kubeconfigSecret, kubeconfigPath, jobsNamespace)");
  const row = await db.updateTable("clusters").set(set).where("id", "=", id).returning(CLUSTER_COLUMNS).executeTakeFirst();
  if (!row) throw notFound("cluster");
  return row;
}

export interface MachineView {
  id: number;
  name: string;
  cluster: string;
  zone: number;
  description: string;
  cores: number;
  memoryGb: number;
  gpus: number;
  perNode: number;
  maxNodes: number;
  arch: string;
  /** price per node-hour: what /jarvice/billing charges for each node of a job, per hour it runs */
  price: number;
  nodeSelector: Record<string, string>;
  /** Kubernetes tolerations of its pods (tainted pools such as GPU nodes) */
  tolerations: PodToleration[];
}

export async function listMachines(db: Db, filter: { name?: string } = {}): Promise<MachineView[]> {
  let q = db.selectFrom("machines as m").innerJoin("clusters as c", "c.id", "m.cluster_id").selectAll("m").select(["c.name as cluster_name", "c.zone_id"]);
  if (filter.name !== undefined) q = q.where("m.name", "=", filter.name);
  const rows = await q.execute();
  return rows.map((r) => machineView(r, r.cluster_name, r.zone_id)).sort((a, b) => naturalCompare(a.name, b.name));
}

function machineView(r: MachineRow, cluster: string, zone: number): MachineView {
  return {
    id: r.id,
    name: r.name,
    cluster,
    zone,
    description: r.description,
    cores: r.cores,
    memoryGb: r.memory_gb,
    gpus: r.gpus,
    perNode: r.per_node,
    maxNodes: r.max_nodes,
    arch: r.arch,
    price: Number(r.price),
    nodeSelector: r.node_selector,
    tolerations: r.tolerations as PodToleration[],
  };
}

const INT_MAX = 2_147_483_647; // the database's integer columns
const positiveInt = (field: string, v: unknown, min = 1): number => {
  if (!Number.isInteger(v) || (v as number) < min) throw invalid(field, `must be an integer >= ${min}`);
  if ((v as number) > INT_MAX) throw invalid(field, `must be an integer <= ${INT_MAX}`);
  return v as number;
};

export interface MachineInput {
  name?: unknown;
  cluster?: unknown;
  description?: unknown;
  cores?: unknown;
  memoryGb?: unknown;
  gpus?: unknown;
  perNode?: unknown;
  maxNodes?: unknown;
  arch?: unknown;
  price?: unknown;
  nodeSelector?: unknown;
  tolerations?: unknown;
}

function machineFields(input: MachineInput, partial: boolean) {
  const out: Record<string, unknown> = {};
  const has = (k: keyof MachineInput) => input[k] !== undefined;
  if (!partial || has("cores")) out.cores = positiveInt("cores", input.cores);
  if (!partial || has("memoryGb")) out.memory_gb = positiveInt("memoryGb", input.memoryGb);
  if (has("gpus")) out.gpus = positiveInt("gpus", input.gpus, 0);
  if (has("perNode")) out.per_node = positiveInt("perNode", input.perNode);
  if (has("maxNodes")) out.max_nodes = positiveInt("maxNodes", input.maxNodes);
  if (has("description")) {
    if (typeof input.description !== "string") throw invalid("description", "must be a string");
    out.description = input.description;
  }
  if (has("arch")) {
    if (typeof input.arch !== "string" || !input.arch) throw invalid("arch", "must be a non-empty string");
    out.arch = input.arch;
  }
  if (has("price")) {
    if (typeof input.price !== "number" || input.price < 0) throw invalid("price", "must be a number >= 0");
    out.price = String(input.price);
  }
  if (has("nodeSelector")) {
    const ns = input.nodeSelector;
    const problem = nodeSelectorProblem(ns);
    if (problem) throw invalid(problem.field, problem.problem);
    out.node_selector = JSON.stringify(ns);
  }
  if (has("tolerations")) {
    const t = parseTolerations(input.tolerations);
    if (!t.ok) throw invalid(t.field, t.problem);
    out.tolerations = JSON.stringify(t.value);
  }
  return out;
}

async function clusterByName(db: Db, name: unknown) {
  if (typeof name !== "string") throw invalid("cluster", "must be a cluster name");
  const c = await db.selectFrom("clusters").select(["id", "name", "zone_id"]).where("name", "=", name).executeTakeFirst();
  if (!c) throw invalid("cluster", `cluster '${name}' does not exist`);
  return c;
}

export async function createMachine(db: Db, input: MachineInput): Promise<MachineView> {
  const p = nameProblem(input.name);
  if (p) throw invalid("name", p);
  const cluster = await clusterByName(db, input.cluster);
  const fields = machineFields(input, false);
  const row = await uniquely("name", "machine", () =>
    db
      .insertInto("machines")
      .values({ name: input.name as string, cluster_id: cluster.id, ...(fields as { cores: number; memory_gb: number }) })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return machineView(row, cluster.name, cluster.zone_id);
}

export async function updateMachine(db: Db, id: number, input: MachineInput): Promise<MachineView> {
  const fields = machineFields(input, true);
  if (input.name !== undefined) {
    const p = nameProblem(input.name);
    if (p) throw invalid("name", p);
    fields.name = input.name;
  }
  if (input.cluster !== undefined) fields.cluster_id = (await clusterByName(db, input.cluster)).id;
  if (Object.keys(fields).length === 0) throw invalid("body", "nothing to change");
  const row = await uniquely("name", "machine", () => db.updateTable("machines").set(fields).where("id", "=", id).returningAll().executeTakeFirst());
  if (!row) throw notFound("machine");
  const c = await db.selectFrom("clusters").select(["name", "zone_id"]).where("id", "=", row.cluster_id).executeTakeFirstOrThrow();
  return machineView(row, c.name, c.zone_id);
}

/** Ids of zones that have at least one machine type (on a cluster in the zone). */
export async function zonesWithMachines(db: Db): Promise<Set<number>> {
  const rows = await db.selectFrom("machines as m").innerJoin("clusters as c", "c.id", "m.cluster_id").select("c.zone_id").distinct().execute();
  return new Set(rows.map((r) => r.zone_id));
}
