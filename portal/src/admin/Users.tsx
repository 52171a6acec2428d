// Administration -> Users: list and search users, invite payers (with overrides of the default vault
// setup) and team members, and per user row: Zone access and VAULTS (details panels that come into
// view), and Manage (disable/enable, team admin rights, reset password, new API key).
// Role-aware as src/core/tenancy.ts (userRights.ts): each row shows only the actions the caller may use.
// Invited users' credentials stay in a panel with Copy until dismissed. Every confirmation names what
// it confirms and sits under its row; a form shows all its errors at once, in words.
import { useState } from "react";
import { checkPayerMetadata, PAYER_METADATA_KEYS } from "../../../src/core/payerMetadata";
import { call, type Me } from "../api";
import { errFor, failed, fieldErrors, hasErrors, idle, merge, succeeded, type Errors, type FormState } from "../errors";
import { Confirm, CopyButton, DetailsPanel, FormStatus, Table, useApi, useApiMutation } from "../kit";
import { Check, SelectField, TextField } from "../ui";
import { zoneLabel } from "./catalogRows";
import { randomPassword, rightsOver, shareCautions } from "./userRights";

interface User {
  username: string;
  email: string | null;
  role: "payer" | "member";
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
  vaultStorageClassName: "Vault storage class",
  vaultVolumeName: "Vault volume name",
  vaultAccessModes: "Vault access modes",
  vaultSize: "Vault size",
  vaultSubpath: "Vault sub-path",
  vaultZone: "Vault zone",
  vaultEphemeralZone: "Ephemeral zone",
  vaultDalHookMeta: "Hook metadata",
};
const INVITE_LABELS: Record<string, string> = { username: "User name", email: "E-mail", payer: "Payer", teamAdmin: "Team admin", ...Object.fromEntries(PAYER_METADATA_KEYS.map((k) => [`vaultOverrides.${k}`, OVERRIDE_LABELS[k]])) };
const VAULT_LABELS: Record<string, string> = { name: "Vault name", kind: "Kind", zone: "Zone", storageClass: "Storage class", accessModes: "Access modes", size: "Size (GB)", subpath: "Sub-path", nfsServer: "NFS server", nfsPath: "NFS path", username: "Share with user" };

export function useZones(): Zone[] {
  return useApi<{ zones: Zone[] }>(["zones"], "/api/zones").data?.zones ?? [];
}

export function zoneOptions(zones: Zone[], empty: string): Array<[string, string]> {
  return [["", empty], ["-1", "unzoned (-1)"], ...zones.map((z): [string, string] => [String(z.id), `${z.name} (${z.id})`])];
}

const roleOf = (u: User) => [u.role, u.teamAdmin ? "team admin" : "", u.sysadmin ? "system administrator" : "", u.disabled ? "disabled" : ""].filter(Boolean).join(", ");

/** A secret shown once (an invitation's, a reset's), with Copy, until dismissed. */
interface Shown {
  id: number;
  title: string;
  secrets: Array<{ label: string; value: string; testId: string }>;
  notes: string[];
}

function SecretsPanel({ shown, onDismiss }: { shown: Shown; onDismiss: () => void }) {
  return (
    <section className="card created" aria-label={shown.title} data-testid="credentials">
      <h3>{shown.title}</h3>
      <p className="hint">Shown once: copy them now and hand them over safely. They stay here until you dismiss them.</p>
      <dl className="info">
        {shown.secrets.map((s) => (
          <div key={s.label} style={{ display: "contents" }}>
            <dt>{s.label}</dt>
            <dd>
              <code data-testid={s.testId}>{s.value}</code> <CopyButton text={s.value} label={`Copy ${s.label === "Password" ? "password" : s.label}`} />
            </dd>
          </div>
        ))}
      </dl>
      {shown.notes.map((w) => (
        <p key={w} className="warning">
          {w}
        </p>
      ))}
      <button type="button" onClick={onDismiss}>
        Dismiss<span className="sr-only"> {shown.title}</span>
      </button>
    </section>
  );
}

type Pending = { user: string; kind: "disable" | "enable" | "grant" | "revoke" | "password" | "apikey" };

