// Which zones a user may use, and why: one pure function over the user's
// vaults, so that the portal and the API can explain every grant.
//
// Rules (spec/accounts-zones-vaults.md, "Zone access rules"):
//  - the zones of every vault the user owns or that is shared with them;
//  - the Default zone too when any default vault (ephemeral or persistent) is unzoned;
//  - nothing else: with every vault zoned, the user reaches only those zones.
import type { HeldVault } from "./vaults";

export interface Zone {
  id: number;
  name: string;
}

export interface ZoneGrant {
  zoneId: number;
  zoneName: string;
  reasons: string[];
}

export interface ZoneAccess {
  zones: ZoneGrant[];
  /** set when the user can reach exactly one zone */
  lockedTo: ZoneGrant | undefined;
  /** the Default zone's id, so that explanations call it by its name alone */
  defaultZoneId: number;
}

export function zoneAccessFor(held: readonly HeldVault[], zones: readonly Zone[], defaultZoneId: number): ZoneAccess {
  const zoneName = new Map(zones.map((z) => [z.id, z.name]));
  const grants = new Map<number, ZoneGrant>();
  const grant = (zoneId: number, reason: string) => {
    let g = grants.get(zoneId);
    if (!g) {
      g = { zoneId, zoneName: zoneName.get(zoneId) ?? `zone ${zoneId}`, reasons: [] };
      grants.set(zoneId, g);
    }
    g.reasons.push(reason);
  };

  for (const { vault, sharedBy } of held) {
    const whose = sharedBy ? ` (shared by ${sharedBy})` : "";
    if (vault.zoneId !== null) {
      grant(vault.zoneId, `vault '${vault.name}'${whose} is in zone ${describeZone(vault.zoneId, zoneName)}`);
    } else if (vault.isDefault && !sharedBy && (vault.kind === "ephemeral" || vault.kind === "pvc")) {
      const which = vault.kind === "ephemeral" ? "ephemeral" : "persistent";
      grant(defaultZoneId, `the default ${which} vault '${vault.name}' is unzoned`);
    }
  }

  const list = [...grants.values()].sort((a, b) => a.zoneId - b.zoneId);
  return { zones: list, lockedTo: list.length === 1 ? list[0] : undefined, defaultZoneId };
}

function describeZone(id: number, names: Map<number, string>): string {
  const name = names.get(id);
  return name === undefined ? String(id) : `${id} (${name})`;
}

export function hasZoneAccess(access: ZoneAccess, zoneId: number): boolean {
  return access.zones.some((z) => z.zoneId === zoneId);
}

/** One sentence for people: "zone 2 (west) because ...; Default because ...". */
export function explainZoneAccess(access: ZoneAccess): string {
  if (access.zones.length === 0) return "no zones: the user has no vault that grants one";
  const label = (z: ZoneGrant) => zoneLabel(z, access.defaultZoneId);
  const parts = access.zones.map((z) => `${label(z)} because ${z.reasons.join(" and ")}`);
  const lock = access.lockedTo ? ` Locked to ${label(access.lockedTo)}.` : "";
  return parts.join("; ") + "." + lock;
}

// "Default" for the Default zone; "zone 2 (west)", or "zone 2" when the zone has no known name.
export function zoneLabel(z: ZoneGrant, defaultZoneId: number): string {
  if (z.zoneId === defaultZoneId) return z.zoneName;
  const byId = `zone ${z.zoneId}`;
  return z.zoneName === byId ? byId : `${byId} (${z.zoneName})`;
}

/**
 * A job's machine and vault must be in compatible zones: an unzoned vault goes
 * with any machine the user may use; a zoned vault only with machines of its zone.
 */
export function machineVaultZoneProblem(
  machine: { name: string; zoneId: number },
  vault: { name: string; zoneId: number | null },
): string | undefined {
  if (vault.zoneId === null || vault.zoneId === machine.zoneId) return undefined;
  return `machine '${machine.name}' is in zone ${machine.zoneId} but vault '${vault.name}' is in zone ${vault.zoneId}`;
}

/**
 * Zones a user could reach where no machine runs: such a user is locked out of
 * computing there. Used to warn administrators before they save such a setup.
 */
export function zonesWithoutMachines(access: ZoneAccess, zonesWithMachines: ReadonlySet<number>): ZoneGrant[] {
  return access.zones.filter((z) => !zonesWithMachines.has(z.zoneId));
}
