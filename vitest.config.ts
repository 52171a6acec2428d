import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // the Kubernetes tier has its own config (vitest.k8s.config.ts) and suite in npm test
    exclude: ["test/k8s/**", "node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ["test/globalSetup.ts"],
  },
});
