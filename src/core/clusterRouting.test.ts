import { describe, expect, it } from "vitest";
import { kubeconfigPathProblem, namespaceProblem, reachKey, secretNameProblem, STARTED_WITH, waitingText } from "./clusterRouting";

const reach = (r: Partial<{ kubeconfigSecret: string; kubeconfigPath: string; jobsNamespace: string }>) => ({ kubeconfigSecret: null, kubeconfigPath: null, jobsNamespace: null, ...r });

describe("reachKey", () => {
  it("puts clusters with neither a Secret nor a file on the started-with cluster, in its namespace", () => {
    expect(reachKey(reach({}), "jobs")).toBe(STARTED_WITH);
    expect(reachKey(reach({ jobsNamespace: "jobs" }), "jobs")).toBe(STARTED_WITH);
  });
  it("gives another namespace of the started-with cluster a backend of its own", () => {
    expect(reachKey(reach({ jobsNamespace: "other" }), "jobs")).not.toBe(STARTED_WITH);
  });
  it("shares a backend between clusters reached the same way, and only then", () => {
    expect(reachKey(reach({ kubeconfigSecret: "west" }), "jobs")).toBe(reachKey(reach({ kubeconfigSecret: "west", jobsNamespace: "jobs" }), "jobs"));
    expect(reachKey(reach({ kubeconfigSecret: "west" }), "jobs")).not.toBe(reachKey(reach({ kubeconfigSecret: "east" }), "jobs"));
    expect(reachKey(reach({ kubeconfigSecret: "west" }), "jobs")).not.toBe(reachKey(reach({ kubeconfigSecret: "west", jobsNamespace: "w" }), "jobs"));
    expect(reachKey(reach({ kubeconfigPath: "/a" }), "jobs")).not.toBe(reachKey(reach({ kubeconfigSecret: "/a" }), "jobs"));
  });
});

describe("validation", () => {
  it.each([["jobs"], ["a"], ["a-b-1"], ["x".repeat(63)]])("accepts namespace %s", (ns) => expect(namespaceProblem(ns)).toBeUndefined());
  it.each([[""], ["A"], ["-a"], ["a-"], ["a.b"], ["x".repeat(64)]])("refuses namespace %j", (ns) => expect(namespaceProblem(ns)).toBeDefined());
  it.each([["west-kubeconfig"], ["a.b.c"]])("accepts Secret name %s", (n) => expect(secretNameProblem(n)).toBeUndefined());
  it.each([[""], ["West"], ["a..b"], ["a_b"], ["x".repeat(254)]])("refuses Secret name %j", (n) => expect(secretNameProblem(n)).toBeDefined());
  it.each([["/etc/k.yaml"]])("accepts path %s", (p) => expect(kubeconfigPathProblem(p)).toBeUndefined());
  it.each([["k.yaml"], ["/"], ["/a\nb"]])("refuses path %j", (p) => expect(kubeconfigPathProblem(p)).toBeDefined());
});

it("says which cluster a job waits for, and why", () => {
  expect(waitingText("west", "no answer within 3 s")).toBe("Waiting for cluster west: unreachable (no answer within 3 s)");
});
