// Account (every user): the caller's own API key (shown on demand, regenerated after a confirmation
// that says the old key stops working), password change (current + new + repeated; a new password
// ends every session, this one too), and the caller's vaults and zones.
import { useState } from "react";
import { ApiError, call, endSession, type Me } from "../api";
import { errFor, failed, fieldErrors, hasErrors, idle, succeeded, type FormState } from "../errors";
import { Confirm, CopyButton, FormStatus, Table, useApi, useApiMutation } from "../kit";
import { zoneLabel } from "../admin/catalogRows";
import { TextField } from "../ui";
import { PASSWORD_LABELS, passwordProblems } from "./password";

export function Account({ me }: { me: Me }) {
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">Account</h1>
      <p className="hint">
        You are <strong>{me.username}</strong>
        {me.email ? ` (${me.email})` : ""}, {me.sysadmin ? "a system administrator" : me.role === "payer" ? "a payer" : `${me.teamAdmin ? "team admin" : "member"} of ${me.tenant}`}.
      </p>
      <ApiKey me={me} />
      <Password me={me} />
      <VaultsAndZones me={me} />
    </section>
  );
}

type KeyState = { kind: "hidden" } | { kind: "shown"; apikey: string; fresh: boolean } | { kind: "not stored" };

function ApiKey({ me }: { me: Me }) {
  const [key, setKey] = useState<KeyState>({ kind: "hidden" });
  const [asking, setAsking] = useState(false);
  const [status, setStatus] = useState<FormState>(idle);
  const [busy, setBusy] = useState(false);

  async function show() {
    setBusy(true);
    try {
      const r = await call<{ apikey: string }>("GET", "/api/me/apikey");
      setKey({ kind: "shown", apikey: r.apikey, fresh: false });
      setStatus(idle);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404 && e.field === "apikey") {
        setKey({ kind: "not stored" });
        setStatus(idle);
      } else setStatus(failed(fieldErrors(e, { apikey: "API key" })));
    } finally {
      setBusy(false);
    }
  }
  async function regenerate() {
    setAsking(false);
    setBusy(true);
    try {
      const r = await call<{ apikey: string }>("POST", `/api/users/${encodeURIComponent(me.username)}/apikey`);
      setKey({ kind: "shown", apikey: r.apikey, fresh: true });
      setStatus(succeeded("A new API key was made: the old one no longer works."));
    } catch (e) {
      setStatus(failed(fieldErrors(e, { apikey: "API key" })));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="apikey-title">
      <h2 id="apikey-title">API key</h2>
      <p className="hint">
        Scripts and JARVICE clients authenticate with your user name and this key (the <code>apikey</code> of <code>/jarvice/submit</code> and PREVIEW SUBMISSION).
      </p>
      {key.kind === "shown" ? (
        <p data-testid="apikey-shown">
          <span id="apikey-label">Your API key{key.fresh ? " (new)" : ""}:</span> <code data-testid="apikey">{key.apikey}</code> <CopyButton text={key.apikey} label="Copy API key" />{" "}
          <button type="button" onClick={() => setKey({ kind: "hidden" })}>
            Hide API key
          </button>
        </p>
      ) : key.kind === "not stored" ? (
        <p role="status" data-testid="apikey-not-stored">
          Your API key was made before Paddock kept keys to show them again, so it cannot be shown. It still works; generate a new key to see one (the old key then stops working).
        </p>
      ) : (
        <p>
          <button type="button" onClick={() => void show()} disabled={busy}>
            Show API key
          </button>
        </p>
      )}
      <p>
        <button type="button" className="danger" onClick={() => setAsking(true)} disabled={busy}>
          {key.kind === "not stored" ? "Generate a new API key" : "Regenerate API key"}
        </button>
      </p>
      {asking ? (
        <Confirm
          question={`Make a new API key for ${me.username}?`}
          details="The old key stops working at once: scripts and JARVICE clients that use it are refused until they are given the new key. Your portal session stays."
          confirmLabel="Make a new key"
          onConfirm={() => void regenerate()}
          onCancel={() => setAsking(false)}
        />
      ) : null}
      <FormStatus state={status} />
    </section>
  );
}

