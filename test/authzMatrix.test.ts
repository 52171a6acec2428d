// The authorization matrix of the admin API (spec/api.md, "Authorization on
// every route"). Two tenants, alpha and bravo, each with a payer, a team admin,
// a plain member and a spare member, an administrator-added PVC vault and a
// payer metadata row. Every route of the served OpenAPI document must have an
// entry below (a new route without one fails the coverage test), and for every
// route that addresses a user, a vault or a metadata row, each caller of one
// tenant is refused on the other tenant's objects with 403 or 404, never 2xx,
// with a body that names nothing of the other tenant and that is the answer a
// nonexistent object gets. Then the positive controls: within a tenant, payers
// and team admins manage their team, members see only themselves, and the
// system administrator does everything.
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type Creds, type TestApp } from "./app";

type Role = "payer" | "teamAdmin" | "member";
type Who = Role | "sysadmin";
const ROLES: readonly Role[] = ["payer", "teamAdmin", "member"];
const WHOS: readonly Who[] = [...ROLES, "sysadmin"];

interface User extends Creds {
  password: string;
}

interface Tenant {
  /** "alpha" or "bravo": every name, e-mail, vault name and metadata value of the tenant contains it */
  tag: string;
  users: Record<Role | "spare" | "admin2" | "sysMember", User>;
  /** the PVC vault the administrator added to the member */
  addedVault: { id: number; name: string };
  /** the payer's default (ephemeral) vault */
  payerVault: number;
  /** the default (ephemeral) vault of the system administrator on the team */
  sysMemberVault: number;
  /** the payer's metadata row */
  meta: { id: number; value: string };
  /** the team's default admission limit, set by the system administrator */
  limit: number;
}

interface World {
  t: TestApp;
  a: Tenant;
  b: Tenant;
  sys: User;
  /** ids of things the positive controls create as they go */
  scratch: Record<string, number>;
}

interface Req {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  url: string;
  body?: unknown;
}

/** An object of the other tenant (or a nonexistent one) that a cross-tenant request aims at. */
interface Target {
  label: string;
  user: string;
  vault: number;
  meta: number;
}

const GHOST: Target = { label: "a nonexistent object", user: "ghost-user", vault: 987_654, meta: 987_654 };

interface CrossCase {
  name: string;
  targets: (other: Tenant) => Target[];
  req: (target: Target, me: Tenant, role: Role) => Req;
  /** per caller role; 403 only where the route is refused before the object is looked up */
  expect: 403 | 404 | 401 | Record<Role, 403 | 404>;
}

interface ListCheck {
  req: Req;
  expect: number;
  /** further checks on a 200 answer; returns a problem or undefined */
  check?: (json: Record<string, unknown>) => string | undefined;
}

interface OwnCase {
  who: Who;
  name: string;
  req: (w: World) => Req;
  expect: number;
  check?: (json: Record<string, unknown>, w: World) => string | undefined;
  after?: (json: Record<string, unknown>, w: World) => void;
}

interface Entry {
  /** "<METHOD> <OpenAPI path>" */
  route: string;
  /** the tenant object the route addresses, or why it addresses none */
  addresses: "user" | "vault" | "metadata" | { none: string };
  cross?: CrossCase[];
  /** list requests of one tenant's callers: never a row of the other tenant */
  lists?: (me: Tenant, other: Tenant, role: Role) => ListCheck[];
  own: OwnCase[];
  /** anonymous callers: 401 unless stated */
  anonymous?: { req: (w: World) => Req; expect: number };
}

// ---------------------------------------------------------------------------------------------
// Targets and small helpers

const usersOf = (o: Tenant): Target[] =>
  (["payer", "teamAdmin", "member", "sysMember"] as const).map((r) => ({ label: `${o.tag} ${r} '${o.users[r].username}'`, user: o.users[r].username, vault: o.addedVault.id, meta: o.meta.id }));
const vaultsOf = (o: Tenant): Target[] => [
  { label: `${o.tag}'s added PVC vault ${o.addedVault.id}`, user: o.users.member.username, vault: o.addedVault.id, meta: o.meta.id },
  { label: `${o.tag} payer's ephemeral vault ${o.payerVault}`, user: o.users.payer.username, vault: o.payerVault, meta: o.meta.id },
];
const metaOf = (o: Tenant): Target[] => [{ label: `${o.tag}'s metadata row ${o.meta.id}`, user: o.users.payer.username, vault: o.addedVault.id, meta: o.meta.id }];

const get = (url: string): Req => ({ method: "GET", url });
let serial = 0;
const fresh = (prefix: string) => `${prefix}-n${++serial}`;

type Json = Record<string, unknown>;
const rows = (j: Json, key: string) => (Array.isArray(j[key]) ? (j[key] as Json[]) : []);
const namesOf = (j: Json) => rows(j, "users").map((u) => u.username as string);

/** A problem unless `cond`. */
const want = (cond: boolean, problem: string): string | undefined => (cond ? undefined : problem);

// ---------------------------------------------------------------------------------------------
// The matrix

