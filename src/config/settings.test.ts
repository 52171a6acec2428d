import { describe, expect, it } from "vitest";
import { cidrProblem, parseSettings, SettingsError } from "./settings";

type Env = Record<string, string | undefined>;

const settingsOf = (env: Env) => parseSettings(env).settings;
/** the problems parseSettings refuses `env` with */
const problemsOf = (env: Env): string[] => {
  try {
    parseSettings(env);
  } catch (e) {
    expect(e).toBeInstanceOf(SettingsError);
    return (e as SettingsError).problems;
  }
  throw new Error(`expected the settings ${JSON.stringify(env)} to be refused`);
};
const onlyProblem = (env: Env): string => {
  const problems = problemsOf(env);
  expect(problems).toHaveLength(1);
  return problems[0]!;
};

const POD = "JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS";
const NS = "JARVICE_JOBS_MULTI_TENANT_INGRESS_NS_LABELS";
const CIDRS = "JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS";
const SECRET = "0123456789abcdef";

describe("cluster and roles", () => {
  it("selects Kubernetes with a kubeconfig, and splits roles there", () => {
    const { settings } = parseSettings({ PADDOCK_CLUSTER: "kubernetes", KUBECONFIG: "/k", PADDOCK_ROLES: "pod-scheduler", POD_NAME: "sched-0" });
    expect(settings).toMatchObject({ cluster: "kubernetes", kubeconfig: "/k", identity: "sched-0" });
    expect([...settings.roles]).toEqual(["pod-scheduler"]);
  });

  it.each([
    [{ PADDOCK_CLUSTER: "nomad" }, /PADDOCK_CLUSTER: must be 'simulated' or 'kubernetes'/],
    [{ PADDOCK_CLUSTER: "kubernetes", PADDOCK_ROLES: "api,web" }, /PADDOCK_ROLES: must be a comma-separated list/],
    [{ PADDOCK_ROLES: "api" }, /PADDOCK_ROLES: the simulated cluster runs in one process/],
  ])("refuses %o naming the setting", (env, message) => {
    expect(() => parseSettings(env)).toThrow(message);
  });
});

describe("parseSettings defaults", () => {
  it("gives every setting its default from an empty environment, without warnings", () => {
    expect(parseSettings({})).toEqual({
      settings: {
        JARVICE_JOBS_MULTI_TENANT: false,
        JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS: undefined,
        JARVICE_JOBS_MULTI_TENANT_INGRESS_NS_LABELS: undefined,
        JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS: undefined,
        JARVICE_SYSTEM_NAMESPACE: "jarvice-system",
        JARVICE_JOBS_NAMESPACE: "jarvice-system-jobs",
        JARVICE_POD_SCHED_LOGLEVEL: 30,
        vaultDefaults: {},
        port: 8080,
        host: "127.0.0.1",
        metricsPort: 9402,
        dataDir: ".data",
        databaseUrl: undefined,
        pgPrepared: true,
        dalHook: undefined,
        dalHookTimeoutMs: 30_000,
        externalAuth: undefined,
        sessionTtlMs: 12 * 3600 * 1000,
        adminUser: "root",
        simulated: { nodes: 4, nodeCores: 16, nodeMemoryGb: 64, startDelayMs: 1000 },
        cluster: "simulated",
        kubeconfig: undefined,
        roles: new Set(["api", "k8s-scheduler", "pod-scheduler"]),
        identity: expect.stringMatching(/^paddock-[a-z0-9]+$/),
        leaderElection: false,
      },
      warnings: [],
    });
  });

  it("treats empty and blank values as unset", () => {
    const base = { HOSTNAME: "h" };
    expect(parseSettings({ ...base, JARVICE_SYSTEM_NAMESPACE: "", JARVICE_JOBS_MULTI_TENANT: "  ", [POD]: "", PADDOCK_PORT: " " })).toEqual(parseSettings(base));
  });

  it("trims values", () => {
    expect(settingsOf({ JARVICE_SYSTEM_NAMESPACE: " acme-sys ", PADDOCK_HOST: " 0.0.0.0 " })).toMatchObject({ JARVICE_SYSTEM_NAMESPACE: "acme-sys", host: "0.0.0.0" });
  });
});

