// Raw HTTPS requests to the API server on a keep-alive connection pool of
// their own, with the kubeconfig's TLS and credentials. client-node 1.4 opens
// a new connection (TLS handshake included) per request, which caps a busy
// writer such as the binder at a fraction of what the API server can take.
import type * as k8s from "@kubernetes/client-node";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent, request, type RequestOptions } from "node:https";

export interface KubeResponse {
  status: number;
  body: string;
}

export interface KubeHttp {
  /** One request; resolves with status and body whatever the status, rejects on network errors and on `signal`. */
  send(method: string, path: string, body: unknown, opts?: { contentType?: string; signal?: AbortSignal }): Promise<KubeResponse>;
  /**
   * A streaming GET (a watch): each line of a 200 answer goes to `onLine` as it arrives. Resolves when
   * the server ends the answer (the body only when the status is not 200); rejects on network errors,
   * on `signal`, and with whatever `onLine` throws (the request is then closed).
   */
  stream(path: string, onLine: (line: string) => void, opts?: { signal?: AbortSignal }): Promise<KubeResponse>;
  /** Open up to `connections` keep-alive connections now (GET /version on each), so that a burst does not wait for TLS handshakes. */
  warm(connections: number): Promise<void>;
  close(): void;
}

/** How long the kubeconfig's TLS options and credentials are reused (a 401 drops them at once). */
const CREDENTIALS_TTL_MS = 30_000;

export function kubeHttp(kc: k8s.KubeConfig, opts: { maxSockets?: number } = {}): KubeHttp {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error("kubeconfig: no current cluster");
  // plain http for a server such as `kubectl proxy`
  const plain = new URL(server).protocol === "http:";
  const agent = plain ? new HttpAgent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 }) : new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 });
  const send = plain ? httpRequest : request;
  // applyToHTTPSOptions reads CA/cert/key files synchronously on every call: do it once per TTL,
  // not once per request. Token files and exec plugins keep their own refresh rules underneath.
  let cached: { at: number; options: Promise<RequestOptions> } | undefined;
  const options = (): Promise<RequestOptions> => {
    const now = Date.now();
    if (!cached || now - cached.at > CREDENTIALS_TTL_MS) {
      const o: RequestOptions = {};
      const p = kc.applyToHTTPSOptions(o as never).then(() => o);
      cached = { at: now, options: p };
      p.catch(() => (cached = undefined));
    }
    return cached.options;
  };
  const once = async (method: string, path: string, payload: string | undefined, contentType: string, signal: AbortSignal | undefined): Promise<KubeResponse> => {
    const base = await options();
    const url = new URL(path, server);
    const headers = { ...(base.headers ?? {}), accept: "application/json", ...(payload !== undefined ? { "content-type": contentType } : {}) };
    return new Promise<KubeResponse>((resolve, reject) => {
      const req = send(url, { ...base, method, headers, agent, signal } as RequestOptions, (r) => {
        let text = "";
        r.setEncoding("utf8");
        r.on("data", (d: string) => (text += d));
        r.on("end", () => resolve({ status: r.statusCode ?? 0, body: text }));
        r.on("error", reject);
      });
      req.on("error", (e) => reject(Object.assign(e, { reusedSocket: req.reusedSocket })));
      req.end(payload);
    });
  };
  const stream = async (path: string, onLine: (line: string) => void, signal: AbortSignal | undefined): Promise<KubeResponse> => {
    signal?.throwIfAborted();
    const base = await options();
    const url = new URL(path, server);
    const headers = { ...(base.headers ?? {}), accept: "application/json" };
    return new Promise<KubeResponse>((resolve, reject) => {
      const req = send(url, { ...base, method: "GET", headers, agent, signal } as RequestOptions, (r) => {
        if (r.statusCode !== 200) {
          let text = "";
          r.setEncoding("utf8");
          r.on("data", (d: string) => (text += d));
          r.on("end", () => resolve({ status: r.statusCode ?? 0, body: text }));
          r.on("error", reject);
          return;
        }
        // Lines split on the bytes: a line longer than a chunk is kept as pieces until its newline.
        const pieces: Buffer[] = [];
        r.on("data", (chunk: Buffer) => {
          let start = 0;
          for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
            let line: string;
            if (pieces.length > 0) {
              pieces.push(chunk.subarray(start, nl));
              line = Buffer.concat(pieces).toString("utf8");
              pieces.length = 0;
            } else line = chunk.toString("utf8", start, nl);
            start = nl + 1;
            if (line.length === 0) continue;
            try {
              onLine(line);
            } catch (e) {
              req.destroy();
              reject(e as Error);
              return;
            }
          }
          if (start < chunk.length) pieces.push(chunk.subarray(start));
        });
        r.on("end", () => resolve({ status: 200, body: "" }));
        r.on("error", reject);
      });
      // a watch may sit idle for minutes: TCP keep-alive finds a peer that vanished
      req.on("socket", (sock) => sock.setKeepAlive(true, 30_000));
      req.on("error", reject);
      req.end();
    });
  };
  return {
    stream(path, onLine, { signal } = {}) {
      return stream(path, onLine, signal);
    },
    async send(method, path, body, { contentType = "application/json", signal } = {}) {
      signal?.throwIfAborted();
      const payload = body === undefined ? undefined : JSON.stringify(body);
      let res: KubeResponse;
      try {
        res = await once(method, path, payload, contentType, signal);
      } catch (e) {
        // A kept-alive connection the server closed while it sat idle fails at once, before the server saw
        // the request (Node's advice: resend on a new connection). A binding sent twice answers 409 at worst.
        const code = (e as { code?: string }).code;
        if (!(e as { reusedSocket?: boolean }).reusedSocket || (code !== "ECONNRESET" && code !== "EPIPE") || signal?.aborted) throw e;
        res = await once(method, path, payload, contentType, signal);
      }
      if (res.status === 401) cached = undefined;
      return res;
    },
    async warm(connections) {
      await Promise.all(Array.from({ length: connections }, () => once("GET", "/version", undefined, "application/json", AbortSignal.timeout(10_000)).catch(() => undefined)));
    },
    close() {
      agent.destroy();
    },
  };
}

/** The `message` of a Kubernetes Status body, else the start of the body. */
export function statusMessage(status: number, body: string): string {
  try {
    const s = JSON.parse(body) as { message?: unknown };
    if (typeof s.message === "string" && s.message) return s.message;
  } catch {
    // not JSON
  }
  const text = body.trim().slice(0, 300);
  return text ? `HTTP ${status}: ${text}` : `HTTP ${status}`;
}
