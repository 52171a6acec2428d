// What the Task Builder checks before it submits, from what it has already loaded: the AppDef, the
// machine types, the user's vaults and the zones (pure; builderChecks.test.ts). The messages are the
// API's, so a problem reads the same whether the portal or the server finds it; the server's answer
// stays authoritative.
//   taskProblems(facts)       every problem at once, as {field, problem} by API field path
//   sortedMachines(ms)        n4, n8, n16 (natural order)
//   defaultMachine(ms, app, cmd)  the first (smallest) machine type the command may run on
//   jobVault(vaults, name)    the vault a submission uses (the named one, else the default the API picks)
import { machineAllowedProblem, type AppDef, type ParDef } from "../../src/core/appdef";
import { SUBMISSION_TEXT_MAX } from "../../src/core/submission";

export interface MachineInfo {
  name: string;
  zone: number;
  zoneName?: string;
  maxNodes: number;
}

export interface VaultInfo {
  name: string;
  kind: string;
  /** -1: unzoned */
  zone: number;
  zoneName?: string;
  default: boolean;
  sharedBy?: string;
}

export interface Problem {
  field: string;
  problem: string;
}

/** "n4" < "n8" < "n16": names compared with their numbers as numbers. */
export const naturalCompare = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true, sensitivity: "base" }) || (a < b ? -1 : a > b ? 1 : 0);

export const sortedMachines = <M extends { name: string }>(ms: readonly M[]): M[] => [...ms].sort((a, b) => naturalCompare(a.name, b.name));

/** Whether `command` of `app` may run on machine type `name` (AppDef `machines` patterns, the command's first). */
export const runsOn = (app: AppDef | undefined, command: string, name: string) => !app || machineAllowedProblem(app, command, name) === undefined;

/** The default machine type: the first in natural order the command may run on (else the first). */
export function defaultMachine(ms: readonly MachineInfo[], app: AppDef | undefined, command: string): string {
  const sorted = sortedMachines(ms);
  return (sorted.find((m) => runsOn(app, command, m.name)) ?? sorted[0])?.name ?? "";
}

/** The vault a submission uses: the named one, else the default the API picks (own default PVC, else own default). */
export function jobVault<V extends VaultInfo>(vaults: readonly V[], name: string): V | undefined {
  if (name) return vaults.find((v) => v.name === name);
  return vaults.find((v) => v.default && v.kind === "pvc" && !v.sharedBy) ?? vaults.find((v) => v.default && !v.sharedBy);
}

/** A zone in words: its name (from the answer or the zones list), "unzoned" for -1, else "zone <id>". */
export function zoneText(id: number, names: ReadonlyMap<number, string>, given?: string): string {
  if (id < 0) return "unzoned";
  return given ?? names.get(id) ?? `zone ${id}`;
}

const DECIMAL_INT = /^[+-]?\d{1,16}$/;
const DECIMAL = /^[+-]?(\d{1,16}(\.\d{0,16})?|\.\d{1,16})$/;

/** A parameter's problem as the API words it (src/core/appdef.ts commandLine), from the form's raw value. */
export function parameterProblem(def: ParDef, raw: string | boolean | undefined): string | undefined {
  if (def.type === "CONST") return undefined;
  // an empty field is left out of the submission, so the AppDef's default applies
  const v = raw === undefined || raw === "" ? def.value : raw;
  if (v === undefined || v === "") return def.required ? "is required" : undefined;
  switch (def.type) {
    case "INT":
    case "RANGE":
    case "FLOAT": {
      const integer = def.type === "INT";
      const s = String(v).trim();
      const n = typeof v === "number" ? v : (integer ? DECIMAL_INT : DECIMAL).test(s) ? Number(s) : NaN;
      if (!Number.isFinite(n) || (integer && !Number.isSafeInteger(n))) return integer ? "must be an integer" : "must be a number";
      if (def.min !== undefined && n < def.min) return `must be at least ${def.min}`;
      if (def.max !== undefined && n > def.max) return `must be at most ${def.max}`;
      return undefined;
    }
    case "selection":
      return def.values?.includes(String(v)) ? undefined : `must be one of ${(def.values ?? []).join(", ")}`;
    default:
      return undefined;
  }
}

/** How many nodes the form asks for, or undefined when the text is not a whole number of at least 1. */
export function nodesOf(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d{1,6}$/.test(t)) return undefined;
  const n = Number(t);
  return n >= 1 ? n : undefined;
}

export const WALLTIME = /^\d{1,4}:[0-5]\d(:[0-5]\d)?$/;

export interface TaskFacts {
  appId: string;
  app: AppDef | undefined;
  command: string;
  parameters: Record<string, string | boolean>;
  /** the machine type chosen, and what the list says about it (undefined: not in the list) */
  machineName: string;
  machine: MachineInfo | undefined;
  nodes: string;
  /** the vault named in the form ("" for the default) and the vault it resolves to */
  vaultName: string;
  vault: VaultInfo | undefined;
  zoneNames: ReadonlyMap<number, string>;
  walltime: string;
  texts: { job_label: string; job_project: string; licenses: string };
}

/** Every problem the Task Builder can see before submitting, by the API's field paths. */
export function taskProblems(f: TaskFacts): Problem[] {
  const out: Problem[] = [];
  const add = (field: string, problem: string | undefined) => void (problem ? out.push({ field, problem }) : undefined);
  const cmd = f.app?.commands[f.command];
  for (const [id, def] of Object.entries(cmd?.parameters ?? {})) add(`application.parameters.${id}`, parameterProblem(def, f.parameters[id]));

  const { machine } = f;
  if (!f.machineName) add("machine.type", "is required");
  else if (!machine) add("machine.type", `'${f.machineName}' is not offered in your zones`);
  else if (f.app) add("machine.type", machineAllowedProblem(f.app, f.command, machine.name));

  const nodes = nodesOf(f.nodes);
  if (nodes === undefined) add("machine.nodes", "must be an integer of at least 1");
  else if (machine) {
    const scaleMax = f.app?.scale_max;
    const max = Math.min(machine.maxNodes, scaleMax ?? Infinity);
    if (nodes > max) add("machine.nodes", `${nodes} is more than the ${max} node(s) allowed for machine '${machine.name}'${scaleMax !== undefined ? ` and app '${f.appId}'` : ""}`);
  }

  if (f.vaultName && !f.vault) add("vault.name", `'${f.vaultName}' is not one of your vaults`);
  else if (f.vault && machine && f.vault.zone >= 0 && f.vault.zone !== machine.zone) {
    const mz = zoneText(machine.zone, f.zoneNames, machine.zoneName);
    const vz = zoneText(f.vault.zone, f.zoneNames, f.vault.zoneName);
    add("vault.name", `machine '${machine.name}' is in zone ${mz} but vault '${f.vault.name}' is in zone ${vz}`);
  }

  if (f.walltime.trim() !== "" && !WALLTIME.test(f.walltime.trim())) add("application.walltime", "must be HH:MM or HH:MM:SS, with minutes and seconds from 00 to 59");
  for (const [field, v] of Object.entries(f.texts)) if (v.length > SUBMISSION_TEXT_MAX) add(field, `must be at most ${SUBMISSION_TEXT_MAX} characters`);
  return out;
}
