import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ruleFor, usernameFor, type ExternalAuthRule, type ExternalIdentity } from "./externalAuth";
import { userNameProblem } from "./labels";

const who = (over: Partial<ExternalIdentity> = {}): ExternalIdentity => ({ subject: "sub-1", ...over });

describe("ruleFor", () => {
  const byDomain: ExternalAuthRule = { emailDomain: "Acme.com", payer: "acme" };
  const byGroup: ExternalAuthRule = { group: "hpc-users", payer: "hpc" };
  const byBoth: ExternalAuthRule = { emailDomain: "globex.com", group: "admins", payer: "globex", teamAdmin: true };

  it.each(["bob@acme.com", "bob@ACME.COM", "Bob@Acme.Com"])("matches the e-mail domain case-insensitively: %s", (email) => {
    expect(ruleFor(who({ email }), [byDomain])).toBe(byDomain);
  });

  it.each([
    ["another domain", "bob@globex.com"],
    ["a sub-domain", "bob@eu.acme.com"],
    ["a domain that ends like it", "bob@notacme.com"],
    ["no domain", "bob"],
  ])("does not match %s", (_case, email) => {
    expect(ruleFor(who({ email }), [byDomain])).toBeUndefined();
  });

  it("does not match a domain rule without an e-mail", () => {
    expect(ruleFor(who(), [byDomain])).toBeUndefined();
  });

  it("matches a group the identity carries, exactly", () => {
    expect(ruleFor(who({ groups: ["staff", "hpc-users"] }), [byGroup])).toBe(byGroup);
    expect(ruleFor(who({ groups: ["HPC-USERS"] }), [byGroup])).toBeUndefined();
    expect(ruleFor(who({ groups: [] }), [byGroup])).toBeUndefined();
    expect(ruleFor(who(), [byGroup])).toBeUndefined();
  });

  it.each([
    [{ email: "g@globex.com", groups: ["admins"] }, true],
    [{ email: "g@globex.com", groups: ["staff"] }, false],
    [{ email: "g@acme.com", groups: ["admins"] }, false],
    [{ email: "g@globex.com" }, false],
    [{ groups: ["admins"] }, false],
  ])("needs both domain and group when a rule gives both: %o -> %s", (identity, matches) => {
    expect(ruleFor(who(identity), [byBoth])).toBe(matches ? byBoth : undefined);
  });

  it("picks the first rule that matches", () => {
    const identity = who({ email: "x@acme.com", groups: ["hpc-users"] });
    expect(ruleFor(identity, [byGroup, byDomain])?.payer).toBe("hpc");
    expect(ruleFor(identity, [byDomain, byGroup])?.payer).toBe("acme");
    expect(ruleFor(identity, [byBoth, byDomain, byGroup])?.payer).toBe("acme");
  });

  it("never matches a rule with neither domain nor group", () => {
    const catchAll: ExternalAuthRule = { payer: "everyone" };
    expect(ruleFor(who({ email: "x@acme.com", groups: ["hpc-users"] }), [catchAll])).toBeUndefined();
    expect(ruleFor(who({ email: "x@acme.com" }), [catchAll, byDomain])).toBe(byDomain);
  });

  it("matches nothing without rules", () => {
    expect(ruleFor(who({ email: "x@acme.com" }), [])).toBeUndefined();
  });
});

describe("usernameFor", () => {
  it("prefers the provider's user name, then the e-mail's local part, then the subject", () => {
    expect(usernameFor(who({ username: "bob", email: "robert@acme.com" }))).toBe("bob");
    expect(usernameFor(who({ email: "robert@acme.com" }))).toBe("robert");
    expect(usernameFor(who({ subject: "a1b2c3" }))).toBe("a1b2c3");
  });

  it("falls through an empty user name or e-mail local part", () => {
    expect(usernameFor(who({ username: "", email: "robert@acme.com" }))).toBe("robert");
    expect(usernameFor(who({ email: "@acme.com", subject: "a1b2c3" }))).toBe("a1b2c3");
  });

  it.each([
    ["Bob Smith", "Bob-Smith"],
    ["bob+hpc", "bob-hpc"],
    ["first.last_1-x", "first.last_1-x"],
    ["josé", "jos"],
    ["bob_", "bob"],
    ["__bob", "bob"],
    ["--.bob", "bob"],
    ["  bob", "bob"],
    ["CORP\\bob", "CORP-bob"],
  ])("makes '%s' label-safe: '%s'", (raw, expected) => {
    expect(usernameFor(who({ username: raw }))).toBe(expected);
  });

  it("cuts a long name to 63 characters", () => {
    expect(usernameFor(who({ username: "a".repeat(100) }))).toBe("a".repeat(63));
  });

  it("gives 'user' when nothing label-safe is left", () => {
    expect(usernameFor(who({ username: "___" }))).toBe("user");
    expect(usernameFor(who({ username: "日本語" }))).toBe("user");
  });

  it("always gives a valid user name", () => {
    const identity = fc.record({
      subject: fc.string({ unit: "binary", maxLength: 80 }),
      username: fc.option(fc.string({ unit: "binary", maxLength: 80 }), { nil: undefined }),
      email: fc.option(fc.string({ unit: "grapheme-ascii", maxLength: 80 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(identity, (id) => {
        expect(userNameProblem(usernameFor(id))).toBeUndefined();
      }),
    );
  });
});
