import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "coverage/", "test-artifacts/", ".data/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      eqeqeq: ["error", "always", { null: "ignore" }],
    },
  },
  {
    // The portal runs in the browser.
    files: ["portal/src/**/*.{ts,tsx}"],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The pure core decides; it must not reach for I/O, Kubernetes, HTTP or SQL.
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["node:*", "fs", "child_process", "net", "http", "https"], message: "src/core is pure: no I/O imports" },
            { group: ["kysely", "pg", "@electric-sql/*", "fastify", "@kubernetes/*", "**/store/**", "**/http/**", "**/k8s/**"], message: "src/core is pure: adapters live outside it" },
          ],
        },
      ],
      "no-restricted-globals": ["error", { name: "process", message: "src/core is pure: settings are passed in" }],
    },
  },
);
