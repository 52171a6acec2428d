import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IDENTITY_LIMITS, parseExternalIdentity, ruleFor, usernameFor, type ExternalAuthRule, type ExternalIdentity } from "./externalAuth";
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

describe("ruleFor matches whole group names only", () => {
  const rule: ExternalAuthRule = { group: "acme-admins", payer: "acme", teamAdmin: true };

  it("does not match a group that merely contains the rule's group", () => {
    expect(ruleFor(who({ groups: ["acme-admins-not"] }), [rule])).toBeUndefined();
    expect(ruleFor(who({ groups: ["x-acme-admins"] }), [rule])).toBeUndefined();
  });

  it("does not match when groups is a string that contains the name (a proxy's careless claim)", () => {
    const careless = { subject: "s", groups: "acme-admins-not" } as unknown as ExternalIdentity;
    expect(ruleFor(careless, [rule])).toBeUndefined();
  });
});

describe("parseExternalIdentity: the relayed identity as a shape", () => {
  const failure = (raw: unknown) => {
    const r = parseExternalIdentity(raw);
    if (r.ok) throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
    return { field: r.field, problem: r.problem };
  };

  it("keeps the known string fields and the group list, and drops unknown keys", () => {
    expect(parseExternalIdentity({ subject: "oidc|1", username: "carol", email: "carol@acme.com", groups: ["a", "b"], upn: "carol@CORP", sam: "CAROL", extra: { x: 1 } })).toEqual({
      ok: true,
      value: { subject: "oidc|1", username: "carol", email: "carol@acme.com", groups: ["a", "b"], upn: "carol@CORP", sam: "CAROL" },
    });
  });

  it("treats null like an absent optional field", () => {
    expect(parseExternalIdentity({ subject: "s", email: null, groups: null })).toEqual({ ok: true, value: { subject: "s" } });
  });

  it.each<[unknown, string, RegExp]>([
    ["just a string", "", /JSON identity/],
    [["subject"], "", /JSON identity/],
    [null, "", /JSON identity/],
    [{}, "subject", /is required/],
    [{ subject: "" }, "subject", /is required/],
    [{ subject: "   " }, "subject", /is required/],
    [{ subject: 42 }, "subject", /must be a string/],
    [{ subject: { id: 1 } }, "subject", /must be a string/],
    [{ subject: "s", username: ["carol"] }, "username", /must be a string/],
    [{ subject: "s", email: 7 }, "email", /must be a string/],
    [{ subject: "s", groups: "acme-admins" }, "groups", /list of group names/],
    [{ subject: "s", groups: { 0: "acme-admins" } }, "groups", /list of group names/],
    [{ subject: "s", groups: ["ok", 5] }, "groups[1]", /must be a string/],
    [{ subject: "s", groups: [["acme-admins"]] }, "groups[0]", /must be a string/],
    [{ subject: "s", groups: Array.from({ length: IDENTITY_LIMITS.groups + 1 }, (_, i) => `g${i}`) }, "groups", /at most 1000 groups/],
    [{ subject: "s", groups: ["g".repeat(256)] }, "groups[0]", /at most 255 characters/],
    [{ subject: "s".repeat(256) }, "subject", /at most 255 characters/],
    [{ subject: "s\u0000x" }, "subject", /control characters/],
    [{ subject: "s", username: "bob\nroot" }, "username", /control characters/],
    [{ subject: "s", email: "a@b@acme.com" }, "email", /exactly one '@'/],
    [{ subject: "s", email: "carol" }, "email", /exactly one '@'/],
    [{ subject: "s", email: "@acme.com" }, "email", /exactly one '@'/],
    [{ subject: "s", email: "carol@" }, "email", /exactly one '@'/],
    [{ subject: "s", email: "car ol@acme.com" }, "email", /exactly one '@'/],
    [{ subject: "s", upn: "../../etc@CORP" }, "upn", /'\.\.'/],
    [{ subject: "s", upn: "..@CORP" }, "upn", /'\.\.'/],
    [{ subject: "s", upn: "a/b@CORP" }, "upn", /'\/'/],
    [{ subject: "s", upn: "a\\b@CORP" }, "upn", /'\/'/],
    [{ subject: "s", upn: "a@b@CORP" }, "upn", /at most one '@'/],
    [{ subject: "s", sam: ".." }, "sam", /'\.\.'/],
    [{ subject: "s", sam: "x/y" }, "sam", /'\/'/],
    [{ subject: "s", sam: "x@y" }, "sam", /'@'/],
    [{ subject: "s", sam: "s".repeat(65) }, "sam", /at most 64/],
  ])("refuses %j naming %s", (raw, field, problem) => {
    const f = failure(raw);
    expect(f.field).toBe(field);
    expect(f.problem).toMatch(problem);
  });

  it("accepts every identity the shape allows, and what it returns holds only strings and a string list", () => {
    fc.assert(
      fc.property(fc.record({ subject: fc.string({ minLength: 1, maxLength: 20 }), groups: fc.array(fc.string({ maxLength: 10 }), { maxLength: 5 }) }), (raw) => {
        const r = parseExternalIdentity(raw);
        // eslint-disable-next-line no-control-regex
        const clean = !/[\u0000-\u001f\u007f]/.test(raw.subject + raw.groups.join("")) && raw.subject.trim() !== "";
        expect(r.ok).toBe(clean);
        if (r.ok) expect(r.value).toEqual(raw);
      }),
    );
  });
});
