// Errors in words, for every form and table (pure; tested in errors.test.ts).
//   fieldErrors(e, labels)    an API error (or several) -> { "vaultOverrides.vaultSize": "Vault size: must be ..." }
//   merge(a, b)               client-side checks and server errors together: every error of a form at once
//   errFor(errors, ...paths)  the message to show beside one field
//   unshown(errors, paths)    the messages no field of the form shows (for the form's summary)
//   succeeded(msg) / failed(errors)  a form's status: a new error clears the old success line and vice versa
//   answerText(...)           how the transport reads an HTTP answer (JSON, or "Paddock answered 502 Bad Gateway")

export const NETWORK_ERROR = "Cannot reach Paddock (network error)";

/** What an error says, field by field: API field path (or "_" for none) -> message in words. */
export type Errors = Record<string, string>;

/** An HTTP answer's JSON, or its error in words; never the raw body of a proxy's HTML page. */
export function answerText(status: number, statusText: string, contentType: string | null, text: string): { json?: unknown; error?: string; field?: string } {
  const ok = status >= 200 && status < 300;
  const said = `Paddock answered ${status}${statusText ? ` ${statusText}` : ""}`;
  if (text === "") return ok ? { json: {} } : { error: said };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { error: ok ? `${said}, but not in JSON (${contentType ?? "no content type"})` : said };
  }
  if (ok) return { json };
  const j = (json ?? {}) as { error?: unknown; field?: unknown };
  return { error: typeof j.error === "string" ? j.error : said, ...(typeof j.field === "string" ? { field: j.field } : {}) };
}

/** "vaultOverrides.vaultSize" -> "vault size" when no label is given. */
export function humanize(path: string): string {
  const last = path.split(".").filter((s) => !/^\d+$/.test(s)).pop() ?? path;
  return last.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}

/** The label of an API field path: exact, then with indexes as "*" (machines.*.jobs), then its last part. */
export function labelOf(path: string, labels: Record<string, string>): string {
  // "value (vaultSize)": the API names the field, then what it is about
  const about = / \(([^)]*)\)$/.exec(path);
  if (about) return `${labelOf(path.slice(0, about.index), labels)} (${about[1]})`;
  return labels[path] ?? labels[path.replace(/\.\d+(?=\.|$)/g, ".*")] ?? labels[path.split(".").pop() ?? path] ?? humanize(path);
}

/** One message in words: the leading "<path>: " of the API's message becomes "<Label>: ". */
export function inWords(path: string, message: string, labels: Record<string, string>): string {
  if (path === "_") return message;
  const label = labelOf(path, labels);
  const problem = message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message;
  return `${label}: ${problem}`;
}

interface ErrorLike {
  message?: unknown;
  field?: unknown;
  errors?: unknown;
}

/**
 * An error (an ApiError, an Error, a string, or an answer listing `errors: [{field, error}]`)
 * as messages in words per API field path, named by the form's labels.
 */
export function fieldErrors(e: unknown, labels: Record<string, string> = {}): Errors {
  if (e === null || e === undefined) return {};
  if (typeof e === "string") return { _: e };
  const x = e as ErrorLike;
  const out: Errors = {};
  if (Array.isArray(x.errors)) {
    for (const item of x.errors as Array<{ field?: string; error?: string }>) {
      const path = item.field ?? "_";
      const text = inWords(path, item.error ?? "", labels);
      out[path] = out[path] ? `${out[path]}; ${text}` : text;
    }
    if (Object.keys(out).length > 0) return out;
  }
  const message = typeof x.message === "string" ? x.message : String(e);
  const path = typeof x.field === "string" ? x.field : "_";
  return { [path]: inWords(path, message, labels) };
}

/** Several sources of errors at once (client-side checks, the server's answer); later ones add to earlier ones. */
export function merge(...all: Errors[]): Errors {
  const out: Errors = {};
  for (const errs of all) for (const [k, v] of Object.entries(errs)) if (v) out[k] = out[k] && out[k] !== v ? `${out[k]}; ${v}` : v;
  return out;
}

export const hasErrors = (errors: Errors) => Object.values(errors).some(Boolean);

/** The message to show beside a field: the first of `paths` that has one, also for sub-fields (`vault` shows `vault.name`). */
export function errFor(errors: Errors, ...paths: string[]): string | undefined {
  for (const p of paths) if (errors[p]) return errors[p];
  for (const p of paths) {
    const sub = Object.keys(errors).find((k) => k.startsWith(`${p}.`) || k.startsWith(`${p} (`));
    if (sub) return errors[sub];
  }
  return undefined;
}

/** Messages no field shows: "_" and every path not among `shown` (nor under one of them). */
export function unshown(errors: Errors, shown: string[]): string[] {
  return Object.entries(errors)
    .filter(([k, v]) => v && (k === "_" || !shown.some((s) => k === s || k.startsWith(`${s}.`) || k.startsWith(`${s} (`))))
    .map(([, v]) => v);
}

/** A form's status line: a success message or errors, never both (a new error clears an old success and vice versa). */
export interface FormState {
  message: string;
  errors: Errors;
}
export const idle: FormState = { message: "", errors: {} };
export const succeeded = (message: string): FormState => ({ message, errors: {} });
export const failed = (errors: Errors): FormState => ({ message: "", errors });
