// The pod scheduler's list-and-watch against a small fake API server: events in order, a watch the server
// ends resumed from the last resourceVersion, and "too old" (410) answered by a new list that reports
// what disappeared meanwhile.
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { localKubeConfig } from "../../test/schedulerBuilders";
import { LightInformer } from "./lightInformer";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = undefined;
});

const pod = (name: string, rv: number) => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "jobs", resourceVersion: String(rv) } });

/** A fake API server: `lists` answers the n-th list, `watches` scripts the n-th watch (lines, then end or stay open). */
async function fake(lists: Array<{ rv: number; items: object[] }>, watches: Array<(res: ServerResponse, rv: string) => void>) {
  const seen: string[] = [];
  let l = 0;
  let w = 0;
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    seen.push(`${url.searchParams.get("watch") === "true" ? "watch" : "list"} rv=${url.searchParams.get("resourceVersion") ?? ""} fs=${url.searchParams.get("fieldSelector") ?? ""}`);
    res.setHeader("content-type", "application/json");
    if (url.searchParams.get("watch") === "true") {
      const script = watches[w++];
      if (!script) return res.writeHead(200).flushHeaders(); // stays open
      return script(res, url.searchParams.get("resourceVersion") ?? "");
    }
    const list = lists[Math.min(l++, lists.length - 1)]!;
    res.end(JSON.stringify({ kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: String(list.rv) }, items: list.items }));
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const kc = localKubeConfig((server.address() as AddressInfo).port);
  return { kc, seen };
}

const line = (type: string, object: object) => `${JSON.stringify({ type, object })}\n`;

