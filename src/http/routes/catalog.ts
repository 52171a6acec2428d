// Administration -> Zones / Clusters / Machines.
import { forbidden } from "../../core/errors";
import { hasZoneAccess } from "../../core/zoneAccess";
import type { Ctx } from "../../store/ctx";
import { createCluster, createMachine, createZone, listClusters, listMachines, listZones, updateCluster, updateMachine, updateZone, withZoneName, zoneNames } from "../../catalog/catalog";
import { zoneAccessOfUser } from "../../vaults/vaults";
import type { Api } from "../api";
import type { Caller } from "../../accounts/credentials";
import { callerOf } from "../auth";
import { clusterAnswer, machineAnswer, statusAnswer, zoneAnswer } from "../answers";
import { deleteCluster, deleteMachine, deleteZone } from "../../catalog/deletes";
import { z } from "zod";
import { body, catalogName, text, idParam, int, jsonObject, num, optional, optionalBool, optionalZoneId, params, query, TEXT_MAX } from "../schemas";

const byId = params({ id: idParam() });
const list = <K extends string>(key: K, item: z.ZodType) => z.looseObject({ [key]: z.array(item) } as Record<K, z.ZodArray<z.ZodType>>);
const zoneBody = body({ name: catalogName(), description: optional(TEXT_MAX) });
const machineBody = body({
  name: catalogName(),
  cluster: optional(),
  description: optional(TEXT_MAX),
  cores: int().optional(),
  memoryGb: int().optional(),
  gpus: int().optional(),
  perNode: int().optional().describe("how many of this machine fit on one node"),
  maxNodes: int().optional(),
  arch: optional(),
  price: num().optional().describe("per node-hour"),
  nodeSelector: jsonObject().optional().describe("Kubernetes node labels to string values"),
  tolerations: z.array(z.unknown(), { error: "must be an array of tolerations" }).optional().describe("Kubernetes tolerations of the machine's pods ({key, operator: Equal|Exists, value, effect, tolerationSeconds}), e.g. for a tainted GPU pool"),
});

/** Reachability of the catalog's clusters (src/jobs/clusterRegistry.ts), and a hook to follow catalog changes at once. */
export interface ClusterStatus {
  health(clusterId: number): { reachable: boolean | null; reason?: string; nodes: number | null } | undefined;
  /** the clusters table changed: connect new clusters, close removed ones */
  sync(): Promise<void>;
}

const reachBody = {
  kubeconfigSecret: text(253).nullable().optional().describe("a Secret in the system namespace whose key `kubeconfig` reaches the cluster (the control plane may `get` Secrets there)"),
  kubeconfigPath: text(4096).nullable().optional().describe("or a kubeconfig file on the control plane (npm start, tests)"),
  jobsNamespace: text(63).nullable().optional().describe("where its job pods, vault claims and NetworkPolicies go; null: jarvice.JARVICE_JOBS_NAMESPACE"),
};

const sysadminOnly = (c: Caller) => {
  if (!c.account.isSysadmin) throw forbidden("only system administrators change zones, clusters and machines");
};

