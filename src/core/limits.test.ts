import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aHeldJob, aLimit, usage, type TenantRef, type UserRef } from "../../test/limitBuilders";
import { admit, beyondAdminLimit, cpuCap, decide, governing, refusal, type AdmissionJob, type Governing, type Limit, type MachineLimit, type UsageRow } from "./limits";

const acme: TenantRef = { id: 1, name: "acme", billingCode: 150 };
const beta: TenantRef = { id: 2, name: "beta", billingCode: 20 };
const bob: UserRef = { id: 11, name: "bob" };
const carol: UserRef = { id: 12, name: "carol" };

describe("which limits govern a job", () => {
  const paid = aLimit().onBilling(100, 199).cpus(64).build();
  const wide = aLimit().onBilling(0, 1000).cpus(8).build();
  const acmeOwn = aLimit().onPayer(acme).cpus(32).build();
  const team = aLimit().teamDefault(acme).cpus(16).build();
  const bobOwn = aLimit().onUser(bob).cpus(4).build();
  const keys = (g: Governing[]) => g.map((x) => [x.key, x.limit.id]);

  it("a payer's own limit overrides its billing range's; the narrowest range covering the code governs otherwise", () => {
    const job = aHeldJob(1).of(acme).by(bob).build();
    expect(keys(governing(job, [wide, paid, acmeOwn]))).toEqual([["tenant:1", acmeOwn.id]]);
    expect(keys(governing(job, [wide, paid]))).toEqual([["tenant:1", paid.id]]);
    expect(keys(governing(aHeldJob(2).of(beta).build(), [wide, paid]))).toEqual([["tenant:2", wide.id]]);
    expect(governing(aHeldJob(3).of({ id: 3, name: "nocode", billingCode: null }).build(), [wide, paid])).toEqual([]);
  });

  it("a user's own limit overrides the team default; the team default governs each user of the team", () => {
    expect(keys(governing(aHeldJob(1).of(acme).by(bob).build(), [team, bobOwn]))).toEqual([["user:11", bobOwn.id]]);
    expect(keys(governing(aHeldJob(2).of(acme).by(carol).build(), [team, bobOwn]))).toEqual([["user:12", team.id]]);
    expect(governing(aHeldJob(3).of(beta).build(), [team, bobOwn])).toEqual([]);
  });

  it("both at once: the tenant's administrator limit, then the user's own; labels say which", () => {
    const g = governing(aHeldJob(1).of(acme).by(carol).build(), [paid, team]);
    expect(g.map((x) => x.label)).toEqual(["tenant acme (billing codes 100-199)", "user carol (team default)"]);
  });

  it("mL: a CPU limit applies as min(limit, the cluster's mL); no CPU limit stays none", () => {
    expect(cpuCap({ maxCpus: 24 }, { cpus: 32 })).toBe(24);
    expect(cpuCap({ maxCpus: 48 }, { cpus: 32 })).toBe(32);
    expect(cpuCap({ maxCpus: 24 }, { cpus: null })).toBe(Infinity);
  });
});

describe("refusal: jobs that can never fit", () => {
  const govs = (job: AdmissionJob, ...limits: Limit[]) => governing(job, limits);

  it("a machine type the limit does not list", () => {
    const job = aHeldJob(1).of(acme).on("n16", 16).build();
    expect(refusal(job, govs(job, aLimit().onPayer(acme).machine("n4").machine("n8").build()))).toEqual({
      field: "machine.type",
      problem: "machine type 'n16' is not available under the limits of tenant acme (allowed: n4, n8)",
    });
    expect(refusal(job, govs(job, aLimit().onPayer(acme).machine("n16").build()))).toBeUndefined();
    expect(refusal(job, govs(job, aLimit().onPayer(acme).machine("n16", { jobs: 0 }).build()))?.field).toBe("machine.type");
  });

  it("more nodes than the type allows per job", () => {
    const job = aHeldJob(1).of(acme).by(bob).on("n8", 8).nodes(3).build();
    const r = refusal(job, govs(job, aLimit().onUser(bob).machine("n8", { nodes: 2 }).build()));
    expect(r).toEqual({ field: "machine.nodes", problem: "3 is more than the 2 node(s) per job of machine type 'n8' allowed by the limits of user bob" });
    expect(refusal(aHeldJob(2).of(acme).by(bob).on("n8", 8).nodes(2).build(), govs(job, aLimit().onUser(bob).machine("n8", { nodes: 2 }).build()))).toBeUndefined();
  });

  it("more CPUs than the limit (after mL)", () => {
    const job = aHeldJob(1).of(acme).on("n16", 16).nodes(3).build();
    expect(refusal(job, govs(job, aLimit().onPayer(acme).cpus(32).build()))?.problem).toBe("the job's 48 CPUs (3 x 16 cores of 'n16') are more than the 32-CPU limit of tenant acme");
    expect(refusal(job, govs(job, aLimit().onPayer(acme).cpus(48).build()))).toBeUndefined();
    const capped = aHeldJob(2).of(acme).on("n16", 16).nodes(2).mL(24).build();
    expect(refusal(capped, govs(capped, aLimit().onPayer(acme).cpus(48).build()))?.problem).toContain("24-CPU limit (the cluster's mL) of tenant acme");
  });
});

