// The JARVICE-client conformance tier: the public Python client jarviceclient3
// (from PyPI, in a cached venv) drives Paddock started by `npx tsx src/main.ts`
// (see test/conformance/). Run by the "conformance" suite of npm test.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/conformance/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
