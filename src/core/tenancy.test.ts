import { describe, expect, it } from "vitest";
import { aPayer, anAccount } from "../../test/builders";
import { administersSystem, isPayer, managesTenant, seesAccount, tenantOf } from "./tenancy";

const acme = aPayer("acme", 1);
const globex = aPayer("globex", 2);
const member = anAccount("bob").withId(10).memberOf(acme.id).build();
const teamAdmin = anAccount("tina").withId(11).memberOf(acme.id).teamAdmin().build();
const globexMember = anAccount("gina").withId(20).memberOf(globex.id).build();
const globexTeamAdmin = anAccount("gus").withId(21).memberOf(globex.id).teamAdmin().build();
const root = anAccount("root").withId(99).sysadmin().build();
const sysadminOnTeam = anAccount("sam").withId(12).memberOf(acme.id).sysadmin().build();

describe("tenantOf", () => {
  it("is a payer's own id", () => {
    expect(tenantOf(acme)).toBe(1);
    expect(tenantOf(globex)).toBe(2);
  });

  it("is the payer's id for every team member, team admins included", () => {
    expect([member, teamAdmin, sysadminOnTeam].map(tenantOf)).toEqual([1, 1, 1]);
    expect([globexMember, globexTeamAdmin].map(tenantOf)).toEqual([2, 2]);
  });
});

describe("isPayer", () => {
  it("holds for an account on no one's team only", () => {
    expect([acme, root, member, teamAdmin].map(isPayer)).toEqual([true, true, false, false]);
  });
});

describe("managesTenant", () => {
  it.each([
    ["a system administrator, any tenant", root, acme.id, true],
    ["a system administrator, another tenant", root, globex.id, true],
    ["a payer, its own tenant", acme, acme.id, true],
    ["a team admin, its own tenant", teamAdmin, acme.id, true],
    ["a plain member, its own tenant", member, acme.id, false],
    ["a payer of A, tenant B", acme, globex.id, false],
    ["a team admin of B, tenant A", globexTeamAdmin, acme.id, false],
    ["a plain member of B, tenant A", globexMember, acme.id, false],
    ["a sysadmin on a team, another tenant", sysadminOnTeam, globex.id, true],
  ])("%s -> %s", (_case, actor, tenantId, expected) => {
    expect(managesTenant(actor, tenantId)).toBe(expected);
  });
});

describe("seesAccount", () => {
  it.each([
    ["a plain member, itself", member, member, true],
    ["a plain member, its payer", member, acme, false],
    ["a plain member, a teammate", member, teamAdmin, false],
    ["a payer, its member", acme, member, true],
    ["a payer, itself", acme, acme, true],
    ["a team admin, its payer", teamAdmin, acme, true],
    ["a team admin, a teammate", teamAdmin, member, true],
    ["a payer, another payer", acme, globex, false],
    ["a payer, another tenant's member", acme, globexMember, false],
    ["a team admin, another tenant's member", globexTeamAdmin, member, false],
    ["a system administrator, anyone", root, globexMember, true],
    ["anyone, a system administrator who is a payer of its own", teamAdmin, root, false],
  ])("%s -> %s", (_case, actor, target, expected) => {
    expect(seesAccount(actor, target)).toBe(expected);
  });
});

describe("administersSystem", () => {
  it("is for system administrators only", () => {
    expect([root, sysadminOnTeam, acme, teamAdmin, member].map(administersSystem)).toEqual([true, true, false, false, false]);
  });
});
