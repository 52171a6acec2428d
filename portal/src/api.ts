// The portal's only transport: JSON calls to the public API with the session
// token. A 401 ends the session (it expired, or the user logged out elsewhere).
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const KEY = "paddock.session";
let token: string | null = sessionStorage.getItem(KEY);
let onExpired: (message: string) => void = () => {};

export const hasSession = () => token !== null;
export function setSession(t: string | null): void {
  token = t;
  if (t) sessionStorage.setItem(KEY, t);
  else sessionStorage.removeItem(KEY);
}
export function whenExpired(f: (message: string) => void): void {
  onExpired = f;
}

export async function call<T = Record<string, unknown>>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { error: text };
  }
  if (!res.ok) {
    const j = json as { error?: string; field?: string };
    if (res.status === 401 && token && !url.endsWith("/api/login")) {
      setSession(null);
      onExpired(j.error ?? "session expired; log in again");
    }
    throw new ApiError(res.status, j.error ?? `${res.status} ${res.statusText}`, j.field);
  }
  return json as T;
}

/** An error as a map from API field to message ("_" when it names no field). */
export function errorsOf(e: unknown): Record<string, string> {
  if (e instanceof ApiError) return { [e.field ?? "_"]: e.message };
  return { _: e instanceof Error ? e.message : String(e) };
}

export interface Me {
  id: number;
  username: string;
  email: string;
  role: "payer" | "member";
  payer: string | null;
  tenant: string;
  sysadmin: boolean;
  teamAdmin: boolean;
}

/** Payers, team admins and system administrators see their team. */
export const managesTeam = (me: Me) => me.sysadmin || me.role === "payer" || me.teamAdmin;
