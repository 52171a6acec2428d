// What the Task Builder submits: the /jarvice/submit JSON, built from the form.
// POST /api/jobs takes it without `user`; the PREVIEW SUBMISSION shows it with
// `user` (the caller's API key when the portal may show it, else where to find
// it), as a script would send it to /jarvice/submit.
import type { ParDef } from "../../src/core/appdef";

export interface TaskForm {
  app: string;
  command: string;
  /** raw form values by parameter id */
  parameters: Record<string, string | boolean>;
  machine: string;
  /** the Nodes field as typed (a whole number when valid): the field never rewrites itself */
  nodes: string;
  vault: string;
  /** the IP Address Tag without the prefix; empty for none */
  ipaddr: string;
  /** the OPTIONAL tab's other fields, each left out of the submission when empty */
  jobLabel: string;
  walltime: string;
  licenses: string;
  project: string;
}

export interface Submission {
  app: string;
  application: { command: string; parameters: Record<string, string | number | boolean>; walltime?: string };
  machine: { type: string; nodes: number | string };
  vault?: { name: string };
  ipaddr?: string;
  job_label?: string;
  job_project?: string;
  licenses?: string;
  user?: { username: string; apikey: string };
}

/** Form values typed as the AppDef says; CONST parameters and empty optional values are left out. */
export function typedParameters(defs: Record<string, ParDef> | undefined, raw: Record<string, string | boolean>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [id, def] of Object.entries(defs ?? {})) {
    if (def.type === "CONST") continue;
    const v = raw[id];
    if (v === undefined || v === "") continue;
    if (def.type === "BOOL") out[id] = v === true || v === "true";
    else if ((def.type === "INT" || def.type === "FLOAT" || def.type === "RANGE") && typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) out[id] = Number(v);
    else out[id] = String(v);
  }
  return out;
}

export function buildSubmission(form: TaskForm, defs: Record<string, ParDef> | undefined): Submission {
  const nodes = form.nodes.trim();
  const walltime = form.walltime.trim();
  return {
    app: form.app,
    application: { command: form.command, parameters: typedParameters(defs, form.parameters), ...(walltime ? { walltime } : {}) },
    // a whole number as a number; anything else as typed, for the API to name the field
    machine: { type: form.machine, nodes: /^\d+$/.test(nodes) ? Number(nodes) : nodes },
    ...(form.vault ? { vault: { name: form.vault } } : {}),
    ...(form.ipaddr ? { ipaddr: form.ipaddr } : {}),
    ...(form.jobLabel ? { job_label: form.jobLabel } : {}),
    ...(form.licenses ? { licenses: form.licenses } : {}),
    ...(form.project ? { job_project: form.project } : {}),
  };
}

/** What the PREVIEW SUBMISSION puts where the key goes when the portal cannot show it (GET /api/me/apikey refused). */
export const APIKEY_PLACEHOLDER = "<your API key: Account page, /account>";

/** The PREVIEW SUBMISSION: the exact /jarvice/submit JSON, with the user's API key when known, else a placeholder saying where it is. */
export function previewJson(sub: Submission, username: string, apikey?: string): string {
  return JSON.stringify({ ...sub, user: { username, apikey: apikey || APIKEY_PLACEHOLDER } }, null, 2);
}

/** A new form for an app: its first command (or `command` when it has it) with the AppDef defaults, no machine type yet. */
export function freshForm(app: string, commands: Record<string, { parameters?: Record<string, ParDef> }> | undefined, command?: string): TaskForm {
  const cmd = command && commands && Object.hasOwn(commands, command) ? command : (Object.keys(commands ?? {})[0] ?? "");
  return { app, command: cmd, parameters: defaultParameters(commands?.[cmd]?.parameters), machine: "", nodes: "1", vault: "", ipaddr: "", jobLabel: "", walltime: "", licenses: "", project: "" };
}

/** Initial form values of a command's parameters: the AppDef defaults. */
export function defaultParameters(defs: Record<string, ParDef> | undefined): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const [id, def] of Object.entries(defs ?? {})) {
    if (def.type === "CONST") continue;
    if (def.type === "BOOL") out[id] = def.value === true || def.value === "true";
    else out[id] = def.value === undefined ? (def.type === "selection" ? (def.values?.[0] ?? "") : "") : String(def.value);
  }
  return out;
}
