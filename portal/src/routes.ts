// The portal's views: path, title, navigation group and who may open each (pure; routes.test.ts).
//   viewOf("/builder/demo")  -> the Task Builder view with param "demo"; unknown paths -> Compute
//   mayOpen(view, me)        -> whether the caller's role may use it (else the shell shows NotAllowed)
//   navFor(me)               -> the links the caller's navigation shows, by group
// Add a view: one line in VIEWS, then its component in App.tsx's SCREENS.
import { managesTeam, type Me } from "./me";

export type Path = "/compute" | "/builder" | "/jobs" | "/account" | "/account/limits" | "/admin/users" | "/admin/metadata" | "/admin/jobs" | "/admin/limits" | "/admin/catalog";
export type Group = "main" | "Administration" | "Account";

export interface View {
  path: Path;
  /** the view's name: its h1, its link and the page title ("<title> - Paddock") */
  title: string;
  /** the link's text when it differs from the title */
  link?: string;
  group: Group;
  may: (me: Me) => boolean;
}

const everyone = () => true;
const admins = (me: Me) => me.sysadmin || managesTeam(me);
const sysadmins = (me: Me) => me.sysadmin;
// system administrators set every limit on Administration -> Limits; payers and team admins their team's on Account -> Limits
const teamManagers = (me: Me) => managesTeam(me) && !me.sysadmin;

export const VIEWS: View[] = [
  { path: "/compute", title: "Compute", group: "main", may: everyone },
  { path: "/builder", title: "Task Builder", group: "main", may: everyone },
  { path: "/jobs", title: "Dashboard", group: "main", may: everyone },
  { path: "/account", title: "Account", group: "main", may: everyone },
  { path: "/admin/users", title: "Users", group: "Administration", may: admins },
  { path: "/admin/metadata", title: "Metadata", group: "Administration", may: admins },
  { path: "/admin/jobs", title: "Jobs", group: "Administration", may: sysadmins },
  { path: "/admin/limits", title: "Limits", group: "Administration", may: sysadmins },
  { path: "/admin/catalog", title: "Zones / Clusters / Machines / Apps", group: "Administration", may: sysadmins },
  { path: "/account/limits", title: "Limits", group: "Account", may: teamManagers },
];

export const LANDING: Path = "/compute";

/** The view at a location path, with the rest of the path as its parameter (`/builder/<appId>`). */
export function viewOf(pathname: string): { view: View; param: string | undefined } {
  // a path given with its query (go("/jobs?job=3")) is the same view
  const clean = pathname.replace(/[?#].*$/s, "").replace(/\/+$/, "") || "/";
  for (const v of VIEWS) {
    if (clean === v.path) return { view: v, param: undefined };
    if (v.path === "/builder" && clean.startsWith("/builder/")) return { view: v, param: decodeURIComponent(clean.slice("/builder/".length)) };
  }
  return { view: VIEWS[0]!, param: undefined };
}

/** Whether a location path names a view (else the shell goes to the landing page). */
export const isViewPath = (pathname: string) => viewOf(pathname).view.path !== LANDING || pathname.replace(/\/+$/, "") === LANDING;

export const mayOpen = (v: View, me: Me) => v.may(me);

/** The navigation: the views the caller may open, in their groups (empty groups left out). */
export function navFor(me: Me): Array<{ group: Group; views: View[] }> {
  const groups: Group[] = ["main", "Administration", "Account"];
  return groups.map((group) => ({ group, views: VIEWS.filter((v) => v.group === group && v.may(me)) })).filter((g) => g.views.length > 0);
}

export const pageTitle = (v: View | null) => (v ? `${v.title} - Paddock` : "Log in - Paddock");
