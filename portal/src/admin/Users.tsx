// Administration -> Users: list and search users, invite payers (with
// overrides of the default vault setup) and team members, explain a user's
// zone access, and the VAULTS of a user row (list, add, share).
import { useEffect, useState } from "react";
import { useLoad } from "../useLoad";
import { PAYER_METADATA_KEYS } from "../../../src/core/payerMetadata";
import { call, errorsOf, type Me } from "../api";
import { Check, FormError, SelectField, TextField, errFor } from "../ui";

interface User {
  username: string;
  email: string;
  role: string;
  payer: string | null;
  tenant: string;
  sysadmin: boolean;
  teamAdmin: boolean;
  disabled: boolean;
}
interface Zone {
  id: number;
  name: string;
}

const OVERRIDE_LABELS: Record<(typeof PAYER_METADATA_KEYS)[number], string> = {
  vaultName: "Vault name",
  vaultStorageClassName: "Storage class",
  vaultVolumeName: "Volume name",
  vaultAccessModes: "Access modes",
  vaultSize: "Size (GB)",
  vaultSubpath: "Sub-path",
  vaultZone: "Vault zone",
  vaultEphemeralZone: "Ephemeral zone",
  vaultDalHookMeta: "Hook metadata",
};

export function useZones(): Zone[] {
  const [zones, setZones] = useState<Zone[]>([]);
  useEffect(() => {
    call<{ zones: Zone[] }>("GET", "/api/zones").then((r) => setZones(r.zones), () => setZones([]));
  }, []);
  return zones;
}

export function zoneOptions(zones: Zone[], empty: string): Array<[string, string]> {
  return [["", empty], ["-1", "unzoned (-1)"], ...zones.map((z): [string, string] => [String(z.id), `${z.name} (${z.id})`])];
}

export function Users({ me }: { me: Me }) {
  const [search, setSearch] = useState("");
  const [users, setUsers] = useState<User[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [panel, setPanel] = useState<{ user: string; kind: "zones" | "vaults" } | null>(null);

  const load = useLoad(
    async () => {
      setUsers((await call<{ users: User[] }>("GET", `/api/users${search ? `?search=${encodeURIComponent(search)}` : ""}`)).users);
    },
    [search],
    setErrors,
  );

  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <Invite me={me} onInvited={() => void load()} />
      <h2>All users</h2>
      <TextField label="Search users" value={search} onChange={setSearch} placeholder="name, e-mail or full name" />
      <FormError errors={errors} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Tenant</th>
              <th scope="col">Role</th>
              <th scope="col">E-mail</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.username} data-user={u.username}>
                <td>{u.username}</td>
                <td>{u.tenant}</td>
                <td>
                  {u.role}
                  {u.teamAdmin ? ", team admin" : ""}
                  {u.sysadmin ? ", system administrator" : ""}
                  {u.disabled ? ", disabled" : ""}
                </td>
                <td>{u.email}</td>
                <td className="row-actions">
                  <button type="button" onClick={() => setPanel({ user: u.username, kind: "zones" })}>
                    Zone access<span className="sr-only"> of {u.username}</span>
                  </button>{" "}
                  <button type="button" onClick={() => setPanel({ user: u.username, kind: "vaults" })}>
                    VAULTS<span className="sr-only"> of {u.username}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {panel?.kind === "zones" ? <ZoneAccess key={panel.user} username={panel.user} /> : null}
      {panel?.kind === "vaults" ? <Vaults key={panel.user} username={panel.user} me={me} /> : null}
    </section>
  );
}

