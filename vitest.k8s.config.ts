// The Kubernetes tier: real kube-apiserver + etcd + controller-manager + KWOK
// (test/k8s/harness.ts). Files run one at a time: each starts its own control plane.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/k8s/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    fileParallelism: false,
    globalSetup: ["test/globalSetup.ts"],
  },
});
