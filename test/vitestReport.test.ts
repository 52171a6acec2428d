// scripts/test.ts names the failing tests in its summary from vitest's own JSON report: here a real
// vitest run over a passing test, a failing test and a file that fails to import.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstLine, readVitestJson } from "../scripts/vitestReport";
import type { Counts } from "../scripts/vitestReport";

const VITEST = path.resolve("node_modules/.bin/vitest");

describe("vitest report for the test summary", () => {
  let dir: string;
  let counts: Counts;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "paddock-vitest-report-"));
    fs.writeFileSync(
      path.join(dir, "some.test.ts"),
      [
        'describe("outer", () => {',
        '  test("passes", () => expect(1).toBe(1));',
        '  test("fails on purpose", () => expect("got").toBe("wanted"));',
        "});",
      ].join("\n"),
    );
    fs.writeFileSync(path.join(dir, "broken.test.ts"), 'import "./does-not-exist";\ntest("never runs", () => {});\n');
    const report = path.join(dir, "report.json");
    const r = spawnSync(VITEST, ["run", "--root", dir, "--globals", "--reporter=json", `--outputFile.json=${report}`], {
      encoding: "utf8",
      env: { ...process.env, CI: "true" },
    });
    expect(r.status, r.stderr).toBe(1); // the run itself fails: one test and one file
    counts = readVitestJson(report, dir);
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("counts passed and failed tests and the file that failed outside a test", () => {
    expect(counts).toMatchObject({ passed: 1, failed: 1, skipped: 0, fileErrors: 1 });
  });

  it("names each failure by file and full test name, with the first line of its message", () => {
    const byFile = Object.fromEntries(counts.failures.map((f) => [f.file, f]));
    expect(Object.keys(byFile).sort()).toEqual(["broken.test.ts", "some.test.ts"]);
    expect(byFile["some.test.ts"]).toEqual({
      file: "some.test.ts",
      test: "outer fails on purpose",
      message: "AssertionError: expected 'got' to be 'wanted' // Object.is equality",
    });
    expect(byFile["broken.test.ts"]?.test).toBe("(outside any test)");
    expect(byFile["broken.test.ts"]?.message).toMatch(/does-not-exist/);
  });

  it("keeps the first non-empty line, without colours, at most 300 characters", () => {
    expect(firstLine("\n  \u001b[31mError: boom\u001b[39m\n    at x.ts:1\n")).toBe("Error: boom");
    expect(firstLine(undefined)).toBe("");
    const long = firstLine("x".repeat(1000));
    expect(long).toHaveLength(300);
    expect(long.endsWith("…")).toBe(true);
  });
});
