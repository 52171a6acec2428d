import { describe, expect, it } from "vitest";
import { appDefProblems, checkAppDef, commandLine, machineAllowedProblem, machinePatternMatches, type AppDef, type AppDefCommand, type ParDef } from "./appdef";

// A fluent builder of AppDefs: one command ("run", path /bin/run) unless told otherwise.
class AppDefBuilder {
  private a: AppDef = { name: "demo", image: { type: "docker", data: "registry.example.com/demo:1" }, commands: {} };
  private current = "run";

  constructor() {
    this.command("run");
  }
  /** add a command and make it the one later calls refer to */
  command(id: string, path = `/bin/${id}`): this {
    this.a.commands[id] = { name: id, path, parameters: {} };
    this.current = id;
    return this;
  }
  param(id: string, def: Partial<ParDef> & Pick<ParDef, "type">): this {
    this.a.commands[this.current]!.parameters![id] = { name: id, ...def };
    return this;
  }
  commandMachines(...patterns: string[]): this {
    (this.a.commands[this.current] as AppDefCommand).machines = patterns;
    return this;
  }
  machines(...patterns: string[]): this {
    this.a.machines = patterns;
    return this;
  }
  build(): AppDef {
    return structuredClone(this.a);
  }
}
const anApp = (): AppDefBuilder => new AppDefBuilder();

