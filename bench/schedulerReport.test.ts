import { describe, expect, it } from "vitest";
import { markdownTable, median, podsPerSecond, ratiosTo, spread, summarize, SUMMARY_HEADERS, type RunResult } from "./schedulerReport";

const run = (over: Partial<RunResult>): RunResult => ({
  shape: "quarter",
  contender: "binder",
  multiTenant: false,
  repetition: 1,
  pods: 100,
  bound: 100,
  outcome: "all bound",
  firstBindS: 0.5,
  lastBindS: 2,
  nodesUsed: 10,
  lowerBound: 10,
  violations: 0,
  overcommits: 0,
  partialGangs: 0,
  ...over,
});

describe("podsPerSecond", () => {
  it("is bound pods over the seconds to the last binding, 0 when nothing was bound", () => {
    expect(podsPerSecond({ bound: 100, lastBindS: 2 })).toBe(50);
    expect(podsPerSecond({ bound: 0, lastBindS: undefined })).toBe(0);
  });
});

describe("median and spread", () => {
  it("takes the middle value, or the mean of the middle two", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });

  it("prints one value alone and several as median (min-max), ignoring NaN", () => {
    expect(spread([281.4], 0)).toBe("281");
    expect(spread([1, 3, 2, NaN], 1)).toBe("2.0 (1.0-3.0)");
    expect(spread([NaN], 1)).toBe("-");
  });
});

describe("ratiosTo", () => {
  it("divides by the baseline of the same shape and repetition", () => {
    const results = [
      run({ contender: "binder", repetition: 1, lastBindS: 1 }), // 100/s
      run({ contender: "binder", repetition: 2, lastBindS: 2 }), // 50/s
      run({ contender: "paddock", repetition: 2, lastBindS: 4 }), // 25/s
      run({ shape: "onecpu", contender: "binder", repetition: 2, lastBindS: 10 }),
    ];
    expect(ratiosTo(results, results[2]!, "binder")).toBe(0.5);
    expect(ratiosTo(results, results[2]!, "kube-scheduler")).toBeNaN();
  });
});

describe("summarize", () => {
  it("makes one row per shape and scheduler with medians, ratios, and the worst of the checks", () => {
    const results = [
      run({ contender: "binder", repetition: 1, lastBindS: 1 }),
      run({ contender: "kube", repetition: 1, lastBindS: 2 }),
      run({ contender: "paddock", repetition: 1, lastBindS: 1.25, nodesUsed: 11, partialGangs: 0 }),
      run({ contender: "binder", repetition: 2, lastBindS: 1 }),
      run({ contender: "kube", repetition: 2, lastBindS: 2 }),
      run({ contender: "paddock", repetition: 2, outcome: "stalled", bound: 90, lastBindS: 1, partialGangs: 3 }),
    ];
    const rows = summarize(results, { paddock: "Paddock" }, { binder: "binder", kube: "kube" });
    expect(rows.map((r) => r.contender)).toEqual(["binder", "kube", "paddock"]);
    const cells = Object.fromEntries(SUMMARY_HEADERS.map((h, i) => [h, rows[2]!.cells[i]]));
    expect(cells).toMatchObject({
      scheduler: "Paddock",
      "pods/s": "85 (80-90)",
      "x binder": "0.85 (0.80-0.90)",
      "x kube-scheduler": "1.70 (1.60-1.80)",
      "all bound (s)": "stalled in 1 of 2 run(s)",
      "nodes used (lower bound)": "11 (10-11) (10)",
      "partial gangs": "3",
      unbound: "10",
    });
    expect(rows[0]!.cells[3]).toBe("1.00");
  });
});

describe("markdownTable", () => {
  it("has a header, a rule and escaped cells", () => {
    expect(markdownTable(["a", "b"], [["1", "x|y"]])).toBe("| a | b |\n| --- | --- |\n| 1 | x\\|y |");
  });
});
