// A real Kubernetes control plane on loopback for tests (spec/k8s-harness.md):
// etcd -> kube-apiserver -> kube-controller-manager -> KWOK, on free ports,
// with a token file: an admin token in system:masters for fixtures, and
// tokens with NO groups for Paddock's own roles, so that only the RBAC of the
// project's Helm chart authorizes them. Binaries come from the cache built by
// scripts/k8s-harness/build.sh; a missing binary is an error, never a skip.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync, openSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Agent, request } from "node:https";

export interface HarnessUser {
  name: string;
  token: string;
}

export interface Harness {
  server: string;
  dir: string;
  bin: string;
  admin: HarnessUser;
  /** identities with no groups, to be bound by the chart's RBAC */
  users: Record<string, HarnessUser>;
  /** a kubeconfig file for `user` (default admin) */
  kubeconfig(user?: HarnessUser): string;
  /** kill kube-apiserver, as a control plane that goes down (etcd, the controller-manager and KWOK stay) */
  stopApiServer(): Promise<void>;
  /** start it again on the same port with the same data and certificates; resolves when it is ready */
  startApiServer(): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  controllerManager?: boolean;
  kwok?: boolean;
  /** user names to create tokens for (no groups) */
  users?: string[];
  log?: (line: string) => void;
}

const repoRoot = path.resolve(import.meta.dirname, "../..");

