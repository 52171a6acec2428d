import { describe, expect, it } from "vitest";
import { DECLARED_VAULTS_MAX, parseDeclaredVaults } from "./vaultDeclarations";

const line = (vault: Record<string, unknown>) => JSON.stringify({ vault });
const nfs = (over: Record<string, unknown> = {}) => ({ name: "home", kind: "nfs", nfsServer: "nfs1", nfsPath: "/export/bob", ...over });
const problemOf = (stdout: string) => {
  const r = parseDeclaredVaults(stdout);
  if (r.ok) throw new Error(`expected a refusal of ${stdout.slice(0, 200)}`);
  return r.problem;
};

describe("parseDeclaredVaults: what a hook may declare", () => {
  it("reads one vault per JSON line and ignores chatter and other JSON", () => {
    const out = ["creating...", '{"note": "not a vault"}', "{not json", line(nfs({ zone: 2 })), line({ name: "data", kind: "pvc", storageClass: "fast", accessModes: "ReadWriteOnce", size: 10, subpath: "users/bob" }), "done"].join("\n");
    expect(parseDeclaredVaults(out)).toEqual({
      ok: true,
      vaults: [
        { name: "home", kind: "nfs", zoneId: 2, storageClass: null, volumeName: null, accessModes: [], sizeGb: null, subpath: null, nfsServer: "nfs1", nfsPath: "/export/bob" },
        { name: "data", kind: "pvc", zoneId: null, storageClass: "fast", volumeName: null, accessModes: ["ReadWriteOnce"], sizeGb: 10, subpath: "users/bob", nfsServer: null, nfsPath: null },
      ],
    });
  });

  it("accepts no declaration at all (the defaults apply)", () => {
    expect(parseDeclaredVaults("nothing to declare\n")).toEqual({ ok: true, vaults: [] });
  });

  it("takes zone -1 (and a zone given as a string) as the shell scripts print them", () => {
    const r = parseDeclaredVaults([line(nfs({ zone: -1 })), line(nfs({ name: "b", zone: "3" }))].join("\n"));
    expect(r.ok && r.vaults.map((v) => v.zoneId)).toEqual([null, 3]);
  });

  it(`accepts exactly ${DECLARED_VAULTS_MAX} vaults`, () => {
    const out = Array.from({ length: DECLARED_VAULTS_MAX }, (_, i) => line(nfs({ name: `v${i}` }))).join("\n");
    expect(parseDeclaredVaults(out).ok).toBe(true);
  });

  it.each<[string, string, RegExp]>([
    ["duplicate names", [line(nfs()), line(nfs({ nfsPath: "/export/other" }))].join("\n"), /declared vault 'home' twice/],
    ["5,000 vaults", Array.from({ length: 5000 }, (_, i) => line(nfs({ name: `v${i}` }))).join("\n"), /more than 100 vaults/],
    ["a negative size", line({ name: "d", kind: "pvc", storageClass: "fast", size: -5 }), /size must be a whole number of GB/],
    ["a fractional size", line({ name: "d", kind: "pvc", storageClass: "fast", size: 1.5 }), /size must be a whole number of GB/],
    ["a zero size", line({ name: "d", kind: "pvc", storageClass: "fast", size: 0 }), /size must be a whole number of GB/],
    ["a size as text", line({ name: "d", kind: "pvc", storageClass: "fast", size: "10" }), /size must be a whole number of GB/],
    ["a size beyond 32 bits", line({ name: "d", kind: "pvc", storageClass: "fast", size: 2 ** 31 }), /size must be a whole number of GB/],
    ["a name with ';'", line(nfs({ name: "home;rm -rf /" })), /name 'home;rm -rf \/' must be 1-63 letters/],
    ["a name with '$'", line(nfs({ name: "$HOME" })), /name '\$HOME' must be/],
    ["a name with backticks", line(nfs({ name: "`id`" })), /must be 1-63 letters/],
    ["a name with '/'", line(nfs({ name: "a/b" })), /must be 1-63 letters/],
    ["a name with a space", line(nfs({ name: "my home" })), /must be 1-63 letters/],
    ["a name with NUL", line(nfs({ name: "home\u0000" })), /must be 1-63 letters/],
    ["a name that is '..'", line(nfs({ name: ".." })), /must be 1-63 letters/],
    ["no name", line(nfs({ name: undefined })), /name missing/],
    ["a name that is a number", line(nfs({ name: 5 })), /name missing/],
    ["an unknown kind", line(nfs({ kind: "s3" })), /kind must be one of ephemeral, pvc, nfs/],
    ["a kind that is not a string", line(nfs({ kind: ["nfs"] })), /kind must be one of/],
    ["a zone beyond 32 bits", line(nfs({ zone: 2 ** 32 })), /zone must be an integer zone id/],
    ["a negative zone", line(nfs({ zone: -7 })), /zone must be an integer zone id/],
    ["a fractional zone", line(nfs({ zone: 1.5 })), /zone must be an integer zone id/],
    ["a zone in hex", line(nfs({ zone: "0x10" })), /zone must be an integer zone id/],
    ["an unknown access mode", line({ name: "d", kind: "pvc", storageClass: "fast", accessModes: "ReadWriteAll" }), /unknown access mode/],
    ["a storage class that is not a name", line({ name: "d", kind: "pvc", storageClass: "Fast SSD" }), /storageClass must be a Kubernetes object name/],
    ["a sub-path with '..'", line({ name: "d", kind: "pvc", storageClass: "fast", subpath: "../other" }), /subpath must not contain a '\.\.' segment/],
    ["an absolute sub-path", line({ name: "d", kind: "pvc", storageClass: "fast", subpath: "/etc" }), /subpath must be relative/],
    ["an NFS vault without a server", line(nfs({ nfsServer: undefined })), /needs nfsServer/],
    ["an NFS server that is not a host", line(nfs({ nfsServer: "nfs1; reboot" })), /nfsServer must be a host name or an IP address/],
    ["a relative NFS path", line(nfs({ nfsPath: "export/bob" })), /nfsPath must be an absolute export path/],
    ["an NFS path with '..'", line(nfs({ nfsPath: "/export/../etc" })), /nfsPath must not contain a '\.\.' segment/],
    ["a field of the wrong type", line(nfs({ nfsPath: ["/export"] })), /nfsPath must be a string/],
    ["a vault that is not an object", JSON.stringify({ vault: "home" }), /"vault" must be an object/],
  ])("refuses %s", (_what, stdout, problem) => {
    expect(problemOf(stdout)).toMatch(problem);
  });

  it("quotes at most 200 characters of the offending line", () => {
    const problem = problemOf(line(nfs({ name: "x".repeat(5000) })));
    expect(problem.length).toBeLessThan(600);
  });
});
