import { defineConfig } from "vitest/config";

// Files that only mean something against a PostgreSQL server (restarting it under load): part of the
// postgres suite of npm test (scripts/test.ts sets PADDOCK_TEST_DB), not collected at all elsewhere,
// so they are neither skipped nor counted in the PGlite suite.
const POSTGRES_ONLY = ["test/dbRestart.test.ts", "test/jobWake.test.ts"];
const onPostgres = process.env.PADDOCK_TEST_DB === "postgres";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "portal/src/**/*.test.ts", "bench/**/*.test.ts"],
    // the Kubernetes tier has its own config (vitest.k8s.config.ts) and suite in npm test
    // and so has the browser end-to-end tier (vitest.e2e.config.ts) and the JARVICE-client tier (vitest.conformance.config.ts)
    exclude: ["test/k8s/**", "test/e2e/**", "test/conformance/**", "node_modules/**", ...(onPostgres ? [] : POSTGRES_ONLY)],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ["test/globalSetup.ts"],
  },
});