describe("namespaces", () => {
  it("derives the jobs namespace from a custom system namespace", () => {
    expect(settingsOf({ JARVICE_SYSTEM_NAMESPACE: "acme-sys" })).toMatchObject({ JARVICE_SYSTEM_NAMESPACE: "acme-sys", JARVICE_JOBS_NAMESPACE: "acme-sys-jobs" });
  });

  it("keeps an explicit jobs namespace", () => {
    expect(settingsOf({ JARVICE_SYSTEM_NAMESPACE: "acme-sys", JARVICE_JOBS_NAMESPACE: "hpc" }).JARVICE_JOBS_NAMESPACE).toBe("hpc");
  });

  it.each(["Acme", "acme_sys", "-acme", "acme-", "acme.sys"])("refuses the invalid system namespace '%s', naming the setting", (ns) => {
    expect(onlyProblem({ JARVICE_SYSTEM_NAMESPACE: ns })).toMatch(new RegExp(`^JARVICE_SYSTEM_NAMESPACE: '${ns.replace(".", "\\.")}' is not a valid namespace name`));
  });

  it("refuses an invalid explicit jobs namespace, naming the setting", () => {
    expect(onlyProblem({ JARVICE_JOBS_NAMESPACE: "Jobs" })).toMatch(/^JARVICE_JOBS_NAMESPACE: 'Jobs' is not a valid namespace name/);
  });

  it("allows 63 characters and refuses 64", () => {
    expect(settingsOf({ JARVICE_JOBS_NAMESPACE: "j".repeat(63) }).JARVICE_JOBS_NAMESPACE).toHaveLength(63);
    expect(onlyProblem({ JARVICE_JOBS_NAMESPACE: "j".repeat(64) })).toMatch(/^JARVICE_JOBS_NAMESPACE: 'j+' is longer than 63 characters$/);
  });

  it("refuses a system namespace whose derived jobs namespace would be too long", () => {
    const system = "s".repeat(60);
    expect(onlyProblem({ JARVICE_SYSTEM_NAMESPACE: system })).toMatch(/^JARVICE_JOBS_NAMESPACE: 's+-jobs' \(the default, JARVICE_SYSTEM_NAMESPACE \+ '-jobs'; set it explicitly\) is longer than 63/);
    expect(settingsOf({ JARVICE_SYSTEM_NAMESPACE: system, JARVICE_JOBS_NAMESPACE: "jobs" }).JARVICE_JOBS_NAMESPACE).toBe("jobs");
  });
});

describe("booleans and integers", () => {
  it.each(["true", "TRUE", "True", "1", "yes", "YES"])("reads '%s' as true", (v) => {
    expect(settingsOf({ JARVICE_JOBS_MULTI_TENANT: v }).JARVICE_JOBS_MULTI_TENANT).toBe(true);
  });

  it.each(["false", "FALSE", "0", "no", "No"])("reads '%s' as false", (v) => {
    expect(settingsOf({ JARVICE_JOBS_MULTI_TENANT: v }).JARVICE_JOBS_MULTI_TENANT).toBe(false);
  });

  it.each(["maybe", "on", "2", "t"])("refuses '%s' as a boolean, naming the setting", (v) => {
    expect(onlyProblem({ JARVICE_JOBS_MULTI_TENANT: v })).toBe(`JARVICE_JOBS_MULTI_TENANT: must be true or false, got '${v}'`);
  });

  it("reads integers within their range", () => {
    expect(settingsOf({ JARVICE_POD_SCHED_LOGLEVEL: "10", PADDOCK_PORT: "0", PADDOCK_METRICS_PORT: "0", PADDOCK_DAL_HOOK_TIMEOUT: "5", PADDOCK_SESSION_TTL_HOURS: "1" })).toMatchObject({
      JARVICE_POD_SCHED_LOGLEVEL: 10,
      port: 0,
      metricsPort: 0,
      dalHookTimeoutMs: 5000,
      sessionTtlMs: 3600_000,
    });
  });

  it.each([
    ["JARVICE_POD_SCHED_LOGLEVEL", "51", "0 to 50"],
    ["JARVICE_POD_SCHED_LOGLEVEL", "-1", "0 to 50"],
    ["JARVICE_POD_SCHED_LOGLEVEL", "debug", "0 to 50"],
    ["PADDOCK_PORT", "65536", "0 to 65535"],
    ["PADDOCK_PORT", "80.5", "0 to 65535"],
    ["PADDOCK_METRICS_PORT", "65536", "0 to 65535"],
    ["PADDOCK_METRICS_PORT", "-1", "0 to 65535"],
    ["PADDOCK_METRICS_PORT", "metrics", "0 to 65535"],
    ["PADDOCK_DAL_HOOK_TIMEOUT", "0", "1 to 3600"],
    ["PADDOCK_SESSION_TTL_HOURS", "0", "1 to 2160"],
  ])("refuses %s=%s, naming the setting and the range", (k, v, range) => {
    expect(onlyProblem({ [k]: v })).toBe(`${k}: must be an integer from ${range}, got '${v}'`);
  });
});

