/**
 * Reads vitest's JSON report for scripts/test.ts: the counts of one suite, and which tests failed.
 *
 * CI keeps only the tail of the output, so the summary at the end must name the failures itself;
 * the runner's own failure blocks scroll away with everything after them.
 */
import fs from "node:fs";
import path from "node:path";

export interface Failure {
  /** test file, relative to the repository root */
  file: string;
  /** the test's full name ("describe > test"), or "(outside any test)" for a failing file */
  test: string;
  /** first line of the first failure message, trimmed to a readable length */
  message: string;
}

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  /** test files that failed outside any test (import error, failing beforeAll, ...) */
  fileErrors: number;
  failures: Failure[];
}

interface VitestJsonReport {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults?: {
    name?: string;
    status: string;
    message?: string;
    assertionResults?: { status: string; fullName?: string; title?: string; failureMessages?: string[] }[];
  }[];
}

const MESSAGE_MAX = 300;

/** The first non-empty line of a failure message, without ANSI colours, at most MESSAGE_MAX characters. */
export function firstLine(message: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const plain = (message ?? "").replace(/\u001b\[[0-9;]*m/g, "");
  const line = plain.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "";
  return line.length > MESSAGE_MAX ? `${line.slice(0, MESSAGE_MAX - 1)}…` : line;
}

export function readVitestJson(file: string, root = process.cwd()): Counts {
  const r = JSON.parse(fs.readFileSync(file, "utf8")) as VitestJsonReport;
  if (typeof r.numTotalTests !== "number" || typeof r.numPassedTests !== "number") {
    throw new Error(`${file} does not look like a vitest json report`);
  }
  const failures: Failure[] = [];
  let fileErrors = 0;
  for (const f of r.testResults ?? []) {
    const rel = f.name ? path.relative(root, f.name) : "(unknown file)";
    const failedTests = (f.assertionResults ?? []).filter((a) => a.status === "failed");
    for (const a of failedTests) {
      failures.push({ file: rel, test: a.fullName ?? a.title ?? "(unnamed test)", message: firstLine(a.failureMessages?.[0]) });
    }
    if (f.status === "failed" && failedTests.length === 0) {
      fileErrors++;
      failures.push({ file: rel, test: "(outside any test)", message: firstLine(f.message) });
    }
  }
  return {
    passed: r.numPassedTests,
    failed: r.numFailedTests,
    skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
    fileErrors,
    failures,
  };
}
