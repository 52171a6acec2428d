import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "portal/src/**/*.test.ts"],
    // the Kubernetes tier has its own config (vitest.k8s.config.ts) and suite in npm test
    // and so has the browser end-to-end tier (vitest.e2e.config.ts)
    exclude: ["test/k8s/**", "test/e2e/**", "node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ["test/globalSetup.ts"],
  },
});
