import { describe, expect, it } from "vitest";
import type { Me } from "./me";
import { isViewPath, mayOpen, navFor, pageTitle, viewOf } from "./routes";

const base: Me = { id: 1, username: "u", email: "", role: "member", payer: "acme", tenant: "acme", sysadmin: false, teamAdmin: false };
const member = base;
const teamAdmin = { ...base, teamAdmin: true };
const payer: Me = { ...base, role: "payer", payer: null };
const sysadmin: Me = { ...base, role: "payer", payer: null, sysadmin: true };
const links = (me: Me) => navFor(me).map((g) => `${g.group}: ${g.views.map((v) => v.title).join(", ")}`);

describe("the portal's views", () => {
  it("finds the view of a path, the Task Builder's app too, and lands on Compute otherwise", () => {
    expect(viewOf("/admin/users").view.title).toBe("Users");
    expect(viewOf("/builder/demo")).toMatchObject({ view: { title: "Task Builder" }, param: "demo" });
    expect(viewOf("/jobs/").view.title).toBe("Dashboard");
    expect(viewOf("/jobs?job=3").view.title).toBe("Dashboard");
    expect(viewOf("/builder/demo?command=web")).toMatchObject({ view: { title: "Task Builder" }, param: "demo" });
    expect(viewOf("/").view.title).toBe("Compute");
    expect(viewOf("/nowhere").view.title).toBe("Compute");
    expect([isViewPath("/"), isViewPath("/nowhere"), isViewPath("/compute"), isViewPath("/admin/jobs")]).toEqual([false, false, true, true]);
  });

  it("shows each role only the views it may use", () => {
    expect(links(member)).toEqual(["main: Compute, Task Builder, Dashboard, Account"]);
    expect(links(teamAdmin)).toEqual(["main: Compute, Task Builder, Dashboard, Account", "Administration: Users, Metadata", "Account: Limits"]);
    expect(links(payer)).toEqual(links(teamAdmin));
    expect(links(sysadmin)).toEqual(["main: Compute, Task Builder, Dashboard, Account", "Administration: Users, Metadata, Jobs, Limits, Zones / Clusters / Machines / Apps"]);
  });

  it("refuses a member every admin view, and a payer the system administrators' ones", () => {
    for (const p of ["/admin/users", "/admin/metadata", "/admin/jobs", "/admin/limits", "/admin/catalog", "/account/limits"]) expect(mayOpen(viewOf(p).view, member), p).toBe(false);
    expect(mayOpen(viewOf("/admin/jobs").view, payer)).toBe(false);
    expect(mayOpen(viewOf("/admin/jobs").view, sysadmin)).toBe(true);
    expect(mayOpen(viewOf("/account").view, member)).toBe(true);
  });

  it("titles the page after the view", () => {
    expect(pageTitle(viewOf("/admin/metadata").view)).toBe("Metadata - Paddock");
    expect(pageTitle(null)).toBe("Log in - Paddock");
  });
});
