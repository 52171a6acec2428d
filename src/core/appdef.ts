// Application definitions (JARVICE AppDefs): which commands an app has, their
// parameters, and how a submission's parameters become the command line.
// Parameters are positional values by default; `positional: false` passes
// `-<id> <value>` (a BOOL: `-<id>` when true); `variable: true` passes an
// environment variable instead; CONST always passes its AppDef value.

export const PARAMETER_TYPES = ["CONST", "STR", "INT", "FLOAT", "RANGE", "BOOL", "selection", "FILE", "UPLOAD"] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export interface ParDef {
  name: string;
  description?: string;
  type: ParameterType;
  required?: boolean;
  value?: string | number | boolean;
  values?: string[];
  min?: number;
  max?: number;
  positional?: boolean;
  variable?: boolean;
}

export interface AppDefCommand {
  path: string;
  name: string;
  description?: string;
  interactive?: boolean;
  url?: string;
  machines?: string[];
  parameters?: Record<string, ParDef>;
}

export interface AppDef {
  name: string;
  description?: string;
  author?: string;
  image: { type: string; data: string };
  machines?: string[];
  scale_max?: number;
  commands: Record<string, AppDefCommand>;
  [extra: string]: unknown;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; field: string; problem: string };
const fail = (field: string, problem: string): { ok: false; field: string; problem: string } => ({ ok: false, field, problem });

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export interface Problem {
  field: string;
  problem: string;
}

/** Every problem of an AppDef document (fields under `at`), in document order; [] when it is valid. */
export function appDefProblems(doc: unknown, at = "appdef"): Problem[] {
  const out: Problem[] = [];
  const fail = (field: string, problem: string) => void out.push({ field, problem });
  const f = (sub: string) => (at ? `${at}.${sub}` : sub);
  if (!isObj(doc)) {
    fail(at || "body", "must be a JSON object");
    return out;
  }
  if (typeof doc.name !== "string" || doc.name === "") fail(f("name"), "is required");
  if (!isObj(doc.image) || typeof doc.image.data !== "string" || doc.image.data === "") fail(f("image.data"), "is required: the container image");
  if (doc.machines !== undefined && (!Array.isArray(doc.machines) || doc.machines.some((m) => typeof m !== "string"))) fail(f("machines"), "must be a list of machine name patterns");
  if (!isObj(doc.commands) || Object.keys(doc.commands).length === 0) {
    fail(f("commands"), "must name at least one command");
    return out;
  }
  for (const [id, cmd] of Object.entries(doc.commands)) {
    const cat = f(`commands.${id}`);
    if (!isObj(cmd)) {
      fail(cat, "must be an object");
      continue;
    }
    if (typeof cmd.path !== "string" || cmd.path === "") fail(`${cat}.path`, "is required: the program to run");
    if (cmd.parameters !== undefined && !isObj(cmd.parameters)) {
      fail(`${cat}.parameters`, "must be an object");
      continue;
    }
    for (const [pid, p] of Object.entries((cmd.parameters ?? {}) as Record<string, unknown>)) {
      const pat = `${cat}.parameters.${pid}`;
      if (!isObj(p)) {
        fail(pat, "must be an object");
        continue;
      }
      if (!PARAMETER_TYPES.includes(p.type as ParameterType)) fail(`${pat}.type`, `must be one of ${PARAMETER_TYPES.join(", ")}`);
      if (p.type === "selection" && (!Array.isArray(p.values) || p.values.length === 0)) fail(`${pat}.values`, "a selection needs its values");
      if (p.type === "CONST" && p.value === undefined) fail(`${pat}.value`, "a CONST needs its value");
      // Submissions are checked against min and max: they must be finite numbers, in order.
      for (const k of ["min", "max"] as const) {
        if (p[k] !== undefined && (typeof p[k] !== "number" || !Number.isFinite(p[k]))) fail(`${pat}.${k}`, "must be a number");
      }
      if (typeof p.min === "number" && typeof p.max === "number" && Number.isFinite(p.min) && Number.isFinite(p.max) && p.min > p.max) fail(`${pat}.min`, `must not be more than max (${p.max})`);
    }
  }
  return out;
}

/** Validate an AppDef document as an administrator uploads it (the first problem, if any). */
export function checkAppDef(doc: unknown): Checked<AppDef> {
  const [first] = appDefProblems(doc);
  if (first) return { ok: false, ...first };
  const d = doc as Record<string, unknown> & { commands: Record<string, object> };
  const value = { ...d, commands: Object.fromEntries(Object.entries(d.commands).map(([id, c]) => [id, "name" in c ? c : { name: id, ...c }])) } as AppDef;
  return { ok: true, value };
}