function Password({ me }: { me: Me }) {
  const [p, setP] = useState({ current: "", password: "", repeat: "" });
  const [status, setStatus] = useState<FormState>(idle);
  const change = useApiMutation((body: { current: string; password: string }) => call("PUT", `/api/users/${encodeURIComponent(me.username)}/password`, body), []);
  const set = (patch: Partial<typeof p>) => setP({ ...p, ...patch });

  async function submit() {
    const problems = passwordProblems(p);
    if (hasErrors(problems)) return setStatus(failed(problems));
    try {
      await change.mutateAsync({ current: p.current, password: p.password });
      setStatus(succeeded("Password changed."));
      // a new password ends every session of the account, this one too
      endSession("your password was changed; log in with the new password.");
    } catch (e) {
      setStatus(failed(fieldErrors(e, PASSWORD_LABELS)));
    }
  }

  return (
    <form
      className="card"
      aria-labelledby="password-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2 id="password-title">Password</h2>
      <p className="hint">Changing it ends every session of your account, this one too: you log in again with the new password.</p>
      <input type="text" name="username" autoComplete="username" value={me.username} readOnly hidden />
      <div className="grid">
        <TextField label={PASSWORD_LABELS.current} type="password" autoComplete="current-password" value={p.current} onChange={(x) => set({ current: x })} error={errFor(status.errors, "current")} />
        <TextField label={PASSWORD_LABELS.password} type="password" autoComplete="new-password" value={p.password} onChange={(x) => set({ password: x })} error={errFor(status.errors, "password")} hint="at least 8 characters" />
        <TextField label={PASSWORD_LABELS.repeat} type="password" autoComplete="new-password" value={p.repeat} onChange={(x) => set({ repeat: x })} error={errFor(status.errors, "repeat")} />
      </div>
      <FormStatus state={status} shown={["current", "password", "repeat"]} />
      <button type="submit" className="primary" disabled={change.isPending}>
        Change password
      </button>
    </form>
  );
}

interface Vault {
  id: number;
  name: string;
  kind: string;
  zone: number;
  zoneName?: string;
  default: boolean;
  sharedWith?: string[];
  sharedBy?: string;
}
interface ZoneAccess {
  zones: Array<{ id: number; name: string; reasons: string[] }>;
  lockedTo: { id: number; name: string } | null;
  explanation: string;
}

function VaultsAndZones({ me }: { me: Me }) {
  const user = encodeURIComponent(me.username);
  const vaults = useApi<{ vaults: Vault[] }>(["vaults", me.username], `/api/users/${user}/vaults`);
  const access = useApi<ZoneAccess>(["zone-access", me.username], `/api/users/${user}/zone-access`);
  return (
    <>
      <section className="card" aria-labelledby="my-vaults-title">
        <h2 id="my-vaults-title">Your VAULTS</h2>
        <Table
          caption="Your vaults"
          rows={vaults.data?.vaults}
          loading={vaults.loading}
          error={vaults.error}
          empty="You have no vaults."
          rowKey={(v) => v.id}
          rowAttrs={(v) => ({ "data-vault": v.name })}
          columns={[
            { header: "Vault", cell: (v) => `${v.name}${v.default ? " (default)" : ""}` },
            { header: "Kind", cell: (v) => v.kind },
            { header: "Zone", cell: (v) => zoneLabel(v.zone, v.zoneName, access.data?.zones) },
            { header: "Shared", cell: (v) => (v.sharedBy ? `shared with you by ${v.sharedBy}` : (v.sharedWith ?? []).join(", ") || "-") },
          ]}
        />
      </section>
      <section className="card" aria-labelledby="my-zones-title">
        <h2 id="my-zones-title">Your zones</h2>
        {access.error ? (
          <p className="error" role="alert">
            Could not load: {access.error}
          </p>
        ) : access.data ? (
          <>
            <p data-testid="my-locked">{access.data.lockedTo ? `Locked to zone ${access.data.lockedTo.name}.` : "Not locked to one zone."}</p>
            <ul data-testid="my-zones">
              {access.data.zones.map((z) => (
                <li key={z.id}>
                  <strong>{z.name}</strong>: {z.reasons.join("; ")}
                </li>
              ))}
            </ul>
            <p className="hint">{access.data.explanation}</p>
          </>
        ) : (
          <p role="status">Loading…</p>
        )}
      </section>
    </>
  );
}
