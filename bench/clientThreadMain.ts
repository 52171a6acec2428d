// The client thread of bench/clientThread.ts: runs submitLoad with the data it
// was given and reports each answer and the result to the parent.
import { parentPort, workerData } from "node:worker_threads";
import { submission } from "./benchSubmission";
import type { ThreadLoadData } from "./clientThread";
import { submitLoad } from "./submitLoad";

const d = workerData as ThreadLoadData;
const port = parentPort!;
let stopped = false;
port.on("message", (m) => {
  if (m === "stop") stopped = true;
});
submitLoad({
  baseUrl: d.baseUrl,
  clients: d.clients,
  jobs: d.jobs,
  rate: d.rate,
  ...(d.timeoutMs !== undefined ? { timeoutMs: d.timeoutMs } : {}),
  body: (c) => submission(d.users[c % d.users.length]!, d.sleepSeconds),
  stop: () => stopped,
  onAnswer: (ok) => port.postMessage({ type: "answer", ok }),
}).then(
  (result) => {
    port.postMessage({ type: "done", result });
    port.close();
  },
  (e: Error) => port.postMessage({ type: "failed", message: e.message }),
);
