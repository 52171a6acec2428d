import { describe, expect, it } from "vitest";
import { commandLine, type AppDef, type ParDef } from "../../src/core/appdef";
import { defaultMachine, jobVault, naturalCompare, nodesOf, parameterProblem, sortedMachines, taskProblems, zoneText, type MachineInfo, type TaskFacts, type VaultInfo } from "./builderChecks";

const app: AppDef = {
  name: "Solver",
  image: { type: "docker", data: "x" },
  machines: ["n*"],
  scale_max: 3,
  commands: {
    run: {
      path: "/run",
      name: "Run",
      parameters: {
        steps: { name: "Steps", type: "INT", min: 1, max: 100, required: true },
        ratio: { name: "Ratio", type: "FLOAT", min: 0, max: 1, value: 0.5 },
        mode: { name: "Mode", type: "selection", values: ["fast", "slow"] },
        flag: { name: "Flag", type: "CONST", value: "-x" },
      },
    },
    gpu: { path: "/gpu", name: "GPU", machines: ["g*"] },
  },
};
const n4: MachineInfo = { name: "n4", zone: 0, maxNodes: 4 };
const n16: MachineInfo = { name: "n16", zone: 0, maxNodes: 8 };
const g8: MachineInfo = { name: "g8", zone: 1, zoneName: "west", maxNodes: 2 };
const zones = new Map([
  [0, "Default"],
  [1, "west"],
  [2, "east"],
]);
const facts = (f: Partial<TaskFacts> = {}): TaskFacts => ({
  appId: "solver",
  app,
  command: "run",
  parameters: { steps: "10", ratio: "", mode: "fast" },
  machineName: "n4",
  machine: n4,
  nodes: "1",
  vaultName: "",
  vault: undefined,
  zoneNames: zones,
  walltime: "",
  texts: { job_label: "", job_project: "", licenses: "" },
  ...f,
});
const fields = (f: Partial<TaskFacts>) => Object.fromEntries(taskProblems(facts(f)).map((p) => [p.field, p.problem]));

