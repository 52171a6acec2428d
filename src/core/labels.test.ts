import { describe, expect, it } from "vitest";
import { LABEL_VALUE_MAX, labelValueProblem, userNameProblem, labelKeyProblem, nodeSelectorProblem } from "./labels";

describe("labelValueProblem: Kubernetes label values", () => {
  it("allows at most 63 characters", () => {
    expect(LABEL_VALUE_MAX).toBe(63);
    expect(labelValueProblem("a".repeat(63))).toBeUndefined();
    expect(labelValueProblem("a".repeat(64))).toBe("must be at most 63 characters (is 64)");
  });

  it.each(["", "a", "Z", "7", "traefik", "my-app_1.2", "A.b-C_d", "a--b", "0-0", "a".repeat(63)])("accepts '%s'", (value) => {
    expect(labelValueProblem(value)).toBeUndefined();
  });

  it.each([
    ["-app", "starts with '-'"],
    ["_app", "starts with '_'"],
    [".app", "starts with '.'"],
    ["app-", "ends with '-'"],
    ["app_", "ends with '_'"],
    ["app.", "ends with '.'"],
    ["my app", "has a space"],
    ["app/x", "has a '/'"],
    ["app:1", "has a ':'"],
    ["café", "has a non-ASCII letter"],
    ["-", "is only a '-'"],
  ])("refuses '%s' (%s)", (value) => {
    expect(labelValueProblem(value)).toBe("must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit");
  });

  it("reports the length before the characters", () => {
    expect(labelValueProblem("-".repeat(64))).toMatch(/at most 63/);
  });
});

describe("userNameProblem: user names prefix label values", () => {
  it.each(["bob", "Bob", "b", "9lives", "first.last", "user_1", "team-a", "a.b", "x".repeat(63)])("accepts '%s'", (name) => {
    expect(userNameProblem(name)).toBeUndefined();
  });

  it("refuses an empty name", () => {
    expect(userNameProblem("")).toBe("must not be empty");
  });

  it("refuses more than 63 characters, saying why", () => {
    expect(userNameProblem("x".repeat(64))).toBe("must be at most 63 characters (is 64), since it prefixes Kubernetes label values");
  });

  it.each(["-bob", "_bob", ".bob", "bob-", "bob_", "bob.", "bob smith", "bob@example.com", "bob/x", "bob+1", "josé", " bob"])("refuses '%s' with a clear message", (name) => {
    expect(userNameProblem(name)).toBe(
      "may contain only letters, digits, '-', '_' and '.', and must start and end with a letter or digit (it is used in Kubernetes label values)",
    );
  });

  it("accepts exactly the names that are valid label values themselves and with a tag suffix", () => {
    for (const name of ["bob", "a-", "a.", "x".repeat(50), "-bob", "bob smith", "a-b", "team_"]) {
      const asLabel = labelValueProblem(name) === undefined && labelValueProblem(`${name}-0`) === undefined;
      expect(userNameProblem(name) === undefined).toBe(asLabel);
    }
  });
});

describe("labelKeyProblem: Kubernetes label keys", () => {
  it.each(["app", "kubernetes.io/arch", "node.example.com/gpu-type", "a", "A_b.c-D", "x/y", `${"a".repeat(253)}/${"n".repeat(63)}`])("accepts '%s'", (key) => {
    expect(labelKeyProblem(key)).toBeUndefined();
  });

  it.each([
    ["", /not a valid label name/],
    ["-app", /not a valid label name/],
    ["app-", /not a valid label name/],
    ["a b", /not a valid label name/],
    ["a;rm", /not a valid label name/],
    ["n".repeat(64), /not a valid label name/],
    ["a/b/c", /more than one '\/'/],
    ["/name", /invalid DNS prefix/],
    ["Example.com/name", /invalid DNS prefix/],
    ["example..com/name", /invalid DNS prefix/],
    [`${"a".repeat(254)}/name`, /invalid DNS prefix/],
    ["example.com/", /not a valid label name/],
    ["x\u0000y", /not a valid label name/],
  ])("refuses '%s'", (key, problem) => {
    expect(labelKeyProblem(key)).toMatch(problem);
  });
});

describe("nodeSelectorProblem: label keys to label values", () => {
  it("accepts an empty selector and valid labels", () => {
    expect(nodeSelectorProblem({})).toBeUndefined();
    expect(nodeSelectorProblem({ "kubernetes.io/arch": "amd64", pool: "", "node.example.com/gpu": "a100" })).toBeUndefined();
  });

  it.each<[unknown, string, RegExp]>([
    [null, "nodeSelector", /must be an object/],
    [["a"], "nodeSelector", /must be an object/],
    ["pool=gpu", "nodeSelector", /must be an object/],
    [{ "not a key": "x" }, "nodeSelector.not a key", /label key/],
    [{ "a/b/c": "x" }, "nodeSelector.a/b/c", /label key/],
    [{ pool: 5 }, "nodeSelector.pool", /must be a string/],
    [{ pool: "gpu; rm -rf" }, "nodeSelector.pool", /label value/],
    [{ pool: "v".repeat(64) }, "nodeSelector.pool", /label value must be at most 63/],
    [Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"])), "nodeSelector", /at most 64 labels/],
  ])("refuses %j naming %s", (selector, field, problem) => {
    const p = nodeSelectorProblem(selector);
    expect(p?.field).toBe(field);
    expect(p?.problem).toMatch(problem);
  });
});
