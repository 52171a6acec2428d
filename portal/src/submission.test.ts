import { describe, expect, it } from "vitest";
import type { ParDef } from "../../src/core/appdef";
import { buildSubmission, defaultParameters, previewJson, typedParameters } from "./submission";

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

  it("builds the /jarvice/submit JSON, with ipaddr and vault only when given", () => {
    const form = { app: "demo", command: "sleep", parameters: { seconds: "5" }, machine: "n4", nodes: 2, vault: "", ipaddr: "" };
    expect(buildSubmission(form, defs)).toEqual({ app: "demo", application: { command: "sleep", parameters: { seconds: 5 } }, machine: { type: "n4", nodes: 2 } });
    const tagged = buildSubmission({ ...form, vault: "home", ipaddr: "web" }, defs);
    expect(tagged.ipaddr).toBe("web");
    expect(tagged.vault).toEqual({ name: "home" });
  });

  it("previews with the user and an API key placeholder, never a key", () => {
    const sub = buildSubmission({ app: "demo", command: "sleep", parameters: {}, machine: "n4", nodes: 1, vault: "", ipaddr: "web" }, defs);
    const shown = JSON.parse(previewJson(sub, "alice")) as Record<string, unknown>;
    expect(shown.user).toEqual({ username: "alice", apikey: "<your API key>" });
    expect(shown.ipaddr).toBe("web");
  });
});
