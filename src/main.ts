// `npm start`: one process with every role, on the embedded defaults
// (PGlite in ./.data, a simulated cluster, the API on a printed port). With
// PADDOCK_CLUSTER=kubernetes the same binary runs against a real cluster, and
// PADDOCK_ROLES picks its roles (api, k8s-scheduler, pod-scheduler) so that
// the Helm chart can run them as separate Deployments. Settings come from
// the environment, parsed once.
import fs from "node:fs";
import * as k8s from "@kubernetes/client-node";
import { parseSettings, SettingsError, type Settings } from "./config/settings";
import { openDatabase, type OpenedDatabase } from "./store/db";
import { buildServer, PORTAL_DIR } from "./http/server";
import { checkSystemVaultZones, ensureFirstAdmin } from "./accounts/bootstrap";
import { dataDirSecretKey } from "./accounts/sealing";
import { PaddockError } from "./core/errors";
import { seedDemoCatalog } from "./catalog/demo";
import type { ClusterBackend } from "./cluster/cluster";
import { SimulatedCluster } from "./cluster/simulated";
import { releaseHeld } from "./jobs/admission";
import { countJobsIn } from "./jobs/jobMetrics";
import { listenForJobs } from "./jobs/wake";
import { KubeCluster } from "./k8s/kubeCluster";
import { connectKubeCluster } from "./k8s/clusterConnect";
import { ClusterRegistry } from "./jobs/clusterRegistry";
import { ClusterControllers } from "./jobs/clusterControllers";
import { PodScheduler } from "./k8s/podScheduler";
import { LeaderElector } from "./k8s/leaderElection";
import { levelLogger } from "./k8s/logger";
import { schedulerMetrics } from "./k8s/schedulerMetrics";
import { startMetricsServer } from "./http/metricsServer";

function fail(message: string): never {
  console.error(`paddock: ${message}`);
  process.exit(2);
}

function settingsOrExit(): Settings {
  try {
    const { settings, warnings } = parseSettings(process.env);
    for (const w of warnings) console.warn(`paddock: warning: ${w}`);
    return settings;
  } catch (e) {
    if (e instanceof SettingsError) fail(e.message);
    throw e;
  }
}

function kubeConfig(settings: Settings): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (settings.kubeconfig) kc.loadFromFile(settings.kubeconfig);
  else kc.loadFromCluster();
  return kc;
}