/** Glob match for AppDef machine patterns such as "n*" or "g?-*". */
export function machinePatternMatches(pattern: string, machine: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return re.test(machine);
}

/** Why `machine` may not run `command` of `app`, if it may not. */
export function machineAllowedProblem(app: AppDef, command: string, machine: string): string | undefined {
  const patterns = app.commands[command]?.machines ?? app.machines;
  if (!patterns || patterns.length === 0) return undefined;
  return patterns.some((p) => machinePatternMatches(p, machine)) ? undefined : `app '${app.name}' runs only on machines matching ${patterns.join(", ")}`;
}

export interface CommandLine {
  argv: string[];
  env: Record<string, string>;
  /** the parameters as accepted (defaults filled in) */
  parameters: Record<string, string | number | boolean>;
}

const DECIMAL_INT = /^[+-]?\d{1,16}$/;
const DECIMAL = /^[+-]?(\d{1,16}(\.\d{0,16})?|\.\d{1,16})$/;

/**
 * A numeric parameter's value: a JSON number, or a string in plain decimal
 * notation. Hex (`0x10`), exponents (`1e3`), `Infinity` and blanks are refused:
 * JavaScript's Number() would read them, the application would not.
 */
function numericValue(v: unknown, integer: boolean): number | undefined {
  let n: number;
  if (typeof v === "number") n = v;
  else if (typeof v === "string" && (integer ? DECIMAL_INT : DECIMAL).test(v)) n = Number(v);
  else return undefined;
  if (!Number.isFinite(n)) return undefined;
  if (integer && !Number.isSafeInteger(n)) return undefined;
  return n;
}

/** Turn a command and the submitted parameters into the command line, or say which parameter is wrong. */
export function commandLine(app: AppDef, command: string, submitted: Record<string, unknown>): Checked<CommandLine> {
  const cmd = Object.hasOwn(app.commands, command) ? app.commands[command] : undefined;
  if (!cmd) return fail("application.command", `app '${app.name}' has no command '${command}' (it has ${Object.keys(app.commands).join(", ")})`);
  const defs = cmd.parameters ?? {};
  for (const k of Object.keys(submitted)) {
    if (!Object.hasOwn(defs, k)) return fail(`application.parameters.${k}`, `command '${command}' has no such parameter (it has ${Object.keys(defs).join(", ") || "none"})`);
  }
  const argv = [cmd.path];
  const env: Record<string, string> = {};
  const accepted: Record<string, string | number | boolean> = {};
  for (const [id, def] of Object.entries(defs)) {
    const field = `application.parameters.${id}`;
    const given = Object.hasOwn(submitted, id) ? submitted[id] : undefined;
    let v: unknown = def.type === "CONST" ? def.value : (given ?? def.value);
    if (def.type === "CONST" && given !== undefined && String(given) !== String(def.value)) return fail(field, "is a constant and cannot be set");
    if (v === undefined || v === "") {
      if (def.required) return fail(field, "is required");
      continue;
    }
    switch (def.type) {
      case "INT":
      case "RANGE":
      case "FLOAT": {
        const n = numericValue(v, def.type === "INT");
        if (n === undefined) return fail(field, def.type === "INT" ? "must be an integer" : "must be a number");
        if (def.min !== undefined && n < def.min) return fail(field, `must be at least ${def.min}`);
        if (def.max !== undefined && n > def.max) return fail(field, `must be at most ${def.max}`);
        v = n;
        break;
      }
      case "BOOL":
        if (v === "true") v = true;
        if (v === "false") v = false;
        if (typeof v !== "boolean") return fail(field, "must be true or false");
        break;
      case "selection":
        if (!def.values!.includes(String(v))) return fail(field, `must be one of ${def.values!.join(", ")}`);
        v = String(v);
        break;
      default:
        // A CONST's value is the AppDef's (which may be a boolean), never the user's.
        if (typeof v !== "string" && typeof v !== "number" && !(def.type === "CONST" && typeof v === "boolean")) return fail(field, "must be a string");
        v = String(v);
    }
    accepted[id] = v as string | number | boolean;
    if (def.variable) {
      env[id] = String(v);
    } else if (def.type === "BOOL") {
      if (v === true) argv.push(`-${id}`);
    } else if (def.positional === false) {
      argv.push(`-${id}`, String(v));
    } else {
      argv.push(String(v));
    }
  }
  return { ok: true, value: { argv, env, parameters: accepted } };
}
