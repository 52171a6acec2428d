// npm run bench -- submit [--db pglite|postgres] [--clients N] [--per-client N] [--active N] [--limits]
//
// Submit latency and statements per submission of the API alone (issue 12's
// goal: submit p99 < 50 ms on PostgreSQL at 200 clients with 10,000 active
// jobs): Paddock's API on a port (no job controller, so every job stays
// SUBMITTED, i.e. active), `active` jobs submitted first to fill the table,
// then `clients` clients each sending `per-client` submissions, each its next
// as soon as its last was answered (latency about clients / throughput, by
// Little's law), or with --rate at that many submissions/s all together
// (latency at a load the server takes). Prints p50/p99/max of the measured
// submissions and the statements the API sent per submission (BEGIN and
// COMMIT included). With --limits every tenant has a payer limit large enough
// never to hold a job: the submissions take the admission path (transaction,
// tenant lock, usage) instead of the plain one.
import os from "node:os";
import { parseArgs } from "node:util";
import { parseSettings } from "../src/config/settings";
import { ensureFirstAdmin } from "../src/accounts/bootstrap";
import { seedDemoCatalog } from "../src/catalog/demo";
import { buildServer } from "../src/http/server";
import { startPostgres, type PostgresServer } from "../scripts/postgres";
import { createUsers, openBenchDatabase, submission, NODE_CORES, NODE_MEMORY_GB, type DbKind } from "./controllerRun";
import { latencyStats } from "./controllerReport";
import { countsBetween, StatementCounter } from "./statementCounter";
import { submitLoad } from "./submitLoad";

const USAGE = `npm run bench -- submit [options]
  --db pglite|postgres  the database (default postgres: a throwaway server unless DATABASE_URL names one)
  --clients N           concurrent clients, one user each, in tenants of 10 users (default 200)
  --per-client N        measured submissions per client (default 20)
  --active N            jobs submitted before the measured ones, all left active (default 10000)
  --rate R              the measured submissions paced at R/s, all clients together (default 0: each client sends its next when answered)
  --limits              every tenant gets a payer limit that never holds a job (the admission path)`;

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: "string", default: "postgres" },
      clients: { type: "string", default: "200" },
      "per-client": { type: "string", default: "20" },
      active: { type: "string", default: "10000" },
      rate: { type: "string", default: "0" },
      limits: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      console.error(`--${name}: expected a whole number >= ${min}, got ${JSON.stringify(v)}\n\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  if (values.db !== "pglite" && values.db !== "postgres") {
    console.error(`--db: pglite or postgres\n\n${USAGE}`);
    process.exit(2);
  }
  return { db: values.db as DbKind, clients: int("clients", values.clients, 1), perClient: int("per-client", values["per-client"], 1), active: int("active", values.active, 0), rate: int("rate", values.rate, 0), limits: values.limits };
}

const say = (line: string) => console.log(line);

async function main(): Promise<void> {
  const a = parse(process.argv.slice(2));
  say(`Paddock submit benchmark: ${a.clients} clients x ${a.perClient} submissions (POST /jarvice/submit) with ${a.active} active jobs${a.rate > 0 ? `, paced at ${a.rate}/s` : ""}, ${a.db}${a.limits ? ", every tenant under a payer limit" : ""}`);
  say(`  machine: ${os.availableParallelism()} CPU(s), Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  let server: PostgresServer | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (a.db === "postgres" && !serverUrl) {
    server = await startPostgres({ log: (l) => say(`  ${l}`), onCreated: (stop) => process.once("exit", stop) });
    serverUrl = server.url;
  }
  const counter = new StatementCounter();
  const opened = await openBenchDatabase(a.db, counter, serverUrl);
  try {
    const { settings } = parseSettings({});
    const ctx = { db: opened.db, settings };
    const admin = await counter.run("uncounted", async () => {
      const first = await ensureFirstAdmin(ctx);
      await seedDemoCatalog(opened.db, NODE_CORES, NODE_MEMORY_GB);
      return first!;
    });
    const app = await buildServer(ctx, { logger: false });
    const address = await counter.run("api", () => app.listen({ port: 0, host: "127.0.0.1" }));
    try {
      const { clients } = await createUsers(address, admin, a.clients);
      if (a.limits) {
        const auth = `Basic ${Buffer.from(`${admin.username}:${admin.apikey}`).toString("base64")}`;
        for (const c of clients.filter((u) => /^bench-p\d+$/.test(u.username))) {
          const r = await fetch(`${address}/api/limits`, { method: "PUT", headers: { authorization: auth, "content-type": "application/json" }, body: JSON.stringify({ scope: "payer", payer: c.username, cpus: 2_000_000_000 }) });
          if (r.status !== 200) throw new Error(`limit for ${c.username}: HTTP ${r.status}: ${await r.text()}`);
        }
      }
      const body = (c: number) => submission(clients[c]!, 3600);
      if (a.active > 0) {
        const fill = await submitLoad({ baseUrl: address, clients: a.clients, jobs: a.active, body });
        if (fill.failed > 0) throw new Error(`filling: ${fill.failed} submissions failed, first: ${fill.firstFailure}`);
        say(`  filled: ${fill.ok} active jobs in ${fill.seconds.toFixed(1)} s (${(fill.ok / fill.seconds).toFixed(0)}/s), p50 ${latencyStats(fill.latencies).p50.toFixed(1)} ms`);
      }
      const before = counter.snapshot();
      const load = await submitLoad({ baseUrl: address, clients: a.clients, jobs: a.clients * a.perClient, body, rate: a.rate });
      const counts = countsBetween(before, counter.snapshot());
      if (load.failed > 0) throw new Error(`${load.failed} submissions failed, first: ${load.firstFailure}`);
      const s = latencyStats(load.latencies);
      say(`  measured: ${s.count} submissions in ${load.seconds.toFixed(1)} s (${(s.count / load.seconds).toFixed(0)}/s)`);
      say(`  latency: p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`);
      say(`  statements per submission: ${(counts.api / s.count).toFixed(2)} (${(counts.apiWrites / s.count).toFixed(2)} not reads: writes, BEGIN, COMMIT)`);
      say(`  load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    } finally {
      await app.close();
    }
  } finally {
    await opened.close();
    server?.stop();
  }
}

await main();
