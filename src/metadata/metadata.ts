// Administration -> Metadata: the payer metadata rows, searchable and
// filterable by payer, validated by type on write. Edits affect accounts
// created later in that payer's team only.
import { sql } from "kysely";
import { conflict, invalid, notFound } from "../core/errors";
import { checkPayerMetadata, isPayerMetadataKey } from "../core/payerMetadata";
import { findUser, zoneExistsFn } from "../accounts/accounts";
import { isUniqueViolation } from "../store/errors";
import type { Db } from "../store/db";

export interface MetadataRow {
  id: number;
  payer: string;
  key: string;
  value: string;
  updatedAt: string;
}

export interface MetadataFilter {
  search?: string | undefined;
  payer?: string | undefined;
  /** restrict to one tenant (for callers who are not system administrators) */
  tenantId?: number | undefined;
  /** one row */
  id?: number | undefined;
}

export async function listMetadata(db: Db, f: MetadataFilter): Promise<MetadataRow[]> {
  let q = db
    .selectFrom("payer_metadata as m")
    .innerJoin("users as p", "p.id", "m.payer_id")
    .select(["m.id", "p.username as payer", "m.key", "m.value", "m.updated_at"]);
  if (f.payer !== undefined) q = q.where("p.username", "=", f.payer);
  if (f.tenantId !== undefined) q = q.where("m.payer_id", "=", f.tenantId);
  if (f.id !== undefined) q = q.where("m.id", "=", f.id);
  if (f.search) {
    const like = `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb("p.username", "ilike", like), eb("m.key", "ilike", like), eb("m.value", "ilike", like)]));
  }
  const rows = await q.orderBy("p.username").orderBy("m.key").execute();
  return rows.map((r) => ({ id: r.id, payer: r.payer, key: r.key, value: r.value, updatedAt: new Date(r.updated_at).toISOString() }));
}

export async function findMetadata(db: Db, id: number) {
  return db.selectFrom("payer_metadata").selectAll().where("id", "=", id).executeTakeFirst();
}

async function checked(db: Db, key: string, value: unknown): Promise<string> {
  if (typeof value !== "string" && typeof value !== "number") throw invalid("value", "must be a string or a number");
  const c = checkPayerMetadata(key, String(value), await zoneExistsFn(db));
  // An unknown (or case-wrong) key is the key's fault, whatever it starts with.
  if (!c.ok) throw invalid(isPayerMetadataKey(key) ? `value (${key})` : "key", c.problem);
  return c.value;
}

export async function createMetadata(db: Db, payerName: string, key: string, value: unknown): Promise<MetadataRow> {
  const payer = await findUser(db, payerName);
  if (!payer || payer.payer_id !== null) throw invalid("payer", `'${payerName}' is not a payer`);
  const v = await checked(db, key, value);
  try {
    const row = await db.insertInto("payer_metadata").values({ payer_id: payer.id, key, value: v }).returningAll().executeTakeFirstOrThrow();
    return { id: row.id, payer: payer.username, key, value: v, updatedAt: new Date(row.updated_at).toISOString() };
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict("key", `payer '${payerName}' already has '${key}'; edit that row instead`);
    throw e;
  }
}

export async function updateMetadata(db: Db, id: number, value: unknown): Promise<void> {
  const row = await findMetadata(db, id);
  if (!row) throw notFound("metadata row");
  const v = await checked(db, row.key, value);
  await db.updateTable("payer_metadata").set({ value: v, updated_at: sql<Date>`now()` as unknown as Date }).where("id", "=", id).execute();
}

export async function deleteMetadata(db: Db, id: number): Promise<void> {
  const r = await db.deleteFrom("payer_metadata").where("id", "=", id).executeTakeFirst();
  if (r.numDeletedRows === 0n) throw notFound("metadata row");
}
