// The application catalog: AppDefs by app id.
import { conflict, invalid, notFound } from "../core/errors";
import { checkAppDef, type AppDef } from "../core/appdef";
import { isUniqueViolation } from "../store/errors";
import type { Db } from "../store/db";

const APP_ID = /^[a-z0-9][-a-z0-9_.]{0,62}$/;

/**
 * An AppDef as stored (text since migration 0008, so its keys keep the order they were given in:
 * JSON.parse keeps the order of non-integer keys). Accepts an already parsed object too (a row read
 * inside a JSON aggregate, or one from before the migration).
 */
export function parseAppDef(stored: unknown): AppDef {
  return (typeof stored === "string" ? JSON.parse(stored) : stored) as AppDef;
}

export async function findApp(db: Db, id: string): Promise<{ id: string; appdef: AppDef; public: boolean } | undefined> {
  const row = await db.selectFrom("apps").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? { id: row.id, appdef: parseAppDef(row.appdef), public: row.public } : undefined;
}

export async function listApps(db: Db) {
  const rows = await db.selectFrom("apps").selectAll().orderBy("id").execute();
  return rows.map((r) => ({ id: r.id, appdef: parseAppDef(r.appdef), public: r.public, updated: Math.floor(new Date(r.updated_at).getTime() / 1000) }));
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
