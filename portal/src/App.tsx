// The portal shell: log in (password or API key), the role-aware navigation, the views, log out.
// Views live at their own paths (the API serves index.html for them); routes.ts says which exist and
// who may open them; a view the role may not use shows NotAllowed naming it. On every view change the
// page title becomes "<View> - Paddock" and focus moves to the view's h1. The session is shared by
// every tab (api.ts); logging out in one ends it in the others.
// Add a view: a line in routes.ts's VIEWS and its component in SCREENS below.
import { useCallback, useEffect, useState, type ReactNode } from "react";
import { call, errorsOf, hasSession, onSessionChange, roleText, setSession, whenExpired, type Me } from "./api";
import { Compute } from "./Compute";
import { Dashboard } from "./Dashboard";
import { TaskBuilder } from "./TaskBuilder";
import { Account } from "./account/Account";
import { TeamLimits } from "./account/TeamLimits";
import { Catalog } from "./admin/Catalog";
import { Jobs } from "./admin/Jobs";
import { Limits } from "./admin/Limits";
import { Metadata } from "./admin/Metadata";
import { Users } from "./admin/Users";
import { GoContext, link } from "./kit/nav";
import { NotAllowed } from "./kit/NotAllowed";
import { queryClient } from "./kit/query";
import { isViewPath, LANDING, mayOpen, navFor, pageTitle, viewOf, type Path } from "./routes";
import { Check, FormError, TextField, errFor } from "./ui";

interface ScreenProps {
  me: Me;
  /** the rest of the path (/builder/<appId>) */
  param: string | undefined;
  /** the job just submitted, for the Dashboard to open */
  focusJob: number | undefined;
  onSubmitted: (job: number) => void;
}

const SCREENS: Record<Path, (p: ScreenProps) => ReactNode> = {
  "/compute": (p) => <Compute me={p.me} />,
  "/builder": (p) => <TaskBuilder me={p.me} appId={p.param} onSubmitted={p.onSubmitted} />,
  "/jobs": (p) => <Dashboard me={p.me} focus={p.focusJob} />,
  "/account": (p) => <Account me={p.me} />,
  "/account/limits": (p) => <TeamLimits me={p.me} />,
  "/admin/users": (p) => <Users me={p.me} />,
  "/admin/metadata": (p) => <Metadata me={p.me} />,
  "/admin/jobs": () => <Jobs />,
  "/admin/limits": () => <Limits />,
  "/admin/catalog": () => <Catalog />,
};

/** Focus the view's h1 (made focusable for it) once it is rendered. */
function focusHeading(): void {
  const h1 = document.querySelector<HTMLElement>("main h1");
  if (!h1) return;
  if (!h1.hasAttribute("tabindex")) h1.setAttribute("tabindex", "-1");
  h1.focus();
}

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(hasSession());
  const [notice, setNotice] = useState("");
  const [path, setPath] = useState(location.pathname);
  const [focusJob, setFocusJob] = useState<number | undefined>();

  const loadMe = useCallback(() => {
    setChecking(true);
    call<Me>("GET", "/api/me")
      .then(setMe, () => setMe(null))
      .finally(() => setChecking(false));
  }, []);

  useEffect(() => {
    whenExpired((m) => {
      queryClient.clear();
      setMe(null);
      setNotice(`Your session ended: ${m}`);
    });
    onSessionChange((loggedIn) => {
      queryClient.clear();
      if (loggedIn) {
        setNotice("");
        loadMe();
      } else {
        setMe(null);
        setNotice("You logged out in another tab.");
      }
    });
    const onPop = () => setPath(location.pathname);
    addEventListener("popstate", onPop);
    if (hasSession()) loadMe();
    return () => removeEventListener("popstate", onPop);
  }, [loadMe]);

  const go = useCallback((p: string) => {
    if (location.pathname !== p) history.pushState(null, "", p);
    setPath(p);
  }, []);

  const { view, param } = viewOf(path);
  const allowed = me ? mayOpen(view, me) : false;
  const screen = checking ? "checking" : me ? `${view.path}:${allowed}` : "login";
  useEffect(() => {
    if (screen === "checking") return;
    document.title = screen === "login" ? pageTitle(null) : allowed ? pageTitle(view) : `Not allowed: ${view.title} - Paddock`;
    focusHeading();
    // the title and focus follow the screen shown; `view` and `allowed` are part of `screen`
  }, [screen]);

  async function logout() {
    await call("POST", "/api/logout").catch(() => undefined);
    setSession(null);
    queryClient.clear();
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
          if (!isViewPath(location.pathname)) {
            history.replaceState(null, "", LANDING);
            setPath(LANDING);
          }
          setMe(u);
        }}
      />
    );

  return (
    <GoContext.Provider value={go}>
      <div className="app">
        <header>
          <span className="brand">Paddock</span>
          <nav aria-label="Main">
            {navFor(me).map(({ group, views }) => {
              const links = views.map((v) => (
                <a key={v.path} href={v.path} aria-current={view.path === v.path ? "page" : undefined} onClick={link(go, v.path)}>
                  {v.link ?? v.title}
                </a>
              ));
              return group === "main" ? (
                links
              ) : (
                <span key={group} className="group" role="group" aria-label={group}>
                  <span className="group-label">{group}:</span>
                  {links}
                </span>
              );
            })}
          </nav>
          <span className="who">
            {me.username} ({roleText(me)}){" "}
            <button type="button" onClick={() => void logout()}>
              Log out
            </button>
          </span>
        </header>
        <main>{allowed ? SCREENS[view.path]({ me, param, focusJob, onSubmitted: setFocusJob }) : <NotAllowed view={view.title} who={roleText(me)} onHome={() => go(LANDING)} />}</main>
      </div>
    </GoContext.Provider>
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