const ENTRIES: Entry[] = [
  // --- session ---
  {
    route: "POST /api/login",
    addresses: { none: "logs in with the caller's own name and password" },
    cross: [
      {
        name: "log in as the other tenant's user with one's own password",
        targets: usersOf,
        req: (x, me, r) => ({ method: "POST", url: "/api/login", body: { username: x.user, password: me.users[r].password } }),
        expect: 401,
      },
    ],
    own: [
      ...ROLES.map((r): OwnCase => ({
        who: r,
        name: "logs in with its password",
        req: (w) => ({ method: "POST", url: "/api/login", body: { username: w.a.users[r].username, password: w.a.users[r].password } }),
        expect: 200,
        check: (j, w) => want((j.user as Json).username === w.a.users[r].username && typeof j.token === "string", `logged in as ${JSON.stringify(j.user)}`),
      })),
      { who: "sysadmin", name: "logs in", req: (w) => ({ method: "POST", url: "/api/login", body: { username: w.sys.username, password: w.sys.password } }), expect: 200 },
    ],
    anonymous: { req: (w) => ({ method: "POST", url: "/api/login", body: { username: w.a.users.member.username, password: w.a.users.member.password } }), expect: 200 },
  },
  {
    route: "POST /api/logout",
    addresses: { none: "ends the caller's own session" },
    // The matrix calls with API keys (HTTP Basic), which carry no session: 400 (test/accounts.test.ts logs out with a session token).
    own: WHOS.map((who) => ({ who, name: "has no session to end with an API key", req: () => ({ method: "POST", url: "/api/logout" }), expect: 400 })),
    anonymous: { req: () => ({ method: "POST", url: "/api/logout" }), expect: 400 },
  },
  {
    route: "GET /api/me",
    addresses: { none: "the caller itself" },
    lists: () => [{ req: get("/api/me"), expect: 200 }],
    own: WHOS.map((who) => ({
      who,
      name: "sees itself",
      req: () => get("/api/me"),
      expect: 200,
      check: (j, w) => want(j.username === (who === "sysadmin" ? w.sys : w.a.users[who]).username, `is ${String(j.username)}`),
    })),
  },

  // --- users ---
  {
    route: "GET /api/users",
    addresses: { none: "a list; its rows are checked below" },
    lists: (me, other, role) => [
      {
        req: get("/api/users"),
        expect: 200,
        check: (j) =>
          role === "member"
            ? want(JSON.stringify(namesOf(j)) === JSON.stringify([me.users.member.username]), `a member sees ${namesOf(j).join(", ")}, not only itself`)
            : want(namesOf(j).length >= 4 && rows(j, "users").every((u) => u.tenant === me.users.payer.username), `rows of other tenants: ${namesOf(j).join(", ")}`),
      },
      { req: get(`/api/users?payer=${other.users.payer.username}`), expect: 200, check: (j) => want(namesOf(j).length === 0, `filtered by the other payer: ${namesOf(j).join(", ")}`) },
      { req: get(`/api/users?search=${other.tag}`), expect: 200, check: (j) => want(namesOf(j).length === 0, `search for the other tenant: ${namesOf(j).join(", ")}`) },
    ],
    own: [
      { who: "payer", name: "lists its team", req: () => get("/api/users"), expect: 200, check: (j, w) => want(["payer", "teamAdmin", "member", "spare"].every((r) => namesOf(j).includes(w.a.users[r as Role].username)), `sees ${namesOf(j).join(", ")}`) },
      { who: "teamAdmin", name: "lists its team", req: () => get("/api/users"), expect: 200, check: (j, w) => want(namesOf(j).includes(w.a.users.spare.username) && namesOf(j).includes(w.a.users.payer.username), `sees ${namesOf(j).join(", ")}`) },
      { who: "member", name: "lists only itself", req: () => get("/api/users"), expect: 200, check: (j, w) => want(JSON.stringify(namesOf(j)) === JSON.stringify([w.a.users.member.username]), `sees ${namesOf(j).join(", ")}`) },
      { who: "sysadmin", name: "lists everyone", req: () => get("/api/users"), expect: 200, check: (j, w) => want(namesOf(j).includes(w.a.users.member.username) && namesOf(j).includes(w.b.users.member.username), `sees ${namesOf(j).join(", ")}`) },
    ],
  },
  {
    route: "GET /api/users/{username}",
    addresses: "user",
    cross: [{ name: "read the other tenant's user", targets: usersOf, req: (x) => get(`/api/users/${x.user}`), expect: 404 }],
    own: [
      { who: "payer", name: "sees its member", req: (w) => get(`/api/users/${w.a.users.member.username}`), expect: 200 },
      { who: "teamAdmin", name: "sees a member", req: (w) => get(`/api/users/${w.a.users.member.username}`), expect: 200 },
      { who: "teamAdmin", name: "sees its payer", req: (w) => get(`/api/users/${w.a.users.payer.username}`), expect: 200 },
      { who: "member", name: "sees itself", req: (w) => get(`/api/users/${w.a.users.member.username}`), expect: 200 },
      { who: "member", name: "does not see another member", req: (w) => get(`/api/users/${w.a.users.spare.username}`), expect: 404 },
      { who: "member", name: "does not see its team admin", req: (w) => get(`/api/users/${w.a.users.teamAdmin.username}`), expect: 404 },
      { who: "member", name: "does not see its payer", req: (w) => get(`/api/users/${w.a.users.payer.username}`), expect: 404 },
      { who: "sysadmin", name: "sees any tenant's user", req: (w) => get(`/api/users/${w.b.users.member.username}`), expect: 200 },
    ],
  },
  {
    route: "GET /api/users/{username}/zone-access",
    addresses: "user",
    cross: [{ name: "read the other tenant's user's zone access", targets: usersOf, req: (x) => get(`/api/users/${x.user}/zone-access`), expect: 404 }],
    lists: (me) => [{ req: get(`/api/users/${me.users.member.username}/zone-access`), expect: 200 }],
    own: [
      { who: "payer", name: "explains its member's zones", req: (w) => get(`/api/users/${w.a.users.member.username}/zone-access`), expect: 200 },
      { who: "teamAdmin", name: "explains a member's zones", req: (w) => get(`/api/users/${w.a.users.member.username}/zone-access`), expect: 200 },
      { who: "member", name: "explains its own zones", req: (w) => get(`/api/users/${w.a.users.member.username}/zone-access`), expect: 200 },
      { who: "member", name: "not another member's", req: (w) => get(`/api/users/${w.a.users.spare.username}/zone-access`), expect: 404 },
      { who: "sysadmin", name: "explains anyone's", req: (w) => get(`/api/users/${w.b.users.member.username}/zone-access`), expect: 200 },
    ],
  },
  {
    route: "GET /api/users/{username}/vaults",
    addresses: "user",
    cross: [{ name: "list the other tenant's user's vaults", targets: usersOf, req: (x) => get(`/api/users/${x.user}/vaults`), expect: 404 }],
    lists: (me, _o, role) =>
      (role === "member" ? (["member"] as const) : (["payer", "teamAdmin", "member", "spare"] as const)).map((u) => ({
        req: get(`/api/users/${me.users[u].username}/vaults`),
        expect: 200,
        check: (j: Json) => want(rows(j, "vaults").length > 0, "no vaults listed"),
      })),
    own: [
      { who: "payer", name: "lists its member's vaults", req: (w) => get(`/api/users/${w.a.users.member.username}/vaults`), expect: 200, check: (j, w) => want(rows(j, "vaults").some((v) => v.id === w.a.addedVault.id), "the added vault is missing") },
      { who: "teamAdmin", name: "lists a member's vaults", req: (w) => get(`/api/users/${w.a.users.member.username}/vaults`), expect: 200 },
      { who: "member", name: "lists its own vaults", req: (w) => get(`/api/users/${w.a.users.member.username}/vaults`), expect: 200, check: (j, w) => want(rows(j, "vaults").some((v) => v.id === w.a.addedVault.id), "the added vault is missing") },
      { who: "member", name: "not its payer's", req: (w) => get(`/api/users/${w.a.users.payer.username}/vaults`), expect: 404 },
      { who: "sysadmin", name: "lists anyone's", req: (w) => get(`/api/users/${w.b.users.member.username}/vaults`), expect: 200 },
    ],
  },
  {
    route: "POST /api/users",
    addresses: "user",
    cross: [
      {
        name: "invite into the other tenant's team (payer = the other tenant's user)",
        targets: usersOf,
        req: (x, me) => ({ method: "POST", url: "/api/users", body: { username: fresh(`${me.tag}-x`), payer: x.user } }),
        expect: 404,
      },
    ],
    own: [
      { who: "payer", name: "invites into its team", req: (w) => ({ method: "POST", url: "/api/users", body: { username: fresh(`${w.a.tag}-inv`) } }), expect: 201, check: (j, w) => want((j.user as Json).tenant === w.a.users.payer.username, `joined ${String((j.user as Json).tenant)}`) },
      { who: "payer", name: "invites a team admin", req: (w) => ({ method: "POST", url: "/api/users", body: { username: fresh(`${w.a.tag}-inv`), teamAdmin: true } }), expect: 201, check: (j) => want((j.user as Json).teamAdmin === true, "not a team admin") },
      { who: "payer", name: "naming itself as payer", req: (w) => ({ method: "POST", url: "/api/users", body: { username: fresh(`${w.a.tag}-inv`), payer: w.a.users.payer.username } }), expect: 201 },
      { who: "payer", name: "cannot grant system administrator rights", req: (w) => ({ method: "POST", url: "/api/users", body: { username: fresh(`${w.a.tag}-inv`), sysadmin: true } }), expect: 403 },
      { who: "teamAdmin", name: "invites into its team", req: (w) => ({ method: "POST", url: "/api/users", body: { username: fresh(`${w.a.tag}-inv`), payer: w.a.users.payer.username } }), expect: 201, check: (j, w) => want((j.user as Json).tenant === w.a.users.payer.username, `joined ${String((j.user as Json).tenant)}`) },
      { who: "member", name: "cannot invite", req: (w) => ({ method: "POST", url: "/api/users", body: { username: fresh(`${w.a.tag}-inv`) } }), expect: 403 },
      { who: "member", name: "cannot invite into its payer's team either", req: (w) => ({ method: "POST", url: "/api/users", body: { username: fresh(`${w.a.tag}-inv`), payer: w.a.users.payer.username } }), expect: 403 },
      { who: "member", name: "cannot invite a team admin", req: (w) => ({ method: "POST", url: "/api/users", body: { username: fresh(`${w.a.tag}-inv`), teamAdmin: true } }), expect: 403 },
      { who: "sysadmin", name: "invites a payer", req: () => ({ method: "POST", url: "/api/users", body: { username: fresh("charlie-payer") } }), expect: 201, check: (j) => want((j.user as Json).role === "payer", "not a payer") },
      { who: "sysadmin", name: "invites into any team", req: (w) => ({ method: "POST", url: "/api/users", body: { username: fresh(`${w.b.tag}-inv`), payer: w.b.users.payer.username } }), expect: 201 },
    ],
  },
  {
    route: "PATCH /api/users/{username}",
    addresses: "user",
    cross: [
      { name: "grant team admin rights to the other tenant's user", targets: usersOf, req: (x) => ({ method: "PATCH", url: `/api/users/${x.user}`, body: { teamAdmin: true } }), expect: 404 },
      { name: "disable the other tenant's user", targets: usersOf, req: (x) => ({ method: "PATCH", url: `/api/users/${x.user}`, body: { disabled: true } }), expect: 404 },
      { name: "rename the other tenant's user", targets: usersOf, req: (x, me) => ({ method: "PATCH", url: `/api/users/${x.user}`, body: { fullName: `${me.tag} was here` } }), expect: 404 },
    ],
    own: [
      { who: "payer", name: "grants team admin rights", req: (w) => ({ method: "PATCH", url: `/api/users/${w.a.users.spare.username}`, body: { teamAdmin: true } }), expect: 200, check: (j) => want(j.teamAdmin === true, "not granted") },
      { who: "teamAdmin", name: "cannot revoke another team admin's rights", req: (w) => ({ method: "PATCH", url: `/api/users/${w.a.users.spare.username}`, body: { teamAdmin: false } }), expect: 403 },
      { who: "payer", name: "revokes team admin rights", req: (w) => ({ method: "PATCH", url: `/api/users/${w.a.users.spare.username}`, body: { teamAdmin: false } }), expect: 200, check: (j) => want(j.teamAdmin === false, "not revoked") },
      { who: "teamAdmin", name: "disables a member", req: (w) => ({ method: "PATCH", url: `/api/users/${w.a.users.spare.username}`, body: { disabled: true } }), expect: 200 },
      { who: "payer", name: "re-enables the member", req: (w) => ({ method: "PATCH", url: `/api/users/${w.a.users.spare.username}`, body: { disabled: false } }), expect: 200 },
      { who: "payer", name: "a payer is not made team admin", req: (w) => ({ method: "PATCH", url: `/api/users/${w.a.users.payer.username}`, body: { teamAdmin: true } }), expect: 400 },
      { who: "payer", name: "cannot grant system administrator rights", req: (w) => ({ method: "PATCH", url: `/api/users/${w.a.users.member.username}`, body: { sysadmin: true } }), expect: 403 },
      { who: "member", name: "cannot make itself team admin", req: (w) => ({ method: "PATCH", url: `/api/users/${w.a.users.member.username}`, body: { teamAdmin: true } }), expect: 403 },
      { who: "member", name: "cannot disable itself through the manager's switch", req: (w) => ({ method: "PATCH", url: `/api/users/${w.a.users.member.username}`, body: { disabled: true } }), expect: 403 },
      { who: "member", name: "cannot change a teammate's rights", req: (w) => ({ method: "PATCH", url: `/api/users/${w.a.users.spare.username}`, body: { teamAdmin: true } }), expect: 404 },
      { who: "member", name: "changes its own full name", req: (w) => ({ method: "PATCH", url: `/api/users/${w.a.users.member.username}`, body: { fullName: `${w.a.tag} member renamed` } }), expect: 200 },
      { who: "sysadmin", name: "changes any tenant's user", req: (w) => ({ method: "PATCH", url: `/api/users/${w.b.users.spare.username}`, body: { teamAdmin: true, fullName: "changed by root" } }), expect: 200 },
    ],
  },
  {
    route: "POST /api/users/{username}/apikey",
    addresses: "user",
    cross: [{ name: "regenerate the other tenant's user's API key", targets: usersOf, req: (x) => ({ method: "POST", url: `/api/users/${x.user}/apikey` }), expect: 404 }],
    own: [
      { who: "payer", name: "not its member's (the key is the account)", req: (w) => ({ method: "POST", url: `/api/users/${w.a.users.spare.username}/apikey` }), expect: 403 },
      { who: "payer", name: "its own", req: (w) => ({ method: "POST", url: `/api/users/${w.a.users.payer.username}/apikey` }), expect: 200, after: (j, w) => (w.a.users.payer.apikey = j.apikey as string) },
      { who: "teamAdmin", name: "not a member's", req: (w) => ({ method: "POST", url: `/api/users/${w.a.users.spare.username}/apikey` }), expect: 403 },
      { who: "member", name: "its own", req: (w) => ({ method: "POST", url: `/api/users/${w.a.users.member.username}/apikey` }), expect: 200, after: (j, w) => (w.a.users.member.apikey = j.apikey as string) },
      { who: "member", name: "not a teammate's", req: (w) => ({ method: "POST", url: `/api/users/${w.a.users.spare.username}/apikey` }), expect: 404 },
      { who: "sysadmin", name: "anyone's", req: (w) => ({ method: "POST", url: `/api/users/${w.b.users.spare.username}/apikey` }), expect: 200, after: (j, w) => (w.b.users.spare.apikey = j.apikey as string) },
    ],
  },
  {
    route: "PUT /api/users/{username}/password",
    addresses: "user",
    cross: [{ name: "set the other tenant's user's password", targets: usersOf, req: (x) => ({ method: "PUT", url: `/api/users/${x.user}/password`, body: { password: "taken-over-123" } }), expect: 404 }],
    own: [
      { who: "payer", name: "its own", req: (w) => ({ method: "PUT", url: `/api/users/${w.a.users.payer.username}/password`, body: { password: "alpha-payer-pw-2", current: w.a.users.payer.password } }), expect: 200, after: (_j, w) => (w.a.users.payer.password = "alpha-payer-pw-2") },
      { who: "payer", name: "not its member's", req: (w) => ({ method: "PUT", url: `/api/users/${w.a.users.member.username}/password`, body: { password: "taken-over-123" } }), expect: 403 },
      { who: "teamAdmin", name: "not a member's", req: (w) => ({ method: "PUT", url: `/api/users/${w.a.users.member.username}/password`, body: { password: "taken-over-123" } }), expect: 403 },
      { who: "member", name: "its own", req: (w) => ({ method: "PUT", url: `/api/users/${w.a.users.member.username}/password`, body: { password: "alpha-member-pw-2", current: w.a.users.member.password } }), expect: 200, after: (_j, w) => (w.a.users.member.password = "alpha-member-pw-2") },
      { who: "member", name: "not a teammate's", req: (w) => ({ method: "PUT", url: `/api/users/${w.a.users.spare.username}/password`, body: { password: "taken-over-123" } }), expect: 404 },
      { who: "sysadmin", name: "anyone's", req: (w) => ({ method: "PUT", url: `/api/users/${w.b.users.spare.username}/password`, body: { password: "reset-by-root-1" } }), expect: 200 },
    ],
  },

  // --- vaults ---
  {
    route: "POST /api/users/{username}/vaults",
    addresses: "user",
    cross: [
      {
        name: "add a vault to the other tenant's user",
        targets: usersOf,
        req: (x, me) => ({ method: "POST", url: `/api/users/${x.user}/vaults`, body: { name: `${me.tag}-planted`, kind: "pvc", storageClass: "standard", size: 1 } }),
        expect: 404,
      },
    ],
    own: [
      { who: "payer", name: "cannot add a vault to its member", req: (w) => ({ method: "POST", url: `/api/users/${w.a.users.member.username}/vaults`, body: { name: "more", kind: "pvc", storageClass: "standard", size: 1 } }), expect: 403 },
      { who: "teamAdmin", name: "cannot add a vault to a member", req: (w) => ({ method: "POST", url: `/api/users/${w.a.users.member.username}/vaults`, body: { name: "more", kind: "pvc", storageClass: "standard", size: 1 } }), expect: 403 },
      { who: "member", name: "cannot add a vault to itself", req: (w) => ({ method: "POST", url: `/api/users/${w.a.users.member.username}/vaults`, body: { name: "more", kind: "pvc", storageClass: "standard", size: 1 } }), expect: 403 },
      { who: "member", name: "nor to a teammate", req: (w) => ({ method: "POST", url: `/api/users/${w.a.users.spare.username}/vaults`, body: { name: "more", kind: "pvc", storageClass: "standard", size: 1 } }), expect: 404 },
      { who: "sysadmin", name: "adds a vault to anyone", req: (w) => ({ method: "POST", url: `/api/users/${w.b.users.member.username}/vaults`, body: { name: "more", kind: "nfs", nfsServer: "nfs.example", nfsPath: "/export" } }), expect: 201 },
    ],
  },
  {
    route: "GET /api/vaults/{id}",
    addresses: "vault",
    cross: [{ name: "read the other tenant's vault", targets: vaultsOf, req: (x) => get(`/api/vaults/${x.vault}`), expect: 404 }],
    own: [
      { who: "payer", name: "its member's vault", req: (w) => get(`/api/vaults/${w.a.addedVault.id}`), expect: 200, check: (j, w) => want(j.owner === w.a.users.member.username, `owner ${String(j.owner)}`) },
      { who: "teamAdmin", name: "a member's vault", req: (w) => get(`/api/vaults/${w.a.addedVault.id}`), expect: 200 },
      { who: "member", name: "its own vault", req: (w) => get(`/api/vaults/${w.a.addedVault.id}`), expect: 200 },
      { who: "member", name: "not its payer's vault", req: (w) => get(`/api/vaults/${w.a.payerVault}`), expect: 404 },
      { who: "sysadmin", name: "any vault", req: (w) => get(`/api/vaults/${w.b.addedVault.id}`), expect: 200 },
    ],
  },
  {
    route: "POST /api/vaults/{id}/shares",
    addresses: "vault",
    cross: [
      { name: "share the other tenant's vault with oneself's team", targets: vaultsOf, req: (x, me) => ({ method: "POST", url: `/api/vaults/${x.vault}/shares`, body: { username: me.users.spare.username } }), expect: 404 },
      { name: "share one's team's vault with the other tenant's user", targets: usersOf, req: (x, me) => ({ method: "POST", url: `/api/vaults/${me.addedVault.id}/shares`, body: { username: x.user } }), expect: 404 },
    ],
    own: [
      { who: "member", name: "shares its vault with a teammate", req: (w) => ({ method: "POST", url: `/api/vaults/${w.a.addedVault.id}/shares`, body: { username: w.a.users.spare.username } }), expect: 201, check: (j, w) => want((j.sharedWith as string[]).includes(w.a.users.spare.username), `shared with ${JSON.stringify(j.sharedWith)}`) },
      { who: "member", name: "not with itself", req: (w) => ({ method: "POST", url: `/api/vaults/${w.a.addedVault.id}/shares`, body: { username: w.a.users.member.username } }), expect: 400 },
      { who: "member", name: "not its payer's vault", req: (w) => ({ method: "POST", url: `/api/vaults/${w.a.payerVault}/shares`, body: { username: w.a.users.member.username } }), expect: 404 },
      { who: "payer", name: "shares its member's vault", req: (w) => ({ method: "POST", url: `/api/vaults/${w.a.addedVault.id}/shares`, body: { username: w.a.users.teamAdmin.username } }), expect: 201 },
      { who: "payer", name: "not an ephemeral vault", req: (w) => ({ method: "POST", url: `/api/vaults/${w.a.payerVault}/shares`, body: { username: w.a.users.member.username } }), expect: 400 },
      { who: "teamAdmin", name: "shares a member's vault", req: (w) => ({ method: "POST", url: `/api/vaults/${w.a.addedVault.id}/shares`, body: { username: w.a.users.payer.username } }), expect: 201 },
      { who: "sysadmin", name: "shares across tenants", req: (w) => ({ method: "POST", url: `/api/vaults/${w.b.addedVault.id}/shares`, body: { username: w.a.users.spare.username } }), expect: 201 },
    ],
  },
  {
    route: "DELETE /api/vaults/{id}/shares/{username}",
    addresses: "vault",
    cross: [
      { name: "unshare the other tenant's vault", targets: vaultsOf, req: (x, me) => ({ method: "DELETE", url: `/api/vaults/${x.vault}/shares/${me.users.spare.username}` }), expect: 404 },
      { name: "unshare one's team's vault from the other tenant's user", targets: usersOf, req: (x, me) => ({ method: "DELETE", url: `/api/vaults/${me.addedVault.id}/shares/${x.user}` }), expect: 404 },
    ],
    own: [
      { who: "member", name: "unshares its vault", req: (w) => ({ method: "DELETE", url: `/api/vaults/${w.a.addedVault.id}/shares/${w.a.users.spare.username}` }), expect: 200 },
      { who: "member", name: "a share that is gone", req: (w) => ({ method: "DELETE", url: `/api/vaults/${w.a.addedVault.id}/shares/${w.a.users.spare.username}` }), expect: 404 },
      { who: "payer", name: "unshares its member's vault", req: (w) => ({ method: "DELETE", url: `/api/vaults/${w.a.addedVault.id}/shares/${w.a.users.teamAdmin.username}` }), expect: 200 },
      { who: "teamAdmin", name: "unshares a member's vault", req: (w) => ({ method: "DELETE", url: `/api/vaults/${w.a.addedVault.id}/shares/${w.a.users.payer.username}` }), expect: 200, check: (j) => want(JSON.stringify(j.sharedWith) === "[]", `still shared with ${JSON.stringify(j.sharedWith)}`) },
      { who: "sysadmin", name: "unshares across tenants", req: (w) => ({ method: "DELETE", url: `/api/vaults/${w.b.addedVault.id}/shares/${w.a.users.spare.username}` }), expect: 200 },
    ],
  },

  // --- payer metadata ---
  {
    route: "GET /api/metadata",
    addresses: { none: "a list; its rows are checked below" },
    lists: (me, other, role) =>
      role === "member"
        ? [{ req: get("/api/metadata"), expect: 403 }]
        : [
            { req: get("/api/metadata"), expect: 200, check: (j) => want(rows(j, "metadata").length > 0 && rows(j, "metadata").every((m) => m.payer === me.users.payer.username), `rows: ${JSON.stringify(j.metadata)}`) },
            { req: get(`/api/metadata?payer=${other.users.payer.username}`), expect: 200, check: (j) => want(rows(j, "metadata").length === 0, `filtered by the other payer: ${JSON.stringify(j.metadata)}`) },
            { req: get(`/api/metadata?search=${other.tag}`), expect: 200, check: (j) => want(rows(j, "metadata").length === 0, `search for the other tenant: ${JSON.stringify(j.metadata)}`) },
          ],
    own: [
      { who: "payer", name: "reads its rows", req: () => get("/api/metadata"), expect: 200, check: (j, w) => want(rows(j, "metadata").some((m) => m.id === w.a.meta.id), "its row is missing") },
      { who: "teamAdmin", name: "reads its payer's rows", req: () => get("/api/metadata"), expect: 200, check: (j, w) => want(rows(j, "metadata").some((m) => m.id === w.a.meta.id), "its row is missing") },
      { who: "member", name: "reads none", req: () => get("/api/metadata"), expect: 403 },
      { who: "sysadmin", name: "reads every payer's", req: () => get("/api/metadata"), expect: 200, check: (j, w) => want([w.a.meta.id, w.b.meta.id].every((id) => rows(j, "metadata").some((m) => m.id === id)), "rows missing") },
    ],
  },
  {
    route: "POST /api/metadata",
    addresses: "metadata",
    cross: [
      // Writing metadata is for system administrators: refused before the payer is looked up.
      { name: "add a row to the other tenant's payer", targets: usersOf, req: (x) => ({ method: "POST", url: "/api/metadata", body: { payer: x.user, key: "vaultSize", value: "7" } }), expect: 403 },
    ],
    own: [
      ...ROLES.map((r): OwnCase => ({ who: r, name: "cannot add a row for its own payer", req: (w) => ({ method: "POST", url: "/api/metadata", body: { payer: w.a.users.payer.username, key: "vaultSize", value: "7" } }), expect: 403 })),
      { who: "sysadmin", name: "adds a row", req: (w) => ({ method: "POST", url: "/api/metadata", body: { payer: w.a.users.payer.username, key: "vaultSize", value: "7" } }), expect: 201, after: (j, w) => (w.scratch.meta = j.id as number) },
    ],
  },
  {
    route: "PUT /api/metadata/{id}",
    addresses: "metadata",
    cross: [{ name: "change the other tenant's row", targets: metaOf, req: (x) => ({ method: "PUT", url: `/api/metadata/${x.meta}`, body: { value: "overwritten" } }), expect: 404 }],
    own: [
      { who: "payer", name: "cannot change its own row", req: (w) => ({ method: "PUT", url: `/api/metadata/${w.a.meta.id}`, body: { value: "overwritten" } }), expect: 403 },
      { who: "teamAdmin", name: "cannot change its payer's row", req: (w) => ({ method: "PUT", url: `/api/metadata/${w.a.meta.id}`, body: { value: "overwritten" } }), expect: 403 },
      { who: "member", name: "does not see its payer's row", req: (w) => ({ method: "PUT", url: `/api/metadata/${w.a.meta.id}`, body: { value: "overwritten" } }), expect: 404 },
      { who: "sysadmin", name: "changes any row", req: (w) => ({ method: "PUT", url: `/api/metadata/${w.scratch.meta}`, body: { value: "8" } }), expect: 200, check: (j) => want(j.value === "8", `value ${String(j.value)}`) },
    ],
  },
  {
    route: "DELETE /api/metadata/{id}",
    addresses: "metadata",
    cross: [{ name: "delete the other tenant's row", targets: metaOf, req: (x) => ({ method: "DELETE", url: `/api/metadata/${x.meta}` }), expect: 404 }],
    own: [
      { who: "payer", name: "cannot delete its own row", req: (w) => ({ method: "DELETE", url: `/api/metadata/${w.a.meta.id}` }), expect: 403 },
      { who: "teamAdmin", name: "cannot delete its payer's row", req: (w) => ({ method: "DELETE", url: `/api/metadata/${w.a.meta.id}` }), expect: 403 },
      { who: "member", name: "does not see its payer's row", req: (w) => ({ method: "DELETE", url: `/api/metadata/${w.a.meta.id}` }), expect: 404 },
      { who: "sysadmin", name: "deletes any row", req: (w) => ({ method: "DELETE", url: `/api/metadata/${w.scratch.meta}` }), expect: 200 },
    ],
  },

  // --- the portal's job routes: jobs are checked across tenants in test/portalJobs.test.ts ---
  ...jobEntries(),

  // --- zones, clusters, machines: system-wide, no tenant owns them ---
  ...catalogEntries(),

  // --- admission limits: a tenant's (team default, users') and administrator limits ---
  ...limitEntries(),
  // last: these delete what the entries above use
  ...deleteEntries(),
];

