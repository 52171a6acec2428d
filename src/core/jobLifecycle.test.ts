import { describe, expect, it } from "vitest";
import { isActive, nextStep, type JobState, type JobStatus, type NextStep, type ObservedPod, type PodPhase } from "./jobLifecycle";

// Observed pods of job 7, built fluently: aPod(0).running(), aPod(1).failed(3).deleting()
class PodBuilder {
  private p: ObservedPod;
  constructor(index: number) {
    this.p = { jobNumber: 7, index, name: `jarvice-job-7-${index}`, phase: "Pending" };
  }
  phase(phase: PodPhase): this {
    this.p.phase = phase;
    return this;
  }
  pending(): this {
    return this.phase("Pending");
  }
  running(): this {
    this.p = { ...this.p, phase: "Running", node: "node-a", ip: "10.244.0.2" };
    return this;
  }
  succeeded(exitCode?: number): this {
    this.p = { ...this.p, phase: "Succeeded", ...(exitCode !== undefined ? { exitCode } : {}) };
    return this;
  }
  failed(exitCode?: number): this {
    this.p = { ...this.p, phase: "Failed", ...(exitCode !== undefined ? { exitCode } : {}) };
    return this;
  }
  deleting(): this {
    this.p.deleting = true;
    return this;
  }
  build(): ObservedPod {
    return { ...this.p };
  }
}
const aPod = (index: number): PodBuilder => new PodBuilder(index);
const pods = (...bs: PodBuilder[]): ObservedPod[] => bs.map((b) => b.build());
const job = (status: JobStatus, nodes = 2, stopRequested: JobState["stopRequested"] = null): JobState => ({ status, nodes, stopRequested });

const SUBMITTED = "SUBMITTED";
const STARTING = "PROCESSING STARTING";

describe("isActive", () => {
  it.each<[string, boolean]>([
    ["SUBMITTED", true],
    ["PROCESSING STARTING", true],
    ["COMPLETED", false],
    ["COMPLETED WITH ERROR", false],
    ["TERMINATED", false],
    ["CANCELED", false],
    ["unknown", false],
  ])("%s -> %s", (s, active) => expect(isActive(s)).toBe(active));
});

