import { describe, expect, it } from "vitest";
import { aPayer, anAccount } from "../../test/builders";
import {
  administersSystem,
  isPayer,
  managesAccount,
  managesTenant,
  mayAddVault,
  mayChangeProfile,
  mayChangeRights,
  mayHandOutVault,
  mayInvite,
  mayRegenerateApiKey,
  maySetPassword,
  mayShareVault,
  seesAccount,
  tenantOf,
  type Account,
} from "./tenancy";

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

// Rights between the roles of one tenant (acme): plain member, a second plain member, team admin, a
// second team admin, payer, a system administrator on the team; and from outside: root (a system
// administrator who is a payer of its own) and globex's team admin.
const mate = anAccount("mary").withId(13).memberOf(acme.id).build();
const teamAdmin2 = anAccount("tom").withId(14).memberOf(acme.id).teamAdmin().build();

type Who = "member" | "mate" | "teamAdmin" | "teamAdmin2" | "payer" | "sysadminOnTeam" | "root" | "globexTeamAdmin";
const WHO: Record<Who, Account> = { member, mate, teamAdmin, teamAdmin2, payer: acme, sysadminOnTeam, root, globexTeamAdmin };
const TARGETS = ["member", "mate", "teamAdmin", "teamAdmin2", "payer", "sysadminOnTeam", "root"] as const;

/**
 * The targets each actor manages (rights, disabling, profile of others). Read a row as: "a team admin
 * manages the plain members of its team, and nobody else".
 */
const MANAGES: Record<Who, readonly Who[]> = {
  member: [],
  mate: [],
  teamAdmin: ["member", "mate"],
  teamAdmin2: ["member", "mate"],
  payer: ["member", "mate", "teamAdmin", "teamAdmin2"],
  sysadminOnTeam: ["member", "mate", "teamAdmin", "teamAdmin2", "payer", "sysadminOnTeam", "root"],
  root: ["member", "mate", "teamAdmin", "teamAdmin2", "payer", "sysadminOnTeam", "root"],
  globexTeamAdmin: [],
};
const SYSADMINS: readonly Who[] = ["sysadminOnTeam", "root"];
const cells = (Object.keys(WHO) as Who[]).flatMap((actor) => TARGETS.map((target) => [actor, target] as const));

describe("managesAccount: nobody acts on an account whose rights exceed its own", () => {
  it.each(cells)("%s -> %s", (actor, target) => {
    expect(managesAccount(WHO[actor], WHO[target])).toBe(MANAGES[actor].includes(target));
  });
});

describe("mayRegenerateApiKey and maySetPassword: the account itself and system administrators only", () => {
  it.each(cells)("%s -> %s", (actor, target) => {
    const expected = actor === target || SYSADMINS.includes(actor);
    expect(mayRegenerateApiKey(WHO[actor], WHO[target])).toBe(expected);
    expect(maySetPassword(WHO[actor], WHO[target])).toBe(expected);
  });

  it("a team admin or payer cannot take over the system administrator on its team", () => {
    for (const a of [teamAdmin, acme]) expect(mayRegenerateApiKey(a, sysadminOnTeam)).toBe(false);
  });
});

describe("mayChangeProfile: itself and its managers", () => {
  it.each(cells)("%s -> %s", (actor, target) => {
    expect(mayChangeProfile(WHO[actor], WHO[target])).toBe(actor === target || MANAGES[actor].includes(target));
  });
});

describe("mayChangeRights: its managers, never itself", () => {
  it.each(cells)("%s -> %s", (actor, target) => {
    expect(mayChangeRights(WHO[actor], WHO[target])).toBe(actor !== target && MANAGES[actor].includes(target));
  });
});

describe("mayAddVault", () => {
  it("is for system administrators only", () => {
    expect((Object.keys(WHO) as Who[]).filter((w) => mayAddVault(WHO[w]))).toEqual(SYSADMINS);
  });
});

describe("mayHandOutVault and mayShareVault", () => {
  it.each(cells)("%s hands out the vault of %s", (actor, owner) => {
    expect(mayHandOutVault(WHO[actor], WHO[owner])).toBe(actor === owner || MANAGES[actor].includes(owner));
  });

  it.each([
    ["a member, its vault to a teammate", member, member, mate, true],
    ["a member, its vault to its payer", member, member, acme, true],
    ["a member, its vault to the system administrator on its team", member, member, sysadminOnTeam, false],
    ["a member, a teammate's vault", member, mate, member, false],
    ["a team admin, a member's vault to the payer", teamAdmin, member, acme, true],
    ["a team admin, a member's vault into the system administrator on its team", teamAdmin, member, sysadminOnTeam, false],
    ["a team admin, the payer's vault", teamAdmin, acme, member, false],
    ["a team admin, another team admin's vault", teamAdmin, teamAdmin2, member, false],
    ["a payer, a team admin's vault to a member", acme, teamAdmin, member, true],
    ["a payer, its vault into the system administrator on its team", acme, acme, sysadminOnTeam, false],
    ["a payer, its vault to another tenant", acme, acme, globexMember, false],
    ["the system administrator on the team, across tenants", sysadminOnTeam, member, globexMember, true],
    ["root, into a system administrator", root, member, sysadminOnTeam, true],
  ])("%s -> %s", (_case, actor, owner, recipient, expected) => {
    expect(mayShareVault(actor, owner, recipient)).toBe(expected);
  });
});

describe("mayInvite", () => {
  it.each([
    ["a payer into its team", acme, acme.id, {}, true],
    ["a team admin into its team", teamAdmin, acme.id, {}, true],
    ["a member into its team", member, acme.id, {}, false],
    ["a payer into another team", acme, globex.id, {}, false],
    ["a payer, a new payer", acme, null, {}, false],
    ["a payer, a system administrator", acme, acme.id, { sysadmin: true }, false],
    ["a team admin, a system administrator", teamAdmin, acme.id, { sysadmin: true }, false],
    ["root, a new payer", root, null, {}, true],
    ["root, a system administrator into any team", root, globex.id, { sysadmin: true }, true],
  ])("%s -> %s", (_case, actor, tenantId, grants, expected) => {
    expect(mayInvite(actor, tenantId, grants)).toBe(expected);
  });
});