function jobEntries(): Entry[] {
  const own = { none: "the caller's own jobs (or its team's); job isolation: test/portalJobs.test.ts" };
  const nameOf = (w: World, who: Who) => (who === "sysadmin" ? w.sys.username : w.a.users[who].username);
  const everyone = (req: (w: World) => Req, expect: number, what: string): OwnCase[] => WHOS.map((who) => ({ who, name: what, req, expect }));
  return [
    {
      route: "POST /api/ipaddr/check",
      addresses: { none: "checks a tag for the caller itself" },
      own: WHOS.map((who) => ({
        who,
        name: "checks a tag with its own prefix",
        req: () => ({ method: "POST", url: "/api/ipaddr/check", body: { tag: "web" } }),
        expect: 200,
        check: (j, w) => want(j.value === `${nameOf(w, who)}-web` && j.ok === true, `checked ${JSON.stringify(j)}`),
      })),
    },
    {
      route: "POST /api/jobs",
      addresses: own,
      own: [
        ...everyone(() => ({ method: "POST", url: "/api/jobs", body: { app: "matrix-app", application: { command: "run" }, machine: { type: "n4", nodes: 1 } } }), 404, "has no machine n4 in its zones"),
        { who: "member", name: "cannot name another user in the body", req: (w) => ({ method: "POST", url: "/api/jobs", body: { app: "matrix-app", application: { command: "run" }, machine: { type: "n4", nodes: 1 }, user: { username: w.a.users.payer.username, apikey: w.a.users.payer.apikey } } }), expect: 400 },
      ],
    },
    {
      route: "GET /api/jobs",
      addresses: own,
      own: [
        ...everyone(() => get("/api/jobs"), 200, "lists its jobs"),
        { who: "payer", name: "lists its team's jobs", req: () => get("/api/jobs?team=true"), expect: 200 },
        { who: "teamAdmin", name: "lists its team's jobs", req: () => get("/api/jobs?team=true"), expect: 200 },
        { who: "member", name: "cannot list its team's jobs", req: () => get("/api/jobs?team=true"), expect: 403 },
      ],
    },
    { route: "GET /api/jobs/{number}", addresses: own, own: everyone(() => get("/api/jobs/987654"), 404, "does not see a nonexistent job") },
    { route: "POST /api/jobs/{number}/stop", addresses: own, own: everyone(() => ({ method: "POST", url: "/api/jobs/987654/stop", body: { how: "terminate" } }), 404, "cannot stop a nonexistent job") },
    { route: "GET /api/jobs/{number}/output", addresses: own, own: everyone(() => get("/api/jobs/987654/output"), 404, "does not read a nonexistent job's output") },
  ];
}

