import { Writable } from "node:stream";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { invalid } from "../core/errors";
import { errorHandler } from "./errors";

async function appLogging() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const app = Fastify({ logger: { level: "error", stream } });
  app.setErrorHandler(errorHandler);
  app.get("/boom", async () => {
    throw new Error('relation "secret_table" does not exist: SELECT password_hash FROM users');
  });
  app.get("/bad", async () => {
    throw invalid("vaultOverrides.vaultSize", "must be a size");
  });
  await app.ready();
  return { app, lines };
}

describe("errorHandler", () => {
  it("answers an unknown error with a bare 500 and logs it with the request", async () => {
    const { app, lines } = await appLogging();
    const r = await app.inject({ method: "GET", url: "/boom?username=u&apikey=SECRETKEY" });
    expect(r.statusCode).toBe(500);
    expect(r.json()).toEqual({ error: "internal error" });
    expect(r.body).not.toMatch(/SELECT|secret_table|at /);
    const logged = lines.find((l) => l.msg === "unhandled error");
    expect(logged).toBeDefined();
    expect(JSON.stringify(logged)).toMatch(/secret_table/);
    expect(logged!.reqId).toBeDefined();
    expect(logged!.url).toBe("/boom?username=u&apikey=[redacted]");
    expect(JSON.stringify(lines)).not.toMatch(/SECRETKEY/);
    await app.close();
  });

  it("answers a value error with its status, message and field, and does not log it as an error", async () => {
    const { app, lines } = await appLogging();
    const r = await app.inject({ method: "GET", url: "/bad" });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ error: "vaultOverrides.vaultSize: must be a size", field: "vaultOverrides.vaultSize" });
    expect(lines.filter((l) => l.msg === "unhandled error")).toEqual([]);
    await app.close();
  });
});
