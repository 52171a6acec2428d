// Administration -> Limits (system administrators): every limit of every scope
// (administrator limits on a payer or a billing-code range, self-service team
// defaults and user limits), added and edited in one form and deleted after a
// confirmation; and the billing code of a payer, which billing-range limits
// match. A cluster's mL is on the Clusters tab of Zones / Clusters / Machines / Apps.
import { useState } from "react";
import { useApi } from "../kit";
import { call, errorsOf } from "../api";
import { LimitFields, LimitTable, isLimitField, useMachineTypes } from "../LimitFields";
import { SCOPE_LABELS, checkLimitForm, emptyForm, formOf, isAdminScope, limitBody, targetText, type Limit, type LimitForm, type Scope } from "../limits";
import { Confirm, FormError, SelectField, TextField, errFor } from "../ui";

const TARGET_FIELDS = ["scope", "payer", "user", "billingFrom", "billingTo"];

export function Limits() {
  const types = useMachineTypes();
  const list = useApi<{ limits: Limit[] }>(["limits"], "/api/limits");
  const limits = list.data?.limits ?? [];
  const [actionErrors, setActionErrors] = useState<Record<string, string>>({});
  // a failed load is said as such, beside a failed delete
  const listErrors = list.error ? { ...actionErrors, _: `Could not load the limits: ${list.error}` } : actionErrors;
  const [form, setForm] = useState<LimitForm>(emptyForm("payer"));
  const [editing, setEditing] = useState<Limit | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [deleting, setDeleting] = useState<Limit | null>(null);
  const [message, setMessage] = useState("");

  const load = list.reload;

  async function save() {
    const seen = checkLimitForm(form);
    setErrors(seen);
    if (Object.keys(seen).length > 0) return;
    try {
      const saved = await call<Limit>("PUT", "/api/limits", limitBody(form));
      setMessage(`Saved the limit on ${targetText(saved)}.`);
      setEditing(null);
      setForm(emptyForm(form.scope));
      void load();
    } catch (e) {
      setErrors(errorsOf(e));
    }
  }

  async function remove(l: Limit) {
    setDeleting(null);
    setActionErrors({});
    try {
      await call("DELETE", `/api/limits/${l.id}`);
      setMessage(`Deleted the limit on ${targetText(l)}.`);
      if (editing?.id === l.id) {
        setEditing(null);
        setForm(emptyForm(l.scope));
      }
      void load();
    } catch (e) {
      setActionErrors(errorsOf(e));
    }
  }

  const startEdit = (l: Limit) => {
    setEditing(l);
    setErrors({});
    setMessage("");
    setForm(formOf(l));
  };
  const actions = (l: Limit) => (
    <>
      <button type="button" onClick={() => startEdit(l)}>
        Edit<span className="sr-only"> the limit on {targetText(l)}</span>
      </button>{" "}
      <button type="button" className="danger" onClick={() => setDeleting(l)}>
        Delete<span className="sr-only"> the limit on {targetText(l)}</span>
      </button>
    </>
  );
  const set = (patch: Partial<LimitForm>) => setForm({ ...form, ...patch });
  return (
    <section aria-labelledby="limits-title">
      <h1 id="limits-title">Limits</h1>
      <p className="hint">
        Administrator limits bound a whole tenant (a payer and its team, summed): one on the payer itself overrides the one on the range of billing codes its billing code is in. Self-service limits (a team's default for each user, one user's own) only lower what the administrator limit allows; payers and team admins set them on Account -&gt; Limits. Jobs over a limit wait as held (SUBMITTED) and are released in submission order. A cluster's mL (max CPUs any limit allows there) is on the Clusters tab of Zones / Clusters / Machines / Apps.
      </p>
      <FormError errors={listErrors} />
      {message ? <p role="status">{message}</p> : null}
      {deleting ? <Confirm text={`Delete the limit on ${targetText(deleting)}? Jobs it holds are released as the other limits allow.`} yes="Yes, delete" onYes={() => void remove(deleting)} onNo={() => setDeleting(null)} /> : null}
      <h2>Administrator limits</h2>
      <LimitTable caption="Administrator limits (payers and billing-code ranges)" limits={limits.filter((l) => isAdminScope(l.scope))} actions={actions} empty="No administrator limit: no tenant is limited." />
      <h2>Self-service limits</h2>
      <LimitTable caption="Self-service limits (team defaults and users)" limits={limits.filter((l) => !isAdminScope(l.scope))} actions={actions} empty="No self-service limit." />
      <form
        className="card"
        aria-labelledby="limit-form-title"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <h2 id="limit-form-title">{editing ? `Edit the limit on ${targetText(editing)}` : "Add a limit"}</h2>
        {editing ? (
          <p className="hint">To limit someone else, or other billing codes, add a new limit (and delete this one).</p>
        ) : (
          <div className="grid">
            <SelectField label="Scope" value={form.scope} onChange={(v) => set({ scope: v as Scope })} options={(Object.keys(SCOPE_LABELS) as Scope[]).map((s) => [s, SCOPE_LABELS[s]])} error={errFor(errors, "scope")} />
            {form.scope === "payer" || form.scope === "team" ? <TextField label="Payer" name="limit-payer" value={form.payer} onChange={(v) => set({ payer: v })} error={errFor(errors, "payer")} hint={form.scope === "team" ? "the team's payer: the default applies to each of its users" : "the tenant's payer user name"} /> : null}
            {form.scope === "user" ? <TextField label="User" name="limit-user" value={form.user} onChange={(v) => set({ user: v })} error={errFor(errors, "user")} /> : null}
            {form.scope === "billing" ? (
              <>
                <TextField label="Billing codes from" type="number" value={form.billingFrom} onChange={(v) => set({ billingFrom: v })} error={errFor(errors, "billingFrom")} />
                <TextField label="Billing codes to" type="number" value={form.billingTo} onChange={(v) => set({ billingTo: v })} error={errFor(errors, "billingTo")} hint="inclusive; the same as from for one code" />
              </>
            ) : null}
          </div>
        )}
        <LimitFields form={form} onChange={setForm} errors={errors} types={types} />
        <FormError errors={errors} known={[...TARGET_FIELDS, ...Object.keys(errors).filter(isLimitField)]} />
        {editing ? (
          // the target is fixed while editing; an error about it has no field shown
          <FormError errors={Object.fromEntries(Object.entries(errors).filter(([k]) => TARGET_FIELDS.includes(k)))} />
        ) : null}
        <button type="submit" className="primary">
          {editing ? "Save" : "Add limit"}
        </button>{" "}
        {editing ? (
          <button
            type="button"
            onClick={() => {
              setEditing(null);
              setErrors({});
              setForm(emptyForm(form.scope));
            }}
          >
            Cancel
          </button>
        ) : null}
      </form>
      <BillingCodes />
    </section>
  );
}

