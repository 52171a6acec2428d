import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { dataDirSecretKey, parseSecretKey, seal, unseal } from "./sealing";

describe("sealing", () => {
  it("opens what it sealed, and only under the same key", () => {
    const key = randomBytes(32);
    const sealed = seal(key, "the-api-key");
    expect(sealed).not.toContain("the-api-key");
    expect(unseal(key, sealed)).toBe("the-api-key");
    expect(unseal(randomBytes(32), sealed)).toBeUndefined();
    expect(unseal(key, `${sealed.slice(0, -4)}AAAA`)).toBeUndefined();
    expect(unseal(key, "v2:abc")).toBeUndefined();
    expect(seal(key, "x")).not.toBe(seal(key, "x")); // a fresh IV each time
  });

  it("reads keys as hex or base64 of 32 bytes", () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString("hex"))).toEqual(key);
    expect(parseSecretKey(key.toString("base64"))).toEqual(key);
    expect(parseSecretKey(key.toString("base64url"))).toEqual(key);
    expect(parseSecretKey("short")).toBeUndefined();
    expect(parseSecretKey(randomBytes(16).toString("hex"))).toBeUndefined();
  });

  it("keeps the data directory's key: made once, readable by its owner only", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "paddock-key-"));
    const first = dataDirSecretKey(path.join(dir, "data"));
    expect(dataDirSecretKey(path.join(dir, "data"))).toEqual(first);
    const file = path.join(dir, "data", "secret.key");
    expect(readFileSync(file, "utf8").trim()).toBe(first.toString("hex"));
    if (process.platform !== "win32") expect(statSync(file).mode & 0o077).toBe(0);
  });
});
