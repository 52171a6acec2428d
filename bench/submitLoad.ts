// Clients submitting jobs over HTTP (POST /jarvice/submit, as JARVICE
// scripts do), each with one request in flight. Two shapes:
// - rate 0: every client sends its next submission as soon as its last was
//   answered (the most the server takes; by Little's law the latency is then
//   about clients / throughput, whatever the server does);
// - rate R: the clients together send R submissions/s, each on its own
//   schedule (client c every clients/R s, offset by c/R s). A client whose
//   last answer came late sends at once, and the latency is counted from when
//   it should have sent (no coordinated omission: a slow server is not
//   flattered by the clients waiting for it).
// Before the clock starts, one request it does not count (GET /api/health,
// which reads no database): the first fetch of a thread loads its HTTP client
// (undici), about 65 ms on Node 20 here against 3 ms for the next, and at
// 100/s that cold start alone had put some ten submissions, a p99, over 100 ms.
import { performance } from "node:perf_hooks";

export interface LoadOptions {
  /** e.g. http://127.0.0.1:PORT */
  baseUrl: string;
  clients: number;
  /** submissions in all (client c sends numbers c, c + clients, ...) */
  jobs: number;
  /** the JSON body of submission i, sent by client c */
  body: (c: number, i: number) => unknown;
  /** submissions/s for all clients together; 0 (default): no pacing */
  rate?: number;
  /** checked before each submission: true stops the clients (those in flight finish) */
  stop?: () => boolean;
  /** after each answer */
  onAnswer?: (ok: boolean) => void;
  /** per request (default 60 s) */
  timeoutMs?: number;
}

export interface LoadResult {
  /** ms, of the submissions answered 200, in the order answered */
  latencies: number[];
  ok: number;
  failed: number;
  /** the first failure: status and body, or the error */
  firstFailure?: string | undefined;
  /** from the first send to the last answer */
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The uncounted first request; its answer does not matter (a server that is down fails the submissions). */
async function warmUp(baseUrl: string): Promise<void> {
  try {
    await (await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(10_000) })).text();
  } catch {
    // the submissions say what is wrong
  }
}

export async function submitLoad(o: LoadOptions): Promise<LoadResult> {
  const result: LoadResult = { latencies: [], ok: 0, failed: 0, seconds: 0 };
  const rate = o.rate ?? 0;
  const url = `${o.baseUrl}/jarvice/submit`;
  await warmUp(o.baseUrl);
  const t0 = performance.now();

  const send = async (c: number, i: number, from: number): Promise<void> => {
    let failure: string | undefined;
    try {
      const r = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(o.body(c, i)),
        signal: AbortSignal.timeout(o.timeoutMs ?? 60_000),
      });
      const text = await r.text();
      if (r.status !== 200) failure = `HTTP ${r.status}: ${text.slice(0, 300)}`;
    } catch (e) {
      failure = `${(e as Error).message}${(e as { cause?: Error }).cause ? ` (${(e as { cause: Error }).cause.message})` : ""}`;
    }
    if (failure === undefined) {
      result.ok++;
      result.latencies.push(performance.now() - from);
    } else {
      result.failed++;
      result.firstFailure ??= failure;
    }
    o.onAnswer?.(failure === undefined);
  };

  const client = async (c: number) => {
    for (let k = 0; ; k++) {
      const i = c + k * o.clients;
      if (i >= o.jobs || o.stop?.()) return;
      let from = performance.now();
      if (rate > 0) {
        const due = t0 + ((c + k * o.clients) / rate) * 1000;
        if (due > from) await sleep(due - from);
        if (o.stop?.()) return;
        from = Math.min(due, performance.now());
      }
      await send(c, i, from);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.clients, o.jobs) }, (_, c) => client(c)));
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}
