import { afterEach, describe, expect, it } from "vitest";
import type { ObservedPod } from "../core/jobLifecycle";
import { podPlan, type JobForPlan, type PlannedPod } from "../core/podPlan";
import { requestsOf, SimulatedCluster, type SimulatedNode } from "./simulated";

// Time is driven by hand with tick(now); the interval is far enough away never to fire during a test.
const NEVER_MS = 1_000_000_000;
const START_DELAY_MS = 1_000;

// Fluent builders: aNode("a").cores(8).build(), aJob(1).forTenant("acme").pods(2).cores(4).plan()
class NodeBuilder {
  private n: SimulatedNode;
  constructor(name: string) {
    this.n = { name, cores: 8, memoryGb: 32 };
  }
  cores(cores: number): this {
    this.n.cores = cores;
    return this;
  }
  memoryGb(memoryGb: number): this {
    this.n.memoryGb = memoryGb;
    return this;
  }
  gpus(gpus: number): this {
    this.n.gpus = gpus;
    return this;
  }
  labelled(labels: Record<string, string>): this {
    this.n.labels = labels;
    return this;
  }
  build(): SimulatedNode {
    return { ...this.n };
  }
}
const aNode = (name: string): NodeBuilder => new NodeBuilder(name);

class JobBuilder {
  private j: JobForPlan;
  constructor(number: number) {
    this.j = {
      number,
      username: "bob",
      tenant: "acme",
      image: "img:1",
      command: ["/bin/run", "--fast"],
      machine: { name: "n1", cores: 2, memoryGb: 4, gpus: 0, nodeSelector: {} },
      nodes: 1,
      namespace: "jobs",
      durationSeconds: 30,
    };
  }
  forTenant(tenant: string, username = tenant): this {
    this.j.tenant = tenant;
    this.j.username = username;
    return this;
  }
  pods(n: number): this {
    this.j.nodes = n;
    return this;
  }
  cores(cores: number): this {
    this.j.machine = { ...this.j.machine, cores };
    return this;
  }
  memoryGb(memoryGb: number): this {
    this.j.machine = { ...this.j.machine, memoryGb };
    return this;
  }
  gpus(gpus: number): this {
    this.j.machine = { ...this.j.machine, gpus };
    return this;
  }
  onNodesLabelled(nodeSelector: Record<string, string>): this {
    this.j.machine = { ...this.j.machine, nodeSelector };
    return this;
  }
  walltime(walltime: string): this {
    this.j.walltime = walltime;
    return this;
  }
  lasting(seconds: number | undefined): this {
    this.j.durationSeconds = seconds;
    return this;
  }
  plan(): PlannedPod[] {
    return podPlan(this.j);
  }
}
const aJob = (number: number): JobBuilder => new JobBuilder(number);

let cluster: SimulatedCluster | undefined;
const aCluster = (nodes: SimulatedNode[], opts: { multiTenant?: boolean; defaultDurationSeconds?: number } = {}): SimulatedCluster => {
  cluster = new SimulatedCluster(nodes, { multiTenant: opts.multiTenant ?? true, startDelayMs: START_DELAY_MS, tickMs: NEVER_MS, ...(opts.defaultDurationSeconds !== undefined ? { defaultDurationSeconds: opts.defaultDurationSeconds } : {}) });
  return cluster;
};

afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const podsOf = async (c: SimulatedCluster, jobNumber: number): Promise<ObservedPod[]> => (await c.listPods()).filter((p) => p.jobNumber === jobNumber).sort((a, b) => a.index - b.index);
const phasesOf = async (c: SimulatedCluster, jobNumber: number) => (await podsOf(c, jobNumber)).map((p) => p.phase);
const nodesOf = async (c: SimulatedCluster, jobNumber: number) => (await podsOf(c, jobNumber)).map((p) => p.node);

describe("requestsOf", () => {
  it("requestsOf reads a planned pod's requests", () => {
    const [pod] = aJob(1).cores(4).memoryGb(16).gpus(1).plan();
    expect(requestsOf(pod!)).toEqual({ ok: true, requests: { cpu: 4000, memory: 16 * 2 ** 30, "nvidia.com/gpu": 1 } });
  });
});