function limitEntries(): Entry[] {
  const put = (body: Json): Req => ({ method: "PUT", url: "/api/limits", body });
  const payersOf = (o: Tenant): Target[] => [{ label: `${o.tag} payer '${o.users.payer.username}'`, user: o.users.payer.username, vault: o.addedVault.id, meta: o.meta.id }];
  const mineOnly = (me: Tenant) => (j: Json) => want(rows(j, "limits").every((l) => l.scope === "billing" || String(l.payer ?? l.user).startsWith(`${me.tag}-`)), `rows: ${JSON.stringify(j.limits)}`);
  return [
    {
      route: "GET /api/limits",
      addresses: { none: "a list; its rows are checked below" },
      lists: (me, _o, role) => [role === "member" ? { req: get("/api/limits"), expect: 403 } : { req: get("/api/limits"), expect: 200, check: (j) => mineOnly(me)(j) ?? want(rows(j, "limits").some((l) => l.id === me.limit), "its team default is missing") }],
      own: [
        { who: "payer", name: "reads its team's limits", req: () => get("/api/limits"), expect: 200, check: (j, w) => want(rows(j, "limits").some((l) => l.id === w.a.limit), "its team default is missing") },
        { who: "teamAdmin", name: "reads its team's limits", req: () => get("/api/limits"), expect: 200 },
        { who: "member", name: "reads none", req: () => get("/api/limits"), expect: 403 },
        { who: "sysadmin", name: "reads every limit", req: () => get("/api/limits"), expect: 200, check: (j, w) => want([w.a.limit, w.b.limit].every((id) => rows(j, "limits").some((l) => l.id === id)), "limits missing") },
      ],
    },
    {
      route: "PUT /api/limits",
      addresses: "user",
      cross: [
        { name: "limit the other tenant's user", targets: usersOf, req: (x) => put({ scope: "user", user: x.user, cpus: 1 }), expect: 404 },
        { name: "set the other tenant's team default", targets: payersOf, req: (x) => put({ scope: "team", payer: x.user, cpus: 1 }), expect: 404 },
      ],
      own: [
        { who: "payer", name: "sets its team default", req: (w) => put({ scope: "team", payer: w.a.users.payer.username, cpus: 32 }), expect: 200, check: (j, w) => want(j.id === w.a.limit && j.cpus === 32, `saved ${JSON.stringify(j)}`) },
        { who: "payer", name: "cannot set its own administrator limit", req: (w) => put({ scope: "payer", payer: w.a.users.payer.username, cpus: 1000 }), expect: 403 },
        { who: "teamAdmin", name: "limits a member", req: (w) => put({ scope: "user", user: w.a.users.member.username, cpus: 8 }), expect: 200 },
        { who: "member", name: "cannot limit itself", req: (w) => put({ scope: "user", user: w.a.users.member.username, cpus: 64 }), expect: 403 },
        { who: "member", name: "cannot set its team default", req: (w) => put({ scope: "team", payer: w.a.users.payer.username, cpus: 64 }), expect: 403 },
        { who: "sysadmin", name: "sets an administrator limit", req: (w) => put({ scope: "payer", payer: w.a.users.payer.username, cpus: 64 }), expect: 200, after: (j, w) => (w.scratch.adminLimit = j.id as number) },
      ],
    },
    {
      route: "DELETE /api/limits/{id}",
      addresses: { none: "a limit of a tenant, by id: across tenants below, as own cases" },
      own: [
        { who: "payer", name: "cannot remove its administrator limit", req: (w) => ({ method: "DELETE", url: `/api/limits/${w.scratch.adminLimit ?? GHOST.meta}` }), expect: 403 },
        { who: "teamAdmin", name: "does not see the other tenant's limit", req: (w) => ({ method: "DELETE", url: `/api/limits/${w.b.limit}` }), expect: 404 },
        { who: "member", name: "does not see its team's limits", req: (w) => ({ method: "DELETE", url: `/api/limits/${w.a.limit}` }), expect: 404 },
        { who: "teamAdmin", name: "removes its team default", req: (w) => ({ method: "DELETE", url: `/api/limits/${w.a.limit}` }), expect: 204 },
        { who: "sysadmin", name: "removes any limit", req: (w) => ({ method: "DELETE", url: `/api/limits/${w.b.limit}` }), expect: 204 },
      ],
    },
    {
      route: "GET /api/limits/effective",
      addresses: "user",
      cross: [{ name: "read the other tenant's user's limits", targets: usersOf, req: (x) => get(`/api/limits/effective?user=${x.user}`), expect: 404 }],
      own: [
        { who: "payer", name: "reads its member's", req: (w) => get(`/api/limits/effective?user=${w.a.users.member.username}`), expect: 200 },
        { who: "teamAdmin", name: "reads a member's", req: (w) => get(`/api/limits/effective?user=${w.a.users.member.username}`), expect: 200 },
        { who: "member", name: "reads its own", req: (w) => get(`/api/limits/effective?user=${w.a.users.member.username}`), expect: 200 },
        { who: "member", name: "not another member's", req: (w) => get(`/api/limits/effective?user=${w.a.users.spare.username}`), expect: 404 },
        { who: "sysadmin", name: "reads anyone's", req: (w) => get(`/api/limits/effective?user=${w.b.users.member.username}`), expect: 200 },
      ],
    },
  ];
}