async function main(): Promise<void> {
  const settings = settingsOrExit();
  const stops: Array<() => Promise<void>> = [];
  const roles = settings.roles;
  const log = (m: string) => console.log(`paddock: ${m}`);

  // The pod scheduler needs no database: it only reads the cluster and writes bindings.
  if (roles.has("pod-scheduler") && settings.cluster === "kubernetes") {
    const kc = kubeConfig(settings);
    const slog = levelLogger(settings.JARVICE_POD_SCHED_LOGLEVEL, "jarvice-pod-scheduler");
    const scheduler = new PodScheduler(kc, { multiTenant: settings.JARVICE_JOBS_MULTI_TENANT, log: slog, explain: settings.JARVICE_POD_SCHED_LOGLEVEL <= 10 });
    const elector = new LeaderElector(kc, {
      namespace: settings.JARVICE_SYSTEM_NAMESPACE,
      name: "jarvice-pod-scheduler",
      identity: settings.identity,
      log: slog,
      onStartedLeading: () => {
        schedulerMetrics.leader.set(1);
        return scheduler.start();
      },
      onStoppedLeading: () => {
        schedulerMetrics.leader.set(0);
        return scheduler.stop();
      },
    });
    elector.start();
    stops.push(() => elector.stop());
  }

  let opened: OpenedDatabase | undefined;
  if (roles.has("api") || roles.has("k8s-scheduler")) {
    opened = await openDatabase({
      databaseUrl: settings.databaseUrl,
      dataDir: settings.databaseUrl ? undefined : settings.dataDir,
      preparedStatements: settings.pgPrepared,
      log,
      // another process has the embedded database now: writing on would corrupt it
      onLockLost: (m) => fail(`${m}; stopping`),
    });
    const db = opened.db;
    if (roles.has("api") && !settings.secretKey) {
      settings.secretKey = dataDirSecretKey(settings.dataDir);
      if (settings.databaseUrl) log(`API keys are sealed under ${settings.dataDir}/secret.key; several API replicas need one key in PADDOCK_SECRET_KEY`);
    }
    const ctx = { db, settings };
    countJobsIn(db); // jarvice_jobs on /metrics
    try {
      await checkSystemVaultZones(ctx);
    } catch (e) {
      if (e instanceof PaddockError) fail(`invalid settings: ${e.message}`);
      throw e;
    }

    let cluster: ClusterBackend;
    // The same multi-tenant settings on every cluster.
    const kubeShared = {
      multiTenant: settings.JARVICE_JOBS_MULTI_TENANT,
      network: {
        ingressPodLabels: settings.JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS,
        ingressNamespaceLabels: settings.JARVICE_JOBS_MULTI_TENANT_INGRESS_NS_LABELS,
        lbServiceCidrs: settings.JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS,
      },
      log,
    };
    if (settings.cluster === "kubernetes") {
      const kube = new KubeCluster(kubeConfig(settings), { namespace: settings.JARVICE_JOBS_NAMESPACE, ...kubeShared });
      await kube.start();
      cluster = kube;
    } else {
      const sim = settings.simulated;
      const seeded = await seedDemoCatalog(db, sim.nodeCores, sim.nodeMemoryGb);
      cluster = new SimulatedCluster(
        Array.from({ length: sim.nodes }, (_, i) => ({ name: `sim-node-${i}`, cores: sim.nodeCores, memoryGb: sim.nodeMemoryGb })),
        { multiTenant: settings.JARVICE_JOBS_MULTI_TENANT, startDelayMs: sim.startDelayMs },
      );
      if (seeded) log("demo catalog created: machine types n4, n8, n16 on cluster 'embedded'; app 'demo' (commands sleep, web)");
    }
    stops.push(() => cluster.close());
    log(`cluster ${cluster.description}, multi-tenant ${settings.JARVICE_JOBS_MULTI_TENANT ? "on" : "off"}`);

    // Every catalog cluster's backend: the started-with one, or one reached by its kubeconfig Secret or file.
    const startedWithKc = settings.cluster === "kubernetes" ? kubeConfig(settings) : undefined;
    let controllers: ClusterControllers | undefined;
    const registry = new ClusterRegistry(db, {
      startedWith: cluster,
      defaultNamespace: settings.JARVICE_JOBS_NAMESPACE,
      connect: async (reach) => {
        const kube = await connectKubeCluster(reach, { startedWith: startedWithKc, systemNamespace: settings.JARVICE_SYSTEM_NAMESPACE, kube: kubeShared });
        void kube.start().catch(() => {}); // its watch cache (job output, pods) fills in the background
        return kube;
      },
      log,
      onChange: () => void controllers?.refresh(),
    });
    await registry.start();
    stops.push(() => registry.close());
    const clusters = registry.router();

    let controller: ClusterControllers | undefined;
    if (roles.has("k8s-scheduler")) {
      // On its own connections (opened.background): a burst of submissions never stalls it.
      // One controller per cluster backend: a job goes to its machine's cluster.
      const bg = opened.background;
      const jobs = new ClusterControllers(bg, registry, { log, admission: { releaseHeld: () => releaseHeld(bg) } });
      controllers = jobs;
      await jobs.refresh();
      controller = jobs;
      if (settings.leaderElection && settings.cluster === "kubernetes") {
        // Replicated job controllers: only the Lease holder reconciles.
        const elector = new LeaderElector(kubeConfig(settings), {
          namespace: settings.JARVICE_SYSTEM_NAMESPACE,
          name: "jarvice-k8s-scheduler",
          identity: settings.identity,
          log: levelLogger(20, "jarvice-k8s-scheduler"),
          onStartedLeading: () => jobs.start(),
          onStoppedLeading: () => jobs.pause(),
        });
        elector.start();
        stops.unshift(() => elector.stop());
      } else {
        jobs.start();
      }
      stops.unshift(() => jobs.stop());
      if (settings.databaseUrl && !roles.has("api")) {
        // Split deployment: the API runs elsewhere and wakes this controller with NOTIFY.
        const listener = listenForJobs(settings.databaseUrl, { onJob: (n) => jobs.kick(n), onMissed: () => jobs.kick(), log });
        stops.unshift(() => listener.close());
      }
    }
    // In-process controller: wake it directly. In a split deployment on PostgreSQL the database wakes
    // it: a trigger NOTIFYs when a job is inserted, asked to stop or released (migration 0009), so the
    // API sends nothing of its own (a lost notification is caught up by the controller's resync).
    const inProcess = controller;
    const kick = inProcess ? (n?: number) => inProcess.kick(n) : undefined;

    if (roles.has("api")) {
      const admin = await ensureFirstAdmin(ctx);
      const app = await buildServer(ctx, { logger: { level: "info" }, cluster: clusters, kick, clusters: registry });
      const address = await app.listen({ port: settings.port, host: settings.host });
      stops.unshift(() => app.close());
      log(`database ${opened.describe}`);
      log(`API listening on ${address} (health: ${address}/api/health, OpenAPI: ${address}/api/openapi.json)`);
      log(fs.existsSync(`${PORTAL_DIR}/index.html`) ? `portal: ${address}/` : "portal: not built (npm start builds it; or npm run build:portal)");
      if (admin) {
        log("first system administrator created; these credentials are shown only once:");
        console.log(`  username: ${admin.username}`);
        console.log(`  password: ${admin.password}`);
        console.log(`  apikey:   ${admin.apikey}`);
        console.log(`  try:      curl -u '${admin.username}:${admin.apikey}' ${address}/api/me`);
      }
    }
  }
  // A process without the API (the chart's pod scheduler) serves /metrics and /healthz on a port of its own.
  if (!roles.has("api") && settings.metricsPort !== 0) {
    const metrics = await startMetricsServer({ port: settings.metricsPort, host: settings.host, log });
    stops.push(() => metrics.close());
    log(`metrics on http://${settings.host}:${metrics.port}/metrics (health: /healthz)`);
  }
  log(`roles: ${[...roles].join(", ")}`);

  const stop = async (signal: string) => {
    log(`${signal}, stopping`);
    for (const s of stops) await s().catch((e: Error) => console.error(`paddock: while stopping: ${e.message}`));
    await opened?.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((e: unknown) => {
  console.error("paddock: failed to start:", e instanceof Error ? e.message : e);
  process.exit(1);
});
