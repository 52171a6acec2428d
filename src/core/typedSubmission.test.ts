import { describe, expect, it } from "vitest";
import { typedSubmission } from "./typedSubmission";

describe("typedSubmission", () => {
  it("reads each documented key in its documented type", () => {
    expect(
      typedSubmission({
        app: "demo",
        machine: { type: "n4", nodes: "3" },
        publicIP: "True",
        gen_sshkey: 1,
        nopasssubt: "FALSE",
        job_label: 7,
        hpc: { hpc_umask: "22", hpc_envs: { A: 1, B: "x", C: { no: 1 } } },
        identity: { uid: "1000", gid: 1000, username: "u" },
        vault: { name: "v", readonly: "true", objects: ["a", 1, {}] },
      }),
    ).toEqual({
      app: "demo",
      machine: { type: "n4", nodes: 3 },
      publicIP: true,
      gen_sshkey: true,
      nopasssubt: false,
      job_label: "7",
      hpc: { hpc_umask: 22, hpc_envs: { A: "1", B: "x" } },
      identity: { uid: 1000, gid: 1000, username: "u" },
      vault: { name: "v", readonly: true, objects: ["a", "1"] },
    });
  });

  it("leaves out values with no such reading, undocumented keys and the secrets", () => {
    expect(
      typedSubmission({
        publicIP: "maybe",
        machine: { nodes: "1.5", type: ["n4"] },
        application: "sleep",
        extra: 1,
        user: { username: "u", apikey: "k" },
        vault: { password: "p", confirm: "p", force: false },
      }),
    ).toEqual({ machine: {}, user: { username: "u" }, vault: { force: false } });
  });

  it("keeps the application's parameters as they are (a free-form object)", () => {
    expect(typedSubmission({ application: { command: "run", parameters: { n: 1, flag: true, s: "x" } } })).toEqual({ application: { command: "run", parameters: { n: 1, flag: true, s: "x" } } });
  });

  it("anything but an object is an empty submission", () => {
    for (const v of [null, "x", 1, []]) expect(typedSubmission(v)).toEqual({});
  });
});
