/// <reference lib="dom" />
// Accessibility and screenshots for the browser tests.
//   await checkA11y(page, "Metadata")  injects the axe-core package's axe.min.js and fails on serious or
//                                      critical violations, listing each rule, its help and the elements
//   await shot(page, "shell-01-login") writes test-artifacts/e2e/shell-01-login.png (full page)
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { ARTIFACTS, ROOT } from "./server";

const AXE = path.join(ROOT, "node_modules/axe-core/axe.min.js");

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/** The serious and critical axe violations on the page now, one readable line per element. */
export async function a11yProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) {
    // addScriptTag inlines the file; the portal's CSP may refuse inline scripts, so fall back to evaluate
    await page.addScriptTag({ path: AXE }).catch(() => undefined);
    if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(fs.readFileSync(AXE, "utf8"));
  }
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: Violation[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id} (${v.help}) at ${n.target.join(" ")}: ${(n.failureSummary ?? "").replace(/\s+/g, " ")}`));
}

/** Fails the test, naming the screen and every serious or critical violation. */
export async function checkA11y(page: Page, screenName: string): Promise<void> {
  const problems = await a11yProblems(page);
  expect(problems, `axe on ${screenName}:\n${problems.join("\n")}`).toEqual([]);
}

export async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}