describe("ingress labels", () => {
  it("reads pod labels, and warns that without namespace labels any namespace may reach jobs", () => {
    const { settings, warnings } = parseSettings({ [POD]: '{"app": "traefik"}' });
    expect(settings.JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS).toEqual({ app: "traefik" });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^${POD} is set without ${NS}: .*any namespace`));
  });

  it("reads pod and namespace labels together, without a warning", () => {
    const { settings, warnings } = parseSettings({ [POD]: '{"app.kubernetes.io/name": "ingress-nginx"}', [NS]: '{"kubernetes.io/metadata.name": "ingress"}' });
    expect(settings.JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS).toEqual({ "app.kubernetes.io/name": "ingress-nginx" });
    expect(settings.JARVICE_JOBS_MULTI_TENANT_INGRESS_NS_LABELS).toEqual({ "kubernetes.io/metadata.name": "ingress" });
    expect(warnings).toEqual([]);
  });

  it("refuses namespace labels without pod labels", () => {
    expect(onlyProblem({ [NS]: '{"name": "ingress"}' })).toBe(`${NS}: only applies together with ${POD}, which is unset`);
  });

  it("does not call malformed pod labels unset when namespace labels are given", () => {
    const problems = problemsOf({ [POD]: "{app: traefik}", [NS]: '{"name": "ingress"}' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${POD}: `));
  });

  it.each([POD, NS])("refuses malformed JSON in %s, naming the setting", (k) => {
    const env = { [POD]: '{"app": "traefik"}', [k]: "{app: traefik}" };
    const problem = onlyProblem(env);
    expect(problem.startsWith(`${k}: must be a JSON object of label names to values`)).toBe(true);
  });

  it.each(['["app", "traefik"]', '"traefik"', "42", "null", "[]"])("refuses %s, which is not a JSON object", (json) => {
    expect(onlyProblem({ [POD]: json })).toBe(`${POD}: must be a JSON object of label names to values, e.g. '{"app": "traefik"}' ('{}' when unset)`);
  });

  it.each([
    ['{"app": 1}', "label 'app' must have a string value"],
    ['{"app": "-traefik"}', "label 'app' value '-traefik' must consist of"],
    [`{"app": "${"t".repeat(64)}"}`, "must be at most 63 characters"],
    ['{"-app": "traefik"}', "label name '-app' is not a valid label name"],
    ['{"a/b/c": "traefik"}', "label name 'a/b/c' has more than one '/'"],
    ['{"Example.COM/app": "traefik"}', "label name 'Example.COM/app' has an invalid DNS prefix"],
  ])("refuses the labels %s, saying which", (json, problem) => {
    const p = onlyProblem({ [POD]: json });
    expect(p.startsWith(`${POD}: `)).toBe(true);
    expect(p).toContain(problem);
  });

  it("accepts an empty label value", () => {
    expect(settingsOf({ [POD]: '{"ingress": ""}' }).JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS).toEqual({ ingress: "" });
  });
});

