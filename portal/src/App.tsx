// The portal shell: log in (password or API key), the navigation, log out.
// Views live at their own paths (the API serves index.html for them).
import { useEffect, useState } from "react";
import { call, errorsOf, hasSession, managesTeam, setSession, whenExpired, type Me } from "./api";
import { Dashboard } from "./Dashboard";
import { TaskBuilder } from "./TaskBuilder";
import { TeamLimits } from "./account/TeamLimits";
import { Catalog } from "./admin/Catalog";
import { Limits } from "./admin/Limits";
import { Metadata } from "./admin/Metadata";
import { Users } from "./admin/Users";
import { Check, FormError, TextField, errFor } from "./ui";

type View = "/builder" | "/jobs" | "/admin/users" | "/admin/metadata" | "/admin/limits" | "/admin/catalog" | "/account/limits";
const VIEWS: View[] = ["/builder", "/jobs", "/admin/users", "/admin/metadata", "/admin/limits", "/admin/catalog", "/account/limits"];
const viewOf = (path: string): View => (VIEWS.includes(path as View) ? (path as View) : "/builder");

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(hasSession());
  const [notice, setNotice] = useState("");
  const [view, setView] = useState<View>(viewOf(location.pathname));
  const [focusJob, setFocusJob] = useState<number | undefined>();

  useEffect(() => {
    whenExpired((m) => {
      setMe(null);
      setNotice(`Your session ended: ${m}`);
    });
    const onPop = () => setView(viewOf(location.pathname));
    addEventListener("popstate", onPop);
    if (hasSession()) {
      call<Me>("GET", "/api/me")
        .then(setMe, () => setMe(null))
        .finally(() => setChecking(false));
    }
    return () => removeEventListener("popstate", onPop);
  }, []);

  const go = (v: View) => {
    if (location.pathname !== v) history.pushState(null, "", v);
    setView(v);
  };

  async function logout() {
    await call("POST", "/api/logout").catch(() => undefined);
    setSession(null);
    setMe(null);
    setNotice("You are logged out.");
  }

  if (checking) return <p className="loading">Loading…</p>;
  if (!me)
    return (
      <Login
        notice={notice}
        onLoggedIn={(u) => {
          setNotice("");
          setMe(u);
        }}
      />
    );

  const admin = me.sysadmin || managesTeam(me);
  // system administrators set every limit on Administration -> Limits; payers and team admins their team's here
  const teamLimits = managesTeam(me) && !me.sysadmin;
  const link = (v: View, text: string) => (
    <a
      href={v}
      aria-current={view === v ? "page" : undefined}
      onClick={(e) => {
        e.preventDefault();
        go(v);
      }}
    >
      {text}
    </a>
  );
  return (
    <div className="app">
      <header>
        <span className="brand">Paddock</span>
        <nav aria-label="Main">
          {link("/builder", "Task Builder")}
          {link("/jobs", "Dashboard")}
          {admin ? (
            <span className="group" role="group" aria-label="Administration">
              <span className="group-label">Administration:</span>
              {link("/admin/users", "Users")}
              {link("/admin/metadata", "Metadata")}
              {me.sysadmin ? link("/admin/limits", "Limits") : null}
              {me.sysadmin ? link("/admin/catalog", "Zones / Clusters / Machines / Apps") : null}
            </span>
          ) : null}
          {teamLimits ? (
            <span className="group" role="group" aria-label="Account">
              <span className="group-label">Account:</span>
              {link("/account/limits", "Limits")}
            </span>
          ) : null}
        </nav>
        <span className="who">
          {me.username} ({me.sysadmin ? "system administrator" : me.role === "payer" ? "payer" : me.teamAdmin ? `team admin of ${me.tenant}` : `member of ${me.tenant}`}){" "}
          <button type="button" onClick={() => void logout()}>
            Log out
          </button>
        </span>
      </header>
      <main>
        {view === "/builder" ? (
          <TaskBuilder
            me={me}
            onSubmitted={(n) => {
              setFocusJob(n);
            }}
          />
        ) : null}
        {view === "/jobs" ? <Dashboard me={me} focus={focusJob} /> : null}
        {view === "/admin/users" && admin ? <Users me={me} /> : null}
        {view === "/admin/metadata" && admin ? <Metadata /> : null}
        {view === "/admin/limits" && me.sysadmin ? <Limits /> : null}
        {view === "/admin/catalog" && me.sysadmin ? <Catalog /> : null}
        {view === "/account/limits" && teamLimits ? <TeamLimits me={me} /> : null}
      </main>
    </div>
  );
}

function Login({ notice, onLoggedIn }: { notice: string; onLoggedIn: (me: Me) => void }) {
  const [username, setUsername] = useState("");
  const [secret, setSecret] = useState("");
  const [useKey, setUseKey] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  async function login() {
    setErrors({});
    try {
      const r = await call<{ token: string; user: Me }>("POST", "/api/login", useKey ? { username, apikey: secret } : { username, password: secret });
      setSession(r.token);
      onLoggedIn(r.user);
    } catch (e) {
      setErrors(errorsOf(e));
    }
  }
  return (
    <main className="login">
      <form
        className="card"
        aria-labelledby="login-title"
        onSubmit={(e) => {
          e.preventDefault();
          void login();
        }}
      >
        <h1 id="login-title">Log in to Paddock</h1>
        {notice ? <p role="status">{notice}</p> : null}
        <TextField label="User name" name="username" value={username} onChange={setUsername} autoComplete="username" error={errFor(errors, "username")} />
        <TextField label={useKey ? "API key" : "Password"} name="password" type="password" value={secret} onChange={setSecret} autoComplete="current-password" error={errFor(errors, "password", "apikey")} />
        <Check label="Log in with an API key instead" checked={useKey} onChange={setUseKey} />
        <FormError errors={errors} known={["username", "password", "apikey"]} />
        <button type="submit" className="primary">
          Log in
        </button>
      </form>
    </main>
  );
}
