// Administration -> Zones / Clusters / Machines.
import { forbidden } from "../../core/errors";
import { hasZoneAccess } from "../../core/zoneAccess";
import type { Ctx } from "../../store/ctx";
import { createCluster, createMachine, createZone, listClusters, listMachines, listZones, updateCluster, updateMachine, updateZone } from "../../catalog/catalog";
import { zoneAccessOfUser } from "../../vaults/vaults";
import type { Api } from "../api";
import type { Caller } from "../../accounts/credentials";
import { authenticate } from "../auth";
import { idParam, objectBody } from "../input";

const sysadminOnly = (c: Caller) => {
  if (!c.account.isSysadmin) throw forbidden("only system administrators change zones, clusters and machines");
};

export function catalogRoutes(api: Api, ctx: Ctx): void {
  const { db } = ctx;
  const admin = "system administrators";

  api.get("/api/zones", { summary: "Zones (Default is id 0)", tags: ["zones"], access: "any authenticated user" }, async (req) => {
    await authenticate(ctx, req);
    return { zones: await listZones(db) };
  });
  api.post("/api/zones", { summary: "Create a zone", tags: ["zones"], access: admin, body: { name: { type: "string" }, description: { type: "string" } }, responses: { "201": "created" } }, async (req, reply) => {
    sysadminOnly(await authenticate(ctx, req));
    reply.status(201);
    return createZone(db, objectBody(req.body));
  });
  api.patch("/api/zones/:id", { summary: "Rename or describe a zone", tags: ["zones"], access: admin, body: { name: { type: "string" }, description: { type: "string" } } }, async (req) => {
    sysadminOnly(await authenticate(ctx, req));
    return updateZone(db, idParam(req.params), objectBody(req.body));
  });

  api.get("/api/clusters", { summary: "Compute clusters and their zones", tags: ["clusters"], access: admin }, async (req) => {
    sysadminOnly(await authenticate(ctx, req));
    return { clusters: await listClusters(db) };
  });
  api.post(
    "/api/clusters",
    { summary: "Create a cluster in a zone", tags: ["clusters"], access: admin, body: { name: { type: "string" }, zone: { type: "integer" }, description: { type: "string" }, backend: { type: "string", enum: ["kubernetes", "simulated"] } }, responses: { "201": "created" } },
    async (req, reply) => {
      sysadminOnly(await authenticate(ctx, req));
      reply.status(201);
      return createCluster(db, objectBody(req.body));
    },
  );
  api.patch("/api/clusters/:id", { summary: "Move a cluster to another zone, or describe it", tags: ["clusters"], access: admin, body: { zone: { type: "integer" }, description: { type: "string" } } }, async (req) => {
    sysadminOnly(await authenticate(ctx, req));
    return updateCluster(db, idParam(req.params), objectBody(req.body));
  });

  const machineBody = {
    name: { type: "string" },
    cluster: { type: "string" },
    description: { type: "string" },
    cores: { type: "integer" },
    memoryGb: { type: "integer" },
    gpus: { type: "integer" },
    perNode: { type: "integer", description: "how many of this machine fit on one node" },
    maxNodes: { type: "integer" },
    arch: { type: "string" },
    price: { type: "number" },
    nodeSelector: { type: "object" },
  };
  api.get(
    "/api/machines",
    { summary: "Machine types: all for system administrators, else those in the caller's zones", tags: ["machines"], access: "any authenticated user", query: { usable: "true: only those in the caller's zones, for system administrators too (the Task Builder)" } },
    async (req) => {
    const c = await authenticate(ctx, req);
    const all = await listMachines(db);
    if (c.account.isSysadmin && objectBody(req.query).usable !== "true") return { machines: all };
    const access = await zoneAccessOfUser(db, c.account.id);
    return { machines: all.filter((m) => hasZoneAccess(access, m.zone)) };
    },
  );
  api.post("/api/machines", { summary: "Create a machine type on a cluster", tags: ["machines"], access: admin, body: machineBody, responses: { "201": "created" } }, async (req, reply) => {
    sysadminOnly(await authenticate(ctx, req));
    reply.status(201);
    return createMachine(db, objectBody(req.body));
  });
  api.patch("/api/machines/:id", { summary: "Change a machine type", tags: ["machines"], access: admin, body: machineBody }, async (req) => {
    sysadminOnly(await authenticate(ctx, req));
    return updateMachine(db, idParam(req.params), objectBody(req.body));
  });
}
