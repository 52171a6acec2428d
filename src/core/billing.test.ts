import { describe, expect, it } from "vitest";
import { billingCsv, csvField, dateSeconds, inPeriod, periodOf, runHours, usageOf, type UsageJob } from "./billing";

const t = (iso: string) => Date.parse(iso) / 1000;

// A finished job of `nodes` x `cores`-core machines priced per node-hour, from `start` to `end`.
class UsageJobBuilder {
  private j: UsageJob = { number: 1, name: "jarvice-job-1", user: "ann", payer: "acme", billingCode: 0, app: "demo", machine: "n4", zone: 0, status: "COMPLETED", nodes: 1, cores: 4, price: 0, submitTime: t("2026-03-01T00:00:00Z"), startTime: 0, endTime: 0 };
  number(n: number): this {
    this.j.number = n;
    this.j.name = `jarvice-job-${n}`;
    return this;
  }
  by(user: string, payer: string): this {
    Object.assign(this.j, { user, payer });
    return this;
  }
  on(machine: string, cores: number, price: number, nodes = 1): this {
    Object.assign(this.j, { machine, cores, price, nodes });
    return this;
  }
  ran(start: string, end?: string): this {
    this.j.startTime = t(start);
    this.j.endTime = end ? t(end) : 0;
    this.j.submitTime = this.j.startTime - 60;
    return this;
  }
  submitted(at: string): this {
    this.j.submitTime = t(at);
    return this;
  }
  build(): UsageJob {
    return { ...this.j };
  }
}
const aJob = (n = 1) => new UsageJobBuilder().number(n);
const NOW = t("2026-04-15T12:00:00Z");
const MARCH = { start: t("2026-03-01T00:00:00Z"), end: t("2026-04-01T00:00:00Z") };

describe("periodOf", () => {
  const now = new Date("2026-04-15T12:00:00Z");
  it.each([
    [{ timeperiod: "last" }, MARCH],
    [{ timeperiod: "current" }, { start: t("2026-04-01T00:00:00Z"), end: t("2026-05-01T00:00:00Z") }],
    [{ timeperiod: "range", startdate: "2026-03-01", enddate: "2026-03-31" }, MARCH],
    [{ startdate: "2026-03-01", enddate: "2026-03-31" }, MARCH],
    [{}, undefined],
  ])("%j", (q, expected) => {
    expect(periodOf(q, now)).toEqual({ ok: true, value: expected });
  });
  it("last month of January is December of the year before", () => {
    expect(periodOf({ timeperiod: "last" }, new Date("2026-01-10T00:00:00Z"))).toEqual({ ok: true, value: { start: t("2025-12-01T00:00:00Z"), end: t("2026-01-01T00:00:00Z") } });
  });
  it.each([
    [{ timeperiod: "week" }, "timeperiod"],
    [{ timeperiod: "range", enddate: "2026-03-31" }, "startdate"],
    [{ timeperiod: "range", startdate: "2026-03-01" }, "enddate"],
    [{ startdate: "2026-02-30", enddate: "2026-03-31" }, "startdate"],
    [{ startdate: "2026-03-01", enddate: "31/03/2026" }, "enddate"],
    [{ startdate: "2026-03-02", enddate: "2026-03-01" }, "enddate"],
  ])("%j names %s", (q, field) => {
    const p = periodOf(q, now);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.field).toBe(field);
  });
  it("dateSeconds refuses dates that do not exist", () => {
    expect(dateSeconds("2024-02-29")).toBe(t("2024-02-29T00:00:00Z"));
    expect(dateSeconds("2026-02-29")).toBeUndefined();
    expect(dateSeconds("2026-3-1")).toBeUndefined();
  });
});

describe("runHours and inPeriod", () => {
  it("counts the run clipped to the period; a running job runs until now", () => {
    const across = aJob().ran("2026-02-28T22:00:00Z", "2026-03-01T03:00:00Z").build();
    expect(runHours(across, MARCH, NOW)).toBe(3);
    expect(runHours(across, undefined, NOW)).toBe(5);
    const running = aJob().ran("2026-04-15T10:30:00Z").build();
    expect(runHours(running, undefined, NOW)).toBe(1.5);
    expect(runHours(aJob().build(), undefined, NOW)).toBe(0);
  });
  it("includes jobs that ran in the period, and never-started ones submitted in it", () => {
    expect(inPeriod(aJob().ran("2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z").build(), MARCH, NOW)).toBe(false);
    expect(inPeriod(aJob().ran("2026-03-31T23:00:00Z", "2026-04-01T01:00:00Z").build(), MARCH, NOW)).toBe(true);
    expect(inPeriod(aJob().ran("2026-04-01T00:00:00Z", "2026-04-01T01:00:00Z").build(), MARCH, NOW)).toBe(false);
    expect(inPeriod(aJob().submitted("2026-03-10T00:00:00Z").build(), MARCH, NOW)).toBe(true);
    expect(inPeriod(aJob().submitted("2026-04-10T00:00:00Z").build(), MARCH, NOW)).toBe(false);
  });
  it("core-hours are nodes x cores x hours; cost is nodes x price per node-hour x hours", () => {
    const j = aJob().on("n16", 16, 2.5, 3).ran("2026-03-02T00:00:00Z", "2026-03-02T02:30:00Z").build();
    expect(usageOf(j, MARCH, NOW)).toEqual({ hours: 2.5, nodeHours: 7.5, coreHours: 120, cost: 18.75 });
  });
});

describe("billingCsv", () => {
  const jobs = [
    aJob(1).by("ann", "acme").on("n4", 4, 1, 2).ran("2026-03-01T00:00:00Z", "2026-03-01T01:00:00Z").build(), // 2 node-h, 8 core-h, 2
    aJob(2).by("ann", "acme").on("n4", 4, 1, 1).ran("2026-03-05T00:00:00Z", "2026-03-05T00:30:00Z").build(), // 0.5 node-h, 2 core-h, 0.5
    aJob(3).by("bob", "bravo").on("n16", 16, 3, 1).ran("2026-03-10T00:00:00Z", "2026-03-10T02:00:00Z").build(), // 2 node-h, 32 core-h, 6
    aJob(4).by("bob", "bravo").on("n16", 16, 3, 1).ran("2026-04-10T00:00:00Z", "2026-04-10T02:00:00Z").build(), // April: out
  ];
  it("summarizes per payer, user and machine type, with a total", () => {
    expect(billingCsv(jobs, { itemized: false, period: MARCH, now: NOW }).split("\r\n")).toEqual([
      "payer,user,billing_code,machine_type,jobs,node_hours,core_hours,cost",
      "acme,ann,0,n4,2,2.5,10,2.5",
      "bravo,bob,0,n16,1,2,32,6",
      "TOTAL,,,,3,4.5,42,8.5",
      "",
    ]);
  });
  it("itemized: one line per job with its times in UTC", () => {
    const lines = billingCsv(jobs, { itemized: true, period: undefined, now: NOW }).trimEnd().split("\r\n");
    expect(lines).toHaveLength(6);
    expect(lines[1]).toBe("1,jarvice-job-1,acme,ann,0,demo,n4,0,COMPLETED,2,4,1,2026-02-28T23:59:00Z,2026-03-01T00:00:00Z,2026-03-01T01:00:00Z,1,2,8,2");
    expect(lines[5]).toBe("TOTAL,,,,,,,,,,,,,,,5.5,6.5,74,14.5");
  });
  it("quotes fields holding commas, quotes or line breaks", () => {
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField("plain")).toBe("plain");
    expect(csvField("x\ny")).toBe('"x\ny"');
  });
});