function Invite({ me, onInvited }: { me: Me; onInvited: () => void }) {
  const zones = useZones();
  const [username, setUsername] = useState("");
  const [email, setEmail] = useState("");
  const [payer, setPayer] = useState(me.sysadmin ? "" : me.tenant);
  const [teamAdmin, setTeamAdmin] = useState(false);
  const [overrides, setOverrides] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [result, setResult] = useState<{ username: string; apikey: string; password?: string; warnings: string[] } | null>(null);
  const invitingPayer = me.sysadmin && payer === "";

  async function invite() {
    setErrors({});
    setResult(null);
    const vaultOverrides = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== ""));
    try {
      const r = await call<{ user: { username: string }; apikey: string; password?: string; warnings: string[] }>("POST", "/api/users", {
        username,
        ...(email ? { email } : {}),
        ...(payer ? { payer } : {}),
        ...(payer && teamAdmin ? { teamAdmin } : {}),
        ...(invitingPayer && Object.keys(vaultOverrides).length > 0 ? { vaultOverrides } : {}),
      });
      setResult({ username: r.user.username, apikey: r.apikey, password: r.password, warnings: r.warnings });
      setUsername("");
      setEmail("");
      setOverrides({});
      onInvited();
    } catch (e) {
      setErrors(errorsOf(e));
    }
  }

  return (
    <form
      className="card"
      aria-labelledby="invite-title"
      onSubmit={(e) => {
        e.preventDefault();
        void invite();
      }}
    >
      <h2 id="invite-title">Invite a user</h2>
      <div className="grid">
        <TextField label="User name" name="username" value={username} onChange={setUsername} error={errFor(errors, "username")} />
        <TextField label="E-mail" value={email} onChange={setEmail} error={errFor(errors, "email")} />
        <TextField label="Payer (empty: invite a payer)" name="payer" value={payer} onChange={setPayer} error={errFor(errors, "payer")} hint={me.sysadmin ? "the team the user joins; leave empty to invite a new payer (tenant)" : undefined} />
        {payer ? <Check label="Team admin" checked={teamAdmin} onChange={setTeamAdmin} /> : null}
      </div>
      {invitingPayer ? (
        <fieldset>
          <legend>Default vault setup overrides (optional; stored as the payer's metadata)</legend>
          <div className="grid">
            {PAYER_METADATA_KEYS.map((k) =>
              k === "vaultZone" || k === "vaultEphemeralZone" ? (
                <SelectField key={k} label={OVERRIDE_LABELS[k]} value={overrides[k] ?? ""} onChange={(v) => setOverrides({ ...overrides, [k]: v })} options={zoneOptions(zones, "(system default)")} error={errFor(errors, `vaultOverrides.${k}`)} />
              ) : (
                <TextField key={k} label={OVERRIDE_LABELS[k]} name={k} value={overrides[k] ?? ""} onChange={(v) => setOverrides({ ...overrides, [k]: v })} error={errFor(errors, `vaultOverrides.${k}`)} placeholder="(system default)" />
              ),
            )}
          </div>
        </fieldset>
      ) : null}
      <FormError errors={errors} known={["username", "email", "payer", ...PAYER_METADATA_KEYS.map((k) => `vaultOverrides.${k}`)]} />
      <button type="submit" className="primary">
        Invite
      </button>
      {result ? (
        <div role="status" className="ok created">
          Invited <strong>{result.username}</strong>. Shown once: API key <code data-testid="new-apikey">{result.apikey}</code>
          {result.password ? (
            <>
              , password <code data-testid="new-password">{result.password}</code>
            </>
          ) : null}
          .{result.warnings.map((w) => (
            <div key={w} className="warning">
              {w}
            </div>
          ))}
        </div>
      ) : null}
    </form>
  );
}

function ZoneAccess({ username }: { username: string }) {
  const [data, setData] = useState<{ zones: Array<{ id: number; name: string; reasons: string[] }>; lockedTo: { id: number; name: string } | null; explanation: string } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  useEffect(() => {
    call<NonNullable<typeof data>>("GET", `/api/users/${encodeURIComponent(username)}/zone-access`).then(setData, (e: unknown) => setErrors(errorsOf(e)));
  }, [username]);
  return (
    <section className="details" aria-label={`Zone access of ${username}`} data-testid="zone-access">
      <h2>Zone access of {username}</h2>
      <FormError errors={errors} />
      {data ? (
        <>
          <p data-testid="locked">{data.lockedTo ? `Locked to zone ${data.lockedTo.name} (${data.lockedTo.id}).` : "Not locked to one zone."}</p>
          <ul>
            {data.zones.map((z) => (
              <li key={z.id}>
                <strong>
                  {z.name} ({z.id})
                </strong>
                : {z.reasons.join("; ")}
              </li>
            ))}
          </ul>
          <p>{data.explanation}</p>
        </>
      ) : null}
    </section>
  );
}

interface VaultRow {
  id: number;
  name: string;
  kind: string;
  zone: number;
  default: boolean;
  size: number | null;
  sharedWith?: string[];
  sharedBy?: string;
}

