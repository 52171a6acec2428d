// Builds the portal into dist/portal, which the API process serves (src/http/server.ts).
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  base: "/",
  plugins: [react()],
  build: { outDir: fileURLToPath(new URL("../dist/portal", import.meta.url)), emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  logLevel: "warn",
});
