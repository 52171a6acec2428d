import { describe, expect, it } from "vitest";
import { retryAfterMs, withFailure, type ThrottlePolicy } from "./loginThrottle";

const policy: ThrottlePolicy = { limit: 3, windowMs: 1000 };
const fail = (times: number[]) => times.reduce<number[]>((acc, t) => withFailure(acc, t, policy), []);

describe("retryAfterMs", () => {
  it("lets a key with fewer failures than the limit in the window try now", () => {
    expect(retryAfterMs([], 0, policy)).toBe(0);
    expect(retryAfterMs(fail([0, 100]), 200, policy)).toBe(0);
  });

  it("refuses a key at the limit until its oldest failure in the window ages out", () => {
    expect(retryAfterMs(fail([0, 100, 200]), 300, policy)).toBe(700);
    expect(retryAfterMs(fail([0, 100, 200]), 999, policy)).toBe(1);
    expect(retryAfterMs(fail([0, 100, 200]), 1000, policy)).toBe(0);
  });

  it("does not count failures older than the window", () => {
    expect(retryAfterMs(fail([0, 100, 1500]), 1600, policy)).toBe(0);
  });

  it("waits for as many failures to age out as leave the key one below the limit", () => {
    expect(retryAfterMs([0, 100, 200, 300], 400, policy)).toBe(100 + 1000 - 400);
  });
});

describe("withFailure", () => {
  it("keeps at most the newest `limit` failures, all within the window", () => {
    expect(fail([0, 100, 200, 300, 400])).toEqual([200, 300, 400]);
    expect(fail([0, 100, 2000])).toEqual([2000]);
  });
});
