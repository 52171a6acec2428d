// Every setting, parsed once at start into a typed object. The jarvice.*
// names are exactly JARVICE's (Helm values under `jarvice:` become environment
// variables of the same name); PADDOCK_* are this product's own. Nothing else
// reads process.env. A bad value stops start-up naming the setting; nothing is
// half-applied.
//
// JARVICE's values files are taken as they are: booleans as strings in any
// case ("false", "TRUE"), integers as strings ("30"), unset label maps and CIDR
// lists as empty JSON ('{}', '[]'), and empty keys; each of these means the
// same as the setting left unset (or false). The chart passes these through.
import { isIP } from "node:net";
import { labelKeyProblem, labelValueProblem } from "../core/labels";
import type { ExternalAuthRule } from "../core/externalAuth";
import { checkPayerMetadata } from "../core/payerMetadata";
import { parseSecretKey } from "../core/secretKey";

export interface Settings {
  JARVICE_JOBS_MULTI_TENANT: boolean;
  JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS: Record<string, string> | undefined;
  JARVICE_JOBS_MULTI_TENANT_INGRESS_NS_LABELS: Record<string, string> | undefined;
  JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS: string[] | undefined;
  JARVICE_SYSTEM_NAMESPACE: string;
  JARVICE_JOBS_NAMESPACE: string;
  JARVICE_POD_SCHED_LOGLEVEL: number;
  /** system vault defaults (strings, in payer-metadata units) */
  vaultDefaults: {
    JARVICE_PVC_VAULT_NAME?: string;
    JARVICE_PVC_VAULT_STORAGECLASS?: string;
    JARVICE_PVC_VAULT_VOLUMENAME?: string;
    JARVICE_PVC_VAULT_ACCESSMODES?: string;
    JARVICE_PVC_VAULT_SIZE?: string;
    JARVICE_PVC_VAULT_SUBPATH?: string;
    JARVICE_PVC_VAULT_ZONE?: string;
    JARVICE_EPHEMERAL_VAULT_ZONE?: string;
    JARVICE_DAL_HOOK_META?: string;
  };
  port: number;
  host: string;
  /** the /metrics and /healthz listener of a process without the API role (e.g. only the pod scheduler); 0: none */
  metricsPort: number;
  dataDir: string;
  databaseUrl: string | undefined;
  /** PostgreSQL: the hot statements as named prepared statements (PADDOCK_PG_PREPARED, default true) */
  pgPrepared: boolean;
  /** executable run at account creation instead of the default vault hook */
  dalHook: string | undefined;
  dalHookTimeoutMs: number;
  externalAuth: { header: string; secret: string; rules: ExternalAuthRule[] } | undefined;
  sessionTtlMs: number;
  /**
   * PADDOCK_SECRET_KEY (32 bytes, hex or base64): the key API keys are sealed under (accounts/sealing.ts).
   * Unset: start-up uses <dataDir>/secret.key, made on first start; several API replicas need it set.
   */
  secretKey: Buffer | undefined;
  adminUser: string;
  /** the embedded simulated cluster */
  simulated: { nodes: number; nodeCores: number; nodeMemoryGb: number; startDelayMs: number };
  /** where jobs run: the embedded simulated cluster, or Kubernetes */
  cluster: "simulated" | "kubernetes";
  /** kubeconfig file for the Kubernetes cluster; in-cluster credentials when unset */
  kubeconfig: string | undefined;
  /** which roles this process runs */
  roles: Set<Role>;
  /** this instance's name in leases (the pod name in Kubernetes) */
  identity: string;
  /** run the job controller only while holding its Lease (replicated k8s-scheduler) */
  leaderElection: boolean;
}

export const ROLES = ["api", "k8s-scheduler", "pod-scheduler"] as const;
export type Role = (typeof ROLES)[number];

