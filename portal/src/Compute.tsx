// Compute: JARVICE's app catalog, the landing page after login. A card per app with its name,
// description and commands, searchable by any of them (appSearch.ts); choosing a card opens the Task
// Builder for it at /builder/<appId>, choosing a command opens it on that command (?command=).
import { useState } from "react";
import type { Me } from "./api";
import { shownApps, usableApps, type ListedApp } from "./appSearch";
import { link, useApi, useGo } from "./kit";

export function Compute({ me }: { me: Me }) {
  const go = useGo();
  const [search, setSearch] = useState("");
  const apps = useApi<{ apps: ListedApp[] }>(["apps"], "/api/apps");
  const all = usableApps(apps.data?.apps ?? [], me);
  const shown = shownApps(all, search);
  const builder = (id: string, command?: string) => `/builder/${encodeURIComponent(id)}${command ? `?command=${encodeURIComponent(command)}` : ""}`;

  return (
    <section aria-labelledby="compute-title">
      <h1 id="compute-title">Compute</h1>
      <p className="hint">Choose an app to build a task for it in the Task Builder.</p>
      <div className="field compute-search">
        <label htmlFor="compute-search">Search apps</label>
        <input id="compute-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name, description or command" aria-describedby="compute-count" />
      </div>
      <p id="compute-count" role="status" className="hint">
        {apps.data ? (search ? `${shown.length} of ${all.length} apps match “${search}”.` : `${all.length} app${all.length === 1 ? "" : "s"}.`) : ""}
      </p>
      {apps.error ? (
        <p className="error" role="alert">
          Could not load the app catalog: {apps.error}
        </p>
      ) : apps.loading ? (
        <p className="loading">Loading the app catalog…</p>
      ) : shown.length === 0 ? (
        <p>{all.length === 0 ? "The catalog has no app yet." : "No app matches the search."}</p>
      ) : (
        <ul className="app-cards" aria-label="Apps">
          {shown.map((a) => {
            const href = builder(a.id);
            return (
              <li key={a.id} className="card app-card" data-app={a.id}>
                <h2>
                  <a href={href} onClick={link(go, href)}>
                    {a.appdef.name}
                  </a>
                  {a.public ? null : <span className="badge"> private</span>}
                </h2>
                {a.appdef.description ? <p>{a.appdef.description}</p> : null}
                <p className="hint">
                  {a.id}
                  {a.appdef.author ? ` · by ${a.appdef.author}` : ""}
                </p>
                <ul className="app-commands" aria-label={`Commands of ${a.appdef.name}`}>
                  {Object.entries(a.appdef.commands ?? {}).map(([id, c]) => {
                    const to = builder(a.id, id);
                    return (
                      <li key={id}>
                        <a href={to} onClick={link(go, to)}>
                          {c.name || id}
                        </a>
                        {c.description ? <span className="hint"> {c.description}</span> : null}
                      </li>
                    );
                  })}
                </ul>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
