import { describe, expect, it } from "vitest";
import type { ParDef } from "../../src/core/appdef";
import { APIKEY_PLACEHOLDER, buildSubmission, defaultParameters, freshForm, previewJson, typedParameters, type TaskForm } from "./submission";

const defs: Record<string, ParDef> = {
  seconds: { name: "Seconds", type: "INT", value: 30 },
  verbose: { name: "Verbose", type: "BOOL", value: false },
  mode: { name: "Mode", type: "selection", values: ["fast", "slow"] },
  fixed: { name: "Fixed", type: "CONST", value: "-f" },
  note: { name: "Note", type: "STR" },
};

describe("the Task Builder's submission", () => {
  it("starts from the AppDef defaults, leaving CONST parameters out", () => {
    expect(defaultParameters(defs)).toEqual({ seconds: "30", verbose: false, mode: "fast", note: "" });
  });

  it("types values as the AppDef says and drops empty optional ones", () => {
    expect(typedParameters(defs, { seconds: "12", verbose: true, mode: "slow", note: "", fixed: "x" })).toEqual({ seconds: 12, verbose: true, mode: "slow" });
    // a non-number stays a string so the API names the field
    expect(typedParameters(defs, { seconds: "soon" })).toEqual({ seconds: "soon" });
  });

  const blank = { vault: "", ipaddr: "", jobLabel: "", walltime: "", licenses: "", project: "" };

  it("builds the /jarvice/submit JSON, with ipaddr and vault only when given", () => {
    const form: TaskForm = { ...blank, app: "demo", command: "sleep", parameters: { seconds: "5" }, machine: "n4", nodes: "2" };
    expect(buildSubmission(form, defs)).toEqual({ app: "demo", application: { command: "sleep", parameters: { seconds: 5 } }, machine: { type: "n4", nodes: 2 } });
    const tagged = buildSubmission({ ...form, vault: "home", ipaddr: "web" }, defs);
    expect(tagged.ipaddr).toBe("web");
    expect(tagged.vault).toEqual({ name: "home" });
  });

  it("sends the OPTIONAL tab's job label, wall time, licenses and project under the API's keys, only when given", () => {
    const form: TaskForm = { ...blank, app: "demo", command: "sleep", parameters: {}, machine: "n4", nodes: "1", jobLabel: "nightly", walltime: " 01:30 ", licenses: "lic:2", project: "apollo" };
    expect(buildSubmission(form, defs)).toEqual({
      app: "demo",
      application: { command: "sleep", parameters: {}, walltime: "01:30" },
      machine: { type: "n4", nodes: 1 },
      job_label: "nightly",
      licenses: "lic:2",
      job_project: "apollo",
    });
  });

  it("keeps the Nodes text as typed: a whole number goes as a number, anything else as text for the API to name", () => {
    const form: TaskForm = { ...blank, app: "demo", command: "sleep", parameters: {}, machine: "n4", nodes: "3" };
    expect(buildSubmission(form, defs).machine).toEqual({ type: "n4", nodes: 3 });
    expect(buildSubmission({ ...form, nodes: "" }, defs).machine).toEqual({ type: "n4", nodes: "" });
    expect(buildSubmission({ ...form, nodes: "2.5" }, defs).machine).toEqual({ type: "n4", nodes: "2.5" });
  });

  it("previews with the user's API key when the portal has it, else says where to find it", () => {
    const sub = buildSubmission({ ...blank, app: "demo", command: "sleep", parameters: {}, machine: "n4", nodes: "1", ipaddr: "web" }, defs);
    const shown = JSON.parse(previewJson(sub, "alice")) as Record<string, unknown>;
    expect(shown.user).toEqual({ username: "alice", apikey: APIKEY_PLACEHOLDER });
    expect(APIKEY_PLACEHOLDER).toContain("/account");
    expect(shown.ipaddr).toBe("web");
    expect((JSON.parse(previewJson(sub, "alice", "k3y")) as { user: unknown }).user).toEqual({ username: "alice", apikey: "k3y" });
  });

  it("starts a new form on the app's first command, or on the one asked for when the app has it", () => {
    const commands = { sleep: { parameters: defs }, web: {} };
    expect(freshForm("demo", commands)).toMatchObject({ app: "demo", command: "sleep", parameters: { seconds: "30" }, nodes: "1", machine: "" });
    expect(freshForm("demo", commands, "web")).toMatchObject({ command: "web", parameters: {} });
    expect(freshForm("demo", commands, "nope").command).toBe("sleep");
  });
});
