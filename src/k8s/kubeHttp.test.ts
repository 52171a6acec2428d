// The raw keep-alive client under the binder and the scheduler's lists: connections opened ahead of a
// burst, and a request on a kept-alive connection the server has dropped resent once on a new one.
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { localKubeConfig } from "../../test/schedulerBuilders";
import { kubeHttp } from "./kubeHttp";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = undefined;
});

async function serve(onRequest: (socket: Socket, nth: number) => "answer" | "drop") {
  const stats = { connections: 0, requests: 0 };
  const served = new Map<Socket, number>();
  server = createServer((req, res) => {
    stats.requests++;
    const n = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, n);
    if (onRequest(req.socket, n) === "drop") {
      req.socket.destroy();
      return;
    }
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ path: req.url }));
  });
  server.on("connection", () => stats.connections++);
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const kc = localKubeConfig((server.address() as AddressInfo).port);
  return { kc, stats };
}

describe("kubeHttp", () => {
  it("warm(n) opens n connections that the next n concurrent requests reuse", async () => {
    const { kc, stats } = await serve(() => "answer");
    const http = kubeHttp(kc, { maxSockets: 4 });
    await http.warm(4);
    expect(stats.connections).toBe(4);
    const answers = await Promise.all(Array.from({ length: 4 }, (_, i) => http.send("POST", `/p/${i}`, { i })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(stats.connections).toBe(4);
    http.close();
  });

  it("resends once, on a new connection, a request whose kept-alive connection the server dropped", async () => {
    // every connection serves one request; a second request on it is dropped unanswered
    const { kc, stats } = await serve((_socket, nth) => (nth > 1 ? "drop" : "answer"));
    const http = kubeHttp(kc, { maxSockets: 1 });
    expect((await http.send("GET", "/first", undefined)).status).toBe(200);
    const second = await http.send("POST", "/second", { x: 1 });
    expect(second).toMatchObject({ status: 200, body: JSON.stringify({ path: "/second" }) });
    expect(stats).toEqual({ connections: 2, requests: 3 });
    http.close();
  });

  it("does not resend when a fresh connection fails", async () => {
    const { kc, stats } = await serve(() => "drop");
    const http = kubeHttp(kc, { maxSockets: 1 });
    await expect(http.send("POST", "/x", {})).rejects.toThrow();
    expect(stats.requests).toBe(1);
    http.close();
  });
});