describe("admit: release in submission order per limit", () => {
  const a32 = aLimit().onPayer(acme).cpus(32).build();
  const job16 = (n: number, u: UserRef | TenantRef = acme) => aHeldJob(n).of(acme).by(u).on("n16", 16).build();

  it("the spec's example: a 32-CPU tenant submits five 16-CPU jobs; two go, the others as each ends; another tenant is unaffected", () => {
    const five = [1, 2, 3, 4, 5].map((n) => job16(n));
    const other = aHeldJob(6).of(beta).on("n16", 16).build();
    expect(admit([...five, other], [], [a32])).toEqual([1, 2, 6]);
    const running = (n: number) => usage().of(acme).on("n16", 16).jobs(n).build();
    expect(admit(five.slice(2), [running(2)], [a32])).toEqual([]);
    expect(admit(five.slice(2), [running(1)], [a32])).toEqual([3]);
    const d = decide(five.slice(2), [running(1)], [a32]);
    expect(d.waiting.get(4)).toBe("Waiting for limits: tenant acme at 32 of 32 CPUs");
    expect(d.waiting.get(5)).toBe("Waiting for limits: tenant acme at 32 of 32 CPUs");
  });

  it("an older job that does not fit holds the younger ones of its limit, even ones that would fit", () => {
    const big = aHeldJob(1).of(acme).on("n16", 16).nodes(2).build();
    const small = aHeldJob(2).of(acme).on("n4", 4).build();
    const d = decide([small, big], [usage().of(acme).on("n8", 8).build()], [a32]);
    expect(d.released).toEqual([]);
    expect(d.waiting.get(2)).toBe("Waiting for limits: tenant acme, behind job 1");
  });

  it("a job held only by its user's limit does not hold other users of the tenant", () => {
    const team = aLimit().teamDefault(acme).cpus(16).build();
    const held = [job16(1, bob), job16(2, carol), job16(3, bob)];
    const d = decide(held, [usage().of(acme).by(bob).on("n16", 16).build()], [aLimit().onPayer(acme).cpus(64).build(), team]);
    expect(d.released).toEqual([2]);
    expect(d.waiting.get(1)).toBe("Waiting for limits: user bob (team default) at 16 of 16 CPUs");
    expect(d.waiting.get(3)).toBe("Waiting for limits: user bob (team default) at 16 of 16 CPUs");
  });

  it("per machine type: at most N jobs of the type at once; other types are not counted against it", () => {
    const lim = aLimit().onPayer(acme).machine("n16", { jobs: 1 }).machine("n4", {}).build();
    const held = [job16(1), aHeldJob(2).of(acme).on("n4", 4).build(), job16(3)];
    expect(admit(held, [], [lim])).toEqual([1, 2]);
    expect(decide(held, [], [lim]).waiting.get(3)).toBe("Waiting for limits: tenant acme at 1 of 1 'n16' jobs");
  });

  it("mL: the CPU limit of a job on a capped cluster is the cluster's mL", () => {
    const held = [aHeldJob(1).of(acme).on("n8", 8).mL(8).build(), aHeldJob(2).of(acme).on("n8", 8).mL(8).build()];
    expect(admit(held, [], [a32])).toEqual([1]);
  });

  it("jobs that can never fit (a limit lowered after they were submitted) neither go nor hold anyone", () => {
    const huge = aHeldJob(1).of(acme).on("n16", 16).nodes(4).build();
    const d = decide([huge, job16(2)], [], [a32]);
    expect(d.released).toEqual([2]);
    expect(d.refused.get(1)?.field).toBe("machine.nodes");
  });

  it("no limits: every held job goes", () => {
    expect(admit([job16(1), job16(2)], [usage().of(acme).jobs(100).build()], [])).toEqual([1, 2]);
  });
});

