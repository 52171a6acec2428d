import { describe, expect, it } from "vitest";
import { parseCpuTimes, readCpuTimes, stealPercent } from "./cpuSteal";

const stat = (user: number, idle: number, steal: number) => `cpu  ${user} 0 100 ${idle} 0 0 0 ${steal} 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 5 0\n`;

describe("CPU steal", () => {
  it("reads the aggregate line's counters: the sum of the first eight and the eighth", () => {
    expect(parseCpuTimes(stat(1000, 500, 50))).toEqual({ total: 1650, steal: 50 });
    expect(parseCpuTimes("intr 5 0\n")).toBeUndefined();
    expect(parseCpuTimes("cpu  1 2 3\n")).toBeUndefined();
  });

  it("is the stolen share of the time between two readings", () => {
    const a = parseCpuTimes(stat(1000, 500, 50));
    const b = parseCpuTimes(stat(1600, 800, 150)); // 1000 ticks later, 100 of them stolen
    expect(stealPercent(a, b)).toBeCloseTo(10, 6);
    expect(stealPercent(a, a)).toBeUndefined();
    expect(stealPercent(undefined, b)).toBeUndefined();
  });

  it.runIf(process.platform === "linux")("reads this machine's /proc/stat", () => {
    const t = readCpuTimes();
    expect(t).toBeDefined();
    expect(t!.total).toBeGreaterThan(0);
    expect(t!.steal).toBeGreaterThanOrEqual(0);
  });
});
