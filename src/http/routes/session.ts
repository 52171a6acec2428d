// POST /api/login, POST /api/logout, GET /api/me.
import type { Ctx } from "../../store/ctx";
import type { Api } from "../api";
import { authenticate, login, logout } from "../auth";
import { objectBody, optionalString, requiredString } from "../input";
import { userJson } from "./users";

export function sessionRoutes(api: Api, ctx: Ctx): void {
  api.post(
    "/api/login",
    { summary: "Log in with user name and password (or API key); returns a session token", tags: ["session"], access: "anyone", body: { username: { type: "string" }, password: { type: "string" }, apikey: { type: "string", description: "instead of password" } } },
    async (req) => {
      const b = objectBody(req.body);
      const username = requiredString(b, "username");
      const apikey = optionalString(b, "apikey");
      const { token, expires, caller } = await login(ctx, username, apikey !== undefined && b.password === undefined ? { apikey } : { password: requiredString(b, "password") }, req.ip);
      return { token, expires: expires.toISOString(), user: await userJson(ctx.db, caller.user) };
    },
  );
  api.post("/api/logout", { summary: "End the current session", tags: ["session"], access: "a logged-in user" }, async (req) => {
    await authenticate(ctx, req);
    const h = req.headers.authorization;
    if (h?.startsWith("Bearer ")) await logout(ctx, h.slice(7).trim());
    return { status: "logged out" };
  });
  api.get("/api/me", { summary: "The calling user", tags: ["session"], access: "any authenticated user" }, async (req) => {
    const c = await authenticate(ctx, req);
    return userJson(ctx.db, c.user);
  });
}