function parseRoles(v: string | undefined, problems: string[]): Set<Role> {
  if (v === undefined) return new Set(ROLES);
  const roles = v.split(",").map((r) => r.trim()).filter(Boolean);
  const bad = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (bad.length > 0 || roles.length === 0) problems.push(`PADDOCK_ROLES: must be a comma-separated list of ${ROLES.join(", ")}; got '${v}'`);
  return new Set(roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r)));
}

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid settings:\n  ${problems.join("\n  ")}`);
    this.name = "SettingsError";
  }
}

type Env = Record<string, string | undefined>;

export function parseSettings(env: Env): { settings: Settings; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  const str = (k: string) => {
    const v = env[k];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };

  const bool = (k: string, dflt: boolean): boolean => {
    const v = str(k);
    if (v === undefined) return dflt;
    if (/^(true|1|yes)$/i.test(v)) return true;
    if (/^(false|0|no)$/i.test(v)) return false;
    problems.push(`${k}: must be true or false, got '${v}'`);
    return dflt;
  };
  const int = (k: string, dflt: number, min: number, max: number): number => {
    const v = str(k);
    if (v === undefined) return dflt;
    if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      problems.push(`${k}: must be an integer from ${min} to ${max}, got '${v}'`);
      return dflt;
    }
    return Number(v);
  };
  /** JARVICE writes an unset label map as '{}' and an unset CIDR list as '[]' */
  const emptyJson = (v: string, empty: "{}" | "[]") => v.replace(/\s+/g, "") === empty;
  const labels = (k: string): Record<string, string> | undefined => {
    const v = str(k);
    if (v === undefined || emptyJson(v, "{}")) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch (e) {
      problems.push(`${k}: must be a JSON object of label names to values, e.g. '{"app": "traefik"}' (${(e as Error).message})`);
      return undefined;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      problems.push(`${k}: must be a JSON object of label names to values, e.g. '{"app": "traefik"}' ('{}' when unset)`);
      return undefined;
    }
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(parsed)) {
      const nameProblem = labelKeyProblem(name);
      if (nameProblem) problems.push(`${k}: label name '${name}' ${nameProblem}`);
      if (typeof value !== "string") {
        problems.push(`${k}: label '${name}' must have a string value`);
        continue;
      }
      const valueProblem = labelValueProblem(value);
      if (valueProblem) problems.push(`${k}: label '${name}' value '${value}' ${valueProblem}`);
      out[name] = value;
    }
    return out;
  };
  const cidrs = (k: string): string[] | undefined => {
    const v = str(k);
    if (v === undefined || emptyJson(v, "[]")) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch (e) {
      problems.push(`${k}: must be a JSON list of CIDRs, e.g. '["10.20.0.0/24"]' (${(e as Error).message})`);
      return undefined;
    }
    if (!Array.isArray(parsed)) {
      problems.push(`${k}: must be a JSON list of CIDRs, e.g. '["10.20.0.0/24"]'`);
      return undefined;
    }
    for (const c of parsed) {
      const p = typeof c === "string" ? cidrProblem(c) : "is not a string";
      if (p) problems.push(`${k}: '${String(c)}' ${p}`);
    }
    return parsed as string[];
  };

  const system = str("JARVICE_SYSTEM_NAMESPACE") ?? "jarvice-system";
  const jobsSet = str("JARVICE_JOBS_NAMESPACE");
  const jobs = jobsSet ?? `${system}-jobs`;
  const systemProblem = namespaceProblem(system);
  if (systemProblem) problems.push(`JARVICE_SYSTEM_NAMESPACE: '${system}' ${systemProblem}`);
  // The derived default is checked too (a long system namespace makes it too long), unless the system one already failed.
  const jobsProblem = jobsSet !== undefined || !systemProblem ? namespaceProblem(jobs) : undefined;
  if (jobsProblem) {
    const derived = jobsSet === undefined ? " (the default, JARVICE_SYSTEM_NAMESPACE + '-jobs'; set it explicitly)" : "";
    problems.push(`JARVICE_JOBS_NAMESPACE: '${jobs}'${derived} ${jobsProblem}`);
  }

  const podLabels = labels("JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS");
  const nsLabels = labels("JARVICE_JOBS_MULTI_TENANT_INGRESS_NS_LABELS");
  if (podLabels && !nsLabels) {
    warnings.push(
      "JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS is set without JARVICE_JOBS_MULTI_TENANT_INGRESS_NS_LABELS: any pod with those labels, in any namespace, can reach job pods",
    );
  }
  // Malformed pod labels are their own problem, not "unset".
  const podRaw = str("JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS");
  if (nsLabels && (podRaw === undefined || emptyJson(podRaw, "{}"))) {
    problems.push("JARVICE_JOBS_MULTI_TENANT_INGRESS_NS_LABELS: only applies together with JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS, which is unset");
  }

  const vaultDefaults: Settings["vaultDefaults"] = {};
  const vaultKeys = [
    ["JARVICE_PVC_VAULT_NAME", "vaultName"],
    ["JARVICE_PVC_VAULT_STORAGECLASS", "vaultStorageClassName"],
    ["JARVICE_PVC_VAULT_VOLUMENAME", "vaultVolumeName"],
    ["JARVICE_PVC_VAULT_ACCESSMODES", "vaultAccessModes"],
    ["JARVICE_PVC_VAULT_SIZE", "vaultSize"],
    ["JARVICE_PVC_VAULT_SUBPATH", "vaultSubpath"],
    ["JARVICE_PVC_VAULT_ZONE", "vaultZone"],
    ["JARVICE_EPHEMERAL_VAULT_ZONE", "vaultEphemeralZone"],
    ["JARVICE_DAL_HOOK_META", "vaultDalHookMeta"],
  ] as const;
  for (const [name, key] of vaultKeys) {
    const v = str(name);
    if (v === undefined) continue;
    // Zones are checked against the database at start (they must exist); here only the type.
    const check = checkPayerMetadata(key, v, () => true);
    if (!check.ok) problems.push(`${name}: ${check.problem}`);
    else vaultDefaults[name] = check.value;
  }

  let externalAuth: Settings["externalAuth"];
  const rulesRaw = str("PADDOCK_EXTERNAL_AUTH_RULES");
  if (rulesRaw !== undefined) {
    const secret = str("PADDOCK_EXTERNAL_AUTH_SECRET");
    if (!secret || secret.length < 16) problems.push("PADDOCK_EXTERNAL_AUTH_SECRET: must be set (at least 16 characters) when PADDOCK_EXTERNAL_AUTH_RULES is set");
    let rules: unknown;
    try {
      rules = JSON.parse(rulesRaw);
    } catch (e) {
      problems.push(`PADDOCK_EXTERNAL_AUTH_RULES: must be a JSON list of rules (${(e as Error).message})`);
    }
    if (rules !== undefined) {
      const ruleProblem = externalRulesProblem(rules);
      if (ruleProblem) problems.push(`PADDOCK_EXTERNAL_AUTH_RULES: ${ruleProblem}`);
      else externalAuth = { header: (str("PADDOCK_EXTERNAL_AUTH_HEADER") ?? "x-paddock-identity").toLowerCase(), secret: secret ?? "", rules: rules as ExternalAuthRule[] };
    }
  }

  const settings: Settings = {
    JARVICE_JOBS_MULTI_TENANT: bool("JARVICE_JOBS_MULTI_TENANT", false),
    JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS: podLabels,
    JARVICE_JOBS_MULTI_TENANT_INGRESS_NS_LABELS: nsLabels,
    JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS: cidrs("JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS"),
    JARVICE_SYSTEM_NAMESPACE: system,
    JARVICE_JOBS_NAMESPACE: jobs,
    JARVICE_POD_SCHED_LOGLEVEL: int("JARVICE_POD_SCHED_LOGLEVEL", 30, 0, 50),
    vaultDefaults,
    port: int("PADDOCK_PORT", 8080, 0, 65535),
    host: str("PADDOCK_HOST") ?? "127.0.0.1",
    metricsPort: int("PADDOCK_METRICS_PORT", 9402, 0, 65535),
    dataDir: str("PADDOCK_DATA_DIR") ?? ".data",
    databaseUrl: str("DATABASE_URL"),
    pgPrepared: bool("PADDOCK_PG_PREPARED", true),
    dalHook: str("PADDOCK_DAL_HOOK"),
    dalHookTimeoutMs: int("PADDOCK_DAL_HOOK_TIMEOUT", 30, 1, 3600) * 1000,
    externalAuth,
    sessionTtlMs: int("PADDOCK_SESSION_TTL_HOURS", 12, 1, 24 * 90) * 3600 * 1000,
    secretKey: secretKeySetting(str("PADDOCK_SECRET_KEY"), problems),
    adminUser: str("PADDOCK_ADMIN_USER") ?? "root",
    simulated: {
      nodes: int("PADDOCK_SIM_NODES", 4, 1, 100_000),
      nodeCores: int("PADDOCK_SIM_NODE_CORES", 16, 1, 4096),
      nodeMemoryGb: int("PADDOCK_SIM_NODE_MEMORY_GB", 64, 1, 65536),
      startDelayMs: int("PADDOCK_SIM_START_DELAY_MS", 1000, 0, 600_000),
    },
    cluster: "simulated",
    kubeconfig: str("PADDOCK_KUBECONFIG") ?? str("KUBECONFIG"),
    roles: parseRoles(str("PADDOCK_ROLES"), problems),
    identity: str("POD_NAME") ?? str("HOSTNAME") ?? `paddock-${Math.random().toString(36).slice(2, 8)}`,
    leaderElection: bool("PADDOCK_LEADER_ELECTION", false),
  };
  const cluster = str("PADDOCK_CLUSTER") ?? "simulated";
  if (cluster === "simulated" || cluster === "kubernetes") settings.cluster = cluster;
  else problems.push(`PADDOCK_CLUSTER: must be 'simulated' or 'kubernetes', got '${cluster}'`);
  if (settings.cluster === "simulated" && (settings.roles.size !== ROLES.length)) {
    problems.push("PADDOCK_ROLES: the simulated cluster runs in one process with every role; split roles need PADDOCK_CLUSTER=kubernetes");
  }
  const dbUrl = settings.databaseUrl;
  if (dbUrl !== undefined && !/^postgres(ql)?:\/\//.test(dbUrl)) {
    problems.push("DATABASE_URL: must be a postgres:// or postgresql:// URL");
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return { settings, warnings };
}

function secretKeySetting(v: string | undefined, problems: string[]): Buffer | undefined {
  if (v === undefined) return undefined;
  const key = parseSecretKey(v);
  // the value is a secret: the problem does not repeat it
  if (!key) problems.push("PADDOCK_SECRET_KEY: must be 32 bytes written as 64 hex digits or as base64 (e.g. `openssl rand -hex 32`)");
  return key;
}

function namespaceProblem(ns: string): string | undefined {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns)) return "is not a valid namespace name (lower-case letters, digits and '-', at most 63)";
  if (ns.length > 63) return "is longer than 63 characters";
  return undefined;
}

export function cidrProblem(cidr: string): string | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  if (!m) return "is not a CIDR (address/prefix-length)";
  const family = isIP(m[1]!);
  if (family === 0) return "does not start with a valid IP address";
  const bits = Number(m[2]);
  const max = family === 4 ? 32 : 128;
  if (bits > max) return `has prefix length ${bits}, more than ${max}`;
  return undefined;
}

function externalRulesProblem(rules: unknown): string | undefined {
  if (!Array.isArray(rules)) return "must be a JSON list";
  for (const [i, r] of rules.entries()) {
    if (typeof r !== "object" || r === null) return `rule ${i} must be an object`;
    const rule = r as Record<string, unknown>;
    if (typeof rule.payer !== "string" || rule.payer === "") return `rule ${i} needs "payer" (a payer's user name)`;
    if (rule.emailDomain === undefined && rule.group === undefined) return `rule ${i} needs "emailDomain" or "group"`;
    // ruleFor relies on these types; an empty domain would match an e-mail ending in '@'.
    for (const k of ["emailDomain", "group"]) {
      if (rule[k] !== undefined && (typeof rule[k] !== "string" || rule[k] === "")) return `rule ${i}: "${k}" must be a non-empty string`;
    }
    if (rule.teamAdmin !== undefined && typeof rule.teamAdmin !== "boolean") return `rule ${i}: "teamAdmin" must be true or false`;
    for (const k of Object.keys(rule)) {
      if (!["payer", "emailDomain", "group", "teamAdmin"].includes(k)) return `rule ${i} has unknown key '${k}'`;
    }
  }
  return undefined;
}
