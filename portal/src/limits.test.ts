import { describe, expect, it } from "vitest";
import { allowedMachineTypes, checkLimitForm, cpuUsageText, cpusWithin, emptyForm, formOf, limitBody, machineUsageLines, machinesText, targetText, type Limit } from "./limits";

const acme: Limit = { id: 1, scope: "payer", payer: "acme", cpus: 32, machines: { n4: { jobs: 2, nodes: 4 }, n16: {} } };

describe("the Limits form", () => {
  it("puts each scope's target, and only it, into the PUT body", () => {
    const f = { ...emptyForm("payer"), payer: " acme ", user: "wile", billingFrom: "1", billingTo: "9", cpus: "32" };
    expect(limitBody(f)).toEqual({ scope: "payer", payer: "acme", cpus: 32, machines: {} });
    expect(limitBody({ ...f, scope: "team" })).toEqual({ scope: "team", payer: "acme", cpus: 32, machines: {} });
    expect(limitBody({ ...f, scope: "user" })).toEqual({ scope: "user", user: "wile", cpus: 32, machines: {} });
    expect(limitBody({ ...f, scope: "billing" })).toEqual({ scope: "billing", billingFrom: 1, billingTo: 9, cpus: 32, machines: {} });
  });

  it("sends an empty CPU field as null (no CPU limit) and leaves non-integers as typed, for the API to name", () => {
    expect(limitBody({ ...emptyForm("payer", "acme"), cpus: "" }).cpus).toBeNull();
    expect(limitBody({ ...emptyForm("payer", "acme"), cpus: "lots" }).cpus).toBe("lots");
    expect(limitBody({ ...emptyForm("payer", "acme"), cpus: "-3" }).cpus).toBe(-3);
    expect(limitBody({ ...emptyForm("billing"), billingFrom: "1.5", billingTo: "2" })).toMatchObject({ billingFrom: "1.5", billingTo: 2 });
  });

  it("turns machine rows into the machines map, leaving out empty numbers and empty rows", () => {
    const body = limitBody({
      ...emptyForm("payer", "acme"),
      machines: [
        { type: "n4", jobs: "2", nodes: "" },
        { type: "n16", jobs: "", nodes: "1" },
        { type: "n8", jobs: "", nodes: "" },
        { type: "", jobs: "", nodes: "" },
      ],
    });
    expect(body.machines).toEqual({ n4: { jobs: 2 }, n16: { nodes: 1 }, n8: {} });
  });

  it("edits a stored limit: the form of a limit gives back its body", () => {
    expect(limitBody(formOf(acme))).toEqual({ scope: "payer", payer: "acme", cpus: 32, machines: { n4: { jobs: 2, nodes: 4 }, n16: {} } });
    const billing: Limit = { id: 2, scope: "billing", billingFrom: 10, billingTo: 19, cpus: null, machines: {} };
    expect(limitBody(formOf(billing))).toEqual({ scope: "billing", billingFrom: 10, billingTo: 19, cpus: null, machines: {} });
  });

  it("names the machines field when a row has numbers but no type, or a type twice", () => {
    expect(checkLimitForm({ ...emptyForm("user"), machines: [{ type: "", jobs: "1", nodes: "" }] })).toEqual({ machines: "machines: choose the machine type of every row" });
    expect(checkLimitForm({ ...emptyForm("user"), machines: [{ type: "n4", jobs: "1", nodes: "" }, { type: "n4", jobs: "", nodes: "2" }] })).toEqual({ machines: "machines: n4 is listed twice" });
    expect(checkLimitForm({ ...emptyForm("user"), machines: [{ type: "n4", jobs: "1", nodes: "" }, { type: "", jobs: "", nodes: "" }] })).toEqual({});
  });
});

describe("the Limits sentences", () => {
  it("say whom a limit governs", () => {
    expect(targetText(acme)).toBe("payer acme (whole tenant)");
    expect(targetText({ scope: "billing", billingFrom: 1, billingTo: 9 })).toBe("billing codes 1 to 9");
    expect(targetText({ scope: "billing", billingFrom: 5, billingTo: 5 })).toBe("billing code 5");
    expect(targetText({ scope: "team", payer: "acme" })).toBe("each user of acme's team");
    expect(targetText({ scope: "user", user: "wile" })).toBe("user wile");
  });

  it("say what the machine types allow", () => {
    expect(machinesText({})).toBe("any machine type");
    expect(machinesText(acme.machines)).toBe("only n4: at most 2 jobs at once, at most 4 nodes per job; n16: allowed");
    expect(machinesText({ n8: { jobs: 1 } })).toBe("only n8: at most 1 job at once");
  });

  it("show usage against the limit", () => {
    const g = { limit: acme, usage: { cpus: 16, jobs: { n4: 1 } }, held: 3 };
    expect(cpuUsageText(g)).toBe("16 of 32 CPUs in use");
    expect(cpuUsageText({ ...g, limit: { ...acme, cpus: null } })).toBe("16 CPUs in use (no CPU limit)");
    expect(cpuUsageText({ ...g, limit: null })).toBe("16 CPUs in use (no CPU limit)");
    expect(machineUsageLines(g)).toEqual(["n4: 1 of 2 jobs released, at most 4 nodes per job", "n16: 0 jobs released (no job limit)"]);
  });

  it("offer self-service limits only what the administrator limit allows", () => {
    expect(allowedMachineTypes(acme, ["n4", "n8", "n16"])).toEqual(["n4", "n16"]);
    expect(allowedMachineTypes({ ...acme, machines: {} }, ["n4", "n8"])).toEqual(["n4", "n8"]);
    expect(allowedMachineTypes(null, ["n4"])).toEqual(["n4"]);
    expect(cpusWithin(acme)).toContain("at most 32");
    expect(cpusWithin(null)).toBeUndefined();
    expect(cpusWithin({ ...acme, cpus: null })).toBeUndefined();
  });
});
