// The batch runner (core/batch.ts) really runs a script: here on this
// machine's /bin/sh, as it runs in the job's container.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { batchCommandLine } from "../src/core/batch";

const IMAGE = "docker.io/library/busybox:1.36";
const run = (script: string) => {
  const cl = batchCommandLine({ jobscript: script }, IMAGE, {});
  if (!cl.ok) throw new Error(cl.problem);
  return execFileSync(cl.value.argv[0]!, cl.value.argv.slice(1), { env: { PATH: process.env.PATH, ...cl.value.env } }).toString();
};

describe("batch runner", () => {
  it("runs the script from a file: its #! line picks the interpreter", () => {
    expect(run("#!/bin/sh\necho hello $((6*7))\n")).toBe("hello 42\n");
  });
  it("runs a script without a #! line under /bin/sh", () => {
    expect(run("echo plain")).toBe("plain\n");
  });
  it("keeps the script as written: quotes, dollars and percent signs", () => {
    expect(run("#!/bin/sh\nprintf '%s\\n' \"100% \\$HOME's\"\n")).toBe("100% $HOME's\n");
  });
});
