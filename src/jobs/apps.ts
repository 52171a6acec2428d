// The application catalog: AppDefs by app id.
import { conflict, invalid, notFound } from "../core/errors";
import { checkAppDef, type AppDef } from "../core/appdef";
import { isUniqueViolation } from "../store/errors";
import type { Db } from "../store/db";

const APP_ID = /^[a-z0-9][-a-z0-9_.]{0,62}$/;

export async function findApp(db: Db, id: string): Promise<{ id: string; appdef: AppDef; public: boolean } | undefined> {
  const row = await db.selectFrom("apps").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? { id: row.id, appdef: row.appdef as AppDef, public: row.public } : undefined;
}

export async function listApps(db: Db) {
  const rows = await db.selectFrom("apps").selectAll().orderBy("id").execute();
  return rows.map((r) => ({ id: r.id, appdef: r.appdef as AppDef, public: r.public, updated: Math.floor(new Date(r.updated_at).getTime() / 1000) }));
}

export async function putApp(db: Db, id: unknown, appdef: unknown, opts: { create: boolean }): Promise<{ id: string; appdef: AppDef }> {
  if (typeof id !== "string" || !APP_ID.test(id)) throw invalid("id", "must be 1-63 lower-case letters, digits, '-', '_' or '.', starting with a letter or digit");
  const checked = checkAppDef(appdef);
  if (!checked.ok) throw invalid(checked.field, checked.problem);
  const doc = JSON.stringify(checked.value);
  if (opts.create) {
    try {
      await db.insertInto("apps").values({ id, appdef: doc }).execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict("id", `app '${id}' already exists`);
      throw e;
    }
  } else {
    const r = await db.updateTable("apps").set({ appdef: doc, updated_at: new Date() }).where("id", "=", id).executeTakeFirst();
    if (r.numUpdatedRows === 0n) throw notFound(`app '${id}'`);
  }
  return { id, appdef: checked.value };
}