export function catalogRoutes(api: Api, ctx: Ctx, deps: { clusters?: ClusterStatus | undefined } = {}): void {
  const { db } = ctx;
  const withHealth = <C extends { id: number }>(c: C) => {
    const h = deps.clusters?.health(c.id);
    return { ...c, reachable: h?.reachable ?? null, ...(h?.reason ? { unreachableReason: h.reason } : {}), nodes: h?.nodes ?? null };
  };
  /** clusters and machines name their zone beside its id (zoneName) */
  const named = async <C extends { zone: number }>(rows: C[]) => {
    const names = await zoneNames(db);
    return rows.map((r) => withZoneName(r, names));
  };
  const namedOne = async <C extends { zone: number }>(row: C) => (await named([row]))[0]!;
  const changed = async () => {
    await deps.clusters?.sync().catch(() => {}); // the registry retries on its own schedule
  };
  const admin = "system administrators";

  api.get("/api/zones", { summary: "Zones (Default is id 0)", tags: ["zones"], access: "any authenticated user", response: { 200: list("zones", zoneAnswer) } }, async () => {
    return { zones: await listZones(db) };
  });
  api.post("/api/zones", { summary: "Create a zone", tags: ["zones"], access: admin, body: zoneBody, response: { 201: zoneAnswer }, responses: { "201": "created" } }, async (req, reply) => {
    sysadminOnly(callerOf(req));
    reply.status(201);
    return createZone(db, req.body);
  });
  api.patch("/api/zones/:id", { summary: "Rename or describe a zone", tags: ["zones"], access: admin, params: byId, body: zoneBody, response: { 200: zoneAnswer } }, async (req) => {
    sysadminOnly(callerOf(req));
    return updateZone(db, req.params.id, req.body);
  });
  api.delete("/api/zones/:id", { summary: "Delete a zone without clusters or vaults (never the Default zone)", tags: ["zones"], access: admin, params: byId, response: { 200: statusAnswer }, responses: { "409": "the Default zone, or clusters, vaults or payer metadata still use it (named)" } }, async (req) => {
    sysadminOnly(callerOf(req));
    await deleteZone(db, req.params.id, ctx.settings);
    return { status: "deleted" };
  });

  api.get("/api/clusters", { summary: "Compute clusters and their zones", tags: ["clusters"], access: admin, response: { 200: list("clusters", clusterAnswer) } }, async (req) => {
    sysadminOnly(callerOf(req));
    return { clusters: (await named(await listClusters(db))).map(withHealth) };
  });
  api.post(
    "/api/clusters",
    { summary: "Create a cluster in a zone", tags: ["clusters"], access: admin, body: body({ name: catalogName(), zone: optionalZoneId({ unzonedAllowed: false, decimalStrings: false }), description: optional(TEXT_MAX), backend: optional().describe("kubernetes or simulated"), ...reachBody }), response: { 201: clusterAnswer }, responses: { "201": "created" } },
    async (req, reply) => {
      sysadminOnly(callerOf(req));
      reply.status(201);
      const c = await createCluster(db, req.body);
      await changed();
      return withHealth(await namedOne(c));
    },
  );
  api.patch(
    "/api/clusters/:id",
    {
      summary: "Move a cluster to another zone, describe it, set its mL, or how to reach it",
      tags: ["clusters"],
      access: admin,
      params: byId,
      body: body({
        zone: optionalZoneId({ unzonedAllowed: false, decimalStrings: false }),
        description: optional(TEXT_MAX),
        maxCpus: int().min(1, "must be a positive integer").nullable().optional().describe("mL: a CPU limit L applies to this cluster's jobs as min(L, mL); null for none"),
        ...reachBody,
      }),
      response: { 200: clusterAnswer },
    },
    async (req) => {
    sysadminOnly(callerOf(req));
    const c = await updateCluster(db, req.params.id, req.body);
    await changed();
    return withHealth(await namedOne(c));
    },
  );

  api.delete("/api/clusters/:id", { summary: "Delete a cluster without machine types", tags: ["clusters"], access: admin, params: byId, response: { 200: statusAnswer }, responses: { "409": "machine types are still offered on it (named)" } }, async (req) => {
    sysadminOnly(callerOf(req));
    await deleteCluster(db, req.params.id);
    await changed();
    return { status: "deleted" };
  });

  api.get(
    "/api/machines",
    { summary: "Machine types: all for system administrators, else those in the caller's zones", tags: ["machines"], access: "any authenticated user", query: query({ usable: optionalBool().describe("true: only those in the caller's zones, for system administrators too (the Task Builder)") }), response: { 200: list("machines", machineAnswer) } },
    async (req) => {
    const c = callerOf(req);
    const all = await named(await listMachines(db));
    if (c.account.isSysadmin && req.query.usable !== true) return { machines: all };
    const access = await zoneAccessOfUser(db, c.account.id);
    return { machines: all.filter((m) => hasZoneAccess(access, m.zone)) };
    },
  );
  api.post("/api/machines", { summary: "Create a machine type on a cluster", tags: ["machines"], access: admin, body: machineBody, response: { 201: machineAnswer }, responses: { "201": "created" } }, async (req, reply) => {
    sysadminOnly(callerOf(req));
    reply.status(201);
    return namedOne(await createMachine(db, req.body));
  });
  api.patch("/api/machines/:id", { summary: "Change a machine type", tags: ["machines"], access: admin, params: byId, body: machineBody, response: { 200: machineAnswer } }, async (req) => {
    sysadminOnly(callerOf(req));
    return namedOne(await updateMachine(db, req.params.id, req.body));
  });
  api.delete("/api/machines/:id", { summary: "Delete a machine type without active jobs (finished jobs keep its name)", tags: ["machines"], access: admin, params: byId, response: { 200: statusAnswer }, responses: { "409": "active jobs use it (named)" } }, async (req) => {
    sysadminOnly(callerOf(req));
    await deleteMachine(db, req.params.id);
    return { status: "deleted" };
  });
}
