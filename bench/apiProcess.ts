// Paddock's API in a process of its own (bench/apiProcessMain.ts), as the Helm
// chart deploys it on PostgreSQL: the API pod runs PADDOCK_ROLES=api and the
// job controller (k8s-scheduler) another, woken by NOTIFY. The controller
// benchmark uses it on PostgreSQL, so that the submit latency it measures is
// that of the deployed shape: the controller's work and its heap (the
// simulated cluster's pods) are not on the API's event loop, as they are not
// in a cluster. The API's statement counts come back over IPC.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Counts } from "./statementCounter";

/** What the child is started with (its one argument, as JSON). */
export interface ApiProcessData {
  databaseUrl: string;
  /** the API's request log */
  logFile: string;
}

export type FromParent = { type: "counts"; id: number } | { type: "close" };
export type ToParent = { type: "listening"; address: string; pid: number } | { type: "counts"; id: number; counts: Counts } | { type: "failed"; message: string };

export interface ApiProcess {
  /** e.g. http://127.0.0.1:PORT */
  address: string;
  pid: number;
  /** the API's statements so far, counted in its process (all as "api") */
  counts(): Promise<Counts>;
  close(): Promise<void>;
}

const ASK_TIMEOUT_MS = 10_000;

export function startApiProcess(data: ApiProcessData): Promise<ApiProcess> {
  const entry = fileURLToPath(new URL("./apiProcessMain.ts", import.meta.url));
  const child: ChildProcess = fork(entry, [JSON.stringify(data)], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const asked = new Map<number, { resolve: (c: Counts) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  let nextId = 0;
  let exited: Error | undefined;
  const failAll = (e: Error) => {
    for (const a of asked.values()) {
      clearTimeout(a.timer);
      a.reject(e);
    }
    asked.clear();
  };
  return new Promise<ApiProcess>((resolve, reject) => {
    child.on("message", (m: ToParent) => {
      if (m.type === "listening") {
        resolve({
          address: m.address,
          pid: m.pid,
          counts: () =>
            new Promise<Counts>((res, rej) => {
              if (exited) return rej(exited);
              const id = nextId++;
              const timer = setTimeout(() => {
                asked.delete(id);
                rej(new Error(`the API process did not report its statement counts within ${ASK_TIMEOUT_MS / 1000} s`));
              }, ASK_TIMEOUT_MS);
              asked.set(id, { resolve: res, reject: rej, timer });
              child.send({ type: "counts", id } satisfies FromParent);
            }),
          close: () =>
            new Promise<void>((res) => {
              if (exited || child.exitCode !== null) return res();
              const kill = setTimeout(() => child.kill("SIGKILL"), ASK_TIMEOUT_MS);
              child.once("exit", () => {
                clearTimeout(kill);
                res();
              });
              child.send({ type: "close" } satisfies FromParent);
            }),
        });
      } else if (m.type === "counts") {
        const a = asked.get(m.id);
        if (a) {
          clearTimeout(a.timer);
          asked.delete(m.id);
          a.resolve(m.counts);
        }
      } else reject(new Error(`the API process failed to start: ${m.message}`));
    });
    child.on("error", (e) => reject(e));
    child.on("exit", (code, signal) => {
      exited = new Error(`the API process exited (${signal ?? `code ${code}`})`);
      failAll(exited);
      reject(exited); // no effect once it started
    });
  });
}
