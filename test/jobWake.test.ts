// Split deployments on PostgreSQL (PostgreSQL only: vitest.config.ts POSTGRES_ONLY):
// the API and the job controller in different "processes" (separate connection
// pools, no shared objects), the controller's resync far away (60 s): the
// database's NOTIFY on paddock_jobs (triggers, migration 0009) wakes the
// controller for a submission and for a stop request, with nothing sent by the
// API; after its LISTEN connection is cut the controller reconnects, resyncs
// (notifications may have been missed) and is woken again. And the triggers
// themselves: which changes of a job notify, and only on commit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { seedDemoCatalog } from "../src/catalog/demo";
import { SimulatedCluster } from "../src/cluster/simulated";
import { JobController } from "../src/jobs/controller";
import pg from "pg";
import { JOBS_CHANNEL, listenForJobs, type JobListener } from "../src/jobs/wake";
import { openDatabase, type OpenedDatabase } from "../src/store/db";
import { startTestApp, type Creds, type TestApp } from "./app";
import type { TestDatabase } from "./db";
import { demoJob, Jarvice, waitFor } from "./jarviceClient";

let t: TestApp;
let j: Jarvice;
let ada: Creds;
let cluster: SimulatedCluster;
let controllerDb: OpenedDatabase;
let controller: JobController;
let listener: JobListener;
const resyncs: number[] = [];

beforeAll(async () => {
  cluster = new SimulatedCluster([{ name: "sim-node-0", cores: 16, memoryGb: 64 }], { multiTenant: false, startDelayMs: 50, tickMs: 20 });
  // The API process: it has no controller and wakes none itself (main.ts: no kick in a split deployment).
  t = await startTestApp({}, { backend: { cluster } });
  await seedDemoCatalog(t.opened.db, 16, 64);
  j = new Jarvice(t);
  ada = await t.payer("ada");

  // The controller process: its own pool on the same database, and its own LISTEN connection.
  const url = (t.opened as TestDatabase).url!;
  controllerDb = await openDatabase({ databaseUrl: url });
  controller = new JobController(controllerDb.db, cluster, { namespace: "jobs", resyncMs: 60_000 });
  controller.start();
  await controller.idle();
  listener = listenForJobs(url, {
    onJob: (n) => controller.kick(n),
    onMissed: () => {
      resyncs.push(Date.now());
      controller.kick();
    },
    backoff: { initialMs: 50, maxMs: 500 },
  });
  await listener.listening;
});
afterAll(async () => {
  await listener?.close();
  await controller?.stop();
  await controllerDb?.close();
  await t?.close();
  await cluster?.close();
});

const listeners = async () =>
  (await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = ${`LISTEN ${JOBS_CHANNEL}`}`.execute(t.opened.db)).rows.map((r) => r.pid);

describe("the database wakes a job controller in another process with NOTIFY", () => {
  it("starts a submitted job and stops a terminated one without waiting for the resync", async () => {
    const s = await j.submit(ada, demoJob({ seconds: 3600 }));
    await j.waitForState(ada, s.number, "PROCESSING STARTING", 5000);
    expect((await j.get("terminate", ada, { number: s.number })).statusCode).toBe(200);
    await j.waitForState(ada, s.number, "TERMINATED", 5000);
  });

  it("after its LISTEN connection is cut: reconnects, resyncs once, and is woken again", async () => {
    const [pid] = await listeners();
    expect(pid).toBeDefined();
    await sql`SELECT pg_terminate_backend(${pid})`.execute(t.opened.db);
    await waitFor(async () => {
      const now = await listeners();
      return now.length === 1 && now[0] !== pid;
    }, 10_000);
    await waitFor(() => resyncs.length === 1);
    const s = await j.submit(ada, demoJob({ seconds: 3600 }));
    await j.waitForState(ada, s.number, "PROCESSING STARTING", 5000);
    expect((await j.get("terminate", ada, { number: s.number })).statusCode).toBe(200);
    await j.waitForState(ada, s.number, "TERMINATED", 5000);
  });
});

describe("the wake-up triggers", () => {
  it("notify a job's number when it is inserted, asked to stop or released from its hold, only on commit, and not otherwise", async () => {
    const url = (t.opened as TestDatabase).url!;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const heard: string[] = [];
    client.on("notification", (m) => {
      if (m.channel === JOBS_CHANNEL) heard.push(m.payload ?? "");
    });
    await client.query(`LISTEN ${JOBS_CHANNEL}`);
    try {
      const db = t.opened.db;
      const s = await j.submit(ada, demoJob({ seconds: 3600 }));
      await waitFor(() => heard.includes(String(s.number)), 5000);
      heard.length = 0;
      const quiet = async () => {
        await new Promise((r) => setTimeout(r, 200));
        return [...heard];
      };
      // a hold, a substatus, a status: no wake-up
      await sql`UPDATE jobs SET held = true, substatus_text = 'held by the test' WHERE number = ${s.number}`.execute(db);
      expect(await quiet()).toEqual([]);
      // rolled back: nothing
      await db
        .transaction()
        .execute(async (tx) => {
          await sql`UPDATE jobs SET held = false WHERE number = ${s.number}`.execute(tx);
          throw new Error("roll back");
        })
        .catch(() => {});
      expect(await quiet()).toEqual([]);
      // released: its number, once
      await sql`UPDATE jobs SET held = false WHERE number = ${s.number}`.execute(db);
      await waitFor(() => heard.length > 0, 5000);
      expect(await quiet()).toEqual([String(s.number)]);
      heard.length = 0;
      // asked to stop, then asked harder: each a wake-up; the same request again: none
      await sql`UPDATE jobs SET stop_requested = 'shutdown' WHERE number = ${s.number}`.execute(db);
      await sql`UPDATE jobs SET stop_requested = 'shutdown' WHERE number = ${s.number}`.execute(db);
      await sql`UPDATE jobs SET stop_requested = 'terminate' WHERE number = ${s.number}`.execute(db);
      await waitFor(() => heard.length >= 2, 5000);
      expect(await quiet()).toEqual([String(s.number), String(s.number)]);
    } finally {
      await client.end();
    }
  });
});
