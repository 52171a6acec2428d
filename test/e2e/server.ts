// Starts Paddock as the README does (`npx tsx src/main.ts`) on a free port with
// a throwaway data directory, reads the first administrator's credentials from
// its output, and launches Debian's Chromium through playwright-core.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CHROMIUM = "/usr/bin/chromium";
export const ARTIFACTS = path.join(ROOT, "test-artifacts/e2e");

export interface Paddock {
  url: string;
  admin: { username: string; password: string; apikey: string };
  output: () => string;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** `portal: false` (the JARVICE-client conformance suite): no portal build, ready once the API listens. */
export async function startPaddock(opts: { portal?: boolean } = {}): Promise<Paddock> {
  const portalWanted = opts.portal ?? true;
  // npm test's e2e suite builds the portal first (PADDOCK_E2E_BUILD=0); a bare vitest run builds it here.
  if (portalWanted && (!fs.existsSync(path.join(ROOT, "dist/portal/index.html")) || process.env.PADDOCK_E2E_BUILD !== "0")) {
    const b = spawnSync("npx", ["tsx", "scripts/portal-build.ts"], { cwd: ROOT, stdio: "inherit" });
    if (b.status !== 0) throw new Error("building the portal failed");
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "paddock-e2e-"));
  const port = await freePort();
  const child: ChildProcess = spawn("npx", ["tsx", "src/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, PADDOCK_PORT: String(port), PADDOCK_HOST: "127.0.0.1", PADDOCK_DATA_DIR: dataDir, PADDOCK_SIM_START_DELAY_MS: "300", DATABASE_URL: undefined },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const stop = async () => {
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        /* gone */
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    const m = /username: (\S+)\n\s+password: (\S+)\n\s+apikey:\s+(\S+)/.exec(out);
    const portal = portalWanted ? /portal: (http:\/\/\S+)\//.exec(out) : /API listening on (http:\/\/\S+) /.exec(out);
    if (m && portal) return { url: portal[1]!, admin: { username: m[1]!, password: m[2]!, apikey: m[3]! }, output: () => out, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`paddock did not start (exit ${child.exitCode}):\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "paddock-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
