// What the Task Builder submits: the /jarvice/submit JSON, built from the form.
// POST /api/jobs takes it without `user`; the PREVIEW SUBMISSION shows it with
// a placeholder `user`, as a script would send it to /jarvice/submit.
import type { ParDef } from "../../src/core/appdef";

export interface TaskForm {
  app: string;
  command: string;
  /** raw form values by parameter id */
  parameters: Record<string, string | boolean>;
  machine: string;
  nodes: number;
  vault: string;
  /** the IP Address Tag without the prefix; empty for none */
  ipaddr: string;
}

export interface Submission {
  app: string;
  application: { command: string; parameters: Record<string, string | number | boolean> };
  machine: { type: string; nodes: number };
  vault?: { name: string };
  ipaddr?: string;
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
  return {
    app: form.app,
    application: { command: form.command, parameters: typedParameters(defs, form.parameters) },
    machine: { type: form.machine, nodes: form.nodes },
    ...(form.vault ? { vault: { name: form.vault } } : {}),
    ...(form.ipaddr ? { ipaddr: form.ipaddr } : {}),
  };
}

/** The PREVIEW SUBMISSION: the exact /jarvice/submit JSON, with the user's key as a placeholder. */
export function previewJson(sub: Submission, username: string): string {
  return JSON.stringify({ ...sub, user: { username, apikey: "<your API key>" } }, null, 2);
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
