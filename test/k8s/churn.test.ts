// The churn soak, short version (test/k8s/churn.ts has the scenario; bench/churn.ts runs
// the long one): ~2,000 scheduling events on 16 KWOK nodes with two pod schedulers on one
// Lease, leader changes mid-gang and bindings refused by the API server, watched by an
// independent checker. Replay a failure with CHURN_SEED=<the printed seed>.
import { describe, expect, it } from "vitest";
import { runChurn } from "./churn";

const EVENTS = Number(process.env.CHURN_EVENTS ?? 2000);

describe("churn soak (two schedulers, multi-tenant, refusals and leader changes)", () => {
  it(
    `${EVENTS} scheduling events: no node ever hosts two tenants, nothing over-committed, no gang left partly bound, every job eventually bound`,
    async () => {
      const report = await runChurn({
        events: EVENTS,
        seed: process.env.CHURN_SEED ? Number(process.env.CHURN_SEED) : undefined,
        maxChurnMs: 150_000,
        settleMs: 20_000,
        drainMs: 40_000,
      });
      const summary = `seed ${report.seed}; scheduler warnings: ${report.schedulerWarnings.slice(0, 8).join(" | ")}`;
      expect(report.failures, summary).toEqual([]);
      // The churn really happened: enough events of each kind.
      expect(report.events.total, summary).toBeGreaterThanOrEqual(EVENTS);
      expect(report.events.leaderChanges, summary).toBeGreaterThanOrEqual(3);
      expect(report.events.refused, summary).toBeGreaterThan(0);
      expect(report.events.terminatedWaiting + report.actions.terminations, summary).toBeGreaterThan(0);
      expect(report.samples, summary).toBeGreaterThanOrEqual(20);
    },
    300_000,
  );
});
