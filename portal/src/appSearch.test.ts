import { describe, expect, it } from "vitest";
import type { AppDef } from "../../src/core/appdef";
import { matchesApp, shownApps, usableApps, type ListedApp } from "./appSearch";

const def = (name: string, description: string, commands: AppDef["commands"]): AppDef => ({ name, description, image: { type: "docker", data: "x" }, commands });
const demo: ListedApp = { id: "demo", public: true, appdef: def("Paddock demo", "Runs a command for a while", { sleep: { path: "/bin/sleep", name: "Sleep", description: "Sleep for a number of seconds" }, web: { path: "/bin/httpd", name: "Web server" } }) };
const solver: ListedApp = { id: "cfd", public: true, appdef: def("Fluid solver", "Computational fluid dynamics", { run: { path: "/run", name: "Run case" } }) };
const secret: ListedApp = { id: "internal", public: false, appdef: def("Internal tool", "", { go: { path: "/go", name: "Go" } }) };

describe("the Compute catalog", () => {
  it("searches names, descriptions and commands, every word, ignoring case", () => {
    expect(matchesApp(demo, "")).toBe(true);
    expect(matchesApp(demo, "PADDOCK")).toBe(true);
    expect(matchesApp(demo, "web server")).toBe(true);
    expect(matchesApp(demo, "seconds")).toBe(true);
    expect(matchesApp(solver, "fluid run")).toBe(true);
    expect(matchesApp(solver, "fluid sleep")).toBe(false);
    expect(matchesApp(solver, "cfd")).toBe(true);
  });

  it("shows public apps to everyone and private ones to system administrators only, by name", () => {
    expect(usableApps([demo, secret], { sysadmin: false }).map((a) => a.id)).toEqual(["demo"]);
    expect(usableApps([demo, secret], { sysadmin: true }).map((a) => a.id)).toEqual(["demo", "internal"]);
    expect(shownApps([demo, solver, secret], "").map((a) => a.id)).toEqual(["cfd", "internal", "demo"]);
    expect(shownApps([demo, solver], "sleep").map((a) => a.id)).toEqual(["demo"]);
  });
});