export function Users({ me }: { me: Me }) {
  const [search, setSearch] = useState("");
  const list = useApi<{ users: User[] }>(["users", search], `/api/users${search ? `?search=${encodeURIComponent(search)}` : ""}`);
  const [panel, setPanel] = useState<{ user: User; kind: "zones" | "vaults" } | null>(null);
  const [managing, setManaging] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [status, setStatus] = useState<FormState>(idle);
  const [shownFor, setShownFor] = useState<Record<string, Shown>>({});
  const act = useApiMutation(async (p: Pending & { password?: string }): Promise<Shown | null> => {
    const u = `/api/users/${encodeURIComponent(p.user)}`;
    if (p.kind === "disable" || p.kind === "enable") await call("PATCH", u, { disabled: p.kind === "disable" });
    else if (p.kind === "grant" || p.kind === "revoke") await call("PATCH", u, { teamAdmin: p.kind === "grant" });
    else if (p.kind === "password") {
      await call("PUT", `${u}/password`, { password: p.password });
      return { id: Date.now(), title: `New password of ${p.user}`, secrets: [{ label: "Password", value: p.password!, testId: "reset-password" }], notes: [`${p.user}'s sessions ended; the old password no longer works.`] };
    } else {
      const r = await call<{ apikey: string }>("POST", `${u}/apikey`);
      return { id: Date.now(), title: `New API key of ${p.user}`, secrets: [{ label: "API key", value: r.apikey, testId: "reset-apikey" }], notes: [`${p.user}'s old API key no longer works.`] };
    }
    return null;
  }, [["users"]]);

  const DONE: Record<Pending["kind"], (u: string) => string> = {
    disable: (u) => `Disabled ${u}: it can no longer log in, and its sessions ended.`,
    enable: (u) => `Enabled ${u}.`,
    grant: (u) => `${u} is a team admin now.`,
    revoke: (u) => `${u} is no longer a team admin.`,
    password: (u) => `Set a new password for ${u}.`,
    apikey: (u) => `Made a new API key for ${u}.`,
  };
  async function apply(p: Pending) {
    setPending(null);
    try {
      const shown = await act.mutateAsync(p.kind === "password" ? { ...p, password: randomPassword() } : p);
      if (shown) setShownFor((s) => ({ ...s, [p.user]: shown }));
      setStatus(succeeded(DONE[p.kind](p.user)));
    } catch (e) {
      setStatus(failed(fieldErrors(e, { disabled: "Disabled", teamAdmin: "Team admin", password: "Password" })));
    }
  }

  const QUESTIONS: Record<Pending["kind"], (u: string) => [string, string, string]> = {
    disable: (u) => [`Disable ${u}?`, `${u} can no longer log in nor use its API key; its open sessions end. Its jobs and vaults stay.`, "Disable"],
    enable: (u) => [`Enable ${u}?`, `${u} can log in again.`, "Enable"],
    grant: (u) => [`Make ${u} a team admin?`, `${u} may then invite members into the team and manage plain members.`, "Make team admin"],
    revoke: (u) => [`Remove ${u}'s team admin rights?`, `${u} stays in the team as a plain member.`, "Remove rights"],
    password: (u) => [`Reset ${u}'s password?`, `A new password is made and shown once here; ${u}'s old password stops working and its sessions end.`, "Reset password"],
    apikey: (u) => [`Make a new API key for ${u}?`, `The new key is shown once here; ${u}'s old key stops working at once (scripts and JARVICE clients using it are refused).`, "Make a new key"],
  };

  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <Invite me={me} />
      <h2>All users</h2>
      <TextField label="Search users" value={search} onChange={setSearch} placeholder="name, e-mail or full name" />
      <FormStatus state={status} />
      <Table
        caption="Users"
        rows={list.data?.users}
        loading={list.loading}
        error={list.error}
        empty={search ? "No user matches." : "No users."}
        rowKey={(u) => u.username}
        rowAttrs={(u) => ({ "data-user": u.username })}
        columns={[
          { header: "User", cell: (u) => (u.username === me.username ? `${u.username} (you)` : u.username) },
          { header: "Tenant", cell: (u) => u.tenant },
          { header: "Role", cell: roleOf },
          { header: "E-mail", cell: (u) => u.email ?? "" },
        ]}
        actions={(u) => {
          const r = rightsOver(me, u);
          const manageable = r.disable || r.teamAdmin || r.secrets;
          return (
            <div className="stack">
              <button type="button" onClick={() => setPanel({ user: u, kind: "zones" })}>
                Zone access<span className="sr-only"> of {u.username}</span>
              </button>{" "}
              <button type="button" onClick={() => setPanel({ user: u, kind: "vaults" })}>
                VAULTS<span className="sr-only"> of {u.username}</span>
              </button>
              {manageable ? (
                <>
                  {" "}
                  <button
                    type="button"
                    aria-expanded={managing === u.username}
                    onClick={() => {
                      setManaging(managing === u.username ? null : u.username);
                      setPending(null);
                    }}
                  >
                    Manage<span className="sr-only"> {u.username}</span>
                  </button>
                </>
              ) : null}
            </div>
          );
        }}
        below={(u) => {
          const r = rightsOver(me, u);
          const open = managing === u.username;
          const p = pending?.user === u.username ? pending : null;
          const shown = shownFor[u.username];
          if (!open && !p && !shown) return null;
          const ask = (kind: Pending["kind"]) => () => setPending({ user: u.username, kind });
          return (
            <>
              {open ? (
                <div className="toolbar" role="group" aria-label={`Manage ${u.username}`}>
                  {r.disable ? (
                    <button type="button" className={u.disabled ? undefined : "danger"} onClick={ask(u.disabled ? "enable" : "disable")}>
                      {u.disabled ? "Enable" : "Disable"}
                      <span className="sr-only"> {u.username}</span>
                    </button>
                  ) : null}
                  {r.teamAdmin ? (
                    <button type="button" onClick={ask(u.teamAdmin ? "revoke" : "grant")}>
                      {u.teamAdmin ? "Remove team admin rights" : "Make team admin"}
                      <span className="sr-only"> {u.username}</span>
                    </button>
                  ) : null}
                  {r.secrets ? (
                    <>
                      <button type="button" onClick={ask("password")}>
                        Reset password<span className="sr-only"> of {u.username}</span>
                      </button>
                      <button type="button" onClick={ask("apikey")}>
                        New API key<span className="sr-only"> for {u.username}</span>
                      </button>
                    </>
                  ) : null}
                </div>
              ) : null}
              {p ? (
                <Confirm
                  question={QUESTIONS[p.kind](u.username)[0]}
                  details={QUESTIONS[p.kind](u.username)[1]}
                  confirmLabel={QUESTIONS[p.kind](u.username)[2]}
                  danger={p.kind !== "enable" && p.kind !== "grant"}
                  onConfirm={() => void apply(p)}
                  onCancel={() => setPending(null)}
                />
              ) : null}
              {shown ? (
                <SecretsPanel
                  shown={shown}
                  onDismiss={() =>
                    setShownFor((s) => {
                      const { [u.username]: _, ...rest } = s;
                      return rest;
                    })
                  }
                />
              ) : null}
            </>
          );
        }}
      />
      {panel?.kind === "zones" ? (
        <DetailsPanel key={`z-${panel.user.username}`} title={`Zone access of ${panel.user.username}`} testId="zone-access" onClose={() => setPanel(null)}>
          <ZoneAccess username={panel.user.username} />
        </DetailsPanel>
      ) : null}
      {panel?.kind === "vaults" ? (
        <DetailsPanel key={`v-${panel.user.username}`} title={`VAULTS of ${panel.user.username}`} testId="vaults" onClose={() => setPanel(null)}>
          <Vaults owner={panel.user} me={me} />
        </DetailsPanel>
      ) : null}
    </section>
  );
}

