import { describe, expect, it } from "vitest";
import { answerText, errFor, failed, fieldErrors, merge, succeeded, unshown } from "./errors";

const labels = { "vaultOverrides.vaultSize": "Vault size", username: "User name", "machines.*.jobs": "Jobs at once" };

describe("errors in words", () => {
  it("names the form's field instead of the API's field path", () => {
    const e = Object.assign(new Error("vaultOverrides.vaultSize: must be an integer greater than 0"), { field: "vaultOverrides.vaultSize" });
    expect(fieldErrors(e, labels)).toEqual({ "vaultOverrides.vaultSize": "Vault size: must be an integer greater than 0" });
    const indexed = Object.assign(new Error("machines.2.jobs: must be at least 1"), { field: "machines.2.jobs" });
    expect(fieldErrors(indexed, labels)).toEqual({ "machines.2.jobs": "Jobs at once: must be at least 1" });
  });

  it("says an unlabelled path in words, and keeps a message without a field as it is", () => {
    expect(fieldErrors(Object.assign(new Error("storageClassName: too long"), { field: "storageClassName" }))).toEqual({ storageClassName: "storage class name: too long" });
    expect(fieldErrors(Object.assign(new Error("value (vaultSize): must be an integer greater than 0"), { field: "value (vaultSize)" }), { value: "Value" })).toEqual({ "value (vaultSize)": "Value (vaultSize): must be an integer greater than 0" });
    expect(fieldErrors(new Error("only system administrators edit payer metadata"))).toEqual({ _: "only system administrators edit payer metadata" });
  });

  it("takes every error of an answer that lists several, and merges client and server errors", () => {
    const answer = { errors: [{ field: "username", error: "username: required" }, { field: "email", error: "email: not an address" }] };
    expect(fieldErrors(answer, labels)).toEqual({ username: "User name: required", email: "email: not an address" });
    expect(merge({ username: "User name: required" }, { _: "Paddock answered 502 Bad Gateway" })).toEqual({ username: "User name: required", _: "Paddock answered 502 Bad Gateway" });
  });

  it("finds a field's message, also of a sub-field, and lists the ones no field shows", () => {
    const errors = { "vault.name": "Vault: no such vault", _: "refused", payer: "Payer: unknown" };
    expect(errFor(errors, "vault")).toBe("Vault: no such vault");
    expect(unshown(errors, ["vault"])).toEqual(["refused", "Payer: unknown"]);
  });

  it("clears an old success line when an error comes, and old errors when a success comes", () => {
    expect(failed({ _: "x" })).toEqual({ message: "", errors: { _: "x" } });
    expect(succeeded("Added.")).toEqual({ message: "Added.", errors: {} });
  });

  it("reads a proxy's HTML page as its status, never as raw HTML", () => {
    expect(answerText(502, "Bad Gateway", "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>")).toEqual({ error: "Paddock answered 502 Bad Gateway" });
    expect(answerText(200, "OK", "text/html", "<!doctype html>")).toEqual({ error: "Paddock answered 200 OK, but not in JSON (text/html)" });
    expect(answerText(400, "Bad Request", "application/json", '{"error":"value: bad","field":"value"}')).toEqual({ error: "value: bad", field: "value" });
    expect(answerText(200, "OK", "application/json", '{"a":1}')).toEqual({ json: { a: 1 } });
  });
});
