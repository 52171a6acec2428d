// Fluent builders of plain test data for the pure core: each starts from a
// sensible default and says only what a test cares about, e.g.
//   aVault("projects").pvc().inZone(2).isDefault().build()
//   anAccount("bob").memberOf(acme.id).teamAdmin().build()
import type { Account } from "../src/core/tenancy";
import type { AccessMode, HeldVault, Vault } from "../src/core/vaults";
import type { Zone } from "../src/core/zoneAccess";

let nextId = 1000;
const freshId = () => nextId++;

class VaultBuilder {
  private v: Vault;
  private shared: string | undefined;

  constructor(name: string) {
    this.v = {
      id: freshId(),
      ownerId: 1,
      name,
      kind: "pvc",
      zoneId: null,
      isDefault: false,
      storageClass: "standard",
      volumeName: null,
      accessModes: ["ReadWriteOnce"],
      sizeGb: 10,
      subpath: null,
      nfsServer: null,
      nfsPath: null,
    };
  }

  withId(id: number): this {
    this.v.id = id;
    return this;
  }
  ownedBy(ownerId: number): this {
    this.v.ownerId = ownerId;
    return this;
  }
  pvc(storageClass = "standard", sizeGb = 10, accessModes: AccessMode[] = ["ReadWriteOnce"]): this {
    this.v = { ...this.v, kind: "pvc", storageClass, sizeGb, accessModes, nfsServer: null, nfsPath: null };
    return this;
  }
  ephemeral(): this {
    this.v = { ...this.v, kind: "ephemeral", storageClass: null, volumeName: null, accessModes: [], sizeGb: null, subpath: null, nfsServer: null, nfsPath: null };
    return this;
  }
  nfs(server = "nfs.example.com", path = "/export"): this {
    this.v = { ...this.v, kind: "nfs", storageClass: null, volumeName: null, accessModes: [], sizeGb: null, nfsServer: server, nfsPath: path };
    return this;
  }
  inZone(zoneId: number): this {
    this.v.zoneId = zoneId;
    return this;
  }
  unzoned(): this {
    this.v.zoneId = null;
    return this;
  }
  isDefault(isDefault = true): this {
    this.v.isDefault = isDefault;
    return this;
  }
  withSubpath(subpath: string): this {
    this.v.subpath = subpath;
    return this;
  }
  /** held through a share by `owner` rather than owned */
  sharedBy(owner: string): this {
    this.shared = owner;
    return this;
  }

  /** the vault as the user holds it */
  build(): HeldVault {
    const vault = { ...this.v, accessModes: [...this.v.accessModes] };
    return this.shared === undefined ? { vault } : { vault, sharedBy: this.shared };
  }
  /** the bare vault */
  vault(): Vault {
    return this.build().vault;
  }
}

export const aVault = (name: string): VaultBuilder => new VaultBuilder(name);

class AccountBuilder {
  private a: Account;

  constructor(username: string) {
    this.a = { id: freshId(), username, payerId: null, isSysadmin: false, isTeamAdmin: false, disabled: false };
  }

  withId(id: number): this {
    this.a.id = id;
    return this;
  }
  /** on the team of payer `payerId` (a payer itself has none) */
  memberOf(payerId: number): this {
    this.a.payerId = payerId;
    return this;
  }
  teamAdmin(): this {
    this.a.isTeamAdmin = true;
    return this;
  }
  sysadmin(): this {
    this.a.isSysadmin = true;
    return this;
  }
  disabled(): this {
    this.a.disabled = true;
    return this;
  }
  build(): Account {
    return { ...this.a };
  }
}

export const anAccount = (username: string): AccountBuilder => new AccountBuilder(username);
/** a payer: an account on no one else's team */
export const aPayer = (username: string, id?: number): Account => {
  const b = anAccount(username);
  return (id === undefined ? b : b.withId(id)).build();
};

/** Zones by id, or [id, name]; id 0 is the Default zone, as in the store. */
export function zones(...specs: Array<number | readonly [number, string]>): Zone[] {
  return specs.map((s) => (typeof s === "number" ? { id: s, name: s === 0 ? "Default" : `z${s}` } : { id: s[0], name: s[1] }));
}