function Invite({ me }: { me: Me }) {
  const zones = useZones();
  const [username, setUsername] = useState("");
  const [email, setEmail] = useState("");
  const [payer, setPayer] = useState("");
  const [teamAdmin, setTeamAdmin] = useState(false);
  const [overrides, setOverrides] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<FormState>(idle);
  const [invited, setInvited] = useState<Shown[]>([]);
  // system administrators name the payer (empty: a new payer); everyone else invites into their own team
  const into = me.sysadmin ? payer.trim() : me.tenant;
  const invitingPayer = me.sysadmin && into === "";
  const create = useApiMutation((body: Record<string, unknown>) => call<{ user: { username: string }; apikey: string; password?: string; warnings: string[] }>("POST", "/api/users", body), [["users"]]);

  function check(): Errors {
    const zoneExists = (id: number) => zones.some((z) => z.id === id);
    const out: Errors = {};
    if (!username.trim()) out.username = "User name: required";
    if (invitingPayer)
      for (const [k, v] of Object.entries(overrides)) {
        if (v === "") continue;
        const c = checkPayerMetadata(k, v, zoneExists);
        if (!c.ok) out[`vaultOverrides.${k}`] = `${OVERRIDE_LABELS[k as keyof typeof OVERRIDE_LABELS] ?? k}: ${c.problem}`;
      }
    return out;
  }

  async function invite() {
    const problems = check();
    if (hasErrors(problems)) return setStatus(failed(problems));
    const vaultOverrides = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== ""));
    try {
      const r = await create.mutateAsync({
        username: username.trim(),
        ...(email ? { email } : {}),
        ...(into ? { payer: into } : {}),
        ...(into && teamAdmin ? { teamAdmin } : {}),
        ...(invitingPayer && Object.keys(vaultOverrides).length > 0 ? { vaultOverrides } : {}),
      });
      const who = r.user.username;
      setInvited((list) => [
        {
          id: Date.now(),
          title: `Invited ${who}${invitingPayer ? " (a new payer)" : ` into ${into}'s team`}`,
          secrets: [...(r.password ? [{ label: "Password", value: r.password, testId: "new-password" }] : []), { label: "API key", value: r.apikey, testId: "new-apikey" }],
          notes: r.warnings,
        },
        ...list,
      ]);
      setStatus(succeeded(`Invited ${who}.`));
      setUsername("");
      setEmail("");
      setTeamAdmin(false);
      setOverrides({});
    } catch (e) {
      setStatus(failed(fieldErrors(e, INVITE_LABELS)));
    }
  }

  const setOverride = (k: string, v: string) => setOverrides({ ...overrides, [k]: v });
  return (
    <>
      <form
        className="card"
        aria-labelledby="invite-title"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void invite();
        }}
      >
        <h2 id="invite-title">Invite a user</h2>
        <div className="grid">
          <TextField label="User name" name="username" value={username} onChange={setUsername} error={errFor(status.errors, "username")} />
          <TextField label="E-mail" value={email} onChange={setEmail} error={errFor(status.errors, "email")} />
          {me.sysadmin ? (
            <TextField
              label="Payer (empty: invite a payer)"
              name="payer"
              value={payer}
              onChange={setPayer}
              error={errFor(status.errors, "payer")}
              hint={invitingPayer ? "Empty: the user becomes a new payer, with its own tenant. Name a payer to invite a member of its team." : `The user joins ${into}'s team as a member.`}
            />
          ) : (
            <p className="hint" data-testid="invite-into">
              The user joins your team (<strong>{me.tenant}</strong>) as a member. Only system administrators invite payers (new tenants).
            </p>
          )}
          {into ? <Check label="Team admin" checked={teamAdmin} onChange={setTeamAdmin} /> : null}
        </div>
        {invitingPayer ? (
          <fieldset>
            <legend>Default vault setup overrides (optional; stored as the payer's metadata)</legend>
            <div className="grid">
              {PAYER_METADATA_KEYS.map((k) =>
                k === "vaultZone" || k === "vaultEphemeralZone" ? (
                  <SelectField key={k} label={OVERRIDE_LABELS[k]} value={overrides[k] ?? ""} onChange={(v) => setOverride(k, v)} options={zoneOptions(zones, "(system default)")} error={errFor(status.errors, `vaultOverrides.${k}`)} />
                ) : (
                  <TextField key={k} label={k === "vaultSize" ? "Vault size (GB)" : OVERRIDE_LABELS[k]} name={k} value={overrides[k] ?? ""} onChange={(v) => setOverride(k, v)} error={errFor(status.errors, `vaultOverrides.${k}`)} placeholder="(system default)" />
                ),
              )}
            </div>
          </fieldset>
        ) : null}
        <FormStatus state={status} shown={["username", "email", "payer", ...PAYER_METADATA_KEYS.map((k) => `vaultOverrides.${k}`)]} />
        <button type="submit" className="primary" disabled={create.isPending}>
          Invite
        </button>
      </form>
      {invited.map((s) => (
        <SecretsPanel key={s.id} shown={s} onDismiss={() => setInvited((list) => list.filter((x) => x.id !== s.id))} />
      ))}
    </>
  );
}

