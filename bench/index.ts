// npm run bench [-- <name> [options]]: runs one benchmark by name (default
// placement). Each benchmark is a module that runs when imported and reads its
// options from process.argv.slice(2), so `tsx bench/<name>.ts` works too.
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const BENCHES: Record<string, string> = {
  placement: "placement micro-benchmark of the placement core (no cluster)",
  scheduler: "side-by-side scheduler benchmark on a real kube-apiserver + KWOK (binder, kube-scheduler, Paddock)",
  churn: "churn soak of the pod scheduler on a real kube-apiserver + KWOK",
  controller: "job controller before issue 12 and now: jobs submitted over HTTP on the simulated cluster (PGlite or --db postgres)",
  submit: "submit latency and statements per submission of the API alone, with many active jobs (PostgreSQL or --db pglite)",
};

const args = process.argv.slice(2);
const name = args[0] === undefined || args[0].startsWith("-") ? "placement" : args[0];
const listing = Object.entries(BENCHES)
  .map(([n, what]) => `  ${n.padEnd(10)} ${what}`)
  .join("\n");
if (!(name in BENCHES)) {
  console.error(`unknown benchmark ${JSON.stringify(name)}; npm run bench -- <name> [options], where <name> is one of:\n${listing}`);
  process.exit(2);
}
const file = path.join(import.meta.dirname, `${name}.ts`);
if (!existsSync(file)) {
  console.error(`benchmark ${name} is not in this checkout (${path.relative(process.cwd(), file)} is missing)`);
  process.exit(2);
}
// the benchmark sees its own options as if run directly
process.argv.splice(2, args[0] === name ? 1 : 0);
await import(pathToFileURL(file).href);