describe("nextStep: every transition", () => {
  it.each<[string, JobState, ObservedPod[], NextStep]>([
    // SUBMITTED: create pods until all exist, then wait for all to run.
    ["SUBMITTED, no pods -> create them", job(SUBMITTED), [], { createPods: true }],
    ["SUBMITTED, some pods -> create the rest", job(SUBMITTED, 3), pods(aPod(0).running()), { createPods: true }],
    ["SUBMITTED, pods being deleted do not count -> create", job(SUBMITTED), pods(aPod(0).running(), aPod(1).running().deleting()), { createPods: true }],
    ["SUBMITTED, all Running -> PROCESSING STARTING with start", job(SUBMITTED), pods(aPod(0).running(), aPod(1).running()), { status: { status: STARTING, start: true } }],
    ["SUBMITTED, one pod, Running -> PROCESSING STARTING", job(SUBMITTED, 1), pods(aPod(0).running()), { status: { status: STARTING, start: true } }],
    ["SUBMITTED, some Pending -> nothing", job(SUBMITTED), pods(aPod(0).running(), aPod(1).pending()), {}],
    ["SUBMITTED, all Pending -> nothing", job(SUBMITTED), pods(aPod(0).pending(), aPod(1).pending()), {}],
    ["SUBMITTED, a pod Unknown -> nothing", job(SUBMITTED), pods(aPod(0).running(), aPod(1).phase("Unknown")), {}],

    // Held for its Limits: no pods until released; a stop cancels it.
    ["SUBMITTED, held, no pods -> nothing", { ...job(SUBMITTED), held: true }, [], {}],
    ["SUBMITTED, held, terminate -> CANCELED", { ...job(SUBMITTED, 2, "terminate"), held: true }, [], { status: { status: "CANCELED", end: true, substatusText: "terminate requested" } }],
    ["SUBMITTED, released (held false), no pods -> create them", { ...job(SUBMITTED), held: false }, [], { createPods: true }],

    // A failed pod ends the job with an error, whether it started or not.
    [
      "SUBMITTED, a pod Failed -> COMPLETED WITH ERROR, start and end, its exit code, delete",
      job(SUBMITTED),
      pods(aPod(0).pending(), aPod(1).failed(137)),
      { deletePods: true, status: { status: "COMPLETED WITH ERROR", start: true, end: true, exitcode: 137, substatusText: "pod jarvice-job-7-1 failed" } },
    ],
    [
      "PROCESSING STARTING, a pod Failed -> COMPLETED WITH ERROR, no new start",
      job(STARTING),
      pods(aPod(0).running(), aPod(1).failed(2)),
      { deletePods: true, status: { status: "COMPLETED WITH ERROR", end: true, exitcode: 2, substatusText: "pod jarvice-job-7-1 failed" } },
    ],
    [
      "a Failed pod without exit code -> exit code 1",
      job(STARTING),
      pods(aPod(0).failed(), aPod(1).running()),
      { deletePods: true, status: { status: "COMPLETED WITH ERROR", end: true, exitcode: 1, substatusText: "pod jarvice-job-7-0 failed" } },
    ],
    ["a Failed pod already being deleted is not the job's failure", job(STARTING), pods(aPod(0).running(), aPod(1).running(), aPod(1).failed(9).deleting()), {}],

    // Pod 0 decides success.
    [
      "PROCESSING STARTING, pod 0 Succeeded -> COMPLETED, delete the others",
      job(STARTING),
      pods(aPod(0).succeeded(0), aPod(1).running()),
      { deletePods: true, status: { status: "COMPLETED", end: true, exitcode: 0 } },
    ],
    ["PROCESSING STARTING, one pod, pod 0 Succeeded -> COMPLETED, nothing to delete", job(STARTING, 1), pods(aPod(0).succeeded()), { status: { status: "COMPLETED", end: true, exitcode: 0 } }],
    [
      "SUBMITTED, pod 0 Succeeded before it was seen running -> COMPLETED with start",
      job(SUBMITTED, 1),
      pods(aPod(0).succeeded(0)),
      { status: { status: "COMPLETED", start: true, end: true, exitcode: 0 } },
    ],
    [
      "SUBMITTED, pod 0 Succeeded, another Pending -> COMPLETED with start, delete",
      job(SUBMITTED),
      pods(aPod(0).succeeded(), aPod(1).pending()),
      { deletePods: true, status: { status: "COMPLETED", start: true, end: true, exitcode: 0 } },
    ],
    ["a non-zero exit code of a Succeeded pod 0 is kept", job(STARTING, 1), pods(aPod(0).succeeded(3)), { status: { status: "COMPLETED", end: true, exitcode: 3 } }],
    // Pod 0 is the job: its success is final, whatever the others did or however far their deletion went.
    [
      "PROCESSING STARTING, pod 0 Succeeded, another Failed (stopped with it) -> COMPLETED, delete the other",
      job(STARTING),
      pods(aPod(0).succeeded(0), aPod(1).failed(143)),
      { deletePods: true, status: { status: "COMPLETED", end: true, exitcode: 0 } },
    ],
    [
      "PROCESSING STARTING, pod 0 Succeeded and being deleted, the other gone (deleted before the end was saved) -> COMPLETED, not pods lost",
      job(STARTING),
      pods(aPod(0).succeeded(0).deleting()),
      { status: { status: "COMPLETED", end: true, exitcode: 0 } },
    ],
    [
      "PROCESSING STARTING, pod 0 Succeeded being deleted, the other still being deleted -> COMPLETED, nothing to delete",
      job(STARTING, 3),
      pods(aPod(0).succeeded(0).deleting(), aPod(2).running().deleting()),
      { status: { status: "COMPLETED", end: true, exitcode: 0 } },
    ],
    ["PROCESSING STARTING, another pod Succeeded, pod 0 Running -> nothing", job(STARTING), pods(aPod(0).running(), aPod(1).succeeded()), {}],
    ["PROCESSING STARTING, all Running -> nothing", job(STARTING), pods(aPod(0).running(), aPod(1).running()), {}],

    // Pods lost after the start.
    [
      "PROCESSING STARTING, a pod lost -> COMPLETED WITH ERROR, delete the rest",
      job(STARTING, 3),
      pods(aPod(0).running(), aPod(2).running()),
      { deletePods: true, status: { status: "COMPLETED WITH ERROR", end: true, exitcode: 1, substatusText: "1 pod(s) lost" } },
    ],
    [
      "PROCESSING STARTING, all pods lost -> COMPLETED WITH ERROR, nothing to delete",
      job(STARTING),
      [],
      { status: { status: "COMPLETED WITH ERROR", end: true, exitcode: 1, substatusText: "2 pod(s) lost" } },
    ],
    [
      "PROCESSING STARTING, pods being deleted count as lost",
      job(STARTING),
      pods(aPod(0).running(), aPod(1).running().deleting()),
      { deletePods: true, status: { status: "COMPLETED WITH ERROR", end: true, exitcode: 1, substatusText: "1 pod(s) lost" } },
    ],

    // Stop requests win over everything else while the job is active.
    ["terminate, started, pods live -> TERMINATED, delete", job(STARTING, 2, "terminate"), pods(aPod(0).running(), aPod(1).running()), { deletePods: true, status: { status: "TERMINATED", end: true, substatusText: "terminate requested" } }],
    ["terminate, started, no pods -> TERMINATED", job(STARTING, 2, "terminate"), [], { status: { status: "TERMINATED", end: true, substatusText: "terminate requested" } }],
    ["shutdown, started, pods live -> COMPLETED, delete", job(STARTING, 2, "shutdown"), pods(aPod(0).running(), aPod(1).running()), { deletePods: true, status: { status: "COMPLETED", end: true, substatusText: "shutdown requested" } }],
    ["shutdown, started, no pods -> COMPLETED", job(STARTING, 2, "shutdown"), [], { status: { status: "COMPLETED", end: true, substatusText: "shutdown requested" } }],
    ["terminate, never started, pods live -> CANCELED, delete", job(SUBMITTED, 2, "terminate"), pods(aPod(0).pending()), { deletePods: true, status: { status: "CANCELED", end: true, substatusText: "terminate requested" } }],
    ["terminate, never started, no pods -> CANCELED", job(SUBMITTED, 2, "terminate"), [], { status: { status: "CANCELED", end: true, substatusText: "terminate requested" } }],
    ["shutdown, never started, pods live -> CANCELED, delete", job(SUBMITTED, 2, "shutdown"), pods(aPod(0).running(), aPod(1).pending()), { deletePods: true, status: { status: "CANCELED", end: true, substatusText: "shutdown requested" } }],
    ["shutdown, never started, no pods -> CANCELED", job(SUBMITTED, 2, "shutdown"), [], { status: { status: "CANCELED", end: true, substatusText: "shutdown requested" } }],
    ["stop with only pods being deleted -> no delete", job(STARTING, 2, "terminate"), pods(aPod(0).running().deleting()), { status: { status: "TERMINATED", end: true, substatusText: "terminate requested" } }],
    ["stop wins over a Failed pod", job(STARTING, 2, "shutdown"), pods(aPod(0).running(), aPod(1).failed(1)), { deletePods: true, status: { status: "COMPLETED", end: true, substatusText: "shutdown requested" } }],
    ["stop wins over pod 0 Succeeded", job(STARTING, 1, "terminate"), pods(aPod(0).succeeded()), { deletePods: true, status: { status: "TERMINATED", end: true, substatusText: "terminate requested" } }],
  ])("%s", (_name, state, observed, expected) => {
    expect(nextStep(state, observed)).toEqual(expected);
  });

  describe("a finished job", () => {
    const finished: JobStatus[] = ["COMPLETED", "COMPLETED WITH ERROR", "TERMINATED", "CANCELED"];

    it.each(finished)("%s with leftover pods -> delete them, status unchanged", (status) => {
      expect(nextStep(job(status), pods(aPod(0).running(), aPod(1).succeeded()))).toEqual({ deletePods: true });
    });

    it.each(finished)("%s with pods only being deleted -> nothing", (status) => {
      expect(nextStep(job(status), pods(aPod(0).running().deleting(), aPod(1).deleting()))).toEqual({});
    });

    it.each(finished)("%s with no pods -> nothing, even with a stop request", (status) => {
      expect(nextStep(job(status), [])).toEqual({});
      expect(nextStep(job(status, 2, "terminate"), [])).toEqual({});
    });
  });

  it("never asks to create pods for a started job", () => {
    for (const observed of [[], pods(aPod(0).running())]) {
      expect(nextStep(job(STARTING), observed).createPods).toBeUndefined();
    }
  });

  it("does not depend on the order in which pods are observed", () => {
    const observed = pods(aPod(1).running(), aPod(0).succeeded(), aPod(2).running());
    const reversed = [...observed].reverse();
    expect(nextStep(job(STARTING, 3), observed)).toEqual(nextStep(job(STARTING, 3), reversed));
  });
});
