// The default vault setup of a new account: the system defaults, overridden
// key by key by the payer's metadata (for members of that payer's team), and
// the DAL hook environment that carries it to a custom hook.
import { HOOK_VARIABLE, PAYER_METADATA_KEYS, type PayerMetadataKey } from "./payerMetadata";
import { UNZONED, type AccessMode, type VaultKind } from "./vaults";

/** Values in the units of payer metadata; `undefined` = not set. */
export type VaultSetup = Partial<Record<PayerMetadataKey, string>>;

/** System defaults, as in the `jarvice.JARVICE_PVC_VAULT_*` settings, in metadata keys. */
export function systemVaultSetup(settings: {
  JARVICE_PVC_VAULT_NAME?: string | undefined;
  JARVICE_PVC_VAULT_STORAGECLASS?: string | undefined;
  JARVICE_PVC_VAULT_VOLUMENAME?: string | undefined;
  JARVICE_PVC_VAULT_ACCESSMODES?: string | undefined;
  JARVICE_PVC_VAULT_SIZE?: string | undefined;
  JARVICE_PVC_VAULT_SUBPATH?: string | undefined;
  JARVICE_PVC_VAULT_ZONE?: string | undefined;
  JARVICE_EPHEMERAL_VAULT_ZONE?: string | undefined;
  JARVICE_DAL_HOOK_META?: string | undefined;
}): VaultSetup {
  const setup: VaultSetup = {};
  for (const key of PAYER_METADATA_KEYS) {
    const v = settings[HOOK_VARIABLE[key] as keyof typeof settings];
    if (v !== undefined && v !== "") setup[key] = v;
  }
  return setup;
}

/** Payer metadata overrides the system defaults key by key; a missing key means the default. */
export function vaultSetupFor(system: VaultSetup, payerMetadata: VaultSetup | undefined): VaultSetup {
  const out: VaultSetup = { ...system };
  for (const key of PAYER_METADATA_KEYS) {
    const v = payerMetadata?.[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

export interface PlannedVault {
  name: string;
  kind: VaultKind;
  zoneId: number | null;
  storageClass: string | null;
  volumeName: string | null;
  accessModes: AccessMode[];
  sizeGb: number | null;
  subpath: string | null;
  nfsServer: string | null;
  nfsPath: string | null;
}

const zoneOf = (v: string | undefined): number | null => {
  if (v === undefined) return null;
  const n = Number(v);
  return n === UNZONED ? null : n;
};

/**
 * The default hook's vaults: always an ephemeral vault; a persistent (PVC)
 * vault only when name, storage class, access modes and size are all set.
 */
export function defaultVaults(setup: VaultSetup): PlannedVault[] {
  const vaults: PlannedVault[] = [
    {
      name: "ephemeral",
      kind: "ephemeral",
      zoneId: zoneOf(setup.vaultEphemeralZone),
      storageClass: null,
      volumeName: null,
      accessModes: [],
      sizeGb: null,
      subpath: null,
      nfsServer: null,
      nfsPath: null,
    },
  ];
  if (setup.vaultName && setup.vaultStorageClassName && setup.vaultAccessModes && setup.vaultSize) {
    vaults.push({
      name: setup.vaultName,
      kind: "pvc",
      zoneId: zoneOf(setup.vaultZone),
      storageClass: setup.vaultStorageClassName,
      volumeName: setup.vaultVolumeName || null,
      accessModes: setup.vaultAccessModes.split(",") as AccessMode[],
      sizeGb: Number(setup.vaultSize),
      subpath: setup.vaultSubpath || null,
      nfsServer: null,
      nfsPath: null,
    });
  }
  return vaults;
}

/**
 * The environment of a DAL hook run: exactly the documented JARVICE_* variables
 * (empty when unset; zones -1 when unzoned) plus the new user's and payer's names.
 */
export function hookEnvironment(setup: VaultSetup, user: string, payer: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of PAYER_METADATA_KEYS) {
    const zoneKey = key === "vaultZone" || key === "vaultEphemeralZone";
    env[HOOK_VARIABLE[key]] = setup[key] ?? (zoneKey ? String(UNZONED) : "");
  }
  env.JARVICE_USER = user;
  env.JARVICE_PAYER = payer;
  return env;
}
