// A process that runs only the pod scheduler (PADDOCK_ROLES=pod-scheduler, as the
// chart's jarvice-pod-scheduler Deployment) has no API server: it serves /metrics
// and /healthz on PADDOCK_METRICS_PORT. With its Kubernetes API server unreachable
// it never leads: the listener is up all the same, reports leader 0, and stops on
// SIGTERM. With a fake API server (a Lease to take, empty node and pod lists), its
// jarvice_pod_scheduler_leader gauge follows the Lease: 1 once it leads, 0 when
// another instance takes the Lease.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import http from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parsePrometheusText } from "./promText";

const root = path.resolve(import.meta.dirname, "..");

/** a port nothing listens on now */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** a kubeconfig for the API server at `server` (default: one that refuses connections) */
function kubeconfigFor(server = "http://127.0.0.1:1"): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "paddock-kc-")), "kubeconfig");
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server, "insecure-skip-tls-verify": true } }],
      users: [{ name: "u", user: { token: "t" } }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    }),
  );
  return file;
}

describe("a pod-scheduler-only process", () => {
  it("serves /metrics and /healthz on PADDOCK_METRICS_PORT, and stops on SIGTERM", async () => {
    const p = await startScheduler(kubeconfigFor());
    try {
      // Wait for the listener's start-up line (the process prints it once it listens).
      for (const deadline = Date.now() + 100_000; Date.now() < deadline && !/metrics on http:\/\//.test(p.output()); ) {
        if (p.child.exitCode !== null) throw new Error(`exited ${p.child.exitCode}: ${p.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(p.output()).toContain(`metrics on http://127.0.0.1:${p.port}/metrics`);
      const health = await fetch(`http://127.0.0.1:${p.port}/healthz`);
      expect([health.status, await health.text()]).toEqual([200, "ok"]);
      const r = await fetch(`http://127.0.0.1:${p.port}/metrics`);
      expect(r.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      const families = parsePrometheusText(await r.text());
      expect(families.get("jarvice_pod_scheduler_leader")?.samples.map((s) => s.value)).toEqual([0]);
      expect(families.get("process_cpu_seconds_total")?.samples.length).toBeGreaterThan(0);
      // It opened no database and no API port.
      expect(p.output()).not.toMatch(/API listening|database/);
    } finally {
      p.child.kill("SIGTERM");
    }
    expect(await p.exited).toBe(0);
  }, 240_000);
});

/** The pod scheduler's process, with its output collected, started on a free metrics port. */
async function startScheduler(kubeconfig: string): Promise<{ child: ChildProcessWithoutNullStreams; port: number; output: () => string; exited: Promise<number | null> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PADDOCK_CLUSTER: "kubernetes", PADDOCK_ROLES: "pod-scheduler", PADDOCK_KUBECONFIG: kubeconfig, PADDOCK_METRICS_PORT: String(port), PADDOCK_DATA_DIR: "/nonexistent/never-created", POD_NAME: "sched-a", JARVICE_POD_SCHED_LOGLEVEL: "20" },
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, port, output: () => out, exited };
}

/** A Kubernetes API server with just what the pod scheduler reads and writes: its Lease, and empty node and pod lists (watches stay open). */
function fakeApiServer() {
  let lease: Record<string, unknown> | undefined;
  let version = 0;
  const LEASE = "/apis/coordination.k8s.io/v1/namespaces/jarvice-system/leases";
  const watches = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const json = (status: number, o: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(o));
      };
      const status = (code: number, reason: string) => json(code, { kind: "Status", apiVersion: "v1", status: "Failure", reason, code });
      const store = (o: Record<string, unknown>) => {
        lease = { ...o, metadata: { ...(o.metadata as object), namespace: "jarvice-system", name: "jarvice-pod-scheduler", resourceVersion: String(++version) } };
        return lease;
      };
      if (url.pathname === `${LEASE}/jarvice-pod-scheduler` && req.method === "GET") return lease ? json(200, lease) : status(404, "NotFound");
      if (url.pathname === LEASE && req.method === "POST") return lease ? status(409, "AlreadyExists") : json(201, store(JSON.parse(body)));
      if (url.pathname === `${LEASE}/jarvice-pod-scheduler` && req.method === "PUT") {
        const sent = JSON.parse(body) as { metadata?: { resourceVersion?: string } };
        return sent.metadata?.resourceVersion === (lease?.metadata as { resourceVersion?: string } | undefined)?.resourceVersion ? json(200, store(sent)) : status(409, "Conflict");
      }
      if (req.method === "GET" && (url.pathname === "/api/v1/nodes" || url.pathname === "/api/v1/pods")) {
        if (url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1") {
          res.writeHead(200, { "content-type": "application/json" });
          res.flushHeaders();
          watches.add(res);
          return;
        }
        return json(200, { kind: url.pathname.endsWith("nodes") ? "NodeList" : "PodList", apiVersion: "v1", metadata: { resourceVersion: "1" }, items: [] });
      }
      return status(404, "NotFound");
    });
  });
  return {
    server,
    get holder() {
      return (lease?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
    },
    /** another instance takes the Lease (as after this one failed to renew it) */
    takeOver() {
      const now = new Date().toISOString().replace("Z", "000Z");
      lease = { ...lease, metadata: { ...(lease!.metadata as object), resourceVersion: String(++version) }, spec: { ...(lease!.spec as object), holderIdentity: "sched-b", acquireTime: now, renewTime: now, leaseDurationSeconds: 3600 } };
    },
    close() {
      for (const w of watches) w.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("the pod scheduler's leader gauge", () => {
  it("is 1 while the process holds the Lease and 0 once another instance has taken it", async () => {
    const api = fakeApiServer();
    await new Promise<void>((resolve) => api.server.listen(0, "127.0.0.1", resolve));
    const apiPort = (api.server.address() as { port: number }).port;
    const p = await startScheduler(kubeconfigFor(`http://127.0.0.1:${apiPort}`));
    const leader = async (): Promise<number | undefined> => {
      const r = await fetch(`http://127.0.0.1:${p.port}/metrics`).catch(() => undefined);
      if (!r) return undefined;
      return parsePrometheusText(await r.text()).get("jarvice_pod_scheduler_leader")?.samples[0]?.value;
    };
    /** poll until the gauge shows `want` (the elector retries every 2 s; starting tsx on a loaded machine takes a while) */
    const until = async (want: number) => {
      for (const deadline = Date.now() + 100_000; Date.now() < deadline; ) {
        if (p.child.exitCode !== null) throw new Error(`exited ${p.child.exitCode}: ${p.output()}`);
        if ((await leader()) === want) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`jarvice_pod_scheduler_leader never became ${want}; holder ${api.holder}; output:\n${p.output()}`);
    };
    try {
      await until(1);
      expect(api.holder).toBe("sched-a");
      api.takeOver();
      await until(0);
      expect(p.output()).toMatch(/stopped leading/);
    } finally {
      p.child.kill("SIGTERM");
      await p.exited;
      await api.close();
    }
  }, 240_000);
});