interface Payer {
  username: string;
  role: string;
  billingCode?: number | null;
}

/** A payer's billing code (empty: none): the integer billing-range limits match. */
function BillingCodes() {
  const users = useApi<{ users: Payer[] }>(["users"], "/api/users");
  const payers = (users.data?.users ?? []).filter((u) => u.role === "payer");
  const [payer, setPayer] = useState("");
  const [code, setCode] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");

  const load = users.reload;

  async function save() {
    setErrors({});
    setMessage("");
    const name = payer.trim();
    if (name === "") {
      setErrors({ payer: "payer: is required" });
      return;
    }
    const billingCode = code.trim() === "" ? null : /^-?\d+$/.test(code.trim()) ? Number(code) : code;
    try {
      await call("PATCH", `/api/users/${encodeURIComponent(name)}`, { billingCode });
      setMessage(billingCode === null ? `${name} has no billing code now.` : `${name}'s billing code is now ${String(billingCode)}.`);
      void load();
    } catch (e) {
      // a missing payer is the payer field's problem, whatever the API calls it
      const err = errorsOf(e);
      setErrors(err._ && (e as { status?: number }).status === 404 ? { payer: err._ } : err);
    }
  }

  const coded = payers.filter((p) => p.billingCode !== undefined && p.billingCode !== null);
  return (
    <form
      className="card"
      aria-labelledby="billing-title"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2 id="billing-title">Billing codes</h2>
      <p className="hint">A payer's billing code groups its tenant with others into a tier; a billing-code range limit governs every tenant whose code is in the range (unless the payer has a limit of its own).</p>
      <div className="grid">
        <TextField label="Payer of the billing code" name="billing-payer" value={payer} onChange={setPayer} error={errFor(errors, "payer", "username")} />
        <TextField label="Billing code" name="billing-code" type="number" value={code} onChange={setCode} error={errFor(errors, "billingCode")} hint="an integer; empty: no billing code" />
      </div>
      <FormError errors={users.error ? { ...errors, _: `Could not load the payers: ${users.error}` } : errors} known={["payer", "username", "billingCode"]} />
      <button type="submit" className="primary">
        Set billing code
      </button>
      {message ? <span role="status"> {message}</span> : null}
      {coded.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption>Payers with a billing code</caption>
            <thead>
              <tr>
                <th scope="col">Payer</th>
                <th scope="col">Billing code</th>
              </tr>
            </thead>
            <tbody>
              {coded.map((p) => (
                <tr key={p.username} data-billing={p.username}>
                  <td>{p.username}</td>
                  <td>{p.billingCode}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </form>
  );
}
