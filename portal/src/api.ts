// The portal's only transport: JSON calls to the public API with the session
// token. Use `call<T>(method, url, body?)`; screens read through kit/query.ts
// (useApi) and write through useApiMutation, which both call this.
// - A 401 ends the session (it expired, or the user logged out elsewhere).
// - Failures are ApiErrors in words: a network failure is "Cannot reach
//   Paddock (network error)" (status 0), an answer that is not JSON (a proxy's
//   502 page) is "Paddock answered 502 Bad Gateway", never raw HTML.
// - The session lives in localStorage, so every tab shares it; logging out in
//   one tab ends it in the others (the storage event; see `onSessionChange`).
import { answerText, NETWORK_ERROR } from "./errors";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const SESSION_KEY = "paddock.session";
let token: string | null = localStorage.getItem(SESSION_KEY);
let onExpired: (message: string) => void = () => {};
let onChange: (loggedIn: boolean) => void = () => {};

export const hasSession = () => token !== null;
export function setSession(t: string | null): void {
  token = t;
  if (t) localStorage.setItem(SESSION_KEY, t);
  else localStorage.removeItem(SESSION_KEY);
}
export function whenExpired(f: (message: string) => void): void {
  onExpired = f;
}
/** End the session from a screen (a password change ends every session): the shell shows the login with `message`. */
export function endSession(message: string): void {
  setSession(null);
  onExpired(message);
}
/** `f(loggedIn)` runs when another tab logs in or out (this tab's own changes do not fire it). */
export function onSessionChange(f: (loggedIn: boolean) => void): void {
  onChange = f;
}
addEventListener("storage", (e) => {
  if (e.key !== SESSION_KEY && e.key !== null) return;
  const next = localStorage.getItem(SESSION_KEY);
  if (next === token) return;
  token = next;
  onChange(next !== null);
});

export async function call<T = Record<string, unknown>>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    text = await res.text();
  } catch {
    throw new ApiError(0, NETWORK_ERROR);
  }
  const answer = answerText(res.status, res.statusText, res.headers.get("content-type"), text);
  if (!res.ok || answer.error !== undefined) {
    const message = answer.error ?? `Paddock answered ${res.status} ${res.statusText}`.trim();
    if (res.status === 401 && token && !url.endsWith("/api/login")) {
      setSession(null);
      onExpired(message || "session expired; log in again");
    }
    throw new ApiError(res.status, message, answer.field);
  }
  return answer.json as T;
}

/** An error as a map from API field to message ("_" when it names no field). Kept for the screens not yet on kit/errors' fieldErrors. */
export function errorsOf(e: unknown): Record<string, string> {
  if (e instanceof ApiError) return { [e.field ?? "_"]: e.message };
  return { _: e instanceof Error ? e.message : String(e) };
}

export { managesTeam, roleText, type Me } from "./me";
