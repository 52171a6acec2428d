// `npm start`: one process with every role, on the embedded defaults
// (PGlite in ./.data, the API on a printed port). Settings come from the
// environment, parsed once.
import { parseSettings, SettingsError } from "./config/settings";
import { openDatabase } from "./store/db";
import { buildServer } from "./http/server";
import { checkSystemVaultZones, ensureFirstAdmin } from "./accounts/bootstrap";
import { PaddockError } from "./core/errors";
import { seedDemoCatalog } from "./catalog/demo";
import { SimulatedCluster } from "./cluster/simulated";
import { JobController } from "./jobs/controller";

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseSettings(process.env);
  } catch (e) {
    if (e instanceof SettingsError) {
      console.error(`paddock: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const { settings, warnings } = parsed;
  for (const w of warnings) console.warn(`paddock: warning: ${w}`);

  const opened = await openDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.databaseUrl ? undefined : settings.dataDir });
  const ctx = { db: opened.db, settings };
  try {
    await checkSystemVaultZones(ctx);
  } catch (e) {
    if (e instanceof PaddockError) {
      console.error(`paddock: invalid settings: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const admin = await ensureFirstAdmin(ctx);
  const sim = settings.simulated;
  const seeded = await seedDemoCatalog(opened.db, sim.nodeCores, sim.nodeMemoryGb);
  const cluster = new SimulatedCluster(
    Array.from({ length: sim.nodes }, (_, i) => ({ name: `sim-node-${i}`, cores: sim.nodeCores, memoryGb: sim.nodeMemoryGb })),
    { multiTenant: settings.JARVICE_JOBS_MULTI_TENANT, startDelayMs: sim.startDelayMs },
  );
  const controller = new JobController(opened.db, cluster, { namespace: settings.JARVICE_JOBS_NAMESPACE, log: (m) => console.log(`paddock: ${m}`) });
  controller.start();
  const app = await buildServer(ctx, { logger: false, cluster, kick: () => controller.kick() });
  const address = await app.listen({ port: settings.port, host: settings.host });

  console.log(`paddock: database ${opened.describe}`);
  console.log(`paddock: cluster ${cluster.description} (${sim.nodeCores} cores, ${sim.nodeMemoryGb} GB each), multi-tenant ${settings.JARVICE_JOBS_MULTI_TENANT ? "on" : "off"}`);
  if (seeded) console.log("paddock: demo catalog created: machine types n4, n8, n16 on cluster 'embedded'; app 'demo' (commands sleep, web)");
  console.log(`paddock: API listening on ${address} (health: ${address}/api/health, OpenAPI: ${address}/api/openapi.json)`);
  if (admin) {
    console.log("paddock: first system administrator created; these credentials are shown only once:");
    console.log(`  username: ${admin.username}`);
    console.log(`  password: ${admin.password}`);
    console.log(`  apikey:   ${admin.apikey}`);
    console.log(`  try:      curl -u '${admin.username}:${admin.apikey}' ${address}/api/me`);
  }

  const stop = async (signal: string) => {
    console.log(`paddock: ${signal}, stopping`);
    await app.close();
    await controller.stop();
    await cluster.close();
    await opened.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((e: unknown) => {
  console.error("paddock: failed to start:", e instanceof Error ? e.message : e);
  process.exit(1);
});
