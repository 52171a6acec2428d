// The long churn soak (issue 11 acceptance): at least 10,000 scheduling events on a real
// kube-apiserver + etcd + KWOK, two jarvice-pod-schedulers on one Lease (multi-tenant on),
// jobs arriving and finishing at random, terminations, leader stops/kills/restarts mid-gang,
// bindings refused by a ValidatingAdmissionPolicy now and then, all watched by an independent
// checker. The scenario is test/k8s/churn.ts (its short version runs in the Kubernetes tier).
// Run: npm run bench -- churn [events] [seed]  (or npx tsx bench/churn.ts ...)   (or CHURN_EVENTS / CHURN_SEED); exit code 1 on any failure.
import os from "node:os";
import { runChurn } from "../test/k8s/churn";

export async function churnBench(args: string[] = process.argv.slice(2)): Promise<number> {
  const events = Number(args[0] ?? process.env.CHURN_EVENTS ?? 10_000);
  const seedArg = args[1] ?? process.env.CHURN_SEED;
  console.log(`churn bench: ${os.cpus().length} core(s) (${os.cpus()[0]?.model ?? "?"}), node ${process.version}; kube-apiserver/etcd/KWOK from the harness cache`);
  const r = await runChurn({
    events,
    seed: seedArg !== undefined ? Number(seedArg) : undefined,
    nodes: 24,
    tenants: 8,
    maxWaiting: 10,
    arrivalsPerSecond: 10,
    maxChurnMs: 30 * 60_000,
    settleMs: 30_000,
    drainMs: 90_000,
  });
  const e = r.events;
  console.log("");
  console.log("| seed | duration | churn | scheduling events | created | bound | finished | waiting deleted | refused | leader changes | samples | failures |");
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  console.log(
    `| ${r.seed} | ${Math.round(r.durationMs / 1000)} s | ${Math.round(r.churnMs / 1000)} s | ${e.total} | ${e.created} | ${e.bound} | ${e.finished} | ${e.terminatedWaiting} | ${e.refused} | ${e.leaderChanges} | ${r.samples} | ${r.failures.length} |`,
  );
  if (r.failures.length) {
    console.log(`\nFAILED (${r.failures.length}):`);
    for (const f of r.failures.slice(0, 30)) console.log(`  ${f}`);
  }
  return r.failures.length ? 1 : 0;
}

// Runs when imported, as every benchmark does (npm run bench -- churn, or npx tsx bench/churn.ts).
churnBench().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