describe("SimulatedCluster: phases", () => {
  it("describes itself", () => {
    expect(aCluster([aNode("a").build(), aNode("b").build()]).description).toBe("simulated (2 nodes)");
  });

  it("is Pending until placed, Running after the start delay, Succeeded after the duration annotation", async () => {
    const c = aCluster([aNode("a").build()]);
    await c.createPods(aJob(1).pods(2).lasting(30).plan());
    expect(await phasesOf(c, 1)).toEqual(["Pending", "Pending"]);
    expect(await nodesOf(c, 1)).toEqual([undefined, undefined]);

    c.tick(0); // placed, starting
    const placed = await podsOf(c, 1);
    expect(placed.map((p) => p.phase)).toEqual(["Pending", "Pending"]);
    expect(placed.map((p) => p.node)).toEqual(["a", "a"]);
    expect(placed.every((p) => p.ip !== undefined)).toBe(true);
    expect(new Set(placed.map((p) => p.ip)).size).toBe(2);

    c.tick(START_DELAY_MS - 1);
    expect(await phasesOf(c, 1)).toEqual(["Pending", "Pending"]);
    c.tick(START_DELAY_MS);
    expect(await phasesOf(c, 1)).toEqual(["Running", "Running"]);

    c.tick(START_DELAY_MS + 30_000 - 1);
    expect(await phasesOf(c, 1)).toEqual(["Running", "Running"]);
    c.tick(START_DELAY_MS + 30_000);
    const done = await podsOf(c, 1);
    expect(done.map((p) => p.phase)).toEqual(["Succeeded", "Succeeded"]);
    expect(done.map((p) => p.exitCode)).toEqual([0, 0]);
  });

  it("reports no exit code before a pod has finished", async () => {
    const c = aCluster([aNode("a").build()]);
    await c.createPods(aJob(1).plan());
    c.tick(0);
    c.tick(START_DELAY_MS);
    const [pod] = await podsOf(c, 1);
    expect(pod).toMatchObject({ jobNumber: 1, index: 0, name: "jarvice-job-1-0", phase: "Running", node: "a" });
    expect(pod!.exitCode).toBeUndefined();
  });

  it("uses the default duration when the pod has no annotation", async () => {
    const c = aCluster([aNode("a").build()], { defaultDurationSeconds: 5 });
    await c.createPods(aJob(1).lasting(undefined).plan());
    c.tick(0);
    c.tick(START_DELAY_MS);
    c.tick(START_DELAY_MS + 4_999);
    expect(await phasesOf(c, 1)).toEqual(["Running"]);
    c.tick(START_DELAY_MS + 5_000);
    expect(await phasesOf(c, 1)).toEqual(["Succeeded"]);
  });

  it("leaves existing pods alone when asked to create them again", async () => {
    const c = aCluster([aNode("a").build()]);
    const plans = aJob(1).plan();
    await c.createPods(plans);
    c.tick(0);
    c.tick(START_DELAY_MS);
    await c.createPods(plans);
    expect(await phasesOf(c, 1)).toEqual(["Running"]);
    expect(await c.listPods()).toHaveLength(1);
  });
});

describe("SimulatedCluster: gang placement", () => {
  it("keeps a job that does not fit entirely Pending, holding no capacity", async () => {
    const c = aCluster([aNode("a").cores(4).build(), aNode("b").cores(4).build()]);
    await c.createPods(aJob(1).pods(3).cores(4).plan());
    c.tick(0);
    c.tick(START_DELAY_MS * 10);
    expect(await phasesOf(c, 1)).toEqual(["Pending", "Pending", "Pending"]);
    expect(await nodesOf(c, 1)).toEqual([undefined, undefined, undefined]);

    // The two pods that would have fit were not reserved: a two-pod job of the same size places.
    await c.createPods(aJob(2).pods(2).cores(4).plan());
    c.tick(START_DELAY_MS * 10);
    expect((await nodesOf(c, 2)).sort()).toEqual(["a", "b"]);
    expect(await nodesOf(c, 1)).toEqual([undefined, undefined, undefined]);
  });

  it("places all pods of a job at once", async () => {
    const c = aCluster([aNode("a").cores(4).build(), aNode("b").cores(4).build(), aNode("c").cores(4).build()]);
    await c.createPods(aJob(1).pods(3).cores(4).plan());
    c.tick(0);
    expect((await nodesOf(c, 1)).sort()).toEqual(["a", "b", "c"]);
  });

  it("honours memory, GPUs and the machine's node selector", async () => {
    const c = aCluster([aNode("cpu").cores(64).memoryGb(256).build(), aNode("gpu").cores(16).memoryGb(64).gpus(2).labelled({ accel: "nvidia" }).build()]);
    await c.createPods(aJob(1).cores(1).gpus(2).plan());
    await c.createPods(aJob(2).cores(1).onNodesLabelled({ accel: "nvidia" }).plan());
    await c.createPods(aJob(3).cores(1).memoryGb(512).plan());
    c.tick(0);
    expect(await nodesOf(c, 1)).toEqual(["gpu"]);
    expect(await nodesOf(c, 2)).toEqual(["gpu"]);
    expect(await nodesOf(c, 3)).toEqual([undefined]);
  });
});

