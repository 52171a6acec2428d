import { describe, expect, it } from "vitest";
import { BATCH_SCRIPT_ENV, BATCH_SCRIPT_MAX, batchCommandLine } from "./batch";

const IMAGE = "docker.io/library/busybox:1.36";

describe("batchCommandLine", () => {
  it("passes the script in the environment, for the runner to write to a file and execute", () => {
    const cl = batchCommandLine({ jobscript: "#!/bin/sh\necho hi\n" }, IMAGE, {});
    if (!cl.ok) throw new Error(cl.problem);
    expect(cl.value.env).toEqual({ [BATCH_SCRIPT_ENV]: "#!/bin/sh\necho hi\n" });
    expect(cl.value.argv.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    expect(cl.value.parameters).toEqual({});
  });
  it.each([
    [undefined, {}, "container"],
    [{}, {}, "container.jobscript"],
    [{ jobscript: "  " }, {}, "container.jobscript"],
    [{ jobscript: 5 }, {}, "container.jobscript"],
    [{ jobscript: "x".repeat(BATCH_SCRIPT_MAX + 1) }, {}, "container.jobscript"],
    [{ jobscript: "echo", image: "evil/miner:latest" }, {}, "container.image"],
    [{ jobscript: "echo" }, { seconds: 3 }, "application.parameters"],
  ])("%j with parameters %j names %s", (container, parameters, field) => {
    const cl = batchCommandLine(container, IMAGE, parameters);
    expect(cl.ok).toBe(false);
    if (!cl.ok) expect(cl.field).toBe(field);
  });
  it("accepts the app's own image", () => {
    expect(batchCommandLine({ jobscript: "echo", image: IMAGE }, IMAGE, {}).ok).toBe(true);
  });
});