describe("load balancer CIDRs", () => {
  it.each([
    ['["10.20.0.0/24"]', ["10.20.0.0/24"]],
    ['["10.20.0.0/24", "192.168.1.7/32", "0.0.0.0/0"]', ["10.20.0.0/24", "192.168.1.7/32", "0.0.0.0/0"]],
    ['["fd00::/8", "2001:db8::/128"]', ["fd00::/8", "2001:db8::/128"]],
  ])("reads %s", (json, cidrs) => {
    expect(settingsOf({ [CIDRS]: json }).JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS).toEqual(cidrs);
  });

  it.each([
    ["10.0.0.0/99", "has prefix length 99, more than 32"],
    ["fd00::/129", "has prefix length 129, more than 128"],
    ["not-a-cidr", "is not a CIDR (address/prefix-length)"],
    ["10.0.0.0", "is not a CIDR (address/prefix-length)"],
    ["10.0.0/8", "does not start with a valid IP address"],
    ["300.0.0.0/8", "does not start with a valid IP address"],
  ])("refuses '%s', naming the setting and the CIDR", (cidr, problem) => {
    expect(onlyProblem({ [CIDRS]: JSON.stringify([cidr]) })).toBe(`${CIDRS}: '${cidr}' ${problem}`);
  });

  it("names every bad CIDR in the list", () => {
    expect(problemsOf({ [CIDRS]: '["10.0.0.0/99", "10.1.0.0/16", "not-a-cidr", 7]' })).toEqual([
      `${CIDRS}: '10.0.0.0/99' has prefix length 99, more than 32`,
      `${CIDRS}: 'not-a-cidr' is not a CIDR (address/prefix-length)`,
      `${CIDRS}: '7' is not a string`,
    ]);
  });

  it.each(["10.20.0.0/24", '{"cidr": "10.20.0.0/24"}'])("refuses %s, which is not a JSON list", (v) => {
    expect(onlyProblem({ [CIDRS]: v })).toMatch(new RegExp(`^${CIDRS}: must be a JSON list of CIDRs`));
  });

  it("cidrProblem accepts valid IPv4 and IPv6 CIDRs", () => {
    expect(["10.20.0.0/24", "0.0.0.0/0", "::/0", "2001:db8::/32", "fe80::1/64"].map(cidrProblem)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});

describe("JARVICE's values-file forms", () => {
  // The environment the chart renders from a values file written as JARVICE writes it.
  const jarviceStyle = {
    JARVICE_JOBS_MULTI_TENANT: "false",
    [POD]: "{}",
    [NS]: "{}",
    [CIDRS]: "[]",
    JARVICE_POD_SCHED_LOGLEVEL: "30",
    JARVICE_IMAGES_TAG: "jarvice-master",
    JARVICE_LICENSE_LIC: "",
    JARVICE_REMOTE_API_URL: "https://api.jarvice.com",
    JARVICE_MAIL_SERVER: "jarvice-smtpd:25",
    JARVICE_CLUSTER_TYPE: "upstream",
    HOSTNAME: "h",
  };

  it("means the same as an empty environment: '{}' and '[]' are unset, unknown JARVICE keys are ignored", () => {
    expect(parseSettings(jarviceStyle)).toEqual(parseSettings({ HOSTNAME: "h" }));
  });

  it.each([
    [POD, "{ }"],
    [POD, " {\n} "],
    [NS, "{}"],
    [CIDRS, "[ ]"],
    [CIDRS, "[]"],
  ])("reads %s='%s' as unset", (k, v) => {
    const settings = settingsOf({ [k]: v });
    expect(settings[k as typeof POD | typeof NS | typeof CIDRS]).toBeUndefined();
  });

  it.each([
    ["false", false],
    ["FALSE", false],
    ["False", false],
    ["true", true],
    ["TRUE", true],
    [" True ", true],
  ])("reads the string boolean '%s' as %s", (v, b) => {
    expect(settingsOf({ JARVICE_JOBS_MULTI_TENANT: v }).JARVICE_JOBS_MULTI_TENANT).toBe(b);
  });

  it("reads the integer written as a string, and defaults the pod scheduler's level to JARVICE's 30", () => {
    expect(settingsOf({ JARVICE_POD_SCHED_LOGLEVEL: "10" }).JARVICE_POD_SCHED_LOGLEVEL).toBe(10);
    expect(settingsOf({ JARVICE_POD_SCHED_LOGLEVEL: "" }).JARVICE_POD_SCHED_LOGLEVEL).toBe(30);
  });

  it("reads real labels beside an empty '{}' namespace map, with the any-namespace warning", () => {
    const { settings, warnings } = parseSettings({ [POD]: '{"app": "traefik"}', [NS]: "{}", [CIDRS]: '["10.20.0.0/24"]' });
    expect(settings).toMatchObject({ [POD]: { app: "traefik" }, [NS]: undefined, [CIDRS]: ["10.20.0.0/24"] });
    expect(warnings).toHaveLength(1);
  });

  it("refuses namespace labels when the pod labels are '{}' (unset)", () => {
    expect(onlyProblem({ [POD]: "{}", [NS]: '{"name": "ingress"}' })).toBe(`${NS}: only applies together with ${POD}, which is unset`);
  });

  it.each([
    ["JARVICE_JOBS_MULTI_TENANT", "maybe", "JARVICE_JOBS_MULTI_TENANT: must be true or false, got 'maybe'"],
    ["JARVICE_JOBS_MULTI_TENANT", "flase", "JARVICE_JOBS_MULTI_TENANT: must be true or false, got 'flase'"],
    ["JARVICE_POD_SCHED_LOGLEVEL", "30.0", "JARVICE_POD_SCHED_LOGLEVEL: must be an integer from 0 to 50, got '30.0'"],
    [CIDRS, '[ "10.0.0.0/99" ]', `${CIDRS}: '10.0.0.0/99' has prefix length 99, more than 32`],
    [CIDRS, "[", `${CIDRS}: must be a JSON list of CIDRs`],
    [CIDRS, "{}", `${CIDRS}: must be a JSON list of CIDRs`],
    [POD, "{", `${POD}: must be a JSON object of label names to values`],
    [POD, '{"app": "-x"}', `${POD}: label 'app' value '-x' must consist of`],
  ])("still refuses the malformed %s='%s', naming the setting", (k, v, problem) => {
    expect(onlyProblem({ [k]: v })).toContain(problem);
  });
});

describe("vault defaults", () => {
  it("reads and normalizes the JARVICE_* vault defaults", () => {
    expect(
      settingsOf({
        JARVICE_PVC_VAULT_NAME: "persistent",
        JARVICE_PVC_VAULT_STORAGECLASS: "jarvice-user",
        JARVICE_PVC_VAULT_VOLUMENAME: "shared-pv",
        JARVICE_PVC_VAULT_ACCESSMODES: "ReadWriteOnce, ReadWriteOnce",
        JARVICE_PVC_VAULT_SIZE: "010",
        JARVICE_PVC_VAULT_SUBPATH: "%USER%",
        JARVICE_PVC_VAULT_ZONE: "3",
        JARVICE_EPHEMERAL_VAULT_ZONE: "-1",
        JARVICE_DAL_HOOK_META: "gold",
      }).vaultDefaults,
    ).toEqual({
      JARVICE_PVC_VAULT_NAME: "persistent",
      JARVICE_PVC_VAULT_STORAGECLASS: "jarvice-user",
      JARVICE_PVC_VAULT_VOLUMENAME: "shared-pv",
      JARVICE_PVC_VAULT_ACCESSMODES: "ReadWriteOnce",
      JARVICE_PVC_VAULT_SIZE: "10",
      JARVICE_PVC_VAULT_SUBPATH: "%USER%",
      JARVICE_PVC_VAULT_ZONE: "3",
      JARVICE_EPHEMERAL_VAULT_ZONE: "-1",
      JARVICE_DAL_HOOK_META: "gold",
    });
  });

  it.each([
    ["JARVICE_PVC_VAULT_SIZE", "0"],
    ["JARVICE_PVC_VAULT_SIZE", "-5"],
    ["JARVICE_PVC_VAULT_SIZE", "ten"],
    ["JARVICE_PVC_VAULT_ACCESSMODES", "ReadWriteSometimes"],
    ["JARVICE_PVC_VAULT_ZONE", "west"],
    ["JARVICE_EPHEMERAL_VAULT_ZONE", "1.5"],
    ["JARVICE_PVC_VAULT_NAME", "-vault"],
    ["JARVICE_PVC_VAULT_STORAGECLASS", "Fast_SSD"],
    ["JARVICE_PVC_VAULT_VOLUMENAME", "PV 1"],
    ["JARVICE_PVC_VAULT_SUBPATH", "../other-tenant/%USER%"],
    ["JARVICE_PVC_VAULT_SUBPATH", "home/%USER%/../.."],
    ["JARVICE_PVC_VAULT_SUBPATH", "/home/%USER%"],
    ["JARVICE_PVC_VAULT_ZONE", "4294967296"],
    ["JARVICE_EPHEMERAL_VAULT_ZONE", "-2"],
    ["JARVICE_EPHEMERAL_VAULT_ZONE", "0x10"],
  ])("refuses %s='%s', naming the setting", (k, v) => {
    expect(onlyProblem({ [k]: v })).toMatch(new RegExp(`^${k}: `));
  });

  it("names every bad vault default at once", () => {
    expect(problemsOf({ JARVICE_PVC_VAULT_SIZE: "0", JARVICE_EPHEMERAL_VAULT_ZONE: "x" }).map((p) => p.split(":")[0])).toEqual([
      "JARVICE_PVC_VAULT_SIZE",
      "JARVICE_EPHEMERAL_VAULT_ZONE",
    ]);
  });
});

describe("DATABASE_URL", () => {
  it.each(["postgres://u:p@db:5432/paddock", "postgresql://db/paddock"])("accepts %s", (url) => {
    expect(settingsOf({ DATABASE_URL: url }).databaseUrl).toBe(url);
  });

  it.each(["mysql://db/paddock", "db:5432", "http://db", "POSTGRES://db"])("refuses %s", (url) => {
    expect(onlyProblem({ DATABASE_URL: url })).toBe("DATABASE_URL: must be a postgres:// or postgresql:// URL");
  });
});

describe("external authentication", () => {
  const RULES = "PADDOCK_EXTERNAL_AUTH_RULES";
  const rules = (r: unknown) => ({ [RULES]: JSON.stringify(r), PADDOCK_EXTERNAL_AUTH_SECRET: SECRET });

  it("is off without rules, even with a secret", () => {
    expect(settingsOf({ PADDOCK_EXTERNAL_AUTH_SECRET: SECRET }).externalAuth).toBeUndefined();
  });

  it("reads the rules, the secret and the default header", () => {
    const list = [{ emailDomain: "acme.com", payer: "acme" }, { group: "hpc", payer: "hpc", teamAdmin: true }];
    expect(settingsOf(rules(list)).externalAuth).toEqual({ header: "x-paddock-identity", secret: SECRET, rules: list });
  });

  it("lower-cases a custom header name", () => {
    expect(settingsOf({ ...rules([{ group: "g", payer: "p" }]), PADDOCK_EXTERNAL_AUTH_HEADER: "X-Forwarded-Identity" }).externalAuth?.header).toBe("x-forwarded-identity");
  });

  it.each([
    ["missing", undefined],
    ["too short", "short"],
  ])("requires a secret of at least 16 characters (%s)", (_case, secret) => {
    expect(onlyProblem({ [RULES]: '[{"group": "g", "payer": "p"}]', PADDOCK_EXTERNAL_AUTH_SECRET: secret })).toBe(
      `PADDOCK_EXTERNAL_AUTH_SECRET: must be set (at least 16 characters) when ${RULES} is set`,
    );
  });

  it("refuses rules that are not JSON", () => {
    expect(onlyProblem({ [RULES]: "[{group: g}]", PADDOCK_EXTERNAL_AUTH_SECRET: SECRET })).toMatch(new RegExp(`^${RULES}: must be a JSON list of rules \\(`));
  });

  it.each([
    [{ group: "g", payer: "p" }, "must be a JSON list"],
    [null, "must be a JSON list"],
    [["acme"], 'rule 0 must be an object'],
    [[{ group: "g" }], 'rule 0 needs "payer" (a payer\'s user name)'],
    [[{ group: "g", payer: "" }], 'rule 0 needs "payer" (a payer\'s user name)'],
    [[{ group: "g", payer: 7 }], 'rule 0 needs "payer" (a payer\'s user name)'],
    [[{ group: "g", payer: "p" }, { payer: "p" }], 'rule 1 needs "emailDomain" or "group"'],
    [[{ emailDomain: 5, payer: "p" }], 'rule 0: "emailDomain" must be a non-empty string'],
    [[{ emailDomain: "", payer: "p" }], 'rule 0: "emailDomain" must be a non-empty string'],
    [[{ emailDomain: null, payer: "p" }], 'rule 0: "emailDomain" must be a non-empty string'],
    [[{ group: ["a"], payer: "p" }], 'rule 0: "group" must be a non-empty string'],
    [[{ group: "g", payer: "p", teamAdmin: "yes" }], 'rule 0: "teamAdmin" must be true or false'],
    [[{ group: "g", payer: "p", admin: true }], "rule 0 has unknown key 'admin'"],
  ])("refuses the rules %j: %s", (list, problem) => {
    expect(onlyProblem(rules(list))).toBe(`${RULES}: ${problem}`);
  });
});

describe("SettingsError", () => {
  it("lists every problem in its message, each naming its setting", () => {
    let error: unknown;
    try {
      parseSettings({ [POD]: "{bad", [CIDRS]: '["10.0.0.0/99"]', DATABASE_URL: "mysql://x", JARVICE_JOBS_MULTI_TENANT: "maybe" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const e = error as SettingsError;
    expect(e.name).toBe("SettingsError");
    expect(e.problems.map((p) => p.split(":")[0]).sort()).toEqual([CIDRS, POD, "DATABASE_URL", "JARVICE_JOBS_MULTI_TENANT"].sort());
    expect(e.message.startsWith("invalid settings:\n  ")).toBe(true);
    for (const p of e.problems) expect(e.message).toContain(p);
  });
});