const argvOf = (app: AppDef, submitted: Record<string, unknown>, command = "run"): string[] => {
  const r = commandLine(app, command, submitted);
  if (!r.ok) throw new Error(`${r.field}: ${r.problem}`);
  return r.value.argv;
};
const failureOf = (app: AppDef, submitted: Record<string, unknown>, command = "run") => {
  const r = commandLine(app, command, submitted);
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.value)}`);
  return { field: r.field, problem: r.problem };
};

describe("checkAppDef: errors name the field", () => {
  const valid = () => ({
    name: "demo",
    image: { type: "docker", data: "img:1" },
    commands: { run: { path: "/bin/run", parameters: { n: { name: "n", type: "INT" } } } },
  });

  it("accepts a valid AppDef and names each command by its id when it has no name", () => {
    const r = checkAppDef(valid());
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.commands.run!.name).toBe("run");
  });

  it("keeps a command's own name", () => {
    const doc = valid();
    (doc.commands.run as Record<string, unknown>).name = "Run it";
    const r = checkAppDef(doc);
    expect(r.ok && r.value.commands.run!.name).toBe("Run it");
  });

  it.each<[string, (d: Record<string, unknown>) => unknown, string]>([
    ["not an object", () => [], "appdef"],
    ["null", () => null, "appdef"],
    ["missing name", (d) => ({ ...d, name: undefined }), "appdef.name"],
    ["empty name", (d) => ({ ...d, name: "" }), "appdef.name"],
    ["missing image", (d) => ({ ...d, image: undefined }), "appdef.image.data"],
    ["missing image.data", (d) => ({ ...d, image: { type: "docker" } }), "appdef.image.data"],
    ["empty image.data", (d) => ({ ...d, image: { type: "docker", data: "" } }), "appdef.image.data"],
    ["missing commands", (d) => ({ ...d, commands: undefined }), "appdef.commands"],
    ["no commands", (d) => ({ ...d, commands: {} }), "appdef.commands"],
    ["machines not a list", (d) => ({ ...d, machines: "n*" }), "appdef.machines"],
    ["machines with a non-string", (d) => ({ ...d, machines: ["n*", 3] }), "appdef.machines"],
    ["a command not an object", (d) => ({ ...d, commands: { run: "x" } }), "appdef.commands.run"],
    ["a command without path", (d) => ({ ...d, commands: { run: { parameters: {} } } }), "appdef.commands.run.path"],
    ["a command with an empty path", (d) => ({ ...d, commands: { run: { path: "" } } }), "appdef.commands.run.path"],
    ["parameters not an object", (d) => ({ ...d, commands: { run: { path: "/x", parameters: [] } } }), "appdef.commands.run.parameters"],
    ["a parameter not an object", (d) => ({ ...d, commands: { run: { path: "/x", parameters: { p: 1 } } } }), "appdef.commands.run.parameters.p"],
    ["a bad parameter type", (d) => ({ ...d, commands: { run: { path: "/x", parameters: { p: { type: "STRING" } } } } }), "appdef.commands.run.parameters.p.type"],
    ["a parameter without type", (d) => ({ ...d, commands: { run: { path: "/x", parameters: { p: {} } } } }), "appdef.commands.run.parameters.p.type"],
    ["a selection without values", (d) => ({ ...d, commands: { run: { path: "/x", parameters: { p: { type: "selection" } } } } }), "appdef.commands.run.parameters.p.values"],
    ["a selection with no values", (d) => ({ ...d, commands: { run: { path: "/x", parameters: { p: { type: "selection", values: [] } } } } }), "appdef.commands.run.parameters.p.values"],
    ["a CONST without value", (d) => ({ ...d, commands: { run: { path: "/x", parameters: { p: { type: "CONST" } } } } }), "appdef.commands.run.parameters.p.value"],
    ["a min that is text", (d) => ({ ...d, commands: { run: { path: "/x", parameters: { p: { type: "INT", min: "0x10" } } } } }), "appdef.commands.run.parameters.p.min"],
    ["a max that is not finite", (d) => ({ ...d, commands: { run: { path: "/x", parameters: { p: { type: "FLOAT", max: null } } } } }), "appdef.commands.run.parameters.p.max"],
    ["a min above the max", (d) => ({ ...d, commands: { run: { path: "/x", parameters: { p: { type: "RANGE", min: 10, max: 1 } } } } }), "appdef.commands.run.parameters.p.min"],
  ])("refuses %s, naming %s", (_what, mutate, field) => {
    const r = checkAppDef(mutate(valid()));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe(field);
      expect(r.problem.length).toBeGreaterThan(0);
    }
  });

  it("names the command and parameter among several", () => {
    const r = checkAppDef({ ...valid(), commands: { run: { path: "/a" }, gui: { path: "/b", parameters: { ok: { type: "STR" }, bad: { type: "NUMBER" } } } } });
    expect(!r.ok && r.field).toBe("appdef.commands.gui.parameters.bad.type");
  });
});

describe("commandLine: positional parameters", () => {
  it("passes parameters as positional values in AppDef order, not submission order", () => {
    const app = anApp().param("a", { type: "STR" }).param("b", { type: "STR" }).param("c", { type: "INT" }).build();
    expect(argvOf(app, { c: 3, b: "second", a: "first" })).toEqual(["/bin/run", "first", "second", "3"]);
  });

  it("passes `positional: false` as -<id> <value>", () => {
    const app = anApp().param("input", { type: "STR", positional: false }).param("out", { type: "STR" }).build();
    expect(argvOf(app, { input: "data.csv", out: "o" })).toEqual(["/bin/run", "-input", "data.csv", "o"]);
  });

  it("fills in defaults and skips unset optional parameters", () => {
    const app = anApp().param("mode", { type: "STR", value: "fast" }).param("extra", { type: "STR" }).build();
    const r = commandLine(app, "run", {});
    expect(r.ok && r.value).toEqual({ argv: ["/bin/run", "fast"], env: {}, parameters: { mode: "fast" } });
  });

  it("runs the command alone when it has no parameters", () => {
    const app = anApp().command("bare", "/usr/bin/bare").build();
    expect(argvOf(app, {}, "bare")).toEqual(["/usr/bin/bare"]);
  });
});

describe("commandLine: BOOL", () => {
  const app = anApp().param("verbose", { type: "BOOL" }).param("x", { type: "STR" }).build();

  it.each([
    [true, ["/bin/run", "-verbose", "v"]],
    ["true", ["/bin/run", "-verbose", "v"]],
    [false, ["/bin/run", "v"]],
    ["false", ["/bin/run", "v"]],
  ])("verbose=%s gives %j", (verbose, argv) => {
    expect(argvOf(app, { verbose, x: "v" })).toEqual(argv);
  });

  it("records the accepted boolean", () => {
    const r = commandLine(app, "run", { verbose: "true" });
    expect(r.ok && r.value.parameters).toEqual({ verbose: true });
  });

  it.each(["yes", 1, "TRUE"])("refuses %j", (verbose) => {
    expect(failureOf(app, { verbose })).toEqual({ field: "application.parameters.verbose", problem: "must be true or false" });
  });
});

describe("commandLine: variables", () => {
  it("passes a `variable: true` parameter as an environment variable, not on the command line", () => {
    const app = anApp().param("TOKEN", { type: "STR", variable: true }).param("N", { type: "INT", variable: true }).param("pos", { type: "STR" }).build();
    const r = commandLine(app, "run", { TOKEN: "abc", N: "4", pos: "p" });
    expect(r.ok && r.value).toEqual({ argv: ["/bin/run", "p"], env: { TOKEN: "abc", N: "4" }, parameters: { TOKEN: "abc", N: 4, pos: "p" } });
  });

  it("passes a BOOL variable as true/false", () => {
    const app = anApp().param("DEBUG", { type: "BOOL", variable: true }).build();
    const r = commandLine(app, "run", { DEBUG: false });
    expect(r.ok && r.value.env).toEqual({ DEBUG: "false" });
    expect(r.ok && r.value.argv).toEqual(["/bin/run"]);
  });
});

describe("commandLine: CONST", () => {
  const app = anApp().param("license", { type: "CONST", value: "site-123", positional: false }).param("x", { type: "STR" }).build();

  it("always passes the AppDef value", () => {
    expect(argvOf(app, { x: "a" })).toEqual(["/bin/run", "-license", "site-123", "a"]);
  });

  it("accepts the same value submitted", () => {
    expect(argvOf(app, { license: "site-123" })).toEqual(["/bin/run", "-license", "site-123"]);
  });

  it("refuses to override it", () => {
    expect(failureOf(app, { license: "stolen" })).toEqual({ field: "application.parameters.license", problem: "is a constant and cannot be set" });
  });

  it("passes a numeric CONST as its text", () => {
    const numeric = anApp().param("threads", { type: "CONST", value: 8 }).build();
    expect(argvOf(numeric, {})).toEqual(["/bin/run", "8"]);
    expect(argvOf(numeric, { threads: "8" })).toEqual(["/bin/run", "8"]);
  });

  it("passes a boolean CONST (an AppDef checkAppDef accepts) instead of blaming the submission", () => {
    const flag = anApp().param("batch", { type: "CONST", value: true }).build();
    expect(checkAppDef(flag).ok).toBe(true);
    expect(argvOf(flag, {})).toEqual(["/bin/run", "true"]);
  });
});

describe("commandLine: INT, FLOAT and RANGE", () => {
  const app = anApp().param("n", { type: "INT", min: 1, max: 64 }).param("f", { type: "FLOAT", min: 0, max: 1 }).param("r", { type: "RANGE", min: 10, max: 20 }).build();

  it("parses numbers given as strings and as numbers", () => {
    const r = commandLine(app, "run", { n: "16", f: 0.5, r: "15" });
    expect(r.ok && r.value.argv).toEqual(["/bin/run", "16", "0.5", "15"]);
    expect(r.ok && r.value.parameters).toEqual({ n: 16, f: 0.5, r: 15 });
  });

  it("accepts plain decimal strings, signed or not, with or without a fraction", () => {
    expect(argvOf(app, { n: "+16", f: ".5", r: "12.5" })).toEqual(["/bin/run", "16", "0.5", "12.5"]);
    expect(argvOf(app, { n: "016", f: "0.25" })).toEqual(["/bin/run", "16", "0.25"]);
    const signed = anApp().param("d", { type: "INT", min: -10 }).build();
    expect(argvOf(signed, { d: "-5" })).toEqual(["/bin/run", "-5"]);
  });

  it("accepts the bounds themselves", () => {
    expect(argvOf(app, { n: 1, f: 0, r: 20 })).toEqual(["/bin/run", "1", "0", "20"]);
    expect(argvOf(app, { n: "64", f: "1" })).toEqual(["/bin/run", "64", "1"]);
  });

  it.each<[Record<string, unknown>, string, string]>([
    [{ n: "1.5" }, "n", "must be an integer"],
    [{ n: 2.5 }, "n", "must be an integer"],
    [{ n: "abc" }, "n", "must be an integer"],
    [{ n: "  " }, "n", "must be an integer"],
    [{ n: true }, "n", "must be an integer"],
    // Number() reads these; a plain-decimal parameter must not
    [{ n: "0x10" }, "n", "must be an integer"],
    [{ n: "1e3" }, "n", "must be an integer"],
    [{ n: "0b11" }, "n", "must be an integer"],
    [{ n: "0o17" }, "n", "must be an integer"],
    [{ n: " 16" }, "n", "must be an integer"],
    [{ n: "16\n" }, "n", "must be an integer"],
    [{ n: "1_000" }, "n", "must be an integer"],
    [{ n: "99999999999999999999" }, "n", "must be an integer"],
    [{ n: 1e300 }, "n", "must be an integer"],
    [{ f: "0x1" }, "f", "must be a number"],
    [{ f: "1e-1" }, "f", "must be a number"],
    [{ f: "-Infinity" }, "f", "must be a number"],
    [{ f: "NaN" }, "f", "must be a number"],
    [{ r: "0x10" }, "r", "must be a number"],
    [{ r: "1e1" }, "r", "must be a number"],
    [{ n: 0 }, "n", "must be at least 1"],
    [{ n: "65" }, "n", "must be at most 64"],
    [{ f: "x" }, "f", "must be a number"],
    [{ f: "Infinity" }, "f", "must be a number"],
    [{ f: -0.1 }, "f", "must be at least 0"],
    [{ f: "1.01" }, "f", "must be at most 1"],
    [{ r: 9 }, "r", "must be at least 10"],
    [{ r: 21 }, "r", "must be at most 20"],
  ])("refuses %j", (submitted, id, problem) => {
    expect(failureOf(app, submitted)).toEqual({ field: `application.parameters.${id}`, problem });
  });
});

describe("commandLine: selection", () => {
  const app = anApp().param("solver", { type: "selection", values: ["cg", "gmres"], value: "cg" }).build();

  it("accepts one of the values and defaults to the AppDef value", () => {
    expect(argvOf(app, { solver: "gmres" })).toEqual(["/bin/run", "gmres"]);
    expect(argvOf(app, {})).toEqual(["/bin/run", "cg"]);
  });

  it("refuses anything else, listing the values", () => {
    expect(failureOf(app, { solver: "lu" })).toEqual({ field: "application.parameters.solver", problem: "must be one of cg, gmres" });
    expect(failureOf(app, { solver: "CG" }).field).toBe("application.parameters.solver");
  });
});

describe("commandLine: strings", () => {
  it("accepts strings and numbers for STR, FILE and UPLOAD", () => {
    const app = anApp().param("s", { type: "STR" }).param("file", { type: "FILE" }).param("up", { type: "UPLOAD" }).build();
    expect(argvOf(app, { s: 7, file: "/data/in.txt", up: "u.bin" })).toEqual(["/bin/run", "7", "/data/in.txt", "u.bin"]);
  });

  it("refuses objects and booleans for a STR", () => {
    const app = anApp().param("s", { type: "STR" }).build();
    expect(failureOf(app, { s: { a: 1 } })).toEqual({ field: "application.parameters.s", problem: "must be a string" });
    expect(failureOf(app, { s: true }).field).toBe("application.parameters.s");
  });
});

describe("commandLine: required, unknown parameters and commands", () => {
  const app = anApp().param("input", { type: "STR", required: true }).param("opt", { type: "STR" }).command("gui").build();

  it.each([{}, { input: "" }, { input: null }])("refuses a missing required parameter: %j", (submitted) => {
    expect(failureOf(app, submitted)).toEqual({ field: "application.parameters.input", problem: "is required" });
  });

  it("refuses an unknown parameter, listing the command's parameters", () => {
    const f = failureOf(app, { input: "x", colour: "red" });
    expect(f.field).toBe("application.parameters.colour");
    expect(f.problem).toContain("has no such parameter");
    expect(f.problem).toContain("input, opt");
  });

  it("says 'none' when the command has no parameters", () => {
    expect(failureOf(app, { x: 1 }, "gui").problem).toContain("(it has none)");
  });

  it.each(["toString", "constructor", "__proto__", "hasOwnProperty"])("refuses the parameter '%s' (inherited object properties are not parameters)", (k) => {
    const submitted = JSON.parse(`{"input": "x", ${JSON.stringify(k)}: "y"}`) as Record<string, unknown>;
    expect(failureOf(app, submitted).field).toBe(`application.parameters.${k}`);
  });

  it("treats AppDef parameters named like object properties as unset when not submitted", () => {
    const odd = anApp().param("constructor", { type: "STR" }).param("toString", { type: "STR", positional: false }).build();
    expect(argvOf(odd, {})).toEqual(["/bin/run"]);
    expect(argvOf(odd, { toString: "t", constructor: "c" })).toEqual(["/bin/run", "c", "-toString", "t"]);
  });

  it("refuses an unknown command, naming application.command and the app's commands", () => {
    const f = failureOf(app, {}, "batch");
    expect(f.field).toBe("application.command");
    expect(f.problem).toContain("'demo'");
    expect(f.problem).toContain("'batch'");
    expect(f.problem).toContain("run, gui");
  });

  it.each(["toString", "constructor", "__proto__", "valueOf"])("refuses the command '%s' (inherited object properties are not commands)", (command) => {
    expect(failureOf(app, {}, command).field).toBe("application.command");
  });
});

describe("machinePatternMatches: glob patterns", () => {
  it.each([
    ["n*", "n1", true],
    ["n*", "n", true],
    ["n*", "gn1", false],
    ["g?-*", "g4-large", true],
    ["g?-*", "g44-large", false],
    ["n1", "n1", true],
    ["n1", "n10", false],
    ["*", "anything", true],
    ["n.1", "n.1", true],
    ["n.1", "nx1", false],
    ["n+(1)", "n+(1)", true],
    ["n[12]", "n1", false],
    ["N*", "n1", false],
  ])("'%s' vs '%s' -> %s", (pattern, machine, expected) => {
    expect(machinePatternMatches(pattern, machine)).toBe(expected);
  });
});

describe("machineAllowedProblem", () => {
  it("allows any machine when neither the app nor the command has patterns", () => {
    expect(machineAllowedProblem(anApp().build(), "run", "anything")).toBeUndefined();
    expect(machineAllowedProblem(anApp().machines().build(), "run", "anything")).toBeUndefined();
  });

  it("applies the app-level patterns", () => {
    const app = anApp().machines("n*", "g?").build();
    expect(machineAllowedProblem(app, "run", "n3")).toBeUndefined();
    expect(machineAllowedProblem(app, "run", "g1")).toBeUndefined();
    expect(machineAllowedProblem(app, "run", "x1")).toBe("app 'demo' runs only on machines matching n*, g?");
  });

  it("lets command-level patterns replace the app-level ones", () => {
    const app = anApp().machines("n*").command("train").commandMachines("g*").build();
    expect(machineAllowedProblem(app, "train", "g4")).toBeUndefined();
    expect(machineAllowedProblem(app, "train", "n1")).toBe("app 'demo' runs only on machines matching g*");
    expect(machineAllowedProblem(app, "run", "n1")).toBeUndefined();
    expect(machineAllowedProblem(app, "run", "g4")).toBe("app 'demo' runs only on machines matching n*");
  });

  it("falls back to the app-level patterns for an unknown command", () => {
    const app = anApp().machines("n*").build();
    expect(machineAllowedProblem(app, "nope", "g1")).toBeDefined();
  });
});

describe("appDefProblems", () => {
  it("names every problem of the document, under the given prefix", () => {
    const doc = { image: {}, commands: { run: { parameters: { n: { type: "INT", min: 5, max: 1 } } }, web: "x" } };
    expect(appDefProblems(doc, "")).toEqual([
      { field: "name", problem: "is required" },
      { field: "image.data", problem: "is required: the container image" },
      { field: "commands.run.path", problem: "is required: the program to run" },
      { field: "commands.run.parameters.n.min", problem: "must not be more than max (1)" },
      { field: "commands.web", problem: "must be an object" },
    ]);
    expect(appDefProblems({ name: "x", image: { data: "i" }, commands: { run: { path: "/bin/run" } } })).toEqual([]);
    expect(appDefProblems([], "")).toEqual([{ field: "body", problem: "must be a JSON object" }]);
  });
});
