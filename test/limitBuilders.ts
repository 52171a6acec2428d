// Fluent builders for the admission-limits core, e.g.
//   aLimit().onPayer(acme).cpus(32).machine("n16", { jobs: 2 }).build()
//   aHeldJob(12).of(acme).by(bob).on("n16", 16).nodes(2).mL(24).build()
//   usage().of(acme).by(bob).on("n16", 16).nodes(1).build()
import type { AdmissionJob, Limit, MachineLimit, UsageRow } from "../src/core/limits";

/** A tenant as the builders name it: the payer's user id and name, and its billing code. */
export interface TenantRef {
  id: number;
  name: string;
  billingCode?: number | null;
}
export interface UserRef {
  id: number;
  name: string;
}

let nextLimitId = 1;

class LimitBuilder {
  private l: Limit = { id: nextLimitId++, scope: "payer", cpus: null, machines: {} };

  withId(id: number): this {
    this.l.id = id;
    return this;
  }
  onPayer(t: TenantRef): this {
    this.l = { ...this.l, scope: "payer", payerId: t.id, userId: null, billingFrom: null, billingTo: null };
    return this;
  }
  onBilling(from: number, to: number): this {
    this.l = { ...this.l, scope: "billing", payerId: null, userId: null, billingFrom: from, billingTo: to };
    return this;
  }
  teamDefault(t: TenantRef): this {
    this.l = { ...this.l, scope: "team", payerId: t.id, userId: null, billingFrom: null, billingTo: null };
    return this;
  }
  onUser(u: UserRef): this {
    this.l = { ...this.l, scope: "user", payerId: null, userId: u.id, billingFrom: null, billingTo: null };
    return this;
  }
  cpus(n: number | null): this {
    this.l.cpus = n;
    return this;
  }
  machine(type: string, m: MachineLimit = {}): this {
    this.l.machines = { ...this.l.machines, [type]: m };
    return this;
  }
  build(): Limit {
    return structuredClone(this.l);
  }
}

export const aLimit = () => new LimitBuilder();

class JobBuilder {
  private j: AdmissionJob;
  constructor(number: number) {
    this.j = { number, tenant: 1, tenantName: "acme", billingCode: null, owner: 1, ownerName: "acme", machine: "n16", cores: 16, nodes: 1, maxCpus: null };
  }
  /** the tenant; the owner becomes its payer unless by() says otherwise */
  of(t: TenantRef): this {
    this.j = { ...this.j, tenant: t.id, tenantName: t.name, billingCode: t.billingCode ?? null, owner: t.id, ownerName: t.name };
    return this;
  }
  by(u: UserRef): this {
    this.j = { ...this.j, owner: u.id, ownerName: u.name };
    return this;
  }
  on(machine: string, cores: number): this {
    this.j = { ...this.j, machine, cores };
    return this;
  }
  nodes(n: number): this {
    this.j.nodes = n;
    return this;
  }
  mL(maxCpus: number | null): this {
    this.j.maxCpus = maxCpus;
    return this;
  }
  build(): AdmissionJob {
    return { ...this.j };
  }
}

export const aHeldJob = (number: number) => new JobBuilder(number);

class UsageBuilder {
  private r: UsageRow = { tenant: 1, owner: 1, machine: "n16", cpus: 16, jobs: 1 };
  private cores = 16;
  private count = 1;
  private perJobNodes = 1;
  of(t: TenantRef): this {
    this.r = { ...this.r, tenant: t.id, owner: t.id };
    return this;
  }
  by(u: UserRef): this {
    this.r.owner = u.id;
    return this;
  }
  on(machine: string, cores: number): this {
    this.r.machine = machine;
    this.cores = cores;
    return this;
  }
  nodes(n: number): this {
    this.perJobNodes = n;
    return this;
  }
  /** this many released jobs like it */
  jobs(n: number): this {
    this.count = n;
    return this;
  }
  build(): UsageRow {
    return { ...this.r, jobs: this.count, cpus: this.count * this.cores * this.perJobNodes };
  }
}

export const usage = () => new UsageBuilder();
