// The benchmark's clients on a thread of their own: submitLoad (bench/submitLoad.ts)
// run in a worker thread, so that the clients' HTTP work (undici, streams, JSON)
// does not run on the event loop of the Paddock under test, as real clients
// would not. The bodies are data (one user per client, `sleep N`), since a
// function cannot cross to the thread; `stop` is polled here and sent over, and
// every answer comes back for `onAnswer`.
import { Worker } from "node:worker_threads";
import { submission, type BenchUser } from "./benchSubmission";
import type { LoadResult } from "./submitLoad";

export interface ThreadLoadOptions {
  baseUrl: string;
  clients: number;
  jobs: number;
  /** client c submits as users[c % users.length] */
  users: BenchUser[];
  /** N of `sleep N` */
  sleepSeconds: number;
  rate?: number;
  stop?: () => boolean;
  onAnswer?: (ok: boolean) => void;
  timeoutMs?: number;
}

/** What crosses to the thread (workerData). */
export interface ThreadLoadData {
  baseUrl: string;
  clients: number;
  jobs: number;
  users: BenchUser[];
  sleepSeconds: number;
  rate: number;
  timeoutMs?: number | undefined;
}

type FromThread = { type: "answer"; ok: boolean } | { type: "done"; result: LoadResult } | { type: "failed"; message: string };

export function submitLoadOnThread(o: ThreadLoadOptions): Promise<LoadResult> {
  const data: ThreadLoadData = { baseUrl: o.baseUrl, clients: o.clients, jobs: o.jobs, users: o.users, sleepSeconds: o.sleepSeconds, rate: o.rate ?? 0, timeoutMs: o.timeoutMs };
  // tsx's loader is registered in the thread before the client module is imported (a worker does not inherit it)
  const entry = new URL("./clientThreadMain.ts", import.meta.url).href;
  const worker = new Worker(`const { register } = await import("tsx/esm/api"); register(); await import(${JSON.stringify(entry)});`, { eval: true, workerData: data });
  return new Promise<LoadResult>((resolve, reject) => {
    let stopSent = false;
    const poll = setInterval(() => {
      if (!stopSent && o.stop?.()) {
        stopSent = true;
        worker.postMessage("stop");
      }
    }, 20);
    const finish = () => clearInterval(poll);
    worker.on("message", (m: FromThread) => {
      if (m.type === "answer") o.onAnswer?.(m.ok);
      else if (m.type === "done") {
        finish();
        void worker.terminate();
        resolve(m.result);
      } else {
        finish();
        void worker.terminate();
        reject(new Error(`client thread: ${m.message}`));
      }
    });
    worker.on("error", (e) => {
      finish();
      reject(e);
    });
    worker.on("exit", (code) => {
      finish();
      reject(new Error(`client thread exited with code ${code} before it finished`));
    });
  });
}

export { submission };
