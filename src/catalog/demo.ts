// First start on the embedded defaults: a simulated cluster in the Default
// zone, machine types that are fractions of its nodes, and a demo app, so a
// new user can submit a job with curl straight away.
import type { Db } from "../store/db";
import type { AppDef } from "../core/appdef";

export const DEMO_APP: AppDef = {
  name: "Paddock demo",
  description: "Runs a command for a while: sleep for a number of seconds, or a web server",
  author: "Paddock",
  image: { type: "docker", data: "docker.io/library/busybox:1.36" },
  machines: ["n*"],
  commands: {
    sleep: {
      path: "/bin/sleep",
      name: "Sleep",
      description: "Sleep for a number of seconds",
      parameters: { seconds: { name: "Seconds", type: "INT", value: 30, min: 1, max: 86400, required: true, positional: true } },
    },
    web: {
      path: "/bin/httpd",
      name: "Web server",
      description: "Serve HTTP on port 80 (put an IP address tag on the job to reach it through a Service)",
      interactive: true,
      parameters: {
        foreground: { name: "Foreground", type: "CONST", value: "-f" },
        port: { name: "Port", type: "CONST", value: "-p 80" },
      },
    },
  },
};

export async function seedDemoCatalog(db: Db, nodeCores: number, nodeMemoryGb: number): Promise<boolean> {
  const anyCluster = await db.selectFrom("clusters").select("id").limit(1).executeTakeFirst();
  if (anyCluster) return false;
  await db.transaction().execute(async (trx) => {
    const cluster = await trx.insertInto("clusters").values({ name: "embedded", zone_id: 0, description: "the embedded simulated cluster", backend: "simulated" }).returning("id").executeTakeFirstOrThrow();
    const machines = [
      { name: "n4", cores: Math.max(1, Math.floor(nodeCores / 4)), memory_gb: Math.max(1, Math.floor(nodeMemoryGb / 4)), per_node: 4, description: "a quarter of a node" },
      { name: "n8", cores: Math.max(1, Math.floor(nodeCores / 2)), memory_gb: Math.max(1, Math.floor(nodeMemoryGb / 2)), per_node: 2, description: "half a node" },
      { name: "n16", cores: nodeCores, memory_gb: nodeMemoryGb, per_node: 1, description: "a whole node" },
    ];
    await trx
      .insertInto("machines")
      .values(machines.map((m) => ({ ...m, cluster_id: cluster.id, max_nodes: 4 })))
      .execute();
    await trx.insertInto("apps").values({ id: "demo", appdef: JSON.stringify(DEMO_APP) }).onConflict((oc) => oc.doNothing()).execute();
  });
  return true;
}
