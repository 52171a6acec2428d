// A minimal Kubernetes API client for the benchmark's hot paths: JSON requests
// and watches on keep-alive connections (client-node 1.4 opens a connection
// per request), and a bounded-concurrency pool. Nothing here decides anything.
import { Agent, request } from "node:https";

export interface KubeResponse<T = unknown> {
  status: number;
  body: T;
  text: string;
}

export interface WatchEvent<T> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: T;
}

export class KubeHttp {
  readonly agent: Agent;

  constructor(
    readonly server: string,
    private readonly token: string,
    opts: { maxSockets?: number } = {},
  ) {
    // Idle sockets are closed on our side after 15 s: the API server drops idle keep-alive connections,
    // and a request written to one it just closed fails with EPIPE or ECONNRESET.
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64, rejectUnauthorized: false, timeout: 15_000 });
  }

  /**
   * One request; resolves with any status (the caller judges it), rejects on a transport error or
   * after `timeoutMs`. A request that failed on a reused keep-alive socket the server had closed
   * (EPIPE, ECONNRESET) never reached it and is sent again, once, on a fresh one.
   */
  async request<T = unknown>(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<KubeResponse<T>> {
    try {
      return await this.once<T>(method, path, body, timeoutMs);
    } catch (e) {
      if (!(e as { reusedSocket?: boolean }).reusedSocket) throw e;
      // every idle socket may be stale: drop them, and send this one on a new connection
      for (const sockets of Object.values(this.agent.freeSockets)) for (const s of sockets ?? []) s.destroy();
      return this.once<T>(method, path, body, timeoutMs, false);
    }
  }

  private once<T>(method: string, path: string, body: unknown, timeoutMs: number, reuse = true): Promise<KubeResponse<T>> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        `${this.server}${path}`,
        {
          method,
          ...(reuse ? { agent: this.agent } : { agent: false as const, rejectUnauthorized: false }),
          headers: {
            authorization: `Bearer ${this.token}`,
            accept: "application/json",
            ...(payload !== undefined ? { "content-type": "application/json" } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (d: Buffer) => chunks.push(d));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString();
            let parsed: unknown = undefined;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON: the caller has the text
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as T, text });
          });
          res.on("error", reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer after ${timeoutMs} ms`)));
      req.on("error", (e: Error & { code?: string; reusedSocket?: boolean }) => {
        if (req.reusedSocket && (e.code === "ECONNRESET" || e.code === "EPIPE")) e.reusedSocket = true;
        e.message = `${method} ${path}: ${e.message}`;
        reject(e);
      });
      req.end(payload);
    });
  }

  /** Like request, but a status >= 300 is an error naming the call. */
  async ok<T = unknown>(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<T> {
    const r = await this.request<T>(method, path, body, timeoutMs);
    if (r.status >= 300) throw new Error(`${method} ${path}: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
    return r.body;
  }

  /**
   * Watch `path` (a list path, with its query) from `resourceVersion`; each event goes to `onEvent`.
   * Returns a stop function; `onEnd` is called when the server ends the watch or it fails
   * (not after stop()). Watches use their own connection (they hold it).
   */
  watch<T>(path: string, resourceVersion: string, onEvent: (e: WatchEvent<T>) => void, onEnd: (error?: Error) => void): () => void {
    const sep = path.includes("?") ? "&" : "?";
    let stopped = false;
    const req = request(
      `${this.server}${path}${sep}watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(resourceVersion)}&timeoutSeconds=1800`,
      { method: "GET", agent: false, rejectUnauthorized: false, headers: { authorization: `Bearer ${this.token}`, accept: "application/json" } },
      (res) => {
        if ((res.statusCode ?? 0) >= 300) {
          res.resume();
          if (!stopped) onEnd(new Error(`watch ${path}: HTTP ${res.statusCode}`));
          return;
        }
        let buffer = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          buffer += d;
          let nl: number;
          while ((nl = buffer.indexOf("\n")) >= 0) {
            const line = buffer.slice(0, nl);
            buffer = buffer.slice(nl + 1);
            if (line.trim() && !stopped) onEvent(JSON.parse(line) as WatchEvent<T>);
          }
        });
        res.on("end", () => void (stopped || onEnd()));
        res.on("error", (e) => void (stopped || onEnd(e)));
      },
    );
    req.on("error", (e) => void (stopped || onEnd(e)));
    req.end();
    return () => {
      stopped = true;
      req.destroy();
    };
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Run `fn` over `items` with at most `concurrency` in flight; `progress(done)` after each. Rejects with the first error once all started ones ended. */
export async function pool<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<void>, progress?: (done: number) => void): Promise<void> {
  let next = 0;
  let done = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (e) {
        failure ??= e;
      }
      progress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failure !== undefined) throw failure;
}