describe("SimulatedCluster: tenants", () => {
  const twoNodes = () => [aNode("a").cores(8).build(), aNode("b").cores(8).build()];

  it("never puts two tenants' fractional pods on one node in multi-tenant mode", async () => {
    const c = aCluster(twoNodes(), { multiTenant: true });
    await c.createPods(aJob(1).forTenant("acme").cores(2).plan());
    c.tick(0);
    await c.createPods(aJob(2).forTenant("globex").cores(2).plan());
    c.tick(1);
    const [acme] = await nodesOf(c, 1);
    const [globex] = await nodesOf(c, 2);
    expect(acme).toBeDefined();
    expect(globex).toBeDefined();
    expect(globex).not.toBe(acme);
  });

  it("keeps a third tenant waiting when every node holds another tenant", async () => {
    const c = aCluster(twoNodes(), { multiTenant: true });
    await c.createPods(aJob(1).forTenant("acme").cores(1).plan());
    await c.createPods(aJob(2).forTenant("globex").cores(1).plan());
    await c.createPods(aJob(3).forTenant("initech").cores(1).plan());
    c.tick(0);
    expect(new Set([...(await nodesOf(c, 1)), ...(await nodesOf(c, 2))])).toEqual(new Set(["a", "b"]));
    expect(await nodesOf(c, 3)).toEqual([undefined]);

    // When acme's job goes, its node is free for initech.
    const [acmeNode] = await nodesOf(c, 1);
    await c.deleteJobPods(1);
    c.tick(1);
    expect(await nodesOf(c, 3)).toEqual([acmeNode]);
  });

  it("packs one tenant's pods best-fit onto the node it already uses", async () => {
    const c = aCluster(twoNodes(), { multiTenant: true });
    await c.createPods(aJob(1).forTenant("acme").cores(2).plan());
    c.tick(0);
    await c.createPods(aJob(2).forTenant("acme").cores(2).plan());
    c.tick(1);
    await c.createPods(aJob(3).forTenant("acme").pods(2).cores(2).plan());
    c.tick(2);
    const [first] = await nodesOf(c, 1);
    expect(await nodesOf(c, 2)).toEqual([first]);
    expect(await nodesOf(c, 3)).toEqual([first, first]);
  });

  it("lets tenants share a node when multi-tenant mode is off", async () => {
    const c = aCluster(twoNodes(), { multiTenant: false });
    await c.createPods(aJob(1).forTenant("acme").cores(2).plan());
    c.tick(0);
    await c.createPods(aJob(2).forTenant("globex").cores(2).plan());
    c.tick(1);
    expect(await nodesOf(c, 2)).toEqual(await nodesOf(c, 1));
  });
});

describe("SimulatedCluster: capacity comes back", () => {
  it("deleteJobPods frees the capacity, so a waiting job then places", async () => {
    const c = aCluster([aNode("a").cores(4).build()]);
    await c.createPods(aJob(1).cores(4).plan());
    c.tick(0);
    c.tick(START_DELAY_MS);
    await c.createPods(aJob(2).cores(4).plan());
    c.tick(START_DELAY_MS + 1);
    expect(await nodesOf(c, 2)).toEqual([undefined]);

    await c.deleteJobPods(1);
    expect(await podsOf(c, 1)).toEqual([]);
    c.tick(START_DELAY_MS + 2);
    expect(await nodesOf(c, 2)).toEqual(["a"]);
    c.tick(START_DELAY_MS * 2 + 2);
    expect(await phasesOf(c, 2)).toEqual(["Running"]);
  });

  it("deleteJobPods removes only that job's pods", async () => {
    const c = aCluster([aNode("a").build()]);
    await c.createPods(aJob(1).plan());
    await c.createPods(aJob(2).plan());
    await c.deleteJobPods(1);
    expect((await c.listPods()).map((p) => p.jobNumber)).toEqual([2]);
  });

  it("a Succeeded pod frees its capacity too", async () => {
    const c = aCluster([aNode("a").cores(4).build()]);
    await c.createPods(aJob(1).cores(4).lasting(10).plan());
    await c.createPods(aJob(2).cores(4).plan());
    c.tick(0);
    expect(await nodesOf(c, 2)).toEqual([undefined]);
    c.tick(START_DELAY_MS);
    c.tick(START_DELAY_MS + 10_000);
    expect(await phasesOf(c, 1)).toEqual(["Succeeded"]);
    c.tick(START_DELAY_MS + 10_001);
    expect(await nodesOf(c, 2)).toEqual(["a"]);
  });
});

