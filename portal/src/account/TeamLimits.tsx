// Account -> Limits (payers and team admins): the administrator limit that
// governs the team, read-only with what the team uses of it now; the team's
// default limit for each user and per-user limits, which may only lower it
// (the API refuses more, naming the field; the form offers only the machine
// types the administrator limit allows).
import { useEffect, useState } from "react";
import { useApiLoad } from "../kit";
import { call, errorsOf, type Me } from "../api";
import { LimitFields, LimitTable, isLimitField, useMachineTypes } from "../LimitFields";
import { allowedMachineTypes, checkLimitForm, cpuUsageText, cpusText, cpusWithin, emptyForm, formOf, limitBody, machineUsageLines, machinesText, targetText, type Effective, type Governing, type Limit, type LimitForm } from "../limits";
import { Confirm, FormError, SelectField, errFor } from "../ui";

export function TeamLimits({ me }: { me: Me }) {
  const team = me.tenant;
  const allTypes = useMachineTypes();
  const [actionErrors, setActionErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const [deleting, setDeleting] = useState<Limit | null>(null);
  const [teamForm, setTeamForm] = useState<LimitForm>(emptyForm("team", team));
  const [teamErrors, setTeamErrors] = useState<Record<string, string>>({});
  const [userForm, setUserForm] = useState<LimitForm>(emptyForm("user"));
  const [userErrors, setUserErrors] = useState<Record<string, string>>({});
  const [editingUser, setEditingUser] = useState<string | null>(null);

  const loaded = useApiLoad(["limits", "team", me.username], async () => {
    const [l, e, u] = await Promise.all([
      call<{ limits: Limit[] }>("GET", "/api/limits"),
      call<Effective>("GET", `/api/limits/effective?user=${encodeURIComponent(me.username)}`),
      call<{ users: Array<{ username: string; tenant: string | null }> }>("GET", "/api/users"),
    ]);
    // each user with a limit of their own: what they use of it now
    const perUser = l.limits.filter((x) => x.scope === "user" && x.user);
    const usage = await Promise.all(perUser.map((x) => call<Effective>("GET", `/api/limits/effective?user=${encodeURIComponent(x.user!)}`).then((r) => [x.user!, r.user] as const, () => null)));
    return {
      limits: l.limits,
      effective: e,
      members: u.users.filter((x) => x.tenant === team).map((x) => x.username),
      userUsage: Object.fromEntries(usage.filter((x) => x !== null)) as Record<string, Governing>,
    };
  });
  const limits = loaded.data?.limits ?? [];
  const effective = loaded.data?.effective ?? null;
  const members = loaded.data?.members ?? [];
  const userUsage = loaded.data?.userUsage ?? {};
  const load = loaded.reload;
  // the team default's form shows the saved default after each load
  useEffect(() => {
    if (!loaded.data) return;
    const current = loaded.data.limits.find((x) => x.scope === "team" && x.payer === team);
    setTeamForm(current ? formOf(current) : emptyForm("team", team));
  }, [loaded.data, team]);
  const listErrors = loaded.error ? { ...actionErrors, _: `Could not load the limits: ${loaded.error}` } : actionErrors;

  const admin = effective?.tenant.limit ?? null;
  const types = allowedMachineTypes(admin, allTypes);
  const teamLimit = limits.find((l) => l.scope === "team" && l.payer === team) ?? null;
  const userLimits = limits.filter((l) => l.scope === "user");

  async function save(form: LimitForm, setErrors: (e: Record<string, string>) => void, done: (saved: Limit) => void) {
    const seen = checkLimitForm(form);
    setErrors(seen);
    setMessage("");
    if (Object.keys(seen).length > 0) return;
    try {
      const saved = await call<Limit>("PUT", "/api/limits", limitBody(form));
      setMessage(`Saved the limit on ${targetText(saved)}.`);
      done(saved);
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
      setMessage(l.scope === "team" ? "Deleted the team default: users without a limit of their own are bound by the administrator limit only." : `Deleted the limit on ${targetText(l)}: the team default applies to ${l.user ?? "them"} again.`);
      if (l.scope === "user" && editingUser === l.user) {
        setEditingUser(null);
        setUserForm(emptyForm("user"));
      }
      void load();
    } catch (e) {
      setActionErrors(errorsOf(e));
    }
  }

  const hint = cpusWithin(admin);
  return (
    <section aria-labelledby="team-limits-title">
      <h1 id="team-limits-title">Limits</h1>
      <p className="hint">Jobs over a limit wait as held (SUBMITTED, with the limit they wait for) and are released in submission order as running jobs finish.</p>
      <FormError errors={listErrors} />
      {message ? <p role="status">{message}</p> : null}
      {deleting ? <Confirm text={`Delete the limit on ${targetText(deleting)}?`} yes="Yes, delete" onYes={() => void remove(deleting)} onNo={() => setDeleting(null)} /> : null}

      <section className="card" aria-labelledby="admin-limit-title" data-testid="admin-limit">
        <h2 id="admin-limit-title">Administrator limit of team {team}</h2>
        {effective === null ? null : admin === null ? (
          <p>No administrator limit governs team {team}.</p>
        ) : (
          <dl className="info">
            <dt>Set on</dt>
            <dd>{admin.scope === "payer" ? `team ${team} itself` : targetText(admin)}</dd>
            <dt>Concurrent CPUs</dt>
            <dd>{cpusText(admin.cpus)}</dd>
            <dt>Machine types</dt>
            <dd>{machinesText(admin.machines)}</dd>
          </dl>
        )}
        {effective ? (
          <dl className="info" data-testid="team-usage">
            <dt>In use now</dt>
            <dd>
              {cpuUsageText(effective.tenant)}
              {machineUsageLines(effective.tenant).map((l) => (
                <div key={l}>{l}</div>
              ))}
            </dd>
            <dt>Held jobs</dt>
            <dd>{effective.tenant.held}</dd>
          </dl>
        ) : null}
        <p className="hint">Only system administrators change this limit.</p>
      </section>

      <form
        className="card"
        aria-labelledby="team-default-title"
        onSubmit={(e) => {
          e.preventDefault();
          void save({ ...teamForm, scope: "team", payer: team }, setTeamErrors, () => undefined);
        }}
      >
        <h2 id="team-default-title">Team default (each user of team {team})</h2>
        <p>{teamLimit ? `Now: ${cpusText(teamLimit.cpus)}; ${machinesText(teamLimit.machines)}.` : "No team default: each user is bound by the administrator limit only."}</p>
        <LimitFields form={teamForm} onChange={setTeamForm} errors={teamErrors} types={types} cpusHint={hint} />
        <FormError errors={teamErrors} known={Object.keys(teamErrors).filter(isLimitField)} />
        <button type="submit" className="primary">
          Save team default
        </button>{" "}
        {teamLimit ? (
          <button type="button" className="danger" onClick={() => setDeleting(teamLimit)}>
            Delete team default
          </button>
        ) : null}
      </form>

      <h2>Per-user limits</h2>
      <LimitTable
        caption={`Users of team ${team} with a limit of their own (instead of the team default)`}
        limits={userLimits}
        empty="No user has a limit of their own."
        extra={{ header: "In use now", cell: (l) => (l.user && userUsage[l.user] ? cpuUsageText(userUsage[l.user]!) : "") }}
        actions={(l) => (
          <>
            <button
              type="button"
              onClick={() => {
                setEditingUser(l.user ?? null);
                setUserErrors({});
                setUserForm(formOf(l));
              }}
            >
              Edit<span className="sr-only"> the limit on {targetText(l)}</span>
            </button>{" "}
            <button type="button" className="danger" onClick={() => setDeleting(l)}>
              Delete<span className="sr-only"> the limit on {targetText(l)}</span>
            </button>
          </>
        )}
      />
      <form
        className="card"
        aria-labelledby="user-limit-title"
        onSubmit={(e) => {
          e.preventDefault();
          void save({ ...userForm, scope: "user" }, setUserErrors, () => {
            setEditingUser(null);
            setUserForm(emptyForm("user"));
          });
        }}
      >
        <h2 id="user-limit-title">{editingUser ? `Edit the limit of ${editingUser}` : "Limit one user"}</h2>
        {editingUser ? null : (
          <div className="grid">
            <SelectField label="User" value={userForm.user} onChange={(v) => setUserForm({ ...userForm, user: v })} options={[["", "(choose)"], ...members.map((m): [string, string] => [m, m])]} error={errFor(userErrors, "user")} />
          </div>
        )}
        <LimitFields form={userForm} onChange={setUserForm} errors={userErrors} types={types} cpusHint={hint} />
        <FormError errors={userErrors} known={["user", ...Object.keys(userErrors).filter(isLimitField)]} />
        {editingUser ? <FormError errors={Object.fromEntries(Object.entries(userErrors).filter(([k]) => k === "user"))} /> : null}
        <button type="submit" className="primary">
          {editingUser ? "Save" : "Set user limit"}
        </button>{" "}
        {editingUser ? (
          <button
            type="button"
            onClick={() => {
              setEditingUser(null);
              setUserErrors({});
              setUserForm(emptyForm("user"));
            }}
          >
            Cancel
          </button>
        ) : null}
      </form>
    </section>
  );
}
