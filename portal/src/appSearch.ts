// The Compute catalog's apps: which the caller sees and which match a search (pure; appSearch.test.ts).
//   usableApps(apps, me)     public apps; system administrators also see private ones
//   matchesApp(app, "web")   every word of the search in the app's id, name, description or a command's id, name or description
import type { AppDef } from "../../src/core/appdef";

export interface ListedApp {
  id: string;
  appdef: AppDef;
  public: boolean;
}

export const usableApps = (apps: readonly ListedApp[], me: { sysadmin: boolean }) => apps.filter((a) => a.public || me.sysadmin);

const textOf = (a: ListedApp) =>
  [a.id, a.appdef.name, a.appdef.description ?? "", ...Object.entries(a.appdef.commands ?? {}).flatMap(([id, c]) => [id, c.name ?? "", c.description ?? ""])].join("\n").toLowerCase();

export function matchesApp(a: ListedApp, search: string): boolean {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = textOf(a);
  return words.every((w) => text.includes(w));
}

/** The apps to show, by name (naturally ordered). */
export const shownApps = (apps: readonly ListedApp[], search: string) =>
  apps.filter((a) => matchesApp(a, search)).sort((x, y) => x.appdef.name.localeCompare(y.appdef.name, "en", { numeric: true, sensitivity: "base" }) || x.id.localeCompare(y.id));