function Vaults({ username, me }: { username: string; me: Me }) {
  const zones = useZones();
  const [vaults, setVaults] = useState<VaultRow[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [add, setAdd] = useState({ name: "", kind: "pvc", zone: "", storageClass: "", accessModes: "ReadWriteOnce", size: "", subpath: "", nfsServer: "", nfsPath: "" });
  const [addErrors, setAddErrors] = useState<Record<string, string>>({});
  const [shareWith, setShareWith] = useState<Record<number, string>>({});
  const [shareErrors, setShareErrors] = useState<Record<number, Record<string, string>>>({});
  const [message, setMessage] = useState("");

  const load = useLoad(
    async () => {
      setVaults((await call<{ vaults: VaultRow[] }>("GET", `/api/users/${encodeURIComponent(username)}/vaults`)).vaults);
    },
    [username],
    setErrors,
  );

  async function addVault() {
    setAddErrors({});
    const body: Record<string, unknown> = { name: add.name, kind: add.kind };
    if (add.zone !== "") body.zone = Number(add.zone);
    if (add.kind === "pvc") Object.assign(body, { storageClass: add.storageClass || undefined, accessModes: add.accessModes || undefined, size: add.size === "" ? undefined : add.size, subpath: add.subpath || undefined });
    else Object.assign(body, { nfsServer: add.nfsServer, nfsPath: add.nfsPath });
    try {
      await call("POST", `/api/users/${encodeURIComponent(username)}/vaults`, body);
      setMessage(`Vault ${add.name} added to ${username}.`);
      setAdd({ ...add, name: "" });
      void load();
    } catch (e) {
      setAddErrors(errorsOf(e));
    }
  }

  async function share(v: VaultRow) {
    setShareErrors({ ...shareErrors, [v.id]: {} });
    try {
      await call("POST", `/api/vaults/${v.id}/shares`, { username: shareWith[v.id] ?? "" });
      setMessage(`Vault ${v.name} shared with ${shareWith[v.id]}.`);
      setShareWith({ ...shareWith, [v.id]: "" });
      void load();
    } catch (e) {
      setShareErrors({ ...shareErrors, [v.id]: errorsOf(e) });
    }
  }

  const set = (patch: Partial<typeof add>) => setAdd({ ...add, ...patch });
  return (
    <section className="details" aria-labelledby="vaults-title" data-testid="vaults">
      <h2 id="vaults-title">VAULTS of {username}</h2>
      <FormError errors={errors} />
      {message ? <p role="status">{message}</p> : null}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Vault</th>
              <th scope="col">Kind</th>
              <th scope="col">Zone</th>
              <th scope="col">Shared</th>
              <th scope="col">Share with</th>
            </tr>
          </thead>
          <tbody>
            {vaults.map((v) => (
              <tr key={v.id} data-vault={v.name}>
                <td>
                  {v.name}
                  {v.default ? " (default)" : ""}
                </td>
                <td>{v.kind}</td>
                <td>{v.zone < 0 ? "unzoned" : v.zone}</td>
                <td data-testid={`shared-${v.name}`}>{v.sharedBy ? `shared by ${v.sharedBy}` : (v.sharedWith ?? []).join(", ") || "-"}</td>
                <td>
                  {v.sharedBy ? null : (
                    <form
                      className="inline"
                      onSubmit={(e) => {
                        e.preventDefault();
                        void share(v);
                      }}
                    >
                      <TextField label={`Share ${v.name} with user`} value={shareWith[v.id] ?? ""} onChange={(x) => setShareWith({ ...shareWith, [v.id]: x })} error={errFor(shareErrors[v.id] ?? {}, "username", "_")} />
                      <button type="submit">Share</button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {me.sysadmin ? (
        <form
          className="card"
          aria-labelledby="add-vault-title"
          onSubmit={(e) => {
            e.preventDefault();
            void addVault();
          }}
        >
          <h3 id="add-vault-title">Add a vault to {username}</h3>
          <div className="grid">
            <TextField label="Vault name" name="vault-name" value={add.name} onChange={(x) => set({ name: x })} error={errFor(addErrors, "name")} />
            <SelectField label="Kind" value={add.kind} onChange={(x) => set({ kind: x })} options={[["pvc", "PVC (persistent)"], ["nfs", "NFS"]]} error={errFor(addErrors, "kind")} />
            <SelectField label="Zone" value={add.zone} onChange={(x) => set({ zone: x })} options={zoneOptions(zones, "(unzoned)")} error={errFor(addErrors, "zone")} />
            {add.kind === "pvc" ? (
              <>
                <TextField label="Storage class" value={add.storageClass} onChange={(x) => set({ storageClass: x })} error={errFor(addErrors, "storageClass")} />
                <TextField label="Access modes" value={add.accessModes} onChange={(x) => set({ accessModes: x })} error={errFor(addErrors, "accessModes")} />
                <TextField label="Size (GB)" type="number" value={add.size} onChange={(x) => set({ size: x })} error={errFor(addErrors, "size")} />
                <TextField label="Sub-path" value={add.subpath} onChange={(x) => set({ subpath: x })} error={errFor(addErrors, "subpath")} />
              </>
            ) : (
              <>
                <TextField label="NFS server" value={add.nfsServer} onChange={(x) => set({ nfsServer: x })} error={errFor(addErrors, "nfsServer")} />
                <TextField label="NFS path" value={add.nfsPath} onChange={(x) => set({ nfsPath: x })} error={errFor(addErrors, "nfsPath")} />
              </>
            )}
          </div>
          <FormError errors={addErrors} known={["name", "kind", "zone", "storageClass", "accessModes", "size", "subpath", "nfsServer", "nfsPath"]} />
          <button type="submit" className="primary">
            Add vault
          </button>
        </form>
      ) : null}
    </section>
  );
}
