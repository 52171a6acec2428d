import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { ClusterRefusal } from "../cluster/cluster";
import { refusalOrRethrow, serverMessage } from "./kubeCluster";

const status = (code: number, message: string) => JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message, reason: "Invalid", code });
const thrown = (f: () => never): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
};

describe("refusalOrRethrow: what the job controller learns from an API server error", () => {
  it.each([400, 403, 422])("HTTP %i is a refusal for good, with the server's own message", (code) => {
    const e = thrown(() => refusalOrRethrow(new ApiException(code, "Unknown API Status Code!", status(code, `pods "p" is forbidden: ${code}`), {})));
    expect(e).toBeInstanceOf(ClusterRefusal);
    expect(e).toMatchObject({ status: code, message: `pods "p" is forbidden: ${code}` });
  });

  it.each([404, 409, 429, 500, 503])("HTTP %i is worth a retry: a short error that keeps the code", (code) => {
    const e = thrown(() => refusalOrRethrow(new ApiException(code, "Unknown API Status Code!", status(code, "etcdserver: request timed out"), {})));
    expect(e).not.toBeInstanceOf(ClusterRefusal);
    expect(e).toMatchObject({ code, message: `HTTP ${code}: etcdserver: request timed out` });
  });

  it("rethrows errors without an HTTP status (the connection) as they are", () => {
    const original = new Error("connect ECONNREFUSED");
    expect(thrown(() => refusalOrRethrow(original))).toBe(original);
  });

  it("reads the message from a parsed Status, a text body, or says the code", () => {
    expect(serverMessage({ code: 422, body: { message: "parsed" } })).toBe("parsed");
    expect(serverMessage({ code: 502, body: "<html>bad gateway</html>" })).toBe("<html>bad gateway</html>");
    expect(serverMessage({ code: 500 })).toBe("HTTP 500");
  });
});
