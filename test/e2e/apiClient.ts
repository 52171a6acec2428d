// The REST API as the browser tests' scripts call it (HTTP Basic with an API
// key), and the users a test invites through it: one place instead of a copy
// in every browser test file.
import type { Paddock } from "./server";

export interface Who {
  username: string;
  apikey: string;
}

export interface ApiAnswer {
  status: number;
  /** the parsed body, {} when it is not JSON (a download) */
  json: Record<string, unknown>;
  text: string;
  headers: Headers;
}

/** Every invited user's password is `<name>-Secret-1`. */
export const passwordOf = (username: string) => `${username}-Secret-1`;

export class TestApi {
  /** the users invited with invite(), by name */
  readonly users: Record<string, { password: string; apikey: string }> = {};

  /** `paddock` is read at each call (the tests start it in beforeAll) */
  constructor(private readonly paddock: () => Paddock) {}

  creds(username: string): Who {
    return { username, apikey: this.users[username]!.apikey };
  }

  /** As `as` (an invited user's name or credentials), or as the first system administrator. */
  async call(method: string, url: string, body?: unknown, as?: Who | string): Promise<ApiAnswer> {
    const p = this.paddock();
    const who = typeof as === "string" ? this.creds(as) : (as ?? p.admin);
    const res = await fetch(p.url + url, {
      method,
      headers: { authorization: `Basic ${Buffer.from(`${who.username}:${who.apikey}`).toString("base64")}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* not JSON */
    }
    return { status: res.status, json, text, headers: res.headers };
  }

  /** POST /api/users with the password passwordOf(name), by `by` (default the administrator); remembers the API key. */
  async invite(body: Record<string, unknown>, by?: Who | string): Promise<void> {
    const username = String(body.username);
    const r = await this.call("POST", "/api/users", { password: passwordOf(username), ...body }, by);
    if (r.status !== 201) throw new Error(`invite ${JSON.stringify(body)}: ${r.status} ${r.text}`);
    this.users[username] = { password: passwordOf(username), apikey: r.json.apikey as string };
  }
}
