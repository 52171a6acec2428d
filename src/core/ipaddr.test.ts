import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkTag, ipaddrValue, ownedByAnotherProblem, tagRoom } from "./ipaddr";
import { labelValueProblem, userNameProblem } from "./labels";

const SEED = 20240607;

const valueOf = (username: string, tag: string): string => {
  const r = ipaddrValue(username, tag);
  if (!r.ok) throw new Error(`expected '${username}' + '${tag}' to be accepted: ${r.problem}`);
  return r.value;
};
const problemOf = (username: string, tag: string): string => {
  const r = ipaddrValue(username, tag);
  if (r.ok) throw new Error(`expected '${username}' + '${tag}' to be refused, got '${r.value}'`);
  return r.problem;
};

describe("ipaddrValue: the label value is <username>-<tag>", () => {
  it("prepends the user name and a dash", () => {
    expect(ipaddrValue("user1", "foobar")).toEqual({ ok: true, value: "user1-foobar" });
    expect(ipaddrValue("user2", "roundrobin")).toEqual({ ok: true, value: "user2-roundrobin" });
  });

  it("keeps the tag's case (the tag is case-sensitive)", () => {
    expect(valueOf("bob", "WebFront")).toBe("bob-WebFront");
    expect(valueOf("bob", "webfront")).not.toBe(valueOf("bob", "WebFront"));
  });

  it("accepts a tag of exactly the characters left, and refuses one more with the limit, the length and the room", () => {
    const username = "alice";
    const room = 63 - username.length - 1;
    expect(tagRoom(username)).toBe(room);
    const exact = "t".repeat(room);
    expect(valueOf(username, exact)).toHaveLength(63);

    const problem = problemOf(username, exact + "x");
    expect(problem).toContain("63");
    expect(problem).toContain("64 characters");
    expect(problem).toContain(`leaves ${room} characters for the tag`);
    expect(problem).toContain(`it has ${room + 1}`);
    expect(problem).toContain("'alice-'");
  });

  it("never truncates or rewrites a long tag", () => {
    const r = ipaddrValue("bob", "a".repeat(100));
    expect(r.ok).toBe(false);
    for (const tag of ["web", "a.b_c-d", "X9"]) expect(valueOf("bob", tag)).toBe(`bob-${tag}`);
  });

  it("leaves no room when the user name itself is the full length", () => {
    expect(tagRoom("u".repeat(63))).toBe(0);
    expect(tagRoom("u".repeat(62))).toBe(0);
    expect(tagRoom("u".repeat(61))).toBe(1);
    expect(problemOf("u".repeat(62), "a")).toContain("leaves 0 characters");
  });

  it("refuses an empty tag", () => {
    expect(problemOf("bob", "")).toMatch(/empty/);
  });

  it.each(["web", "a", "7", "a-b", "a_b", "a.b", "-web", "_web", ".web", "A--b", "x.y_z-9"])("accepts the tag '%s'", (tag) => {
    const value = valueOf("bob", tag);
    expect(labelValueProblem(value)).toBeUndefined();
  });

  it.each([
    ["my web", ['" "']],
    ["web/1", ['"/"']],
    ["a:b", ['":"']],
    ["café", ['"é"']],
    ["a@b!c@", ['"@"', '"!"']],
  ])("refuses the tag '%s', naming the characters", (tag, bad) => {
    const problem = problemOf("bob", tag);
    expect(problem).toMatch(/only letters, digits/);
    for (const c of bad) expect(problem).toContain(c);
  });

  it.each(["web-", "web_", "web.", "-", "."])("refuses the tag '%s': it must end with a letter or digit", (tag) => {
    expect(problemOf("bob", tag)).toMatch(/must end with a letter or digit/);
  });

  it("produces only valid Kubernetes label values when it accepts", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9][-A-Za-z0-9_.]{0,20}[A-Za-z0-9]$/),
        fc.string({ unit: fc.constantFrom("a", "Z", "0", "-", "_", ".", " ", "/"), maxLength: 50 }),
        (username, tag) => {
          const r = ipaddrValue(username, tag);
          if (r.ok) {
            expect(r.value).toBe(`${username}-${tag}`);
            expect(labelValueProblem(r.value)).toBeUndefined();
          } else {
            expect(tag === "" || labelValueProblem(`${username}-${tag}`) !== undefined).toBe(true);
          }
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe("ownership: a label value belongs to the first user who used it", () => {
  it("the refusal names the caller's own value and nobody else", () => {
    const problem = ownedByAnotherProblem("bob-x-web");
    expect(problem).toBe("the label value 'bob-x-web' is already used by another user's jobs; choose another tag");
  });

  it("two users can produce one value (so ownership, not the prefix, decides)", () => {
    expect(valueOf("bob", "x-web")).toBe(valueOf("bob-x", "web"));
  });
});

describe("length first: a huge tag is refused for its length, whatever it is made of", () => {
  it.each([
    ["dashes", "-".repeat(31 * 1024)],
    ["letters", "a".repeat(31 * 1024)],
    ["bad characters", "/ ".repeat(16 * 1024)],
  ])("a 31 KiB tag of %s: the length, the limit and the room left", (_what, tag) => {
    const problem = problemOf("bob", tag);
    expect(problem).toBe(`'bob-' + tag is ${tag.length + 4} characters; the limit is 63, which leaves 59 characters for the tag (it has ${tag.length})`);
    expect(checkTag("bob", tag)).toMatchObject({ ok: false, conflict: false, remaining: 59 - tag.length, problem });
  });
});

describe("checkTag: the portal's live check", () => {
  it.each([
    { user: "alice", tag: "web", taken: false, ok: true, value: "alice-web", remaining: 63 - 6 - 3, conflict: false },
    { user: "alice", tag: "", taken: false, ok: false, value: "alice-", remaining: 57, conflict: false },
    { user: "alice", tag: "x".repeat(58), taken: false, ok: false, value: `alice-${"x".repeat(58)}`, remaining: -1, conflict: false },
    { user: "alice", tag: "we b", taken: false, ok: false, value: "alice-we b", remaining: 53, conflict: false },
    { user: "bob", tag: "x-web", taken: true, ok: false, value: "bob-x-web", remaining: 63 - 4 - 5, conflict: true },
    // a tag that breaks the rules is a 400 whoever owns the value
    { user: "alice", tag: "we b", taken: true, ok: false, value: "alice-we b", remaining: 53, conflict: false },
  ])("$user + '$tag' (value owned by another: $taken)", ({ user, tag, taken, ok, value, remaining, conflict }) => {
    const c = checkTag(user, tag, taken);
    expect(c).toMatchObject({ ok, value, remaining, conflict, prefix: `${user}-` });
    // the same message the submission answers
    const v = ipaddrValue(user, tag);
    if (!v.ok) expect(c.problem).toBe(v.problem);
    if (conflict) expect(c.problem).toBe(ownedByAnotherProblem(value));
    if (ok) expect(c.problem).toBe("");
  });

  it("without an owner to ask about (the portal's local check), only the rules decide", () => {
    expect(checkTag("bob", "x-web")).toMatchObject({ ok: true, conflict: false, value: "bob-x-web" });
  });

  it("property: a conflict's message holds no name but the caller's own value (seeded)", () => {
    const nameArb = fc.stringMatching(/^[ab][-ab]{0,5}$/).filter((n) => userNameProblem(n) === undefined);
    const tagArb = fc.string({ unit: fc.constantFrom("a", "b", "-", "_", "."), minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(nameArb, tagArb, (user, tag) => {
        const c = checkTag(user, tag, true);
        if (!c.conflict) return;
        expect(c.problem.replace(`'${c.value}'`, "")).not.toMatch(/[ab]-|-[ab]|'[ab]/);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
