// Warnings for administrators: a setup that leaves users only zones where no
// machine runs locks them out of computing.
import type { ZoneAccess } from "./zoneAccess";
import { zoneLabel, zonesWithoutMachines } from "./zoneAccess";

export function lockoutWarning(username: string, access: ZoneAccess, zonesWithMachines: ReadonlySet<number>): string | undefined {
  if (access.zones.length === 0) return `user '${username}' can reach no zone at all: no vault grants one`;
  const empty = zonesWithoutMachines(access, zonesWithMachines);
  if (empty.length < access.zones.length) return undefined;
  return `user '${username}' can reach only ${empty.map((z) => zoneLabel(z, access.defaultZoneId)).join(", ")}, where no machine is offered: they cannot run jobs until a machine is added there or their vault zones change`;
}

export function zoneMetadataWarning(payer: string, key: string, zoneId: number, zonesWithMachines: ReadonlySet<number>): string | undefined {
  if (zoneId === -1 || zonesWithMachines.has(zoneId)) return undefined;
  return `${key}: zone ${zoneId} offers no machine; new members of '${payer}' whose vaults are all there would be locked out`;
}