function catalogEntries(): Entry[] {
  const none = { none: "system-wide catalog, owned by no tenant" };
  const denied = (req: (w: World) => Req, what: string): OwnCase[] => ROLES.map((r) => ({ who: r, name: `cannot ${what}`, req, expect: 403 }));
  const everyone = (req: (w: World) => Req, what: string): OwnCase[] => WHOS.map((who) => ({ who, name: what, req, expect: 200 }));
  const at = (key: string, w: World) => w.scratch[key] ?? GHOST.vault;
  return [
    { route: "GET /api/zones", addresses: none, own: everyone(() => get("/api/zones"), "lists zones") },
    {
      route: "POST /api/zones",
      addresses: none,
      own: [
        ...denied(() => ({ method: "POST", url: "/api/zones", body: { name: "rogue" } }), "create a zone"),
        { who: "sysadmin", name: "creates a zone", req: () => ({ method: "POST", url: "/api/zones", body: { name: "matrix-zone" } }), expect: 201, after: (j, w) => (w.scratch.zone = j.id as number) },
      ],
    },
    {
      route: "PATCH /api/zones/{id}",
      addresses: none,
      own: [
        ...denied((w) => ({ method: "PATCH", url: `/api/zones/${at("zone", w)}`, body: { description: "rogue" } }), "change a zone"),
        ...denied(() => ({ method: "PATCH", url: "/api/zones/0", body: { description: "rogue" } }), "change the Default zone"),
        { who: "sysadmin", name: "changes a zone", req: (w) => ({ method: "PATCH", url: `/api/zones/${at("zone", w)}`, body: { description: "changed" } }), expect: 200 },
      ],
    },
    {
      route: "GET /api/clusters",
      addresses: none,
      own: [...denied(() => get("/api/clusters"), "list clusters"), { who: "sysadmin", name: "lists clusters", req: () => get("/api/clusters"), expect: 200 }],
    },
    {
      route: "POST /api/clusters",
      addresses: none,
      own: [
        ...denied(() => ({ method: "POST", url: "/api/clusters", body: { name: "rogue" } }), "create a cluster"),
        { who: "sysadmin", name: "creates a cluster", req: (w) => ({ method: "POST", url: "/api/clusters", body: { name: "matrix-cluster", zone: at("zone", w) } }), expect: 201, after: (j, w) => (w.scratch.cluster = j.id as number) },
      ],
    },
    {
      route: "PATCH /api/clusters/{id}",
      addresses: none,
      own: [
        ...denied((w) => ({ method: "PATCH", url: `/api/clusters/${at("cluster", w)}`, body: { zone: 0 } }), "move a cluster"),
        { who: "sysadmin", name: "changes a cluster", req: (w) => ({ method: "PATCH", url: `/api/clusters/${at("cluster", w)}`, body: { description: "changed" } }), expect: 200 },
      ],
    },
    { route: "GET /api/machines", addresses: none, own: everyone(() => get("/api/machines"), "lists the machines it may use") },
    {
      route: "POST /api/machines",
      addresses: none,
      own: [
        ...denied(() => ({ method: "POST", url: "/api/machines", body: { name: "rogue", cluster: "matrix-cluster", cores: 1, memoryGb: 1 } }), "create a machine"),
        { who: "sysadmin", name: "creates a machine", req: () => ({ method: "POST", url: "/api/machines", body: { name: "matrix-m1", cluster: "matrix-cluster", cores: 4, memoryGb: 16 } }), expect: 201, after: (j, w) => (w.scratch.machine = j.id as number) },
      ],
    },
    {
      route: "PATCH /api/machines/{id}",
      addresses: none,
      own: [
        ...denied((w) => ({ method: "PATCH", url: `/api/machines/${at("machine", w)}`, body: { cores: 64 } }), "change a machine"),
        { who: "sysadmin", name: "changes a machine", req: (w) => ({ method: "PATCH", url: `/api/machines/${at("machine", w)}`, body: { cores: 8 } }), expect: 200, check: (j) => want(j.cores === 8, `cores ${String(j.cores)}`) },
      ],
    },
    { route: "GET /api/apps", addresses: none, own: everyone(() => get("/api/apps"), "lists the application catalog") },
    {
      route: "POST /api/apps",
      addresses: none,
      own: [
        ...denied(() => ({ method: "POST", url: "/api/apps", body: { id: "rogue", appdef: MATRIX_APPDEF } }), "add an app"),
        { who: "sysadmin", name: "adds an app", req: () => ({ method: "POST", url: "/api/apps", body: { id: "matrix-app", appdef: MATRIX_APPDEF } }), expect: 201 },
      ],
    },
    { route: "GET /api/apps/{id}", addresses: none, own: everyone(() => get("/api/apps/matrix-app"), "reads an AppDef") },
    {
      route: "PUT /api/apps/{id}",
      addresses: none,
      own: [
        ...denied(() => ({ method: "PUT", url: "/api/apps/matrix-app", body: { appdef: { ...MATRIX_APPDEF, name: "rogue" } } }), "change an app"),
        { who: "sysadmin", name: "changes an app", req: () => ({ method: "PUT", url: "/api/apps/matrix-app", body: { appdef: { ...MATRIX_APPDEF, name: "Matrix 2" } } }), expect: 200, check: (j) => want((j.appdef as { name?: string }).name === "Matrix 2", "name not changed") },
      ],
    },
  ];
}

