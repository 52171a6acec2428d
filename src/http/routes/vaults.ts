// The VAULTS button on a user row: list a user's vaults, add one, share one.
import { forbidden, notFound } from "../../core/errors";
import { mayAddVault, mayHandOutVault, mayShareVault, seesAccount, tenantOf } from "../../core/tenancy";
import { findUser, findUserById, toAccount } from "../../accounts/accounts";
import type { Ctx } from "../../store/ctx";
import { createVault, findVault, heldVaults, sharesOf, shareVault, toVault, unshareVault, vaultJson } from "../../vaults/vaults";
import type { VaultRow } from "../../store/schema";
import type { Api } from "../api";
import type { Caller } from "../../accounts/credentials";
import { callerOf } from "../auth";
import { body, idParam, optional, optionalIntLike, optionalZoneId, params, required, TEXT_MAX } from "../schemas";
import { visibleUser } from "./users";
import { sharesAnswer, statusAnswer, vaultAnswer } from "../answers";
import { deleteVault } from "../../catalog/deletes";
import { withZoneName, zoneNames } from "../../catalog/catalog";
import { z } from "zod";

const byName = params({ username: required() });
const byId = params({ id: idParam() });

export function vaultRoutes(api: Api, ctx: Ctx): void {
  const { db } = ctx;

  /** A vault the caller may see: owned, shared with them, or in a tenant they manage. Else 404. */
  async function visibleVault(c: Caller, id: number): Promise<{ vault: VaultRow; owner: NonNullable<Awaited<ReturnType<typeof findUserById>>> }> {
    const vault = await findVault(db, id);
    const owner = vault && (await findUserById(db, vault.owner_id));
    if (!vault || !owner) throw notFound("vault");
    if (seesAccount(c.account, toAccount(owner))) return { vault, owner };
    const shared = await db.selectFrom("vault_shares").select("vault_id").where("vault_id", "=", id).where("user_id", "=", c.account.id).executeTakeFirst();
    if (shared) return { vault, owner };
    throw notFound("vault");
  }

  api.get("/api/users/:username/vaults", { summary: "A user's vaults: owned (with whom each is shared) and shared with them", tags: ["vaults"], access: "those who may see the user", params: byName, response: { 200: z.looseObject({ username: z.string(), vaults: z.array(vaultAnswer) }) } }, async (req) => {
    const c = callerOf(req);
    const target = await visibleUser(ctx, c, req.params.username);
    const held = await heldVaults(db, target.id);
    const shares = await sharesOf(db, held.filter((h) => !h.sharedBy).map((h) => h.vault.id));
    const names = await zoneNames(db);
    return { username: target.username, vaults: held.map((h) => withZoneName(vaultJson(h, h.sharedBy ? undefined : (shares.get(h.vault.id) ?? [])), names)) };
  });

  api.post(
    "/api/users/:username/vaults",
    {
      summary: "Add a vault to one user (persistent PVC or NFS), zoned or unzoned (-1)",
      tags: ["vaults"],
      access: "system administrators",
      params: byName,
      body: body({
        name: required(),
        kind: required().describe("pvc or nfs"),
        zone: optionalZoneId({ unzonedAllowed: true, decimalStrings: true }).describe("zone id, or -1 for unzoned"),
        storageClass: optional(),
        volumeName: optional(),
        accessModes: optional(),
        size: optionalIntLike().describe("GiB"),
        subpath: optional(TEXT_MAX),
        nfsServer: optional(),
        nfsPath: optional(TEXT_MAX),
      }),
      response: { 201: vaultAnswer },
      responses: { "201": "created", "409": "the user has a vault of that name" },
    },
    async (req, reply) => {
      const c = callerOf(req);
      const target = await visibleUser(ctx, c, req.params.username);
      if (!mayAddVault(c.account)) throw forbidden("only system administrators add vaults: a vault's zone widens zone access");
      const b = req.body;
      const row = await createVault(db, target.id, {
        name: b.name,
        kind: b.kind,
        zone: b.zone,
        storageClass: b.storageClass,
        volumeName: b.volumeName,
        accessModes: b.accessModes,
        size: b.size,
        subpath: b.subpath,
        nfsServer: b.nfsServer,
        nfsPath: b.nfsPath,
      });
      reply.status(201);
      return withZoneName(vaultJson({ vault: toVault(row) }, []), await zoneNames(db));
    },
  );

  api.get("/api/vaults/:id", { summary: "One vault", tags: ["vaults"], access: "its owner, users it is shared with, the owner's team managers, system administrators", params: byId, response: { 200: vaultAnswer.extend({ owner: z.string() }) } }, async (req) => {
    const c = callerOf(req);
    const { vault, owner } = await visibleVault(c, req.params.id);
    const shares = await sharesOf(db, [vault.id]);
    return { owner: owner.username, ...withZoneName(vaultJson({ vault: toVault(vault) }, shares.get(vault.id) ?? []), await zoneNames(db)) };
  });

  api.post(
    "/api/vaults/:id/shares",
    { summary: "Share a vault with another user (grants the vault's zone)", tags: ["vaults"], access: "system administrators (anyone); the vault's owner and its team managers (within the team)", params: byId, body: body({ username: required() }), response: { 201: sharesAnswer } },
    async (req, reply) => {
      const c = callerOf(req);
      const { vault, owner } = await visibleVault(c, req.params.id);
      const withName = req.body.username;
      const ownerTenant = tenantOf(toAccount(owner));
      // Who may share is decided before the other user is looked up, so a refusal tells nothing about that user.
      if (!mayHandOutVault(c.account, toAccount(owner))) throw forbidden("only the vault's owner, those who manage the owner and system administrators share it");
      const other = await findUser(db, withName);
      // The owner shares within its team even when, as a plain member, it does not otherwise see its teammates.
      if (!other || !(seesAccount(c.account, toAccount(other)) || tenantOf(toAccount(other)) === ownerTenant)) throw notFound(`user '${withName}'`);
      if (!mayShareVault(c.account, toAccount(owner), toAccount(other))) {
        throw forbidden("vaults are shared within the team, and with a system administrator only by system administrators; ask one to share across teams");
      }
      await shareVault(db, vault.id, other.id);
      reply.status(201);
      return { vault: vault.id, sharedWith: (await sharesOf(db, [vault.id])).get(vault.id) ?? [] };
    },
  );

  api.delete("/api/vaults/:id", { summary: "Delete a vault and its shares (its storage is not touched)", tags: ["vaults"], access: "its owner, the owner's payer and team admins, system administrators", params: byId, response: { 200: statusAnswer }, responses: { "409": "an active job uses it (named)" } }, async (req) => {
    const c = callerOf(req);
    const { owner } = await visibleVault(c, req.params.id);
    if (!mayHandOutVault(c.account, toAccount(owner))) throw forbidden("only the vault's owner, those who manage the owner and system administrators delete it");
    await deleteVault(db, req.params.id);
    return { status: "deleted" };
  });

  api.delete("/api/vaults/:id/shares/:username", { summary: "Stop sharing a vault with a user", tags: ["vaults"], access: "as for sharing", params: params({ id: idParam(), username: required() }), response: { 200: sharesAnswer } }, async (req) => {
    const c = callerOf(req);
    const { vault, owner } = await visibleVault(c, req.params.id);
    if (!mayHandOutVault(c.account, toAccount(owner))) throw forbidden("not yours to unshare");
    const other = await findUser(db, req.params.username);
    if (!other || !(await unshareVault(db, vault.id, other.id))) throw notFound("share");
    return { vault: vault.id, sharedWith: (await sharesOf(db, [vault.id])).get(vault.id) ?? [] };
  });
}