describe("self-service limits live inside the administrator limit", () => {
  const admin = aLimit().onPayer(acme).cpus(32).machine("n8", { jobs: 4, nodes: 2 }).build();
  it("names the field that asks for more", () => {
    expect(beyondAdminLimit({ cpus: 64 }, admin, "tenant acme")?.field).toBe("cpus");
    expect(beyondAdminLimit({ machines: { n16: {} } }, admin, "tenant acme")?.field).toBe("machines.n16");
    expect(beyondAdminLimit({ machines: { n8: { jobs: 5 } } }, admin, "tenant acme")?.field).toBe("machines.n8.jobs");
    expect(beyondAdminLimit({ machines: { n8: { nodes: 3 } } }, admin, "tenant acme")?.field).toBe("machines.n8.nodes");
  });
  it("lower or equal is fine, and so is anything without an administrator limit", () => {
    expect(beyondAdminLimit({ cpus: 32, machines: { n8: { jobs: 4, nodes: 2 } } }, admin, "tenant acme")).toBeUndefined();
    expect(beyondAdminLimit({ cpus: null }, admin, "tenant acme")).toBeUndefined();
    expect(beyondAdminLimit({ cpus: 1000, machines: { any: { jobs: 99 } } }, undefined, "tenant acme")).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests against a brute-force reference: every subset of the held jobs is tried against
// the rule as the spec states it, declaratively; exactly one subset satisfies it, and admit must
// return that one.

const MACHINES = { n4: { cores: 4, cluster: 0 }, n8: { cores: 8, cluster: 0 }, n16: { cores: 16, cluster: 1 } } as const;
type Type = keyof typeof MACHINES;
const TYPES = Object.keys(MACHINES) as Type[];
const TENANTS: TenantRef[] = [
  { id: 1, name: "t1", billingCode: 5 },
  { id: 2, name: "t2", billingCode: 50 },
];
const USERS = [1, 2, 3, 4].map((i) => ({ id: 10 + i, name: `u${i}`, tenant: TENANTS[(i - 1) % 2]! }));

interface World {
  held: AdmissionJob[];
  usage: UsageRow[];
  limits: Limit[];
}

const ruleArb = fc.record({
  cpus: fc.option(fc.constantFrom(0, 8, 16, 24, 32, 48), { nil: null }),
  // often empty (every type available), else the types listed, each with or without its counts
  machines: fc.oneof(
    fc.constant({} as Record<string, MachineLimit>),
    fc.dictionary(fc.constantFrom(...TYPES), fc.record({ jobs: fc.integer({ min: 0, max: 3 }), nodes: fc.integer({ min: 1, max: 3 }) }, { requiredKeys: [] }), { maxKeys: 3 }),
  ),
});

const worldArb: fc.Arbitrary<World> = fc
  .record({
    mL: fc.tuple(fc.option(fc.constantFrom(8, 16, 32), { nil: null }), fc.option(fc.constantFrom(16, 40), { nil: null })),
    payer: fc.array(fc.tuple(fc.constantFrom(...TENANTS), ruleArb), { maxLength: 2 }),
    billing: fc.array(fc.tuple(fc.constantFrom([0, 9], [0, 99], [40, 60]), ruleArb), { maxLength: 2 }),
    team: fc.array(fc.tuple(fc.constantFrom(...TENANTS), ruleArb), { maxLength: 2 }),
    user: fc.array(fc.tuple(fc.constantFrom(...USERS), ruleArb), { maxLength: 3 }),
    held: fc.array(fc.record({ user: fc.constantFrom(...USERS), type: fc.constantFrom(...TYPES), nodes: fc.integer({ min: 1, max: 3 }) }), { maxLength: 8 }),
    running: fc.array(fc.record({ user: fc.constantFrom(...USERS), type: fc.constantFrom(...TYPES), nodes: fc.integer({ min: 1, max: 2 }) }), { maxLength: 4 }),
  })
  .map((w) => {
    let id = 1;
    const limits: Limit[] = [];
    const seen = new Set<string>();
    const add = (key: string, l: Limit) => {
      if (seen.has(key)) return; // one limit per scope key, as the unique indexes say
      seen.add(key);
      limits.push(l);
    };
    for (const [t, r] of w.payer) add(`p${t.id}`, { id: id++, scope: "payer", payerId: t.id, ...r });
    for (const [[from, to], r] of w.billing) add(`b${from}-${to}`, { id: id++, scope: "billing", billingFrom: from!, billingTo: to!, ...r });
    for (const [t, r] of w.team) add(`t${t.id}`, { id: id++, scope: "team", payerId: t.id, ...r });
    for (const [u, r] of w.user) add(`u${u.id}`, { id: id++, scope: "user", userId: u.id, ...r });
    const held = w.held.map((h, i) => {
      const m = MACHINES[h.type];
      return aHeldJob(100 + i).of(h.user.tenant).by(h.user).on(h.type, m.cores).nodes(h.nodes).mL(w.mL[m.cluster] ?? null).build();
    });
    const usageRows = w.running.map((r) => usage().of(r.user.tenant).by(r.user).on(r.type, MACHINES[r.type].cores).nodes(r.nodes).build());
    return { held, usage: usageRows, limits };
  });

/** The rule, written independently of decide(): usage before job j, fits, "held because of". */
function satisfiesRule(w: World, released: Set<number>): boolean {
  const jobs = [...w.held].sort((a, b) => a.number - b.number);
  const govs = new Map(jobs.map((j) => [j.number, governing(j, w.limits)]));
  const inScope = (key: string, tenant: number, owner: number) => key === `tenant:${tenant}` || key === `user:${owner}`;
  const usedBefore = (j: AdmissionJob, key: string) => {
    let cpus = 0;
    const byType: Record<string, number> = {};
    const count = (machine: string, c: number, n: number) => {
      cpus += c;
      byType[machine] = (byType[machine] ?? 0) + n;
    };
    for (const r of w.usage) if (inScope(key, r.tenant, r.owner)) count(r.machine, r.cpus, r.jobs);
    for (const i of jobs) if (i.number < j.number && released.has(i.number) && inScope(key, i.tenant, i.owner)) count(i.machine, i.cores * i.nodes, 1);
    return { cpus, byType };
  };
  const fits = (j: AdmissionJob, g: Governing) => {
    const u = usedBefore(j, g.key);
    const cap = g.limit.cpus == null ? Infinity : Math.min(g.limit.cpus, j.maxCpus ?? Infinity);
    const max = g.limit.machines?.[j.machine]?.jobs;
    return u.cpus + j.cores * j.nodes <= cap && (max === undefined || (u.byType[j.machine] ?? 0) + 1 <= max);
  };
  const never = (j: AdmissionJob) => refusal(j, govs.get(j.number)!) !== undefined;
  const heldBecause = (i: AdmissionJob, key: string) => !released.has(i.number) && !never(i) && govs.get(i.number)!.some((g) => g.key === key && !fits(i, g));
  const queuedBehind = (j: AdmissionJob, key: string) => jobs.some((i) => i.number < j.number && heldBecause(i, key));
  return jobs.every((j) => {
    const gs = govs.get(j.number)!;
    const free = gs.every((g) => fits(j, g) && !queuedBehind(j, g.key));
    return released.has(j.number) ? !never(j) && free : never(j) || !free;
  });
}

function bruteForce(w: World): number[][] {
  const n = w.held.length;
  const out: number[][] = [];
  for (let mask = 0; mask < 1 << n; mask++) {
    const set = new Set(w.held.filter((_, i) => mask & (1 << i)).map((j) => j.number));
    if (satisfiesRule(w, set)) out.push([...set].sort((a, b) => a - b));
  }
  return out;
}

describe("admit, property-tested", () => {
  it("returns the one set of jobs the rule allows (brute force over every subset)", () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const expected = bruteForce(w);
        expect(expected).toHaveLength(1);
        expect(admit(w.held, w.usage, w.limits)).toEqual(expected[0]);
      }),
      { numRuns: 400 },
    );
  });

  it("never takes a scope past a limit: each released job fits with every older release counted", () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const released = admit(w.held, w.usage, w.limits);
        const rel = w.held.filter((j) => released.includes(j.number)).sort((a, b) => a.number - b.number);
        for (const j of rel) {
          for (const g of governing(j, w.limits)) {
            const mine = (t: number, o: number) => g.key === `tenant:${t}` || g.key === `user:${o}`;
            const before = [...w.usage.filter((r) => mine(r.tenant, r.owner)).map((r) => ({ cpus: r.cpus, type: r.machine, n: r.jobs })), ...rel.filter((i) => i.number <= j.number && mine(i.tenant, i.owner)).map((i) => ({ cpus: i.cores * i.nodes, type: i.machine, n: 1 }))];
            expect(before.reduce((s, x) => s + x.cpus, 0)).toBeLessThanOrEqual(cpuCap(j, g.limit));
            const max = g.limit.machines?.[j.machine]?.jobs;
            if (max !== undefined) expect(before.filter((x) => x.type === j.machine).reduce((s, x) => s + x.n, 0)).toBeLessThanOrEqual(max);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("releases in submission order per limit: no released job has an older job of the same scope still waiting for that scope", () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const d = decide(w.held, w.usage, w.limits);
        for (const n of d.released) {
          const j = w.held.find((x) => x.number === n)!;
          for (const g of governing(j, w.limits)) {
            const older = w.held.filter((i) => i.number < n && d.waiting.has(i.number) && governing(i, w.limits).some((h) => h.key === g.key));
            // an older job of the scope may still wait, but then not because of this scope (its text names another)
            for (const i of older) expect(d.waiting.get(i.number)).not.toContain(`${g.label} at`);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("is independent of the order the held jobs come in", () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        expect(admit([...w.held].reverse(), w.usage, w.limits)).toEqual(admit(w.held, w.usage, w.limits));
      }),
      { numRuns: 100 },
    );
  });
});