/** Issue 14: one's own API key shown again, and deletes (run last: they remove what the cases above use). */
function deleteEntries(): Entry[] {
  const none = { none: "system-wide catalog, owned by no tenant" };
  const denied = (req: (w: World) => Req, what: string): OwnCase[] => ROLES.map((r) => ({ who: r, name: `cannot ${what}`, req, expect: 403 }));
  const del = (url: string): Req => ({ method: "DELETE", url });
  const at = (key: string, w: World) => w.scratch[key] ?? GHOST.vault;
  return [
    {
      route: "GET /api/me/apikey",
      addresses: { none: "the caller's own key" },
      lists: () => [{ req: get("/api/me/apikey"), expect: 200 }],
      own: WHOS.map((who) => ({
        who,
        name: "sees its own key, never another's",
        req: () => get("/api/me/apikey"),
        expect: 200,
        check: (j, w) => want(j.apikey === (who === "sysadmin" ? w.sys : w.a.users[who]).apikey, `is not ${who}'s current key`),
      })),
    },
    {
      route: "DELETE /api/vaults/{id}",
      addresses: "vault",
      cross: [{ name: "delete the other tenant's vault", targets: vaultsOf, req: (x) => del(`/api/vaults/${x.vault}`), expect: 404 }],
      own: [
        { who: "member", name: "not its payer's vault", req: (w) => del(`/api/vaults/${w.a.payerVault}`), expect: 404 },
        { who: "teamAdmin", name: "not its payer's vault", req: (w) => del(`/api/vaults/${w.a.payerVault}`), expect: 403 },
        // scratch vaults: the cases after these still use the tenants' vaults
        ...(["member", "payer", "teamAdmin", "sysadmin"] as const).flatMap((who): OwnCase[] => [
          { who: "sysadmin", name: `adds a vault for the ${who} to delete`, req: (w) => ({ method: "POST", url: `/api/users/${w.a.users.member.username}/vaults`, body: { name: fresh("alpha-del"), kind: "pvc", storageClass: "standard", size: 1 } }), expect: 201, after: (j, w) => (w.scratch.doomedVault = j.id as number) },
          { who, name: who === "member" ? "its own vault" : "a member's vault", req: (w) => del(`/api/vaults/${at("doomedVault", w)}`), expect: 200 },
        ]),
      ],
    },
    {
      route: "PATCH /api/apps/{id}",
      addresses: none,
      own: [
        ...denied(() => ({ method: "PATCH", url: "/api/apps/matrix-app", body: { public: false } }), "make an app private"),
        { who: "sysadmin", name: "makes an app private", req: () => ({ method: "PATCH", url: "/api/apps/matrix-app", body: { public: false } }), expect: 200, check: (j) => want(j.public === false, "still public") },
      ],
    },
    {
      route: "DELETE /api/apps/{id}",
      addresses: none,
      own: [...denied(() => del("/api/apps/matrix-app"), "delete an app"), { who: "sysadmin", name: "deletes an app", req: () => del("/api/apps/matrix-app"), expect: 200 }],
    },
    {
      route: "DELETE /api/clusters/{id}",
      addresses: none,
      own: [
        ...denied((w) => del(`/api/clusters/${at("cluster", w)}`), "delete a cluster"),
        { who: "sysadmin", name: "not a cluster with machine types", req: (w) => del(`/api/clusters/${at("cluster", w)}`), expect: 409 },
      ],
    },
    {
      route: "DELETE /api/machines/{id}",
      addresses: none,
      own: [...denied((w) => del(`/api/machines/${at("machine", w)}`), "delete a machine"), { who: "sysadmin", name: "deletes a machine", req: (w) => del(`/api/machines/${at("machine", w)}`), expect: 200 }],
    },
    {
      route: "DELETE /api/zones/{id}",
      addresses: none,
      own: [
        ...denied((w) => del(`/api/zones/${at("zone", w)}`), "delete a zone"),
        { who: "sysadmin", name: "not the Default zone", req: () => del("/api/zones/0"), expect: 409 },
        { who: "sysadmin", name: "not a zone with a cluster", req: (w) => del(`/api/zones/${at("zone", w)}`), expect: 409 },
        { who: "sysadmin", name: "deletes the emptied cluster", req: (w) => del(`/api/clusters/${at("cluster", w)}`), expect: 200 },
        { who: "sysadmin", name: "deletes the emptied zone", req: (w) => del(`/api/zones/${at("zone", w)}`), expect: 200 },
      ],
    },
  ];
}

const MATRIX_APPDEF = { name: "Matrix", image: { type: "docker", data: "busybox" }, commands: { run: { path: "/bin/true" } } };

// ---------------------------------------------------------------------------------------------
// Rights between roles inside one tenant (alpha): a plain member, a team admin, the payer and a
// system administrator on the team, acting on each other on every route that changes a user. The
// rule: nobody acts on an account whose rights exceed its own (a system administrator only by system
// administrators; payer > team admin > member, so team admins manage plain members only, and a payer's
// profile and rights are its own and the system administrators'); API keys and passwords only by the
// account itself and system administrators. A plain member does not see its teammates (404).

type InWho = "member" | "teamAdmin" | "payer" | "sysMember";
const IN_WHOS: readonly InWho[] = ["member", "teamAdmin", "payer", "sysMember"];
type Member = keyof Tenant["users"];

interface InCase {
  route: string;
  who: InWho;
  name: string;
  req: (w: World) => Req;
  expect: number;
  after?: (j: Json, w: World) => void;
}

const USER_CHANGING = [
  "POST /api/users",
  "PATCH /api/users/{username}",
  "POST /api/users/{username}/apikey",
  "PUT /api/users/{username}/password",
  "POST /api/users/{username}/vaults",
  "POST /api/vaults/{id}/shares",
  "DELETE /api/vaults/{id}/shares/{username}",
] as const;

/** One request per (caller, target) with the expected status; "self" is the caller itself. */
function perTarget(route: string, what: string, table: Record<InWho, Partial<Record<Member | "self", number>>>, req: (target: User, w: World) => Req, after?: (target: Member, j: Json, w: World) => void): InCase[] {
  return IN_WHOS.flatMap((who) =>
    Object.entries(table[who]).map(([t, expected]): InCase => {
      const target = (t === "self" ? who : t) as Member;
      return { route, who, name: `${what} of ${t === "self" ? "itself" : t}`, req: (w) => req(w.a.users[target], w), expect: expected!, ...(after ? { after: (j: Json, w: World) => after(target, j, w) } : {}) };
    }),
  );
}

const patch = (u: User, body: Json): Req => ({ method: "PATCH", url: `/api/users/${u.username}`, body });

