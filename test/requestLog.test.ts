// The API's request log: one line per request, written when it is answered,
// with the method, the URL (credentials redacted), the status and the time.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./app";

let t: TestApp;
const lines: Array<Record<string, unknown>> = [];
/** process warnings while the server was built (Fastify warns once per process on a deprecated option) */
const warnings: string[] = [];

beforeAll(async () => {
  const onWarning = (w: Error & { code?: string }) => warnings.push(`${w.code ?? w.name}: ${w.message}`);
  process.on("warning", onWarning);
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  t = await startTestApp({}, { logger: { level: "info", stream } });
  await new Promise((r) => setImmediate(r)); // process warnings are emitted on the next tick
  process.off("warning", onWarning);
});
afterAll(() => t?.close());

describe("the request log", () => {
  it("is configured without a deprecated option: building the server warns of nothing", () => {
    expect(warnings).toEqual([]);
  });

  it("has one line per request, when answered, with the method, the redacted URL, the status and the time", async () => {
    lines.length = 0;
    const ok = await t.call("GET", `/jarvice/jobs?username=${t.admin.username}&apikey=${encodeURIComponent(t.admin.apikey)}`);
    expect(ok.statusCode).toBe(200);
    const refused = await t.call("GET", "/jarvice/jobs?username=nobody&apikey=WRONGKEY123");
    expect(refused.statusCode).toBe(401);
    const requests = lines.filter((l) => l.req !== undefined || l.res !== undefined);
    expect(requests).toHaveLength(2);
    for (const l of requests) {
      expect(l.msg).toBe("request completed");
      expect(l.level).toBe(30);
      expect(l.reqId).toBeDefined();
      expect(typeof l.responseTime).toBe("number");
    }
    const [first, second] = requests as [Record<string, { method?: string; url?: string; statusCode?: number }>, Record<string, { method?: string; url?: string; statusCode?: number }>];
    expect(first.req).toMatchObject({ method: "GET", url: `/jarvice/jobs?username=${t.admin.username}&apikey=[redacted]` });
    expect(first.res).toEqual({ statusCode: 200 });
    expect(second.req).toMatchObject({ method: "GET", url: "/jarvice/jobs?username=nobody&apikey=[redacted]" });
    expect(second.res).toEqual({ statusCode: 401 });
    expect(lines.some((l) => l.msg === "incoming request")).toBe(false);
    const all = JSON.stringify(lines);
    expect(all).not.toContain(t.admin.apikey);
    expect(all).not.toContain("WRONGKEY123");
  });
});
