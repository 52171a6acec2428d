import { describe, expect, it } from "vitest";
import { resolveSubpath, type DirectoryIdentity } from "./subpath";

const local: DirectoryIdentity = { username: "bob" };
const directory: DirectoryIdentity = { username: "bsmith", upn: "bob.smith@CORP.EXAMPLE.COM", sam: "BSMITH" };

const path = (template: string, who: DirectoryIdentity) => {
  const r = resolveSubpath(template, who);
  if (!r.ok) throw new Error(`expected '${template}' to resolve, got: ${r.problem}`);
  return r.path;
};
const problem = (template: string, who: DirectoryIdentity) => {
  const r = resolveSubpath(template, who);
  if (r.ok) throw new Error(`expected '${template}' not to resolve, got '${r.path}'`);
  return r.problem;
};

describe("resolveSubpath substitutions", () => {
  it.each([
    ["%USER%", local, "bob"],
    ["%USER%", directory, "bsmith"],
    ["%UPN%", directory, "bob.smith"],
    ["%SAM%", directory, "BSMITH"],
    ["%IDUSER%", directory, "bob.smith"],
    ["%IDUSER%", local, "bob"],
  ])("replaces %s for %o with '%s'", (template, who, expected) => {
    expect(path(template, who)).toBe(expected);
  });

  it("strips the realm from the UPN, and keeps a UPN without one whole", () => {
    expect(path("%UPN%", { username: "x", upn: "alice@EXAMPLE" })).toBe("alice");
    expect(path("%UPN%", { username: "x", upn: "alice" })).toBe("alice");
  });

  it("uses the login name for %IDUSER% when the directory gave no UPN", () => {
    expect(path("%IDUSER%", { username: "carol", upn: null, sam: "CAROL" })).toBe("carol");
    expect(path("%IDUSER%", { username: "carol", upn: "", sam: "CAROL" })).toBe("carol");
  });

  it("substitutes anywhere in the value, every occurrence, next to each other too", () => {
    expect(path("home/%USER%/data/%USER%", local)).toBe("home/bob/data/bob");
    expect(path("x/%SAM%%UPN%-%IDUSER%.d", directory)).toBe("x/BSMITHbob.smith-bob.smith.d");
    expect(path("users/%USER%", directory)).toBe("users/bsmith");
  });

  it("leaves a template without substitutions as it is", () => {
    expect(path("shared/projects", local)).toBe("shared/projects");
    expect(path("", local)).toBe("");
  });

  it.each(["%user%", "%User%", "%upn%", "%sam%", "%iduser%", "%USER", "USER%", "%HOME%", "%%"])(
    "is case-sensitive and exact: leaves '%s' alone",
    (template) => {
      expect(path(`data/${template}`, directory)).toBe(`data/${template}`);
    },
  );

  it("does not substitute again inside a substituted value", () => {
    expect(path("%USER%", { username: "a%SAM%b", sam: "S" })).toBe("a%SAM%b");
  });
});

describe("resolveSubpath for a substitution the user cannot resolve", () => {
  it.each(["%UPN%", "%SAM%"])("fails for a local user and %s, naming the token and the user", (token) => {
    expect(problem(`home/${token}`, local)).toBe(`vault sub-path 'home/${token}' uses ${token}, which user 'bob' does not have (not a directory user)`);
  });

  it("names every missing token once", () => {
    expect(problem("%SAM%/%UPN%/%SAM%/%USER%", local)).toBe(
      "vault sub-path '%SAM%/%UPN%/%SAM%/%USER%' uses %SAM%, %UPN%, which user 'bob' does not have (not a directory user)",
    );
  });

  it("does not call a directory user without a sAMAccountName 'not a directory user'", () => {
    expect(problem("%SAM%", { username: "dan", upn: "dan@CORP" })).toBe("vault sub-path '%SAM%' uses %SAM%, which user 'dan' does not have");
  });

  it("treats an empty directory attribute as missing", () => {
    expect(resolveSubpath("%SAM%", { username: "erin", upn: "erin@CORP", sam: "" }).ok).toBe(false);
  });
});

describe("resolveSubpath never climbs out of the volume", () => {
  // %UPN% and %SAM% come from the directory through the external-auth proxy: not trusted to be path-safe.
  it.each<[string, DirectoryIdentity]>([
    ["%UPN%", { username: "eve", upn: "..@CORP" }],
    ["home/%UPN%/data", { username: "eve", upn: "../../other@CORP" }],
    ["home/%SAM%", { username: "eve", upn: "eve@CORP", sam: ".." }],
    ["%IDUSER%/x", { username: "eve", upn: "/etc@CORP" }],
    ["%SAM%", { username: "eve", sam: "a\\..\\b" }],
  ])("refuses '%s' for %o", (template, who) => {
    expect(problem(template, who)).toMatch(/'\.\.' segment|relative to the volume's root|'\\'/);
  });

  it("refuses a template that is itself absolute or climbs", () => {
    expect(problem("/home/%USER%", local)).toMatch(/relative to the volume's root/);
    expect(problem("../%USER%", local)).toMatch(/'\.\.' segment/);
  });

  it("keeps dots that are not a '..' segment", () => {
    expect(path("home/%UPN%", { username: "x", upn: "a..b@CORP" })).toBe("home/a..b");
  });
});