const IN_TENANT: InCase[] = [
  // POST /api/users: what rights a new account may get
  ...IN_WHOS.flatMap((who): InCase[] => [
    { route: "POST /api/users", who, name: "invites a team admin", req: (w) => ({ method: "POST", url: "/api/users", body: { username: fresh("alpha-ta"), payer: w.a.users.payer.username, teamAdmin: true } }), expect: who === "member" ? 403 : 201 },
    { route: "POST /api/users", who, name: "invites a system administrator into the team", req: (w) => ({ method: "POST", url: "/api/users", body: { username: fresh("alpha-sa"), payer: w.a.users.payer.username, sysadmin: true } }), expect: who === "sysMember" ? 201 : 403 },
  ]),
  // PATCH: rights (disabling; re-enabling an enabled account changes nothing when allowed)
  ...perTarget(
    "PATCH /api/users/{username}",
    "re-enable",
    {
      member: { spare: 404, admin2: 404, payer: 404, sysMember: 404 },
      teamAdmin: { spare: 200, admin2: 403, payer: 403, sysMember: 403 },
      payer: { spare: 200, admin2: 200, sysMember: 403 },
      sysMember: { spare: 200, admin2: 200, payer: 200 },
    },
    (u) => patch(u, { disabled: false }),
  ),
  ...perTarget(
    "PATCH /api/users/{username}",
    "disable",
    { member: { admin2: 404, sysMember: 404 }, teamAdmin: { admin2: 403, sysMember: 403 }, payer: { sysMember: 403 }, sysMember: {} },
    (u) => patch(u, { disabled: true }),
  ),
  // PATCH: team admin rights, set to what they are
  ...perTarget(
    "PATCH /api/users/{username}",
    "team admin rights",
    {
      member: { spare: 404, admin2: 404, sysMember: 404 },
      teamAdmin: { spare: 200, admin2: 403, sysMember: 403 },
      payer: { spare: 200, admin2: 200, sysMember: 403 },
      sysMember: { spare: 200, admin2: 200 },
    },
    (u, w) => patch(u, { teamAdmin: u === w.a.users.admin2 }),
  ),
  ...perTarget("PATCH /api/users/{username}", "team admin rights taken", { member: {}, teamAdmin: { admin2: 403 }, payer: {}, sysMember: {} }, (u) => patch(u, { teamAdmin: false })),
  // PATCH: system administrator rights, set to what they are
  ...perTarget(
    "PATCH /api/users/{username}",
    "system administrator rights",
    { member: { spare: 404, sysMember: 404 }, teamAdmin: { spare: 403, sysMember: 403 }, payer: { spare: 403, sysMember: 403 }, sysMember: { spare: 200, self: 200 } },
    (u, w) => patch(u, { sysadmin: u === w.a.users.sysMember }),
  ),
  // PATCH: profile
  ...perTarget(
    "PATCH /api/users/{username}",
    "profile",
    {
      member: { self: 200, spare: 404, admin2: 404, payer: 404, sysMember: 404 },
      teamAdmin: { self: 200, spare: 200, admin2: 403, payer: 403, sysMember: 403 },
      payer: { self: 200, spare: 200, admin2: 200, sysMember: 403 },
      sysMember: { self: 200, spare: 200, admin2: 200, payer: 200 },
    },
    (u) => patch(u, { fullName: `${u.username} renamed`, email: `${u.username}@alpha.example` }),
  ),
  // API keys and passwords: the account itself and system administrators
  ...perTarget(
    "POST /api/users/{username}/apikey",
    "API key",
    {
      member: { self: 200, spare: 404, admin2: 404, payer: 404, sysMember: 404 },
      teamAdmin: { self: 200, spare: 403, admin2: 403, payer: 403, sysMember: 403 },
      payer: { self: 200, spare: 403, admin2: 403, sysMember: 403 },
      sysMember: { self: 200, spare: 200, admin2: 200, payer: 200 },
    },
    (u) => ({ method: "POST", url: `/api/users/${u.username}/apikey` }),
    (target, j, w) => (w.a.users[target].apikey = j.apikey as string),
  ),
  ...perTarget(
    "PUT /api/users/{username}/password",
    "password",
    {
      member: { self: 200, spare: 404, admin2: 404, payer: 404, sysMember: 404 },
      teamAdmin: { self: 200, spare: 403, admin2: 403, payer: 403, sysMember: 403 },
      payer: { self: 200, spare: 403, admin2: 403, sysMember: 403 },
      sysMember: { self: 200, spare: 200, admin2: 200, payer: 200 },
    },
    (u) => ({ method: "PUT", url: `/api/users/${u.username}/password`, body: { password: `${u.username}-pw-3`, current: u.password } }), // `current`: needed for one's own
    (target, _j, w) => (w.a.users[target].password = `${w.a.users[target].username}-pw-3`),
  ),
  // Vaults: adding one widens zone access (system administrators only); sharing hands out what one manages, never into a system administrator
  ...perTarget(
    "POST /api/users/{username}/vaults",
    "a new vault",
    { member: { self: 403, spare: 404, sysMember: 404 }, teamAdmin: { self: 403, spare: 403, sysMember: 403 }, payer: { self: 403, spare: 403, sysMember: 403 }, sysMember: { self: 201, spare: 201 } },
    (u) => ({ method: "POST", url: `/api/users/${u.username}/vaults`, body: { name: fresh("alpha-v"), kind: "pvc", storageClass: "standard", size: 1 } }),
  ),
  ...(
    [
      ["member", "its vault into the system administrator", (w) => w.a.addedVault.id, "sysMember", 403],
      ["member", "its vault to its payer", (w) => w.a.addedVault.id, "payer", 201],
      ["teamAdmin", "a member's vault into the system administrator", (w) => w.a.addedVault.id, "sysMember", 403],
      ["teamAdmin", "the payer's vault", (w) => w.a.payerVault, "spare", 403],
      ["teamAdmin", "the system administrator's vault", (w) => w.a.sysMemberVault, "spare", 403],
      ["payer", "a member's vault into the system administrator", (w) => w.a.addedVault.id, "sysMember", 403],
      ["payer", "the system administrator's vault", (w) => w.a.sysMemberVault, "spare", 403],
      ["sysMember", "a member's vault to a team admin", (w) => w.a.addedVault.id, "admin2", 201],
    ] as [InWho, string, (w: World) => number, Member, number][]
  ).map(([who, name, vault, to, expect]): InCase => ({ route: "POST /api/vaults/{id}/shares", who, name: `shares ${name}`, req: (w) => ({ method: "POST", url: `/api/vaults/${vault(w)}/shares`, body: { username: w.a.users[to].username } }), expect })),
  ...(
    [
      ["member", "its vault from its payer", (w) => w.a.addedVault.id, "payer", 200],
      ["teamAdmin", "the payer's vault", (w) => w.a.payerVault, "spare", 403],
      ["payer", "the system administrator's vault", (w) => w.a.sysMemberVault, "spare", 403],
      ["sysMember", "a member's vault from a team admin", (w) => w.a.addedVault.id, "admin2", 200],
    ] as [InWho, string, (w: World) => number, Member, number][]
  ).map(([who, name, vault, from, expect]): InCase => ({ route: "DELETE /api/vaults/{id}/shares/{username}", who, name: `unshares ${name}`, req: (w) => ({ method: "DELETE", url: `/api/vaults/${vault(w)}/shares/${w.a.users[from].username}` }), expect })),
];

// ---------------------------------------------------------------------------------------------
// Setting up the two tenants

async function makeTenant(t: TestApp, tag: string): Promise<Tenant> {
  const Tag = tag[0]!.toUpperCase() + tag.slice(1);
  const invite = async (by: Creds, body: Record<string, unknown>): Promise<User> => {
    const r = await t.call("POST", "/api/users", { as: by, body });
    if (r.statusCode !== 201) throw new Error(`inviting ${JSON.stringify(body)} answered ${r.statusCode}: ${r.body}`);
    const j = r.json() as { user: { username: string }; apikey: string; password: string };
    return { username: j.user.username, apikey: j.apikey, password: j.password };
  };
  const person = (role: string) => ({ username: `${tag}-${role}`, email: `${tag}-${role}@${tag}.example`, fullName: `${Tag} ${role} secret` });
  const payer = await invite(t.admin, person("payer"));
  const teamAdmin = await invite(payer, { ...person("admin"), teamAdmin: true });
  const member = await invite(teamAdmin, { ...person("member"), payer: payer.username });
  const spare = await invite(payer, person("spare"));
  // For the rights between roles inside the tenant: a second team admin, and a system administrator on the team.
  const admin2 = await invite(payer, { ...person("admin2"), teamAdmin: true });
  const sysMember = await invite(t.admin, { ...person("sysadmin"), payer: payer.username, sysadmin: true });

  const v = await t.call("POST", `/api/users/${member.username}/vaults`, {
    as: t.admin,
    body: { name: `${tag}-projects`, kind: "pvc", storageClass: `${tag}-sc`, size: 10, accessModes: "ReadWriteMany", subpath: `${tag}/%USER%` },
  });
  if (v.statusCode !== 201) throw new Error(`adding a vault answered ${v.statusCode}: ${v.body}`);
  const m = await t.call("POST", "/api/metadata", { as: t.admin, body: { payer: payer.username, key: "vaultDalHookMeta", value: `${tag}-hook-secret` } });
  if (m.statusCode !== 201) throw new Error(`adding metadata answered ${m.statusCode}: ${m.body}`);
  const l = await t.call("PUT", "/api/limits", { as: t.admin, body: { scope: "team", payer: payer.username, cpus: 64 } });
  if (l.statusCode !== 200) throw new Error(`setting a limit answered ${l.statusCode}: ${l.body}`);
  const pv = (await t.call("GET", `/api/users/${payer.username}/vaults`, { as: t.admin })).json() as { vaults: { id: number; kind: string }[] };
  const sv = (await t.call("GET", `/api/users/${sysMember.username}/vaults`, { as: t.admin })).json() as { vaults: { id: number; kind: string }[] };
  return {
    tag,
    users: { payer, teamAdmin, member, spare, admin2, sysMember },
    addedVault: { id: (v.json() as { id: number }).id, name: `${tag}-projects` },
    payerVault: pv.vaults.find((x) => x.kind === "ephemeral")!.id,
    sysMemberVault: sv.vaults.find((x) => x.kind === "ephemeral")!.id,
    meta: { id: (m.json() as { id: number }).id, value: `${tag}-hook-secret` },
    limit: (l.json() as { id: number }).id,
  };
}

/** Everything the system administrator sees of a tenant: must not change while the other tenant is refused. */
async function snapshot(t: TestApp, x: Tenant): Promise<unknown> {
  const as = { as: t.admin };
  const users = (await t.call("GET", `/api/users?payer=${x.users.payer.username}`, as)).json() as { users: { username: string }[] };
  const vaults = await Promise.all(users.users.map(async (u) => (await t.call("GET", `/api/users/${u.username}/vaults`, as)).json()));
  const meta = (await t.call("GET", `/api/metadata?payer=${x.users.payer.username}`, as)).json();
  return { users, vaults, meta };
}

// ---------------------------------------------------------------------------------------------

const send = (w: World, as: Creds | undefined, r: Req): Promise<LightMyRequestResponse> => w.t.call(r.method, r.url, { ...(as ? { as } : {}), ...(r.body !== undefined ? { body: r.body } : {}) });