describe("SimulatedCluster: logs", () => {
  it("logs scheduling, the command and the end, per pod", async () => {
    const c = aCluster([aNode("a").build()]);
    await c.createPods(aJob(1).pods(2).lasting(30).plan());
    expect(await c.podLogs(1, 0)).toBe("");
    c.tick(0);
    c.tick(START_DELAY_MS);
    c.tick(START_DELAY_MS + 30_000);
    expect((await c.podLogs(1, 0)).split("\n")).toEqual([
      "[paddock simulated] jarvice-job-1-0 scheduled on a",
      "[paddock simulated] running: /bin/run --fast",
      "[paddock simulated] finished after 30s, exit code 0",
    ]);
    expect(await c.podLogs(1, 1)).toContain("jarvice-job-1-1 scheduled on a");
  });

  it("returns the last lines when asked", async () => {
    const c = aCluster([aNode("a").build()]);
    await c.createPods(aJob(1).plan());
    c.tick(0);
    c.tick(START_DELAY_MS);
    expect(await c.podLogs(1, 0, 1)).toBe("[paddock simulated] running: /bin/run --fast");
  });

  it("returns nothing for a pod it does not have", async () => {
    const c = aCluster([aNode("a").build()]);
    expect(await c.podLogs(99, 0)).toBe("");
  });
});

describe("SimulatedCluster: watch", () => {
  it("fires on create, placement, phase changes and delete, but not on a tick that changes nothing", async () => {
    const c = aCluster([aNode("a").build()]);
    let calls = 0;
    c.watch(() => calls++);

    await c.createPods(aJob(1).lasting(10).plan());
    expect(calls).toBe(1);
    c.tick(0); // placed
    expect(calls).toBe(2);
    c.tick(1); // nothing
    expect(calls).toBe(2);
    c.tick(START_DELAY_MS); // Running
    expect(calls).toBe(3);
    c.tick(START_DELAY_MS + 10_000); // Succeeded
    expect(calls).toBe(4);
    c.tick(START_DELAY_MS + 20_000); // nothing
    expect(calls).toBe(4);
    await c.deleteJobPods(1);
    expect(calls).toBe(5);
  });

  it("stops calling after unsubscribe, and after close", async () => {
    const c = aCluster([aNode("a").build()]);
    let a = 0;
    let b = 0;
    const stopA = c.watch(() => a++);
    c.watch(() => b++);
    await c.createPods(aJob(1).plan());
    stopA();
    await c.createPods(aJob(2).plan());
    expect([a, b]).toEqual([1, 2]);
    await c.close();
    await c.createPods(aJob(3).plan());
    expect([a, b]).toEqual([1, 2]);
  });

  it("names the job whose pods changed, once per job and change; a delete of a job without pods is no change", async () => {
    const c = aCluster([aNode("a").build(), aNode("b").build()]);
    const seen: Array<number | undefined> = [];
    c.watch((n) => seen.push(n));
    await c.createPods(aJob(1).pods(2).plan());
    await c.createPods(aJob(2).plan());
    expect(seen).toEqual([1, 2]);
    c.tick(0); // both placed
    expect(seen.slice(2).sort()).toEqual([1, 2]);
    await c.deleteJobPods(2);
    await c.deleteJobPods(3);
    expect(seen.slice(4)).toEqual([2]);
  });

  it("jobPods: the pods of one job only", async () => {
    const c = aCluster([aNode("a").build(), aNode("b").build()]);
    await c.createPods(aJob(1).pods(2).plan());
    await c.createPods(aJob(2).plan());
    expect((await c.jobPods(1)).map((p) => [p.jobNumber, p.index])).toEqual([
      [1, 0],
      [1, 1],
    ]);
    expect(await c.jobPods(2)).toEqual((await c.listPods()).filter((p) => p.jobNumber === 2));
    await c.deleteJobPods(1);
    expect(await c.jobPods(1)).toEqual([]);
    expect(await c.jobPods(3)).toEqual([]);
  });

  it("does not fire for a job that still does not fit", async () => {
    const c = aCluster([aNode("a").cores(2).build()]);
    await c.createPods(aJob(1).cores(4).plan());
    let calls = 0;
    c.watch(() => calls++);
    c.tick(0);
    c.tick(1);
    expect(calls).toBe(0);
  });
});

describe("SimulatedCluster: the other backend calls", () => {
  it("prepareTenant and servicesSelecting do nothing", async () => {
    const c = aCluster([aNode("a").build()]);
    await expect(c.prepareTenant()).resolves.toBeUndefined();
    await expect(c.servicesSelecting()).resolves.toEqual([]);
  });
});

