// Administration -> Apps: the application catalog (AppDefs).
import { forbidden, notFound } from "../../core/errors";
import type { Ctx } from "../../store/ctx";
import { findApp, listApps, putApp } from "../../jobs/apps";
import type { Api } from "../api";
import { authenticate } from "../auth";
import { objectBody, stringParam } from "../input";

export function appRoutes(api: Api, ctx: Ctx): void {
  const { db } = ctx;
  const admin = "system administrators";
  api.get("/api/apps", { summary: "The application catalog", tags: ["apps"], access: "any authenticated user" }, async (req) => {
    await authenticate(ctx, req);
    return { apps: (await listApps(db)).map((a) => ({ id: a.id, appdef: a.appdef, public: a.public })) };
  });
  api.get("/api/apps/:id", { summary: "One AppDef", tags: ["apps"], access: "any authenticated user" }, async (req) => {
    await authenticate(ctx, req);
    const id = stringParam(req.params, "id");
    const app = await findApp(db, id);
    if (!app) throw notFound(`app '${id}'`);
    return { id: app.id, appdef: app.appdef, public: app.public };
  });
  api.post(
    "/api/apps",
    { summary: "Add an application (AppDef: name, image.data, commands with path and parameters)", tags: ["apps"], access: admin, body: { id: { type: "string" }, appdef: { type: "object" } }, responses: { "201": "created", "409": "an app with that id exists" } },
    async (req, reply) => {
      const c = await authenticate(ctx, req);
      if (!c.account.isSysadmin) throw forbidden("only system administrators change the application catalog");
      const b = objectBody(req.body);
      reply.status(201);
      return putApp(db, b.id, b.appdef, { create: true });
    },
  );
  api.put("/api/apps/:id", { summary: "Replace an application's AppDef", tags: ["apps"], access: admin, body: { appdef: { type: "object" } } }, async (req) => {
    const c = await authenticate(ctx, req);
    if (!c.account.isSysadmin) throw forbidden("only system administrators change the application catalog");
    return putApp(db, stringParam(req.params, "id"), objectBody(req.body).appdef, { create: false });
  });
}