interface Access {
  zones: Array<{ id: number; name: string; reasons: string[] }>;
  lockedTo: { id: number; name: string } | null;
  explanation: string;
}

function ZoneAccess({ username }: { username: string }) {
  const q = useApi<Access>(["zone-access", username], `/api/users/${encodeURIComponent(username)}/zone-access`);
  if (q.error)
    return (
      <p className="error" role="alert">
        Could not load: {q.error}
      </p>
    );
  if (!q.data) return <p role="status">Loading…</p>;
  return (
    <>
      <p data-testid="locked">{q.data.lockedTo ? `Locked to zone ${q.data.lockedTo.name} (${q.data.lockedTo.id}).` : "Not locked to one zone."}</p>
      <ul>
        {q.data.zones.map((z) => (
          <li key={z.id}>
            <strong>
              {z.name} ({z.id})
            </strong>
            : {z.reasons.join("; ")}
          </li>
        ))}
      </ul>
      <p>{q.data.explanation}</p>
    </>
  );
}

interface VaultRow {
  id: number;
  name: string;
  kind: string;
  zone: number;
  zoneName?: string;
  default: boolean;
  size: number | null;
  sharedWith?: string[];
  sharedBy?: string;
}
type VaultPending = { vault: VaultRow; kind: "delete" } | { vault: VaultRow; kind: "unshare"; with: string } | { vault: VaultRow; kind: "share"; with: string; cautions: string[] };

