// What a vault is, as the pure core sees it.

/** Zone id meaning "unzoned" at the API and in payer metadata. */
export const UNZONED = -1;

export type VaultKind = "ephemeral" | "pvc" | "nfs";
export const VAULT_KINDS: readonly VaultKind[] = ["ephemeral", "pvc", "nfs"];

export const ACCESS_MODES = ["ReadWriteOnce", "ReadOnlyOnce", "ReadWriteMany", "ReadOnlyMany", "ReadWriteOncePod"] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

export interface Vault {
  id: number;
  ownerId: number;
  name: string;
  kind: VaultKind;
  /** null when unzoned */
  zoneId: number | null;
  /** one of the account's default vaults (created with the account) */
  isDefault: boolean;
  storageClass: string | null;
  volumeName: string | null;
  accessModes: AccessMode[];
  sizeGb: number | null;
  subpath: string | null;
  nfsServer: string | null;
  nfsPath: string | null;
}

/** A vault as one user holds it: owned, or shared with them by its owner. */
export interface HeldVault {
  vault: Vault;
  /** owner's user name when the vault is shared with (not owned by) the user */
  sharedBy?: string;
}
