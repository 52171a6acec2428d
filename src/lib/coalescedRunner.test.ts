import { describe, expect, it } from "vitest";
import { CoalescedRunner } from "./coalescedRunner";

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("CoalescedRunner", () => {
  it("folds requests made during a run into one more run", async () => {
    let runs = 0;
    let release: () => void = () => {};
    const r = new CoalescedRunner(
      async () => {
        runs++;
        if (runs === 1) await new Promise<void>((res) => (release = res));
      },
      () => true,
      () => {},
    );
    r.request();
    for (let i = 0; i < 10; i++) r.request();
    expect(runs).toBe(1);
    release();
    await tick();
    await r.idle();
    expect(runs).toBe(2);
  });

  it("ignores requests while disabled and reports errors without stopping later runs", async () => {
    let enabled = false;
    const errors: string[] = [];
    let runs = 0;
    const r = new CoalescedRunner(
      async () => {
        runs++;
        if (runs === 1) throw new Error("boom");
      },
      () => enabled,
      (e) => errors.push(e.message),
    );
    r.request();
    await r.idle();
    expect(runs).toBe(0);
    enabled = true;
    r.request();
    await r.idle();
    r.request();
    await r.idle();
    expect(errors).toEqual(["boom"]);
    expect(runs).toBe(2);
  });
});
