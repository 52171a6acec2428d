import { describe, expect, it } from "vitest";
import { parseSubmission, type Submission } from "./submission";

// A minimal valid /jarvice/submit body; each test changes only what it cares about.
const aBody = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  app: "demo",
  user: { username: "bob", apikey: "k3y" },
  application: { command: "run", parameters: { n: 4 } },
  machine: { type: "n1", nodes: 1 },
  ...over,
});
const withApplication = (over: Record<string, unknown>) => aBody({ application: { command: "run", ...over } });
const withMachine = (machine: unknown) => aBody({ machine });

const accepted = (body: unknown): Submission => {
  const r = parseSubmission(body);
  if (!r.ok) throw new Error(`${r.status} ${r.field}: ${r.problem}`);
  return r.value;
};
const refusal = (body: unknown) => {
  const r = parseSubmission(body);
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.value)}`);
  return { status: r.status, field: r.field, problem: r.problem };
};

describe("parseSubmission: the happy path", () => {
  it("reads every field of a full submission", () => {
    const s = accepted({
      app: "demo",
      user: { username: "bob", apikey: "k3y" },
      application: { command: "run", parameters: { n: 4, mode: "fast" }, geometry: "1904x881", walltime: "02:30", ipaddr: "web" },
      machine: { type: "n1", nodes: 3 },
      vault: { name: "projects", readonly: true, force: false },
      job_label: "nightly",
      job_project: "physics",
      licenses: "lic1:2",
      ipaddr: "web",
    });
    expect(s).toEqual({
      user: { username: "bob", apikey: "k3y" },
      app: "demo",
      command: "run",
      parameters: { n: 4, mode: "fast" },
      geometry: "1904x881",
      walltime: "02:30",
      ipaddrTag: "web",
      machineType: "n1",
      nodes: 3,
      vault: { name: "projects", readonly: true, force: false },
      jobLabel: "nightly",
      jobProject: "physics",
      licenses: "lic1:2",
    } satisfies Submission);
  });

  it("fills in defaults for a minimal submission", () => {
    const s = accepted({ app: "demo", user: { username: "bob", apikey: "k" }, application: { command: "run" }, machine: { type: "n1" } });
    expect(s).toMatchObject({
      parameters: {},
      geometry: "",
      walltime: "",
      ipaddrTag: undefined,
      nodes: 1,
      vault: { name: undefined, readonly: false, force: false },
      jobLabel: "",
      jobProject: "",
      licenses: "",
    });
  });

  it("treats null optional strings and an empty vault name as absent", () => {
    const s = accepted(aBody({ job_label: null, vault: { name: "" }, application: { command: "run", geometry: null } }));
    expect(s.jobLabel).toBe("");
    expect(s.geometry).toBe("");
    expect(s.vault.name).toBeUndefined();
  });
});

describe("parseSubmission: the body and the user", () => {
  it.each([null, "text", 42, [], undefined])("refuses a body that is not an object: %j", (body) => {
    expect(refusal(body)).toMatchObject({ status: 400, field: "body" });
  });

  it.each<[string, unknown]>([
    ["missing", undefined],
    ["not an object", "bob"],
    ["without username", { apikey: "k" }],
    ["without apikey", { username: "bob" }],
    ["with an empty username", { username: "", apikey: "k" }],
    ["with an empty apikey", { username: "bob", apikey: "" }],
    ["with a numeric apikey", { username: "bob", apikey: 123 }],
  ])("answers 401 for a user %s", (_what, user) => {
    expect(refusal(aBody({ user }))).toEqual({ status: 401, field: "user", problem: "user.username and user.apikey are required" });
  });

  it("checks the user before anything else in the body", () => {
    expect(refusal({ user: {} }).status).toBe(401);
  });
});

describe("parseSubmission: app and application", () => {
  it.each([undefined, "", 7])("refuses app %j", (app) => {
    expect(refusal(aBody({ app }))).toMatchObject({ status: 400, field: "app" });
  });

  it("refuses an application that is not an object", () => {
    expect(refusal(aBody({ application: "run" }))).toMatchObject({ status: 400, field: "application" });
    expect(refusal(aBody({ application: ["run"] }))).toMatchObject({ status: 400, field: "application" });
  });

  it.each([undefined, "", 3])("refuses application.command %j", (command) => {
    expect(refusal(aBody({ application: { command } }))).toMatchObject({ status: 400, field: "application.command", problem: "is required" });
  });

  it("refuses a missing application as a missing command", () => {
    expect(refusal(aBody({ application: undefined })).field).toBe("application.command");
  });

  it.each([[[1, 2]], ["n=4"], [5]])("refuses parameters that are not an object: %j", (parameters) => {
    expect(refusal(withApplication({ parameters }))).toMatchObject({ status: 400, field: "application.parameters" });
  });
});

describe("parseSubmission: the ipaddr tag", () => {
  it("reads the tag at the top level", () => {
    expect(accepted(aBody({ ipaddr: "web" })).ipaddrTag).toBe("web");
  });

  it("reads the tag inside application", () => {
    expect(accepted(withApplication({ ipaddr: "web" })).ipaddrTag).toBe("web");
  });

  it("accepts both when they agree", () => {
    expect(accepted({ ...withApplication({ ipaddr: "Web" }), ipaddr: "Web" }).ipaddrTag).toBe("Web");
  });

  it("refuses both when they disagree, naming both values", () => {
    const r = refusal({ ...withApplication({ ipaddr: "api" }), ipaddr: "web" });
    expect(r).toMatchObject({ status: 400, field: "ipaddr" });
    expect(r.problem).toContain("'web'");
    expect(r.problem).toContain("'api'");
  });

  it("treats a case difference as disagreement (the tag is case-sensitive)", () => {
    expect(refusal({ ...withApplication({ ipaddr: "web" }), ipaddr: "Web" }).field).toBe("ipaddr");
  });

  it("treats empty and null as no tag, and takes the other one", () => {
    expect(accepted(aBody({ ipaddr: "" })).ipaddrTag).toBeUndefined();
    expect(accepted(aBody({ ipaddr: null })).ipaddrTag).toBeUndefined();
    expect(accepted({ ...withApplication({ ipaddr: "web" }), ipaddr: "" }).ipaddrTag).toBe("web");
    expect(accepted({ ...withApplication({ ipaddr: null }), ipaddr: "web" }).ipaddrTag).toBe("web");
  });

  it("passes the tag through unchanged (ipaddrValue checks it)", () => {
    expect(accepted(aBody({ ipaddr: " odd tag! " })).ipaddrTag).toBe(" odd tag! ");
  });

  it.each([42, true, ["web"], { tag: "web" }])("refuses a top-level ipaddr of %j", (ipaddr) => {
    const r = refusal(aBody({ ipaddr }));
    expect(r).toMatchObject({ status: 400, field: "ipaddr" });
    expect(r.problem).toContain("must be a string");
  });

  it.each([42, false, ["web"]])("refuses application.ipaddr of %j", (ipaddr) => {
    expect(refusal(withApplication({ ipaddr }))).toMatchObject({ status: 400, field: "application.ipaddr" });
  });
});

describe("parseSubmission: machine", () => {
  it.each([undefined, "n1", ["n1"]])("refuses machine %j", (machine) => {
    expect(refusal(withMachine(machine))).toMatchObject({ status: 400, field: "machine" });
  });

  it.each([{}, { type: "" }, { type: 1, nodes: 1 }])("refuses machine.type in %j", (machine) => {
    expect(refusal(withMachine(machine))).toMatchObject({ status: 400, field: "machine.type" });
  });

  it.each<[unknown, number]>([
    [undefined, 1],
    [null, 1],
    [1, 1],
    [4, 4],
    ["2", 2],
    ["16", 16],
  ])("accepts nodes %j as %i", (nodes, expected) => {
    expect(accepted(withMachine({ type: "n1", nodes })).nodes).toBe(expected);
  });

  it.each([0, -1, 1.5, "0", "-2", "1.5", "two", " 2", "", true, [2]])("refuses nodes %j", (nodes) => {
    expect(refusal(withMachine({ type: "n1", nodes }))).toEqual({ status: 400, field: "machine.nodes", problem: "must be an integer of at least 1" });
  });
});

describe("parseSubmission: vault", () => {
  it.each(["projects", []])("refuses a vault that is not an object: %j", (vault) => {
    expect(refusal(aBody({ vault }))).toMatchObject({ status: 400, field: "vault" });
  });

  it("refuses a non-string vault name", () => {
    expect(refusal(aBody({ vault: { name: 3 } }))).toMatchObject({ status: 400, field: "vault.name" });
  });

  it.each(["readonly", "force"])("refuses a non-boolean vault.%s", (k) => {
    expect(refusal(aBody({ vault: { name: "v", [k]: "true" } }))).toEqual({ status: 400, field: `vault.${k}`, problem: "must be true or false" });
  });

  it("reads the flags", () => {
    expect(accepted(aBody({ vault: { name: "v", force: true } })).vault).toEqual({ name: "v", readonly: false, force: true });
  });
});

describe("parseSubmission: strings and walltime", () => {
  it.each<[Record<string, unknown>, string]>([
    [withApplication({ geometry: 1920 }), "application.geometry"],
    [withApplication({ walltime: 3600 }), "application.walltime"],
    [aBody({ job_label: 1 }), "job_label"],
    [aBody({ job_project: {} }), "job_project"],
    [aBody({ licenses: ["a"] }), "licenses"],
  ])("refuses a non-string, naming %s", (body, field) => {
    expect(refusal(body)).toEqual({ status: 400, field, problem: "must be a string" });
  });

  it.each(["00:30", "2:00", "24:00:00", "1000:00", "9999:59:59"])("accepts walltime %s", (walltime) => {
    expect(accepted(withApplication({ walltime })).walltime).toBe(walltime);
  });

  it.each(["1h", "30", "1:2", "10:00:0", "12345:00", ":30", "01:30:", "a:bc", "00:60", "01:75", "1:99:00", "00:00:60", "00:30:99", "\uff10\uff11:00"])("refuses walltime %s", (walltime) => {
    expect(refusal(withApplication({ walltime }))).toEqual({ status: 400, field: "application.walltime", problem: "must be HH:MM or HH:MM:SS, with minutes and seconds from 00 to 59" });
  });
});