describe("SimulatedCluster: the job's wall time (activeDeadlineSeconds)", () => {
  it("fails a pod that outlives its deadline, counted from its binding, and frees its node", async () => {
    const c = aCluster([aNode("a").cores(4).build()]);
    await c.createPods(aJob(1).cores(4).lasting(3600).walltime("00:01").plan());
    await c.createPods(aJob(2).cores(4).lasting(5).plan()); // waits for job 1's node
    c.tick(0);
    c.tick(START_DELAY_MS);
    c.tick(60_000 - 1);
    expect(await phasesOf(c, 1)).toEqual(["Running"]);
    c.tick(60_000);
    expect(await phasesOf(c, 1)).toEqual(["Failed"]);
    expect((await c.events(1, ["jarvice-job-1-0"])).map((e) => `${e.type} ${e.reason}: ${e.message}`).at(-1)).toBe("Normal DeadlineExceeded: Pod was active on the node longer than the specified deadline");
    expect(await c.podLogs(1, 0)).toMatch(/DeadlineExceeded: stopped after 60s/);
    c.tick(60_001);
    expect(await nodesOf(c, 2)).toEqual(["a"]);
  });

  it("lets a pod that ends within its deadline succeed, and one without a deadline run on", async () => {
    const c = aCluster([aNode("a").cores(8).build()]);
    await c.createPods(aJob(1).cores(4).lasting(30).walltime("00:01").plan());
    await c.createPods(aJob(2).cores(4).lasting(3600).plan());
    c.tick(0);
    c.tick(START_DELAY_MS);
    c.tick(START_DELAY_MS + 30_000);
    c.tick(3_000_000);
    expect([await phasesOf(c, 1), await phasesOf(c, 2)]).toEqual([["Succeeded"], ["Running"]]);
  });
});

describe("SimulatedCluster: events of a job's pods", () => {
  it("says why a job waits in kube-scheduler's words, naming the pod of a gang that did not fit", async () => {
    const c = aCluster([aNode("a").cores(8).build(), aNode("b").cores(8).build()]);
    await c.createPods(aJob(1).pods(3).cores(6).plan());
    c.tick(0);
    expect((await c.events(1, ["jarvice-job-1-0"])).map((e) => e.message)).toEqual(["0/2 nodes are available: 2 Insufficient cpu. (all 3 pods of job 1 are placed together; jarvice-job-1-2 did not fit)"]);
  });


  it("never places a pod whose request does not parse, and says why once", async () => {
    const c = aCluster([aNode("a").cores(4).build()]);
    const plan = aJob(1).cores(1).plan();
    plan[0]!.spec.containers[0]!.resources.requests.memory = "lots";
    await c.createPods(plan);
    c.tick(0);
    c.tick(START_DELAY_MS);
    expect((await podsOf(c, 1)).map((p) => [p.phase, p.node])).toEqual([["Pending", undefined]]);
    expect((await c.events(1, ["jarvice-job-1-0"])).map((e) => `${e.reason}: ${e.message}`)).toEqual(['FailedScheduling: job 1 is unschedulable: memory: "lots" is not a Kubernetes quantity']);
  });


  it("records a FailedScheduling once per wait, then Scheduled, Pulled, Started, and Killing on delete", async () => {
    const c = aCluster([aNode("a").cores(4).build()]);
    await c.createPods(aJob(1).cores(4).plan());
    await c.createPods(aJob(2).cores(4).plan()); // waits for job 1's room
    c.tick(0);
    c.tick(1); // still waiting: not reported again
    const reasons = async (n: number) => (await c.events(n, [`jarvice-job-${n}-0`])).map((e) => `${e.type} ${e.reason}`);
    expect(await reasons(2)).toEqual(["Warning FailedScheduling"]);
    expect((await c.events(2, ["jarvice-job-2-0"]))[0]!.message).toBe("0/1 nodes are available: 1 Insufficient cpu.");
    c.tick(START_DELAY_MS);
    expect(await reasons(1)).toEqual(["Normal Scheduled", "Normal Pulled", "Normal Started"]);
    expect((await c.events(1, [`jarvice-job-1-0`]))[0]).toMatchObject({ pod: "jarvice-job-1-0", message: "Successfully assigned jobs/jarvice-job-1-0 to a", count: 1 });
    await c.deleteJobPods(1);
    expect((await reasons(1)).at(-1)).toBe("Normal Killing");
    // Another job's pod names show nothing of job 1.
    expect(await c.events(1, ["jarvice-job-9-0"])).toEqual([]);
  });
});