export function harnessBin(): string {
  try {
    return execFileSync("bash", [path.join(repoRoot, "scripts/k8s-harness/build.sh"), "--check"], { encoding: "utf8" }).trim().split("\n").pop()!;
  } catch (e) {
    throw new Error(`Kubernetes test binaries are missing: run scripts/k8s-harness/build.sh (${(e as { stderr?: string }).stderr?.trim() ?? e})`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const insecure = new Agent({ rejectUnauthorized: false });

/** GET a path on the API server; resolves with status and body. */
export function apiGet(server: string, token: string, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server}${p}`, { agent: insecure, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>, proc?: ChildProcess): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (proc && proc.exitCode !== null) throw new Error(`${what}: process exited with code ${proc.exitCode}`);
    try {
      if (await probe()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`${what}: not ready after ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const log = opts.log ?? (() => {});
  const bin = harnessBin();
  const dir = mkdtempSync(path.join(tmpdir(), "paddock-k8s-"));
  // etcd is fsync-heavy: keep its data in memory when /dev/shm exists.
  const etcdData = mkdtempSync(path.join(existsDir("/dev/shm") ? "/dev/shm" : dir, "paddock-etcd-"));
  const procs: ChildProcess[] = [];
  const run = (name: string, args: string[]) => {
    const out = openSync(path.join(dir, `${name}.log`), "a");
    const p = spawn(path.join(bin, name), args, { stdio: ["ignore", out, out] });
    procs.push(p);
    log(`harness: started ${name} (pid ${p.pid}), log ${path.join(dir, `${name}.log`)}`);
    return p;
  };
  const stop = async () => {
    for (const p of procs.reverse()) {
      if (p.exitCode === null) p.kill("SIGTERM");
    }
    await Promise.all(procs.map((p) => (p.exitCode !== null ? Promise.resolve() : new Promise<void>((r) => {
      const t = setTimeout(() => { p.kill("SIGKILL"); r(); }, 5000);
      p.once("exit", () => { clearTimeout(t); r(); });
    }))));
    rmSync(etcdData, { recursive: true, force: true });
    if (!process.env.PADDOCK_KEEP_HARNESS) rmSync(dir, { recursive: true, force: true });
  };

  try {
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcd = run("etcd", [
      "--data-dir", etcdData,
      "--listen-client-urls", `http://127.0.0.1:${etcdClient}`,
      "--advertise-client-urls", `http://127.0.0.1:${etcdClient}`,
      "--listen-peer-urls", `http://127.0.0.1:${etcdPeer}`,
      "--initial-advertise-peer-urls", `http://127.0.0.1:${etcdPeer}`,
      "--initial-cluster", `default=http://127.0.0.1:${etcdPeer}`,
      "--unsafe-no-fsync", "--quota-backend-bytes", String(4 * 2 ** 30),
    ]);
    await waitFor("etcd", 30_000, async () => (await fetch(`http://127.0.0.1:${etcdClient}/health`)).ok, etcd);

    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const keyFile = path.join(dir, "sa.key");
    writeFileSync(keyFile, privateKey.export({ type: "pkcs1", format: "pem" }));
    const admin: HarnessUser = { name: "paddock-test-admin", token: randomBytes(16).toString("hex") };
    const users: Record<string, HarnessUser> = {};
    for (const u of opts.users ?? []) users[u] = { name: u, token: randomBytes(16).toString("hex") };
    const tokenFile = path.join(dir, "tokens.csv");
    writeFileSync(
      tokenFile,
      [`${admin.token},${admin.name},uid-admin,"system:masters"`, ...Object.values(users).map((u, i) => `${u.token},${u.name},uid-${i}`)].join("\n") + "\n",
    );
    mkdirSync(path.join(dir, "certs"));
    const server = `https://127.0.0.1:${apiPort}`;
    const apiArgs = [
      "--etcd-servers", `http://127.0.0.1:${etcdClient}`,
      "--bind-address", "127.0.0.1",
      "--secure-port", String(apiPort),
      "--cert-dir", path.join(dir, "certs"),
      "--token-auth-file", tokenFile,
      "--authorization-mode", "RBAC",
      "--service-account-key-file", keyFile,
      "--service-account-signing-key-file", keyFile,
      "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
      "--service-cluster-ip-range", "10.96.0.0/16",
      "--endpoint-reconciler-type", "none",
      "--enable-priority-and-fairness=false",
      // New nodes would get a not-ready:NoSchedule taint that only the node-lifecycle
      // controller (not run here: KWOK plays the kubelets) removes.
      "--disable-admission-plugins", "TaintNodesByCondition",
      "--profiling=false",
    ];
    let api = run("kube-apiserver", apiArgs);
    await waitFor("kube-apiserver", 90_000, async () => (await apiGet(server, admin.token, "/readyz")).status === 200, api);
    const alive = () => api.exitCode === null && api.signalCode === null;
    const stopApiServer = async () => {
      if (!alive()) return;
      const exited = new Promise<void>((r) => api.once("exit", () => r()));
      // SIGKILL: a crash; SIGTERM would hold open watches for up to a minute of graceful shutdown
      api.kill("SIGKILL");
      await exited;
    };
    const startApiServer = async () => {
      if (alive()) return;
      api = run("kube-apiserver", apiArgs);
      await waitFor("kube-apiserver", 90_000, async () => (await apiGet(server, admin.token, "/readyz")).status === 200, api);
    };

    const kubeconfig = (user: HarnessUser = admin) => {
      const file = path.join(dir, `kubeconfig-${user.name}`);
      writeFileSync(
        file,
        [
          "apiVersion: v1",
          "kind: Config",
          "clusters:",
          `- name: harness\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true`,
          "users:",
          `- name: ${user.name}\n  user:\n    token: ${user.token}`,
          "contexts:",
          `- name: harness\n  context:\n    cluster: harness\n    user: ${user.name}`,
          "current-context: harness",
          "",
        ].join("\n"),
      );
      return file;
    };
    const adminConfig = kubeconfig(admin);

    if (opts.controllerManager !== false) {
      const kcm = run("kube-controller-manager", [
        "--kubeconfig", adminConfig,
        "--controllers", "endpointslice-controller,endpoints-controller,namespace-controller,garbage-collector-controller,serviceaccount-controller,persistentvolume-binder-controller",
        "--secure-port", "0",
        "--leader-elect=false",
        "--use-service-account-credentials=false",
      ]);
      await new Promise((r) => setTimeout(r, 300));
      if (kcm.exitCode !== null) throw new Error(`kube-controller-manager exited with ${kcm.exitCode}`);
    }
    if (opts.kwok !== false) {
      const kwok = run("kwok", [
        "--kubeconfig", adminConfig,
        "--manage-all-nodes=false",
        "--manage-nodes-with-annotation-selector", "kwok.x-k8s.io/node=fake",
        "--cidr", "10.128.0.1/9",
        "--node-ip", "10.127.0.1",
        "--server-address", "127.0.0.1:0",
      ]);
      await new Promise((r) => setTimeout(r, 300));
      if (kwok.exitCode !== null) throw new Error(`kwok exited with ${kwok.exitCode}`);
    }
    return { server, dir, bin, admin, users, kubeconfig, stop, stopApiServer, startApiServer };
  } catch (e) {
    await stop();
    throw e;
  }
}

function existsDir(p: string): boolean {
  try {
    accessSync(p, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
