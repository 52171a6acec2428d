// Administration -> Apps: the application catalog (AppDefs).
import { forbidden, notFound } from "../../core/errors";
import type { Ctx } from "../../store/ctx";
import { findApp, listApps, parseAppDef, putApp } from "../../jobs/apps";
import { deleteApp } from "../../catalog/deletes";
import type { Api } from "../api";
import { callerOf } from "../auth";
import { appAnswer, statusAnswer } from "../answers";
import { z } from "zod";

const listed = appAnswer.extend({ public: z.boolean() });
import { body, jsonObject, optional, params, required } from "../schemas";

const byId = params({ id: required() });
const appdef = () => jsonObject("an AppDef object").optional().describe("AppDef: name, image.data, commands with path and parameters");

export function appRoutes(api: Api, ctx: Ctx): void {
  const { db } = ctx;
  const admin = "system administrators";
  api.get("/api/apps", { summary: "The application catalog", tags: ["apps"], access: "any authenticated user", response: { 200: z.looseObject({ apps: z.array(listed) }) } }, async () => {
    return { apps: (await listApps(db)).map((a) => ({ id: a.id, appdef: a.appdef, public: a.public })) };
  });
  api.get("/api/apps/:id", { summary: "One AppDef", tags: ["apps"], access: "any authenticated user", params: byId, response: { 200: listed } }, async (req) => {
    const id = req.params.id;
    const app = await findApp(db, id);
    if (!app) throw notFound(`app '${id}'`);
    return { id: app.id, appdef: app.appdef, public: app.public };
  });
  api.post(
    "/api/apps",
    { summary: "Add an application (AppDef: name, image.data, commands with path and parameters)", tags: ["apps"], access: admin, body: body({ id: optional(), appdef: appdef() }), response: { 201: appAnswer }, responses: { "201": "created", "409": "an app with that id exists" } },
    async (req, reply) => {
      const c = callerOf(req);
      if (!c.account.isSysadmin) throw forbidden("only system administrators change the application catalog");
      const b = req.body;
      reply.status(201);
      return putApp(db, b.id, b.appdef, { create: true });
    },
  );
  api.put("/api/apps/:id", { summary: "Replace an application's AppDef", tags: ["apps"], access: admin, params: byId, body: body({ appdef: appdef() }), response: { 200: appAnswer } }, async (req) => {
    const c = callerOf(req);
    if (!c.account.isSysadmin) throw forbidden("only system administrators change the application catalog");
    return putApp(db, req.params.id, req.body.appdef, { create: false });
  });
  api.patch("/api/apps/:id", { summary: "Make an application public or private", tags: ["apps"], access: admin, params: byId, body: body({ public: z.boolean({ error: "must be true or false" }) }), response: { 200: listed } }, async (req) => {
    const c = callerOf(req);
    if (!c.account.isSysadmin) throw forbidden("only system administrators change the application catalog");
    const row = await db.updateTable("apps").set({ public: req.body.public, updated_at: new Date() }).where("id", "=", req.params.id).returning(["id", "appdef", "public"]).executeTakeFirst();
    if (!row) throw notFound(`app '${req.params.id}'`);
    return { id: row.id, appdef: parseAppDef(row.appdef), public: row.public };
  });
  api.delete("/api/apps/:id", { summary: "Delete an application without active jobs (finished jobs keep its id)", tags: ["apps"], access: admin, params: byId, response: { 200: statusAnswer }, responses: { "409": "active jobs use it (named)" } }, async (req) => {
    const c = callerOf(req);
    if (!c.account.isSysadmin) throw forbidden("only system administrators change the application catalog");
    await deleteApp(db, req.params.id);
    return { status: "deleted" };
  });
}