function Vaults({ owner, me }: { owner: User; me: Me }) {
  const username = owner.username;
  const zones = useZones();
  const rights = rightsOver(me, owner);
  const q = useApi<{ vaults: VaultRow[] }>(["vaults", username], `/api/users/${encodeURIComponent(username)}/vaults`);
  const [shareWith, setShareWith] = useState<Record<number, string>>({});
  const [rowErrors, setRowErrors] = useState<Record<number, Errors>>({});
  const [pending, setPending] = useState<VaultPending | null>(null);
  const [status, setStatus] = useState<FormState>(idle);
  const change = useApiMutation(
    (p: VaultPending) =>
      p.kind === "delete" ? call("DELETE", `/api/vaults/${p.vault.id}`) : p.kind === "unshare" ? call("DELETE", `/api/vaults/${p.vault.id}/shares/${encodeURIComponent(p.with)}`) : call("POST", `/api/vaults/${p.vault.id}/shares`, { username: p.with }),
    [["vaults"], ["zone-access"]],
  );

  async function apply(p: VaultPending) {
    setPending(null);
    setRowErrors({ ...rowErrors, [p.vault.id]: {} });
    try {
      await change.mutateAsync(p);
      if (p.kind === "share") setShareWith({ ...shareWith, [p.vault.id]: "" });
      setStatus(succeeded(p.kind === "delete" ? `Deleted vault ${p.vault.name} of ${username}.` : p.kind === "unshare" ? `Vault ${p.vault.name} is no longer shared with ${p.with}.` : `Vault ${p.vault.name} shared with ${p.with}.`));
    } catch (e) {
      const errors = fieldErrors(e, VAULT_LABELS);
      if (p.kind === "share") setRowErrors({ ...rowErrors, [p.vault.id]: errors });
      setStatus(failed(p.kind === "share" ? {} : errors));
    }
  }

  /** Share at once when it is usual; across tenants or into a zone the recipient lacks, ask first. */
  async function share(v: VaultRow) {
    const to = (shareWith[v.id] ?? "").trim();
    if (!to) return setRowErrors({ ...rowErrors, [v.id]: { username: "Share with user: required" } });
    setRowErrors({ ...rowErrors, [v.id]: {} });
    // what the caller may see of the recipient (a 404 tells nothing: the API decides then)
    const other = await call<{ tenant: string }>("GET", `/api/users/${encodeURIComponent(to)}`).catch(() => undefined);
    const access = other ? await call<Access>("GET", `/api/users/${encodeURIComponent(to)}/zone-access`).catch(() => undefined) : undefined;
    const cautions = shareCautions(
      { name: v.name, zone: v.zone, zoneName: v.zoneName ?? zones.find((z) => z.id === v.zone)?.name },
      owner,
      { username: to, tenant: other?.tenant },
      access?.zones.map((z) => z.id),
    );
    if (cautions.length > 0) setPending({ vault: v, kind: "share", with: to, cautions });
    else await apply({ vault: v, kind: "share", with: to, cautions });
  }

  const [add, setAdd] = useState({ name: "", kind: "pvc", zone: "", storageClass: "", accessModes: "ReadWriteOnce", size: "", subpath: "", nfsServer: "", nfsPath: "" });
  const [addStatus, setAddStatus] = useState<FormState>(idle);
  const create = useApiMutation((body: Record<string, unknown>) => call("POST", `/api/users/${encodeURIComponent(username)}/vaults`, body), [["vaults"], ["zone-access"]]);
  async function addVault() {
    const problems = merge(add.name.trim() ? {} : { name: "Vault name: required" }, add.kind === "nfs" && !add.nfsServer ? { nfsServer: "NFS server: required" } : {}, add.kind === "nfs" && !add.nfsPath ? { nfsPath: "NFS path: required" } : {});
    if (hasErrors(problems)) return setAddStatus(failed(problems));
    const body: Record<string, unknown> = { name: add.name.trim(), kind: add.kind };
    if (add.zone !== "") body.zone = Number(add.zone);
    if (add.kind === "pvc") Object.assign(body, { storageClass: add.storageClass || undefined, accessModes: add.accessModes || undefined, size: add.size === "" ? undefined : add.size, subpath: add.subpath || undefined });
    else Object.assign(body, { nfsServer: add.nfsServer, nfsPath: add.nfsPath });
    try {
      await create.mutateAsync(body);
      setAddStatus(succeeded(`Vault ${add.name} added to ${username}.`));
      setAdd({ ...add, name: "" });
    } catch (e) {
      setAddStatus(failed(fieldErrors(e, VAULT_LABELS)));
    }
  }
  const set = (patch: Partial<typeof add>) => setAdd({ ...add, ...patch });

  return (
    <>
      <FormStatus state={status} />
      <Table
        caption={`Vaults of ${username}`}
        rows={q.data?.vaults}
        loading={q.loading}
        error={q.error}
        empty={`${username} has no vaults.`}
        rowKey={(v) => v.id}
        rowAttrs={(v) => ({ "data-vault": v.name })}
        columns={[
          { header: "Vault", cell: (v) => `${v.name}${v.default ? " (default)" : ""}` },
          { header: "Kind", cell: (v) => v.kind },
          { header: "Zone", cell: (v) => zoneLabel(v.zone, v.zoneName, zones) },
          {
            header: "Shared",
            cell: (v) => (
              <>
                <span data-testid={`shared-${v.name}`}>{v.sharedBy ? `shared by ${v.sharedBy}` : (v.sharedWith ?? []).join(", ") || "-"}</span>
                {!v.sharedBy && rights.handOut
                  ? (v.sharedWith ?? []).map((w) => (
                      <button key={w} type="button" onClick={() => setPending({ vault: v, kind: "unshare", with: w })}>
                        Unshare<span className="sr-only">
                          {" "}
                          {v.name} from {w}
                        </span>
                        <span aria-hidden="true"> {w}</span>
                      </button>
                    ))
                  : null}
              </>
            ),
          },
          {
            header: "Share with",
            cell: (v) =>
              v.sharedBy || !rights.handOut ? null : v.kind === "ephemeral" ? (
                <span className="hint">ephemeral: not shared</span>
              ) : (
                <form
                  className="inline"
                  noValidate
                  onSubmit={(e) => {
                    e.preventDefault();
                    void share(v);
                  }}
                >
                  <TextField label={`Share ${v.name} with user`} value={shareWith[v.id] ?? ""} onChange={(x) => setShareWith({ ...shareWith, [v.id]: x })} error={Object.values(rowErrors[v.id] ?? {}).join("; ") || undefined} />
                  <button type="submit">
                    Share<span className="sr-only"> {v.name}</span>
                  </button>
                </form>
              ),
          },
        ]}
        actions={
          rights.handOut
            ? (v) =>
                v.sharedBy ? null : (
                  <button type="button" className="danger" onClick={() => setPending({ vault: v, kind: "delete" })}>
                    Delete<span className="sr-only"> vault {v.name}</span>
                  </button>
                )
            : undefined
        }
        below={(v) => {
          if (pending?.vault.id !== v.id) return null;
          const p = pending;
          const [question, details, label] =
            p.kind === "delete"
              ? [`Delete vault ${v.name} of ${username}?`, `Its shares go too (${(v.sharedWith ?? []).join(", ") || "none"}); the storage itself is not touched. Refused while an active job uses it.`, "Delete vault"]
              : p.kind === "unshare"
                ? [`Stop sharing ${v.name} with ${p.with}?`, `${p.with} loses the vault (and the zone it gave, unless another vault gives it).`, "Unshare"]
                : [`Share ${v.name} of ${username} with ${p.with}? This is unusual.`, p.cautions.join(" "), "Share anyway"];
          return <Confirm question={question} details={details} confirmLabel={label} danger={p.kind !== "share"} onConfirm={() => void apply(p)} onCancel={() => setPending(null)} />;
        }}
      />
      {rights.addVault ? (
        <form
          className="card"
          aria-labelledby="add-vault-title"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void addVault();
          }}
        >
          <h3 id="add-vault-title">Add a vault to {username}</h3>
          <div className="grid">
            <TextField label="Vault name" name="vault-name" value={add.name} onChange={(x) => set({ name: x })} error={errFor(addStatus.errors, "name")} />
            <SelectField label="Kind" value={add.kind} onChange={(x) => set({ kind: x })} options={[["pvc", "PVC (persistent)"], ["nfs", "NFS"]]} error={errFor(addStatus.errors, "kind")} />
            <SelectField label="Zone" value={add.zone} onChange={(x) => set({ zone: x })} options={zoneOptions(zones, "(unzoned)")} error={errFor(addStatus.errors, "zone")} />
            {add.kind === "pvc" ? (
              <>
                <TextField label="Storage class" value={add.storageClass} onChange={(x) => set({ storageClass: x })} error={errFor(addStatus.errors, "storageClass")} />
                <TextField label="Access modes" value={add.accessModes} onChange={(x) => set({ accessModes: x })} error={errFor(addStatus.errors, "accessModes")} />
                <TextField label="Size (GB)" type="number" value={add.size} onChange={(x) => set({ size: x })} error={errFor(addStatus.errors, "size")} />
                <TextField label="Sub-path" value={add.subpath} onChange={(x) => set({ subpath: x })} error={errFor(addStatus.errors, "subpath")} />
              </>
            ) : (
              <>
                <TextField label="NFS server" value={add.nfsServer} onChange={(x) => set({ nfsServer: x })} error={errFor(addStatus.errors, "nfsServer")} />
                <TextField label="NFS path" value={add.nfsPath} onChange={(x) => set({ nfsPath: x })} error={errFor(addStatus.errors, "nfsPath")} />
              </>
            )}
          </div>
          <FormStatus state={addStatus} shown={["name", "kind", "zone", "storageClass", "accessModes", "size", "subpath", "nfsServer", "nfsPath"]} />
          <button type="submit" className="primary" disabled={create.isPending}>
            Add vault
          </button>
        </form>
      ) : null}
    </>
  );
}
