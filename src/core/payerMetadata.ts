// The payer metadata keys that set vault defaults for a payer's future team
// members (spec/accounts-zones-vaults.md, "Payer metadata"). Keys are
// case-sensitive; values are stored as strings and validated by type on write.
import { ACCESS_MODES, UNZONED, parseZoneId, subpathProblem, vaultNameProblem } from "./vaults";

export const PAYER_METADATA_KEYS = [
  "vaultName",
  "vaultStorageClassName",
  "vaultVolumeName",
  "vaultAccessModes",
  "vaultSize",
  "vaultSubpath",
  "vaultZone",
  "vaultEphemeralZone",
  "vaultDalHookMeta",
] as const;
export type PayerMetadataKey = (typeof PAYER_METADATA_KEYS)[number];

/** The DAL hook environment variable each key feeds. */
export const HOOK_VARIABLE: Record<PayerMetadataKey, string> = {
  vaultName: "JARVICE_PVC_VAULT_NAME",
  vaultStorageClassName: "JARVICE_PVC_VAULT_STORAGECLASS",
  vaultVolumeName: "JARVICE_PVC_VAULT_VOLUMENAME",
  vaultAccessModes: "JARVICE_PVC_VAULT_ACCESSMODES",
  vaultSize: "JARVICE_PVC_VAULT_SIZE",
  vaultSubpath: "JARVICE_PVC_VAULT_SUBPATH",
  vaultZone: "JARVICE_PVC_VAULT_ZONE",
  vaultEphemeralZone: "JARVICE_EPHEMERAL_VAULT_ZONE",
  vaultDalHookMeta: "JARVICE_DAL_HOOK_META",
};

export function isPayerMetadataKey(key: string): key is PayerMetadataKey {
  return (PAYER_METADATA_KEYS as readonly string[]).includes(key);
}

/** The longest value of a payer metadata row. */
export const PAYER_METADATA_VALUE_MAX = 4096;

export type MetadataCheck = { ok: true; value: string } | { ok: false; problem: string };

/**
 * Validate one metadata value by its key's type; returns the normalized string
 * to store, or the problem. `zoneExists` answers for zone ids other than -1.
 */
export function checkPayerMetadata(key: string, raw: string, zoneExists: (id: number) => boolean): MetadataCheck {
  if (!isPayerMetadataKey(key)) {
    return { ok: false, problem: `unknown key '${key}' (keys are case-sensitive: ${PAYER_METADATA_KEYS.join(", ")})` };
  }
  // Values reach a hook's environment (where NUL is impossible) and the portal.
  if (raw.includes("\u0000")) return { ok: false, problem: "must not contain NUL characters" };
  if (raw.length > PAYER_METADATA_VALUE_MAX) return { ok: false, problem: `must be at most ${PAYER_METADATA_VALUE_MAX} characters (is ${raw.length})` };
  const value = raw.trim();
  switch (key) {
    case "vaultSize": {
      // stored in an integer column (size_gb): at most 2^31 - 1
      if (!/^\d+$/.test(value) || Number(value) <= 0 || Number(value) > 2_147_483_647) {
        return { ok: false, problem: `must be an integer greater than 0 (size in GB), got '${raw}'` };
      }
      return { ok: true, value: String(Number(value)) };
    }
    case "vaultZone":
    case "vaultEphemeralZone": {
      const zone = parseZoneId(value);
      if (!zone.ok) return { ok: false, problem: zone.problem };
      const id = zone.value;
      if (id !== UNZONED && !zoneExists(id)) return { ok: false, problem: `zone ${id} does not exist` };
      return { ok: true, value: String(id) };
    }
    case "vaultAccessModes": {
      const modes = value.split(",").map((m) => m.trim());
      const unknown = modes.filter((m) => !(ACCESS_MODES as readonly string[]).includes(m));
      if (value === "" || unknown.length > 0) {
        return {
          ok: false,
          problem: `must be a comma-separated list of ${ACCESS_MODES.join(", ")}; unknown: ${unknown.map((u) => `'${u}'`).join(", ") || "(empty)"}`,
        };
      }
      return { ok: true, value: [...new Set(modes)].join(",") };
    }
    case "vaultName": {
      const problem = vaultNameProblem(value);
      return problem ? { ok: false, problem } : { ok: true, value };
    }
    case "vaultStorageClassName":
    case "vaultVolumeName": {
      if (value !== "" && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value)) {
        return { ok: false, problem: "must be a Kubernetes object name (lower-case letters, digits, '-', '.')" };
      }
      return { ok: true, value };
    }
    case "vaultSubpath": {
      // The substitutions are resolved per user at job launch (and checked again then).
      const problem = raw === "" ? undefined : subpathProblem(raw);
      return problem ? { ok: false, problem } : { ok: true, value: raw };
    }
    case "vaultDalHookMeta":
      // Free text for custom hooks.
      return { ok: true, value: raw };
  }
}