async function until(cond: () => boolean) {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

function record(inf: LightInformer<{ metadata?: { name?: string } }>) {
  const events: string[] = [];
  inf.on("add", (o) => events.push(`add ${o.metadata?.name}`));
  inf.on("update", (o) => events.push(`update ${o.metadata?.name}`));
  inf.on("delete", (o) => events.push(`delete ${o.metadata?.name}`));
  return events;
}

describe("LightInformer", () => {
  it("lists, then watches from the list's version; a watch the server ends is resumed from the last version", async () => {
    const { kc, seen } = await fake(
      [{ rv: 10, items: [pod("a", 5)] }],
      [
        (res) => res.end(line("ADDED", pod("b", 11)) + line("MODIFIED", pod("a", 12)) + line("BOOKMARK", { kind: "Pod", metadata: { resourceVersion: "15" } })),
        (res) => res.end(line("DELETED", pod("b", 16))),
      ],
    );
    const inf = new LightInformer(kc, "/api/v1/pods", { query: { fieldSelector: "status.phase!=Failed" } });
    const events = record(inf);
    await inf.start();
    expect(events).toEqual(["add a"]);
    await until(() => events.length === 4);
    await until(() => seen.length >= 4);
    await inf.stop();
    expect(events).toEqual(["add a", "add b", "update a", "delete b"]);
    expect(seen.slice(0, 4)).toEqual(["list rv= fs=status.phase!=Failed", "watch rv=10 fs=status.phase!=Failed", "watch rv=15 fs=status.phase!=Failed", "watch rv=16 fs=status.phase!=Failed"]);
    expect(inf.size).toBe(1);
  });

  it("410 Gone: lists again, reports what disappeared meanwhile as deleted and the rest as updated", async () => {
    const { kc, seen } = await fake(
      [
        { rv: 10, items: [pod("a", 5), pod("b", 6)] },
        { rv: 30, items: [pod("b", 25), pod("c", 29)] },
      ],
      [(res) => res.end(line("ERROR", { kind: "Status", code: 410, message: "too old resource version" }))],
    );
    const inf = new LightInformer(kc, "/api/v1/pods", { retryMs: 1 });
    const errors: unknown[] = [];
    inf.on("error", (e) => errors.push(e));
    const events = record(inf);
    await inf.start();
    await until(() => events.length === 5);
    await until(() => seen.includes("watch rv=30 fs="));
    await inf.stop();
    expect(events).toEqual(["add a", "add b", "delete a", "update b", "add c"]);
    expect(errors).toHaveLength(1);
  });

  it("after stop() nothing more is emitted and no request is made", async () => {
    const { kc, seen } = await fake([{ rv: 1, items: [] }], [(res) => setTimeout(() => res.end(line("ADDED", pod("late", 2))), 50)]);
    const inf = new LightInformer(kc, "/api/v1/pods", { retryMs: 1 });
    const events = record(inf);
    await inf.start();
    await inf.stop();
    // the watch asked for just before stop() is aborted; nothing follows it
    await new Promise((r) => setTimeout(r, 30));
    const requests = seen.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(events).toEqual([]);
    expect(seen.length).toBe(requests);
    expect(requests).toBeLessThanOrEqual(2);
  });

  it("reads an event split across chunks once and whole, and asks the server to end each watch within 5-10 minutes", async () => {
    const big = { ...pod("big", 11), metadata: { name: "big", namespace: "jobs", resourceVersion: "11", annotations: { pad: "x".repeat(100_000) } } };
    const text = line("ADDED", big) + line("ADDED", pod("small", 12));
    let query = "";
    const { kc } = await fake([{ rv: 10, items: [] }], [
      (res) => {
        res.writeHead(200);
        // the first event in three writes, the second in the same write as the end of the first
        const cut1 = 1_000;
        const cut2 = text.indexOf("\n") - 10;
        res.write(text.slice(0, cut1));
        setTimeout(() => res.write(text.slice(cut1, cut2)), 10);
        setTimeout(() => res.end(text.slice(cut2)), 20);
      },
    ]);
    server!.prependListener("request", (req) => {
      if (req.url?.includes("watch=true")) query = req.url;
    });
    const inf = new LightInformer<typeof big>(kc, "/api/v1/pods");
    const seenPods: Array<{ name: string; pad: number }> = [];
    inf.on("add", (o) => seenPods.push({ name: o.metadata.name, pad: o.metadata.annotations?.pad?.length ?? 0 }));
    await inf.start();
    await until(() => seenPods.length === 2);
    await inf.stop();
    expect(seenPods).toEqual([
      { name: "big", pad: 100_000 },
      { name: "small", pad: 0 },
    ]);
    const timeout = Number(new URL(query, "http://x").searchParams.get("timeoutSeconds"));
    expect(timeout).toBeGreaterThanOrEqual(300);
    expect(timeout).toBeLessThan(600);
  });

  it("an event handler that throws is reported as an error and the informer lists again (not swallowed)", async () => {
    const { kc, seen } = await fake([{ rv: 10, items: [] }, { rv: 20, items: [pod("a", 15)] }], [(res) => res.end(line("ADDED", pod("a", 11)))]);
    const inf = new LightInformer(kc, "/api/v1/pods", { retryMs: 1 });
    const errors: string[] = [];
    inf.on("error", (e) => errors.push((e as Error).message));
    let throwOnce = true;
    const events = record(inf);
    inf.on("add", () => {
      if (!throwOnce) return;
      throwOnce = false;
      throw new Error("handler bug");
    });
    await inf.start();
    await until(() => seen.includes("watch rv=20 fs="));
    await inf.stop();
    expect(errors).toEqual(["handler bug"]);
    // the event that failed is delivered again by the new list
    expect(events).toEqual(["add a", "update a"]);
  });

  it("a watch answered 410 (too old) lists again, like an ERROR event 410", async () => {
    const { kc, seen } = await fake(
      [
        { rv: 10, items: [pod("a", 5)] },
        { rv: 30, items: [] },
      ],
      [(res) => res.writeHead(410).end(JSON.stringify({ kind: "Status", code: 410, message: "too old" }))],
    );
    const inf = new LightInformer(kc, "/api/v1/pods", { retryMs: 1 });
    const events = record(inf);
    await inf.start();
    await until(() => seen.includes("watch rv=30 fs="));
    await inf.stop();
    expect(events).toEqual(["add a", "delete a"]);
  });
});
