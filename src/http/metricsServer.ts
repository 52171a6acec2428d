// The HTTP listener of a process without the API role (for example one that
// runs only the pod scheduler, PADDOCK_ROLES=pod-scheduler): GET /metrics, the
// process registry in Prometheus text (as the API server's own /metrics), and
// GET /healthz, 200 "ok" while the event loop answers. Nothing else: no
// database, no credentials; the metrics carry no tenant, user or job names.
// Plain node:http, so that a scheduler process loads no web framework.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { METRICS_CONTENT_TYPE, metricsText } from "../lib/metrics";

export interface MetricsServer {
  /** the port it listens on (the one asked for, or the one given for port 0) */
  readonly port: number;
  close(): Promise<void>;
}

function answer(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body), "x-content-type-options": "nosniff" });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    answer(res, 405, "text/plain", "method not allowed\n");
  } else if (path === "/metrics") answer(res, 200, METRICS_CONTENT_TYPE, await metricsText());
  else if (path === "/healthz") answer(res, 200, "text/plain", "ok");
  else answer(res, 404, "text/plain", "not found: GET /metrics or /healthz\n");
}

/** Listen on host:port (port 0: any free port) until close(). */
export async function startMetricsServer(opts: { port: number; host: string; log?: (m: string) => void }): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      opts.log?.(`metrics: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) answer(res, 500, "text/plain", "metrics unavailable\n");
      else res.destroy();
    });
  });
  // A scrape that hangs must not hold a socket for ever; keep-alive between scrapes is Prometheus's habit.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
