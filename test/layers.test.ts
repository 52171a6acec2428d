// The layers of src/ and which may import which: imports only run downwards.
// The pure core imports nothing else of Paddock and no I/O library; the store
// knows no service; no service (the domain) imports the HTTP or Kubernetes
// adapters. Read from the source text, so a new file cannot escape it.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(__dirname, "../src");

/** For each top-level folder of src/, the folders it may import from (besides itself). */
const MAY_IMPORT: Record<string, string[]> = {
  core: [],
  lib: [],
  config: ["core"],
  store: ["core", "config"],
  cluster: ["core", "lib"],
  accounts: ["core", "config", "store", "lib"],
  vaults: ["core", "config", "store", "lib", "accounts", "catalog"],
  metadata: ["core", "config", "store", "lib", "accounts"],
  catalog: ["core", "config", "store", "lib"],
  jobs: ["core", "config", "store", "lib", "accounts", "vaults", "catalog", "cluster"],
  k8s: ["core", "config", "lib", "cluster"],
  http: ["core", "config", "store", "lib", "accounts", "vaults", "metadata", "catalog", "jobs", "cluster"],
};
/** Packages that do I/O or belong to an adapter: never in the core. */
const NOT_IN_CORE = /^(kysely|pg|@electric-sql\/|fastify|@fastify\/|@kubernetes\/|node:(fs|net|http|https|child_process))/;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

const importsOf = (file: string): string[] => [...fs.readFileSync(file, "utf8").matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gm)].map((m) => m[1]!);

describe("layering of src/", () => {
  const files = sourceFiles(SRC).filter((f) => path.dirname(f) !== SRC);

  it("knows every top-level folder", () => {
    const folders = new Set(files.map((f) => path.relative(SRC, f).split(path.sep)[0]!));
    expect([...folders].filter((d) => !(d in MAY_IMPORT))).toEqual([]);
  });

  it("imports run only downwards", () => {
    const upward: string[] = [];
    for (const file of files) {
      const layer = path.relative(SRC, file).split(path.sep)[0]!;
      for (const spec of importsOf(file)) {
        if (!spec.startsWith(".")) {
          if (layer === "core" && NOT_IN_CORE.test(spec)) upward.push(`${path.relative(SRC, file)} imports ${spec}`);
          continue;
        }
        const target = path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep)[0]!;
        if (target === layer || target.startsWith("..")) continue;
        if (!MAY_IMPORT[layer]!.includes(target)) upward.push(`${path.relative(SRC, file)} imports ${spec}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
