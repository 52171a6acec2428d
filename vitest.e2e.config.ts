// The browser end-to-end tier: Debian's Chromium drives the portal served by
// `npx tsx src/main.ts` (see test/e2e/). Run by the "e2e" suite of npm test.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
