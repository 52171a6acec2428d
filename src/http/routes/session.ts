// POST /api/login, POST /api/logout, GET /api/me.
import { invalid } from "../../core/errors";
import type { Ctx } from "../../store/ctx";
import type { Api } from "../api";
import { callerOf, login, logout } from "../auth";
import { body, optional, required, SECRET_MAX } from "../schemas";
import { userJson } from "./users";
import { statusAnswer, userAnswer } from "../answers";
import { z } from "zod";

export function sessionRoutes(api: Api, ctx: Ctx): void {
  api.post(
    "/api/login",
    {
      summary: "Log in with user name and password (or API key); returns a session token",
      tags: ["session"],
      access: "anyone",
      auth: "none",
      body: body({ username: required(), password: optional(SECRET_MAX), apikey: optional(SECRET_MAX).describe("instead of password") }),
      response: { 200: z.looseObject({ token: z.string(), expires: z.string(), user: userAnswer }) },
    },
    async (req) => {
      const b = req.body;
      const username = b.username;
      const apikey = b.apikey;
      const password = () => {
        if (!b.password) throw invalid("password", "is required");
        return b.password;
      };
      const { token, expires, caller } = await login(ctx, username, apikey !== undefined && b.password === undefined ? { apikey } : { password: password() }, req.ip);
      return { token, expires: expires.toISOString(), user: await userJson(ctx.db, caller.user) };
    },
  );
  api.post("/api/logout", { summary: "End the current session (400 when the request carries no session token)", tags: ["session"], access: "a logged-in user (with its session token)", auth: "session", response: { 200: statusAnswer } }, async (req) => {
    callerOf(req);
    await logout(ctx, req.headers.authorization!.slice(7).trim());
    return { status: "logged out" };
  });
  api.get("/api/me", { summary: "The calling user", tags: ["session"], access: "any authenticated user", response: { 200: userAnswer } }, async (req) => {
    const c = callerOf(req);
    return userJson(ctx.db, c.user);
  });
}
