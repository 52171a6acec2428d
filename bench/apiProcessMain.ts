// The API process of bench/apiProcess.ts: Paddock's API alone, as the Helm
// chart runs it on PostgreSQL (PADDOCK_ROLES=api, src/main.ts): its own pool of
// 10 connections with named prepared statements, the request log at info (into
// a file); the job controller in the other process is woken by the database's
// NOTIFY (triggers, migration 0009). Every statement is counted as the API's; the parent asks for the
// totals over IPC.
import fs from "node:fs";
import { parseSettings } from "../src/config/settings";
import { buildServer } from "../src/http/server";
import type { ApiProcessData, FromParent, ToParent } from "./apiProcess";
import { countedPostgres } from "./countedPostgres";
import { StatementCounter } from "./statementCounter";

async function main(): Promise<void> {
  const data = JSON.parse(process.argv[2] ?? "{}") as ApiProcessData;
  const send = (m: ToParent) => process.send?.(m);
  const counter = new StatementCounter();
  const db = countedPostgres(data.databaseUrl, 10, counter, "the API process's pool");
  const { settings } = parseSettings({});
  const logStream = fs.createWriteStream(data.logFile);
  const app = await buildServer(
    { db, settings },
    // no kick: as in src/main.ts's split, the database's triggers NOTIFY the controller
    { logger: { level: "info", stream: logStream } },
  );
  // listening inside the "api" source: every request's statements are the API's
  const address = await counter.run("api", () => app.listen({ port: 0, host: "127.0.0.1" }));
  let closing = false;
  process.on("message", (m: FromParent) => {
    if (m.type === "counts") send({ type: "counts", id: m.id, counts: counter.snapshot() });
    else if (m.type === "close" && !closing) {
      closing = true;
      void app
        .close()
        .then(() => db.destroy())
        .then(() => new Promise((r) => logStream.end(r)))
        .finally(() => process.exit(0));
    }
  });
  // the parent is gone: nothing to serve for
  process.on("disconnect", () => process.exit(0));
  send({ type: "listening", address, pid: process.pid });
}

main().catch((e: Error) => {
  process.send?.({ type: "failed", message: e.stack ?? e.message } satisfies ToParent);
  process.exit(1);
});