const parse = (res: LightMyRequestResponse): Json => {
  try {
    return res.json() as Json;
  } catch {
    return {};
  }
};

/** The strings a request supplies itself (path segments, body and query values): an answer may echo them. */
function supplied(r: Req): string[] {
  const [path, query = ""] = r.url.split("?");
  const out = path!.split("/").filter(Boolean);
  for (const [, v] of new URLSearchParams(query)) out.push(v);
  const walk = (v: unknown) => {
    if (typeof v === "string") out.push(v);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(r.body);
  return out.sort((x, y) => y.length - x.length);
}

function withoutSupplied(body: string, r: Req): string {
  let s = body;
  for (const v of supplied(r)) if (v.length > 2) s = s.split(v).join("<supplied>");
  return s;
}

describe("authorization matrix of the admin API", () => {
  let w: World;
  let documented: string[];

  beforeAll(async () => {
    const t = await startTestApp();
    const a = await makeTenant(t, "alpha");
    const b = await makeTenant(t, "bravo");
    w = { t, a, b, sys: { ...t.admin, password: t.admin.password! }, scratch: {} };
    const doc = (await t.call("GET", "/api/openapi.json")).json() as { paths: Record<string, Record<string, unknown>> };
    documented = Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
  });
  afterAll(async () => w?.t.close());

  it("has an entry for every route of the served OpenAPI document, and a case for every caller", () => {
    const problems: string[] = [];
    const entries = new Map<string, Entry>();
    for (const e of ENTRIES) {
      if (entries.has(e.route)) problems.push(`${e.route}: two matrix entries`);
      entries.set(e.route, e);
    }
    for (const route of documented) if (!entries.has(route)) problems.push(`${route}: in /api/openapi.json but missing from the authorization matrix`);
    for (const e of ENTRIES) {
      if (!documented.includes(e.route)) problems.push(`${e.route}: in the matrix but not in /api/openapi.json`);
      if (typeof e.addresses === "string" && !(e.cross?.length)) problems.push(`${e.route}: addresses a ${e.addresses} but has no cross-tenant cases`);
      for (const who of WHOS) if (!e.own.some((c) => c.who === who)) problems.push(`${e.route}: no case for the ${who}`);
    }
    expect(documented.length).toBeGreaterThanOrEqual(ENTRIES.length);
    expect(problems).toEqual([]);
  });

  it("refuses anonymous callers (401) on every route but login", async () => {
    const problems: string[] = [];
    for (const route of documented) {
      const e = ENTRIES.find((x) => x.route === route);
      const [method, path] = route.split(" ") as [Req["method"], string];
      const r: Req = e?.anonymous?.req(w) ?? { method, url: path.replace("{username}", GHOST.user).replace(/\{\w+\}/g, String(GHOST.vault)), body: method === "GET" || method === "DELETE" ? undefined : {} };
      const expected = e?.anonymous?.expect ?? 401;
      const res = await send(w, undefined, r);
      if (res.statusCode !== expected) problems.push(`${route} anonymously: expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    expect(problems).toEqual([]);
  });

  it("never lets a tenant's payer, team admin or member reach the other tenant's users, vaults or metadata", async () => {
    const problems: string[] = [];
    const before = [await snapshot(w.t, w.a), await snapshot(w.t, w.b)];
    let cells = 0;
    for (const [me, other] of [
      [w.a, w.b],
      [w.b, w.a],
    ] as const) {
      for (const e of ENTRIES) {
        for (const c of e.cross ?? []) {
          for (const role of ROLES) {
            const expected = typeof c.expect === "number" ? c.expect : c.expect[role];
            const caller = me.users[role];
            // The same request aimed at a nonexistent object: the other tenant's must not be told apart from it.
            const ghostReq = c.req(GHOST, me, role);
            const ghost = await send(w, caller, ghostReq);
            for (const target of c.targets(other)) {
              cells++;
              const r = c.req(target, me, role);
              const res = await send(w, caller, r);
              const where = `${e.route} [${c.name}] as ${me.tag} ${role} on ${target.label}`;
              if (res.statusCode !== expected) {
                problems.push(`${where}: expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 300)}`);
                continue;
              }
              const j = parse(res);
              if (typeof j.error !== "string" || Object.keys(j).some((k) => k !== "error" && k !== "field")) problems.push(`${where}: the refusal is not a bare {error}: ${res.body.slice(0, 300)}`);
              const stripped = withoutSupplied(res.body, r);
              if (stripped.toLowerCase().includes(other.tag)) problems.push(`${where}: the answer names the other tenant's data: ${res.body.slice(0, 300)}`);
              const norm = (s: string, x: Target) => s.split(x.user).join("<user>");
              if (ghost.statusCode !== res.statusCode || norm(ghost.body, GHOST) !== norm(res.body, target)) {
                problems.push(`${where}: told apart from a nonexistent object: ${ghost.statusCode} ${ghost.body.slice(0, 200)} vs ${res.statusCode} ${res.body.slice(0, 200)}`);
              }
            }
          }
        }
      }
    }
    const after = [await snapshot(w.t, w.a), await snapshot(w.t, w.b)];
    if (JSON.stringify(after) !== JSON.stringify(before)) problems.push(`refused requests changed stored data:\nbefore ${JSON.stringify(before)}\nafter  ${JSON.stringify(after)}`);
    for (const x of [w.a, w.b]) {
      for (const [role, u] of Object.entries(x.users)) {
        const me = await w.t.call("GET", "/api/me", { as: u });
        if (me.statusCode !== 200) problems.push(`${x.tag} ${role} can no longer authenticate: ${me.statusCode} ${me.body}`);
      }
    }
    expect(cells).toBeGreaterThan(100);
    expect(problems).toEqual([]);
  });

  it("never lists the other tenant's rows to a tenant's callers", async () => {
    const problems: string[] = [];
    for (const [me, other] of [
      [w.a, w.b],
      [w.b, w.a],
    ] as const) {
      for (const e of ENTRIES) {
        for (const role of ROLES) {
          for (const l of e.lists?.(me, other, role) ?? []) {
            const res = await send(w, me.users[role], l.req);
            const where = `${l.req.method} ${l.req.url} as ${me.tag} ${role}`;
            if (res.statusCode !== l.expect) {
              problems.push(`${where}: expected ${l.expect}, got ${res.statusCode} ${res.body.slice(0, 300)}`);
              continue;
            }
            // A list answer echoes nothing of the request, so the other tenant's tag must not appear at all.
            if (res.body.toLowerCase().includes(other.tag)) problems.push(`${where}: lists the other tenant's data: ${res.body.slice(0, 400)}`);
            const p = res.statusCode === 200 ? l.check?.(parse(res)) : undefined;
            if (p) problems.push(`${where}: ${p}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("lets payers and team admins manage their team, members only themselves, and the system administrator everything", async () => {
    const problems: string[] = [];
    for (const e of ENTRIES) {
      for (const c of e.own) {
        const caller = c.who === "sysadmin" ? w.sys : w.a.users[c.who];
        const r = c.req(w);
        const res = await send(w, caller, r);
        const where = `${e.route} as ${c.who === "sysadmin" ? "the system administrator" : `${w.a.tag} ${c.who}`} (${c.name}): ${r.method} ${r.url}`;
        if (res.statusCode !== c.expect) {
          problems.push(`${where}: expected ${c.expect}, got ${res.statusCode} ${res.body.slice(0, 300)}`);
          continue;
        }
        const j = parse(res);
        const p = c.check?.(j, w);
        if (p) problems.push(`${where}: ${p}`);
        c.after?.(j, w);
      }
    }
    expect(problems).toEqual([]);
  });

  it("has rights-between-roles rows for every user-changing route, for each role inside a tenant", () => {
    const problems: string[] = [];
    for (const route of USER_CHANGING) {
      if (!documented.includes(route)) problems.push(`${route}: not in /api/openapi.json`);
      for (const who of IN_WHOS) if (!IN_TENANT.some((c) => c.route === route && c.who === who)) problems.push(`${route}: no row for the ${who}`);
    }
    expect(problems).toEqual([]);
  });

  it("lets nobody inside a tenant act on an account whose rights exceed its own, nor take over another's key or password", async () => {
    const problems: string[] = [];
    for (const c of IN_TENANT) {
      const r = c.req(w);
      const res = await send(w, w.a.users[c.who], r);
      const where = `${c.route} as ${w.a.tag} ${c.who} (${c.name}): ${r.method} ${r.url}`;
      if (res.statusCode !== c.expect) {
        problems.push(`${where}: expected ${c.expect}, got ${res.statusCode} ${res.body.slice(0, 300)}`);
        continue;
      }
      if (res.statusCode < 300) c.after?.(parse(res), w);
    }
    // Nobody was disabled or lost rights along the way: every account of the tenant still authenticates, with its rights.
    for (const [role, u] of Object.entries(w.a.users)) {
      const me = await w.t.call("GET", "/api/me", { as: u });
      if (me.statusCode !== 200) problems.push(`${w.a.tag} ${role} can no longer authenticate: ${me.statusCode} ${me.body}`);
      else if (role === "sysMember" && (me.json() as Json).sysadmin !== true) problems.push(`the system administrator on the team lost its rights: ${me.body}`);
      else if (role === "admin2" && (me.json() as Json).teamAdmin !== true) problems.push(`the second team admin lost its rights: ${me.body}`);
    }
    expect(problems).toEqual([]);
  });
});
