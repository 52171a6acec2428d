/**
 * Builds the portal (portal/ -> dist/portal) unless the build is newer than
 * every portal source (portal/ and the pure src/core modules it imports).
 * Run by `npm start` (prestart) and by the e2e suite of `npm test`.
 *
 *   tsx scripts/portal-build.ts [--force]
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const built = path.join(root, "dist/portal/index.html");

function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

const sources = Math.max(newest(path.join(root, "portal")), newest(path.join(root, "src/core")));
if (!process.argv.includes("--force") && fs.existsSync(built) && fs.statSync(built).mtimeMs >= sources) {
  console.log("portal: dist/portal is up to date");
  process.exit(0);
}
console.log("portal: building dist/portal (vite build)");
const r = spawnSync("npx", ["vite", "build", "--config", "portal/vite.config.ts"], { cwd: root, stdio: "inherit" });
process.exit(r.status ?? 1);
