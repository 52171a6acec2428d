import { describe, expect, it } from "vitest";
import type { Me } from "../me";
import { randomPassword, rightsOver, shareCautions, type UserLike } from "./userRights";

const me = (p: Partial<Me>): Me => ({ id: 1, username: "x", email: "", role: "member", payer: "acme", tenant: "acme", sysadmin: false, teamAdmin: false, ...p });
const user = (p: Partial<UserLike>): UserLike => ({ username: "u", role: "member", tenant: "acme", sysadmin: false, teamAdmin: false, ...p });
const none = { disable: false, teamAdmin: false, secrets: false, addVault: false, handOut: false };

describe("what the caller may do to a user row", () => {
  it("gives system administrators everything, but not disabling or resetting themselves (that is Account) nor team admin rights on a payer", () => {
    const root = me({ username: "root", role: "payer", payer: null, tenant: "root", sysadmin: true });
    expect(rightsOver(root, user({ username: "wile" }))).toEqual({ disable: true, teamAdmin: true, secrets: true, addVault: true, handOut: true });
    expect(rightsOver(root, user({ username: "acme", role: "payer" }))).toEqual({ disable: true, teamAdmin: false, secrets: true, addVault: true, handOut: true });
    expect(rightsOver(root, user({ username: "root", role: "payer", tenant: "root", sysadmin: true }))).toEqual({ ...none, addVault: true, handOut: true });
  });

  it("lets a payer manage its team but not set their passwords or keys, nor touch another tenant", () => {
    const acme = me({ username: "acme", role: "payer", payer: null, tenant: "acme" });
    expect(rightsOver(acme, user({ username: "wile", teamAdmin: true }))).toEqual({ ...none, disable: true, teamAdmin: true, handOut: true });
    expect(rightsOver(acme, user({ username: "bob", tenant: "globex" }))).toEqual(none);
    expect(rightsOver(acme, user({ username: "acme", role: "payer" }))).toEqual({ ...none, handOut: true });
  });

  it("lets a team admin manage plain members only", () => {
    const ta = me({ username: "ta", teamAdmin: true });
    expect(rightsOver(ta, user({ username: "wile" }))).toEqual({ ...none, disable: true, teamAdmin: true, handOut: true });
    expect(rightsOver(ta, user({ username: "ta2", teamAdmin: true }))).toEqual(none);
    expect(rightsOver(ta, user({ username: "acme", role: "payer" }))).toEqual(none);
    expect(rightsOver(ta, user({ username: "sys", sysadmin: true }))).toEqual(none);
  });
});

describe("why sharing a vault is unusual", () => {
  const vault = { name: "projects", zone: 1, zoneName: "west" };
  const owner = { username: "alice", tenant: "alice" };
  it("says nothing within the tenant and the recipient's zones", () => {
    expect(shareCautions(vault, owner, { username: "alice2", tenant: "alice" }, [0, 1])).toEqual([]);
    expect(shareCautions({ ...vault, zone: -1 }, owner, { username: "alice2", tenant: "alice" }, [0])).toEqual([]);
  });
  it("names another tenant and a zone the recipient does not have", () => {
    expect(shareCautions(vault, owner, { username: "bob", tenant: "globex" }, [0])).toEqual([
      "bob is in tenant globex, not in alice's tenant alice: the vault's data crosses tenants.",
      "projects is in zone west, which bob cannot use now: sharing it gives bob that zone (and its machines).",
    ]);
  });
  it("checks only what it knows", () => {
    expect(shareCautions(vault, owner, { username: "alice2", tenant: undefined }, undefined)).toEqual([]);
  });
});

describe("a reset password", () => {
  it("has 16 characters without look-alikes (0/O, 1/l/I)", () => {
    const p = randomPassword();
    expect(p).toMatch(/^[A-HJ-NP-Za-km-z2-9]{16}$/);
    expect(randomPassword(() => new Uint8Array(16).fill(0))).toBe("A".repeat(16));
  });
});
