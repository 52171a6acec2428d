import { describe, expect, it } from "vitest";
import { lastApp, loadBuilder, saveBuilder, type BuilderState } from "./builderStore";
import { freshForm } from "./submission";

const store = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
};

describe("the Task Builder's kept state", () => {
  it("gives back each app's form and tab, per user, and remembers the last app", () => {
    const s = store();
    const demo: BuilderState = { form: { ...freshForm("demo", { sleep: {} }), nodes: "3", jobLabel: "nightly" }, tab: "OPTIONAL" };
    const other: BuilderState = { form: freshForm("other", { run: {} }), tab: "GENERAL" };
    saveBuilder(s, "alice", "demo", demo);
    saveBuilder(s, "alice", "other", other);
    expect(loadBuilder(s, "alice", "demo")).toEqual(demo);
    expect(loadBuilder(s, "alice", "other")).toEqual(other);
    expect(lastApp(s, "alice")).toBe("other");
    expect(loadBuilder(s, "bob", "demo")).toBeUndefined();
    expect(lastApp(s, "bob")).toBeUndefined();
  });

  it("drops a state it cannot use (not JSON, another app's, an older form shape)", () => {
    const s = store();
    s.setItem("paddock.builder.alice.demo", "{");
    expect(loadBuilder(s, "alice", "demo")).toBeUndefined();
    s.setItem("paddock.builder.alice.demo", JSON.stringify({ form: { ...freshForm("x", {}) }, tab: "GENERAL" }));
    expect(loadBuilder(s, "alice", "demo")).toBeUndefined();
    s.setItem("paddock.builder.alice.demo", JSON.stringify({ form: { app: "demo", nodes: 1 }, tab: "GENERAL" }));
    expect(loadBuilder(s, "alice", "demo")).toBeUndefined();
  });
});
