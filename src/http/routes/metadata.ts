// Administration -> Metadata: payer metadata rows. Reading: system
// administrators (all) and a payer's own managers (their row set). Writing:
// system administrators only, since the keys decide vault zones.
import { forbidden, notFound } from "../../core/errors";
import { managesTenant, tenantOf } from "../../core/tenancy";
import type { Ctx } from "../../store/ctx";
import { zoneNames, zonesWithMachines } from "../../catalog/catalog";
import { zoneMetadataWarning } from "../../core/lockout";
import { createMetadata, deleteMetadata, findMetadata, listMetadata, updateMetadata } from "../../metadata/metadata";
import type { Api } from "../api";
import type { Caller } from "../../accounts/credentials";
import { callerOf } from "../auth";
import { body, idParam, optional, params, query, required, text, TEXT_MAX } from "../schemas";
import { z } from "zod";
import { metadataRowAnswer } from "../answers";

const changed = metadataRowAnswer.extend({ caution: z.string(), warnings: z.array(z.string()) });

const byId = params({ id: idParam() });
/** A metadata value: text, or a number (sizes and zone ids); the key's rules are the domain's. */
const metadataValue = () => z.union([text(TEXT_MAX), z.number()], { error: "must be a string or a number" }).optional();

const ZONE_KEYS = ["vaultZone", "vaultEphemeralZone"];

const CAUTION = "edits affect accounts created from now on in that payer's team only; existing accounts (the payer's own included) keep their vaults";

export function metadataRoutes(api: Api, ctx: Ctx): void {
  const { db } = ctx;

  async function warningsFor(row: { payer: string; key: string; value: string }): Promise<string[]> {
    if (row.key !== "vaultZone" && row.key !== "vaultEphemeralZone") return [];
    const w = zoneMetadataWarning(row.payer, row.key, Number(row.value), await zonesWithMachines(db));
    return w ? [w] : [];
  }

  /** Rows whose value is a zone id (vaultZone, vaultEphemeralZone) name the zone beside it: zoneName (null: unzoned or unknown). */
  async function named<R extends { key: string; value: string }>(rows: R[]): Promise<Array<R & { zoneName?: string | null }>> {
    if (!rows.some((r) => ZONE_KEYS.includes(r.key))) return rows;
    const names = await zoneNames(db);
    return rows.map((r) => (ZONE_KEYS.includes(r.key) ? { ...r, zoneName: names.get(Number(r.value)) ?? null } : r));
  }

  async function rowFor(c: Caller, id: number) {
    const row = await findMetadata(db, id);
    if (!row || !managesTenant(c.account, row.payer_id)) throw notFound("metadata row");
    if (!c.account.isSysadmin) throw forbidden("only system administrators edit payer metadata");
    return row;
  }

  api.get(
    "/api/metadata",
    { summary: "Payer metadata rows, searchable, filtered by payer", tags: ["metadata"], access: "system administrators: all; payers and team admins: their own payer's rows", query: query({ search: optional().describe("text in payer, key or value"), payer: optional().describe("a payer's user name") }), response: { 200: z.looseObject({ metadata: z.array(metadataRowAnswer), caution: z.string() }) } },
    async (req) => {
      const c = callerOf(req);
      const q = req.query;
      const a = c.account;
      if (!a.isSysadmin && !managesTenant(a, tenantOf(a))) throw forbidden("payer metadata is for system administrators and a team's managers");
      const rows = await listMetadata(db, { search: q.search, payer: q.payer, tenantId: a.isSysadmin ? undefined : tenantOf(a) });
      return { metadata: await named(rows), caution: CAUTION };
    },
  );

  api.post(
    "/api/metadata",
    { summary: "Add a payer metadata row (validated by key type)", tags: ["metadata"], access: "system administrators", body: body({ payer: required(), key: required(), value: metadataValue() }), response: { 201: changed }, responses: { "201": "created", "409": "the payer already has that key" } },
    async (req, reply) => {
      const c = callerOf(req);
      if (!c.account.isSysadmin) throw forbidden("only system administrators edit payer metadata");
      const b = req.body;
      const row = await createMetadata(db, b.payer, b.key, b.value);
      reply.status(201);
      return { ...(await named([row]))[0]!, caution: CAUTION, warnings: await warningsFor(row) };
    },
  );

  api.put("/api/metadata/:id", { summary: "Change a payer metadata value", tags: ["metadata"], access: "system administrators", params: byId, body: body({ value: metadataValue() }), response: { 200: changed } }, async (req) => {
    const c = callerOf(req);
    const row = await rowFor(c, req.params.id);
    await updateMetadata(db, row.id, req.body.value);
    const updated = (await listMetadata(db, { id: row.id }))[0]!;
    return { ...(await named([updated]))[0]!, caution: CAUTION, warnings: await warningsFor(updated) };
  });

  api.delete("/api/metadata/:id", { summary: "Delete a payer metadata row (the system default applies again)", tags: ["metadata"], access: "system administrators", params: byId, response: { 200: z.looseObject({ status: z.string(), caution: z.string() }) } }, async (req) => {
    const c = callerOf(req);
    const row = await rowFor(c, req.params.id);
    await deleteMetadata(db, row.id);
    return { status: "deleted", caution: CAUTION };
  });
}