describe("the Task Builder's checks before submit", () => {
  it("sorts machine types naturally and defaults to the smallest the command may run on", () => {
    expect(sortedMachines([n16, { ...n4, name: "n8" }, n4]).map((m) => m.name)).toEqual(["n4", "n8", "n16"]);
    expect(["b10", "a2", "b9", "a10"].sort(naturalCompare)).toEqual(["a2", "a10", "b9", "b10"]);
    expect(defaultMachine([n16, g8, n4], app, "run")).toBe("n4");
    expect(defaultMachine([n16, g8, n4], app, "gpu")).toBe("g8");
    expect(defaultMachine([], app, "run")).toBe("");
  });

  it("finds nothing wrong with a good task", () => {
    expect(taskProblems(facts())).toEqual([]);
  });

  it("refuses a machine type the app's (or the command's) patterns exclude", () => {
    expect(fields({ machineName: "g8", machine: g8 })["machine.type"]).toBe("app 'Solver' runs only on machines matching n*");
    expect(fields({ command: "gpu", parameters: {} })["machine.type"]).toBe("app 'Solver' runs only on machines matching g*");
    expect(fields({ machineName: "gone", machine: undefined })["machine.type"]).toBe("'gone' is not offered in your zones");
  });

  it("refuses nodes above the machine's maximum and the AppDef's scale_max, with the API's words", () => {
    expect(fields({ nodes: "3" })).toEqual({});
    expect(fields({ nodes: "4" })["machine.nodes"]).toBe("4 is more than the 3 node(s) allowed for machine 'n4' and app 'solver'");
    expect(fields({ app: { ...app, scale_max: undefined }, nodes: "5" })["machine.nodes"]).toBe("5 is more than the 4 node(s) allowed for machine 'n4'");
    for (const bad of ["", "0", "1.5", "two", "-1"]) expect(fields({ nodes: bad })["machine.nodes"], bad).toBe("must be an integer of at least 1");
    expect(nodesOf(" 12 ")).toBe(12);
  });

  it("refuses a vault in another zone than the machine, naming both zones by name; an unzoned vault goes anywhere", () => {
    const east: VaultInfo = { name: "archive", kind: "pvc", zone: 2, default: false };
    expect(fields({ vaultName: "archive", vault: east })["vault.name"]).toBe("machine 'n4' is in zone Default but vault 'archive' is in zone east");
    expect(fields({ vaultName: "archive", vault: { ...east, zone: -1 } })).toEqual({});
    expect(fields({ vaultName: "archive", vault: { ...east, zone: 0 } })).toEqual({});
    // the default vault counts too
    expect(fields({ vaultName: "", vault: { ...east, default: true }, machineName: "n16", machine: n16 })["vault.name"]).toMatch(/machine 'n16' is in zone Default but vault 'archive' is in zone east/);
    expect(fields({ vaultName: "gone", vault: undefined })["vault.name"]).toBe("'gone' is not one of your vaults");
  });

  it("refuses parameter values outside the AppDef's min and max, and reports every problem at once", () => {
    const all = fields({ parameters: { steps: "0", ratio: "1.5", mode: "medium" }, nodes: "9", machineName: "g8", machine: g8, walltime: "1:75" });
    expect(all).toEqual({
      "application.parameters.steps": "must be at least 1",
      "application.parameters.ratio": "must be at most 1",
      "application.parameters.mode": "must be one of fast, slow",
      "machine.type": "app 'Solver' runs only on machines matching n*",
      "machine.nodes": "9 is more than the 2 node(s) allowed for machine 'g8' and app 'solver'",
      "application.walltime": "must be HH:MM or HH:MM:SS, with minutes and seconds from 00 to 59",
    });
    expect(fields({ parameters: { steps: "" } })["application.parameters.steps"]).toBe("is required");
    expect(fields({ texts: { job_label: "x".repeat(1025), job_project: "", licenses: "" } }).job_label).toBe("must be at most 1024 characters");
  });

  it("words a parameter's problem exactly as the API does (src/core/appdef.ts commandLine)", () => {
    const cases: Array<[ParDef, string]> = [
      [{ name: "N", type: "INT", min: 2, max: 5 }, "1"],
      [{ name: "N", type: "INT", min: 2, max: 5 }, "6"],
      [{ name: "N", type: "INT", min: 2, max: 5 }, "3"],
      [{ name: "N", type: "INT" }, "2.5"],
      [{ name: "N", type: "INT" }, "0x10"],
      [{ name: "X", type: "FLOAT", min: -1, max: 1 }, "-1.5"],
      [{ name: "X", type: "FLOAT" }, "1e3"],
      [{ name: "X", type: "RANGE", min: 0, max: 10 }, "10"],
      [{ name: "S", type: "selection", values: ["a", "b"] }, "c"],
      [{ name: "S", type: "STR", required: true }, ""],
      [{ name: "S", type: "INT", required: true, value: 4, max: 3 }, ""],
    ];
    for (const [def, raw] of cases) {
      const server = commandLine({ name: "A", image: { type: "docker", data: "x" }, commands: { c: { path: "/c", name: "c", parameters: { p: def } } } }, "c", raw === "" ? {} : { p: raw });
      expect(parameterProblem(def, raw), `${def.type} ${raw}`).toBe(server.ok ? undefined : server.problem);
    }
  });

  it("picks the vault a submission uses, as the API does: the named one, else the own default PVC, else the own default", () => {
    const vaults: VaultInfo[] = [
      { name: "shared-home", kind: "pvc", zone: 0, default: true, sharedBy: "bob" },
      { name: "ephemeral", kind: "ephemeral", zone: 1, default: true },
      { name: "home", kind: "pvc", zone: 0, default: true },
      { name: "data", kind: "nfs", zone: -1, default: false },
    ];
    expect(jobVault(vaults, "data")?.name).toBe("data");
    expect(jobVault(vaults, "")?.name).toBe("home");
    expect(jobVault(vaults.filter((v) => v.name !== "home"), "")?.name).toBe("ephemeral");
    expect(jobVault(vaults, "nope")).toBeUndefined();
  });

  it("names zones by name, the answer's own name first, 'unzoned' for -1", () => {
    expect([zoneText(1, zones), zoneText(1, zones, "West"), zoneText(-1, zones), zoneText(9, zones)]).toEqual(["west", "West", "unzoned", "zone 9"]);
  });
});
