import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkTag, collisionProblem, ipaddrCollisions, ipaddrValue, newUsernameAmbiguity, prefixesOf, tagRoom } from "./ipaddr";
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
const users = (...names: string[]) => {
  const set = new Set(names);
  return (n: string) => set.has(n);
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

describe("ipaddrCollisions: other users who could produce the same value", () => {
  it("bob with tag x-web collides with an existing bob-x", () => {
    const value = valueOf("bob", "x-web");
    expect(ipaddrCollisions(value, "bob", users("bob", "bob-x"))).toEqual(["bob-x"]);
  });

  it("bob-x with tag web collides with an existing bob", () => {
    const value = valueOf("bob-x", "web");
    expect(ipaddrCollisions(value, "bob-x", users("bob", "bob-x"))).toEqual(["bob"]);
  });

  it("does not report the owner", () => {
    expect(ipaddrCollisions("bob-web", "bob", users("bob"))).toEqual([]);
    expect(ipaddrCollisions("bob-x-web", "bob-x", users("bob-x"))).toEqual([]);
  });

  it("reports every other candidate, shortest first", () => {
    expect(ipaddrCollisions("a-b-c-d", "a-b-c", users("a", "a-b", "a-b-c"))).toEqual(["a", "a-b"]);
    expect(ipaddrCollisions("a-b-c-d", "a", users("a", "a-b", "a-b-c"))).toEqual(["a-b", "a-b-c"]);
  });

  it("finds nothing in a value without a further dash", () => {
    expect(ipaddrCollisions("bob-web", "bob", users("bob", "bob-web", "bobweb", "b"))).toEqual([]);
  });

  it("asks only about dash-delimited prefixes that leave a non-empty tag", () => {
    const asked: string[] = [];
    ipaddrCollisions("bob-x--web", "bob", (n) => {
      asked.push(n);
      return false;
    });
    expect(asked).toEqual(["bob-x", "bob-x-"]);
  });

  it("collisionProblem says who and with which tag", () => {
    const problem = collisionProblem("bob-x-web", "bob", ["bob-x"]);
    expect(problem).toContain("'bob-x'");
    expect(problem).toContain("tag 'web'");
    expect(problem).toContain("'bob' cannot use it");
  });

  describe("property: [] means nobody else can produce the value; a name means that user can (seeded)", () => {
    // Small alphabets make dashes, shared prefixes and collisions common.
    const nameArb = fc.stringMatching(/^[ab][-ab]{0,5}$/).filter((n) => userNameProblem(n) === undefined);
    const tagArb = fc.string({ unit: fc.constantFrom("a", "b", "-", "_", "."), minLength: 1, maxLength: 8 });
    const world = fc
      .uniqueArray(nameArb, { minLength: 1, maxLength: 8 })
      .chain((names) => fc.record({ names: fc.constant(names), owner: fc.constantFrom(...names), tag: tagArb }));

    /** Brute force: every split of `value` into some user `u` and a tag that ipaddrValue accepts for `u`. */
    const producers = (value: string, names: string[], owner: string): string[] =>
      names.filter((u) => u !== owner && [...Array(value.length + 1).keys()].some((k) => {
        const r = ipaddrValue(u, value.slice(k));
        return r.ok && r.value === value;
      }));

    it("holds for random user sets and tags", () => {
      let collisions = 0;
      fc.assert(
        fc.property(world, ({ names, owner, tag }) => {
          const r = ipaddrValue(owner, tag);
          if (!r.ok) return;
          const found = ipaddrCollisions(r.value, owner, users(...names));
          const expected = producers(r.value, names, owner);
          expect(found.slice().sort()).toEqual(expected.slice().sort());
          for (const u of found) {
            expect(u).not.toBe(owner);
            expect(valueOf(u, r.value.slice(u.length + 1))).toBe(r.value);
          }
          if (found.length > 0) collisions++;
        }),
        { seed: SEED, numRuns: 1000 },
      );
      // The generator must actually exercise collisions.
      expect(collisions).toBeGreaterThan(20);
    });
  });
});

describe("newUsernameAmbiguity: a new user name must not make an existing value ambiguous", () => {
  it("refuses bob-x when bob has the value bob-x-web", () => {
    const problem = newUsernameAmbiguity("bob-x", [{ value: "bob-x-web", owner: "bob" }]);
    expect(problem).toBeDefined();
    expect(problem).toContain("'bob-x-web'");
    expect(problem).toContain("user 'bob'");
    expect(problem).toContain("tag 'web'");
  });

  it("refuses bob when bob-x has the value bob-x-web", () => {
    expect(newUsernameAmbiguity("bob", [{ value: "bob-x-web", owner: "bob-x" }])).toContain("tag 'x-web'");
  });

  it("allows a name that is not a dash-delimited prefix of any value", () => {
    const values = [
      { value: "bob-web", owner: "bob" },
      { value: "carol-api", owner: "carol" },
    ];
    expect(newUsernameAmbiguity("bo", values)).toBeUndefined();
    expect(newUsernameAmbiguity("bob-web", values)).toBeUndefined();
    expect(newUsernameAmbiguity("dave", values)).toBeUndefined();
    expect(newUsernameAmbiguity("Bob", values)).toBeUndefined();
  });

  it("ignores the owner's own values and accepts no values at all", () => {
    expect(newUsernameAmbiguity("bob", [{ value: "bob-web", owner: "bob" }])).toBeUndefined();
    expect(newUsernameAmbiguity("bob", [])).toBeUndefined();
  });

  it("reports the first ambiguous value among many", () => {
    const problem = newUsernameAmbiguity("a-b", [
      { value: "x-y", owner: "x" },
      { value: "a-b-c", owner: "a" },
      { value: "a-b-d", owner: "a" },
    ]);
    expect(problem).toContain("'a-b-c'");
  });
});

describe("checkTag: the portal's live check", () => {
  const users = new Set(["alice", "bob", "bob-x"]);
  const exists = (n: string) => users.has(n);
  it.each([
    { user: "alice", tag: "web", ok: true, value: "alice-web", remaining: 63 - 6 - 3, conflict: false },
    { user: "alice", tag: "", ok: false, value: "alice-", remaining: 57, conflict: false },
    { user: "alice", tag: "x".repeat(58), ok: false, value: `alice-${"x".repeat(58)}`, remaining: -1, conflict: false },
    { user: "alice", tag: "we b", ok: false, value: "alice-we b", remaining: 53, conflict: false },
    { user: "bob", tag: "x-web", ok: false, value: "bob-x-web", remaining: 63 - 4 - 5, conflict: true },
  ])("$user + '$tag'", ({ user, tag, ok, value, remaining, conflict }) => {
    const c = checkTag(user, tag, exists);
    expect(c).toMatchObject({ ok, value, remaining, conflict, prefix: `${user}-` });
    // the same message the submission answers
    const v = ipaddrValue(user, tag);
    if (!v.ok) expect(c.problem).toBe(v.problem);
    if (conflict) expect(c.problem).toBe(collisionProblem(value, user, ["bob-x"]));
    if (ok) expect(c.problem).toBe("");
  });

  it("lists the dash prefixes of a value: the only names that could collide", () => {
    expect(prefixesOf("bob-x-web")).toEqual(["bob", "bob-x"]);
    expect(prefixesOf("web")).toEqual([]);
  });
});
