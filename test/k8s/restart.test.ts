// Restarts and failover on a real API server (multi-tenant mode, 24 KWOK nodes):
//  1. the job controller and the pod scheduler are killed in the middle of a burst of
//     submissions (half way through creating a job's pods, lease not released), jobs keep
//     coming and being terminated while they are down, then new instances start: every job
//     ends where it should, every pod is created once and bound once, no pod is left over;
//  2. two pod schedulers on one Lease: one binds, the standby takes over when the leader
//     stops (at once when it releases the lease; after the lease expires when the leader's
//     renewals hang in a network partition), and their leadership never overlaps;
//  3. a restarted job controller deletes Paddock pods whose job is unknown or finished.
//
// What a "kill" is here: the process dies, so nothing of it runs any more, but nothing
// graceful happens either. Stack.killControlPlane makes every cluster call of the old job
// controller fail from that instant (its pod creation loop stops half way through a job), stops
// the old scheduler (a binding request already sent lands or not, as it would), and does not
// release the lease, so the new scheduler has to wait for it to expire.
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Creds } from "../app";
import { ACTIVE_STATUSES } from "../../src/core/jobLifecycle";
import { ANNOTATION_JOB_PODS, LABEL_JOB_NUMBER, LABEL_MANAGED_BY, LABEL_POD_INDEX, LABEL_TENANT, MANAGED_BY } from "../../src/core/podPlan";
import { LEASE_SECONDS, SYSTEM_NS, startStack, waitUntil, type SchedulerInstance, type Stack } from "./stack";

const NODES = 24;
let s: Stack;
let users: Record<"alice" | "bob" | "carol" | "dave", Creds>;
const owner = new Map<number, Creds>();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const submit = async (who: Creds, type: string, nodes: number) => {
  const r = await s.t.call("POST", "/jarvice/submit", {
    body: { app: "demo", application: { command: "sleep", parameters: { seconds: 3600 } }, machine: { type, nodes }, user: who },
  });
  expect(r.statusCode, r.body).toBe(200);
  const n = (r.json() as { number: number }).number;
  owner.set(n, who);
  return n;
};
const terminate = async (n: number) => {
  const who = owner.get(n)!;
  const r = await s.t.call("GET", `/jarvice/terminate?username=${who.username}&apikey=${who.apikey}&number=${n}`);
  expect(r.statusCode, r.body).toBe(200);
};
const jobRows = async (numbers: number[]) =>
  new Map(
    (await s.t.opened.db.selectFrom("jobs").select(["number", "status", "nodes"]).where("number", "in", numbers).execute()).map((j) => [j.number, j]),
  );
const jobStatus = async (n: number) => (await jobRows([n])).get(n)!.status;
const allPods = async () => (await s.core.listNamespacedPod({ namespace: s.jobsNamespace })).items;
const podsOf = async (n: number) => (await s.core.listNamespacedPod({ namespace: s.jobsNamespace, labelSelector: `${LABEL_JOB_NUMBER}=${n}` })).items;
const jobOf = (p: k8s.V1Pod) => Number(p.metadata?.labels?.[LABEL_JOB_NUMBER]);
const runningAndBound = (pods: k8s.V1Pod[], count: number) => pods.length === count && pods.every((p) => p.spec?.nodeName && p.status?.phase === "Running" && !p.metadata?.deletionTimestamp);
const podKey = (p: k8s.V1Pod) => `${p.metadata!.namespace}/${p.metadata!.name}`;

/** Follows every pod of the jobs namespace for the whole of a test: creations, bindings, deletions. */
class PodWatch {
  readonly nodeOf = new Map<string, string>(); // pod uid -> node, set once
  readonly rebinds: string[] = [];
  readonly uidsOfJob = new Map<number, Set<string>>();
  readonly deleted: Array<{ job: number; name: string }> = [];
  private readonly informer: k8s.Informer<k8s.V1Pod> & k8s.ObjectCache<k8s.V1Pod>;
  private stopped = false;

  constructor() {
    const ns = s.jobsNamespace;
    this.informer = k8s.makeInformer(s.admin, `/api/v1/namespaces/${ns}/pods`, () => s.core.listNamespacedPod({ namespace: ns }));
    const seen = (p: k8s.V1Pod) => {
      const uid = p.metadata!.uid!;
      const job = jobOf(p);
      if (!this.uidsOfJob.has(job)) this.uidsOfJob.set(job, new Set());
      this.uidsOfJob.get(job)!.add(uid);
      const node = p.spec?.nodeName;
      if (!node) return;
      const before = this.nodeOf.get(uid);
      if (before === undefined) this.nodeOf.set(uid, node);
      else if (before !== node) this.rebinds.push(`${p.metadata!.name} (${uid}): ${before} -> ${node}`);
    };
    this.informer.on("add", seen);
    this.informer.on("update", seen);
    this.informer.on("delete", (p) => this.deleted.push({ job: jobOf(p), name: p.metadata!.name! }));
    this.informer.on("error", () => {
      if (!this.stopped) setTimeout(() => void this.informer.start().catch(() => {}), 200);
    });
  }

  start = () => this.informer.start();
  async stop() {
    this.stopped = true;
    await this.informer.stop();
  }
}

/** "bound <pod> to <node>" lines of a log, as [pod, node]. */
const bindings = (lines: string[]) => lines.flatMap((l) => [...l.matchAll(/\bbound (\S+) to (\S+)$/g)].map((m) => [m[1]!, m[2]!] as const));
const failedBindings = (lines: string[]) => lines.filter((l) => /\bbinding \S+ to \S+ failed/.test(l));

/** Pods of two tenants on one node (multi-tenant mode forbids it). */
const mixedNodes = (pods: k8s.V1Pod[]) => {
  const tenants = new Map<string, Set<string>>();
  for (const p of pods) {
    if (!p.spec?.nodeName || p.metadata?.labels?.[LABEL_MANAGED_BY] !== MANAGED_BY) continue;
    if (!tenants.has(p.spec.nodeName)) tenants.set(p.spec.nodeName, new Set());
    tenants.get(p.spec.nodeName)!.add(p.metadata!.labels![LABEL_TENANT]!);
  }
  return [...tenants].filter(([, t]) => t.size > 1).map(([n, t]) => `${n}: ${[...t].join(", ")}`);
};

/** Terminate every active job and wait until no job pod is left. */
const cleanUp = async () => {
  const active = await s.t.opened.db.selectFrom("jobs").select("number").where("status", "in", [...ACTIVE_STATUSES]).execute();
  for (const { number } of active) if (owner.has(number)) await terminate(number);
  await waitUntil("no job pods left", async () => (await allPods()).filter((p) => p.metadata?.labels?.[LABEL_MANAGED_BY] === MANAGED_BY).length === 0, 60_000);
};

beforeAll(async () => {
  // Info level (20): the binding lines below are logged at info; the default is JARVICE's 30 (warning).
  s = await startStack({ nodes: NODES, env: { JARVICE_JOBS_MULTI_TENANT: "true", JARVICE_POD_SCHED_LOGLEVEL: "20" } });
  users = {
    alice: await s.t.payer("alice"),
    bob: await s.t.payer("bob"),
    carol: await s.t.payer("carol"),
    dave: await s.t.member("dave", "alice"), // alice's team: tenant alice
  };
});
afterAll(async () => s?.stop());

describe("killing the job controller and the pod scheduler in the middle of a burst", () => {
  // fate: run = must end up running; early = terminated during the burst (control plane up);
  // down = terminated while the control plane is down; late = terminated right after the restart.
  type Fate = "run" | "early" | "down" | "late";
  type Who = keyof typeof users;
  const plan: Array<[Who, "n4" | "n8", number, Fate]> = [
    // before the kill (the kill hits half way through creating the pods of the last one)
    ["alice", "n4", 2, "run"],
    ["bob", "n8", 1, "run"],
    ["carol", "n4", 3, "early"],
    ["dave", "n8", 2, "run"],
    ["alice", "n8", 3, "run"],
    ["bob", "n4", 2, "down"],
    ["carol", "n8", 2, "run"],
    ["dave", "n4", 1, "early"],
    ["alice", "n4", 3, "run"],
    ["bob", "n8", 2, "run"],
    ["carol", "n4", 1, "run"],
    ["dave", "n4", 3, "down"],
    ["alice", "n8", 1, "run"],
    ["bob", "n4", 3, "run"],
    // while the control plane is down
    ["carol", "n8", 3, "down"],
    ["dave", "n8", 2, "run"],
    ["alice", "n4", 2, "run"],
    ["bob", "n8", 3, "run"],
    ["carol", "n4", 2, "down"],
    ["dave", "n4", 1, "run"],
    ["alice", "n8", 2, "run"],
    ["bob", "n4", 1, "down"],
    ["carol", "n8", 1, "run"],
    ["dave", "n8", 3, "run"],
    // after the restart
    ["alice", "n4", 1, "run"],
    ["bob", "n8", 2, "late"],
    ["carol", "n4", 3, "run"],
    ["dave", "n4", 2, "run"],
  ];
  const KILL_AT = 13; // the job whose pod 0 is the last thing the old controller creates
  const RESTART_AT = 24;

  it("ends with every job in its right state, every pod created once, bound once, and none left over", async () => {
    const watch = new PodWatch();
    await watch.start();
    const numbers: number[] = [];
    const statusWhenTerminated = new Map<number, string>();
    const stop = async (i: number) => {
      statusWhenTerminated.set(numbers[i]!, await jobStatus(numbers[i]!));
      await terminate(numbers[i]!);
    };
    const leasesApi = s.admin.makeApiClient(k8s.CoordinationV1Api);
    const lease = () => leasesApi.readNamespacedLease({ name: "jarvice-pod-scheduler", namespace: SYSTEM_NS });
    await waitUntil("the first scheduler leads", async () => s.elector.isLeader);
    const firstLeader = (await lease()).spec!.holderIdentity!;

    // The burst. The kill is armed: right after the old controller creates pod 0 of job KILL_AT.
    const killed = s.killControlPlane({
      when: (pod) => pod.metadata.labels[LABEL_JOB_NUMBER] === String(numbers[KILL_AT]) && pod.metadata.labels[LABEL_POD_INDEX] === "0",
    });
    let killDone = false;
    void killed.then(() => (killDone = true));
    for (let i = 0; i <= KILL_AT; i++) {
      const [who, type, nodes] = plan[i]!;
      numbers.push(await submit(users[who], type, nodes));
      if (i === 9) for (const j of [2, 7]) await stop(j); // "early": the control plane is up
      await sleep(60);
    }
    await Promise.race([killed, sleep(30_000).then(() => Promise.reject(new Error("the kill never happened")))]);
    expect(killDone).toBe(true);

    // Killed half way through a job: one of its three pods exists. The lease was not released.
    const partial = await podsOf(numbers[KILL_AT]!);
    expect(partial.map((p) => p.metadata!.labels![LABEL_POD_INDEX])).toEqual(["0"]);
    expect(partial[0]!.metadata!.annotations![ANNOTATION_JOB_PODS]).toBe("3");
    const partialUid = partial[0]!.metadata!.uid!;
    const deadLease = (await lease()).spec!;
    expect(deadLease.holderIdentity).toBe(firstLeader);
    const deadRenew = new Date(deadLease.renewTime as unknown as string).getTime();

    // While it is down: more submissions, and terminations (of jobs with and without pods).
    for (let i = KILL_AT + 1; i < RESTART_AT; i++) {
      const [who, type, nodes] = plan[i]!;
      numbers.push(await submit(users[who], type, nodes));
      if (i === 18) for (const j of [5, 11, 14, 18]) await stop(j);
      if (i === 21) await stop(21);
    }
    await sleep(1000);
    // Nobody works meanwhile: the new jobs stay SUBMITTED, without pods.
    const down = await jobRows(numbers.slice(KILL_AT + 1));
    expect([...down.values()].every((j) => j.status === "SUBMITTED")).toBe(true);
    expect((await allPods()).filter((p) => jobOf(p) > numbers[KILL_AT]!)).toEqual([]);

    // New instances (new scheduler identity: it must wait for the dead leader's lease to expire).
    await s.startControlPlane();
    for (let i = RESTART_AT; i < plan.length; i++) {
      const [who, type, nodes] = plan[i]!;
      numbers.push(await submit(users[who], type, nodes));
    }
    await stop(25);

    const fateOf = (n: number) => plan[numbers.indexOf(n)]![3];
    const runs = numbers.filter((n) => fateOf(n) === "run");
    const stopped = numbers.filter((n) => fateOf(n) !== "run");
    await waitUntil(
      "every job in its final state",
      async () => {
        const rows = await jobRows(numbers);
        const pods = await allPods();
        const ofJob = (n: number) => pods.filter((p) => jobOf(p) === n);
        return (
          runs.every((n) => rows.get(n)!.status === "PROCESSING STARTING" && runningAndBound(ofJob(n), rows.get(n)!.nodes)) &&
          stopped.every((n) => ["TERMINATED", "CANCELED"].includes(rows.get(n)!.status) && ofJob(n).length === 0)
        );
      },
      90_000,
    );
    await sleep(1500); // a few more resync periods: nothing may change any more
    await watch.stop();

    const rows = await jobRows(numbers);
    const pods = await allPods();
    // Job states. Jobs terminated while the control plane was down: TERMINATED if they had
    // started, CANCELED if not (their status could not change meanwhile).
    for (const n of runs) expect(rows.get(n)!.status, `job ${n}`).toBe("PROCESSING STARTING");
    for (const n of stopped) expect(["TERMINATED", "CANCELED"], `job ${n}`).toContain(rows.get(n)!.status);
    for (const i of [5, 11, 14, 18, 21]) {
      const n = numbers[i]!;
      expect(rows.get(n)!.status, `job ${n} (was ${statusWhenTerminated.get(n)})`).toBe(statusWhenTerminated.get(n) === "PROCESSING STARTING" ? "TERMINATED" : "CANCELED");
    }
    expect(rows.get(numbers[14]!)!.status).toBe("CANCELED");

    // Pods: exactly the running jobs' pods, `nodes` of each, all bound, no node shared by two tenants.
    for (const p of pods) expect(runs, `pod ${p.metadata!.name} has no running job`).toContain(jobOf(p));
    for (const n of runs) {
      const mine = pods.filter((p) => jobOf(p) === n);
      expect(mine.length, `pods of job ${n}`).toBe(rows.get(n)!.nodes);
      expect(mine.map((p) => Number(p.metadata!.labels![LABEL_POD_INDEX])).sort()).toEqual(Array.from({ length: rows.get(n)!.nodes }, (_, i) => i));
    }
    expect(mixedNodes(pods)).toEqual([]);

    // Every pod was created once (no duplicate after the restart: the half-created job kept its
    // pod 0) and bound once; pods went away only with terminated jobs.
    expect(watch.rebinds).toEqual([]);
    for (const n of runs) expect(watch.uidsOfJob.get(n)?.size, `pods ever created for job ${n}`).toBe(rows.get(n)!.nodes);
    for (const n of stopped) expect(watch.uidsOfJob.get(n)?.size ?? 0).toBeLessThanOrEqual(rows.get(n)!.nodes);
    expect(pods.find((p) => jobOf(p) === numbers[KILL_AT] && p.metadata!.labels![LABEL_POD_INDEX] === "0")!.metadata!.uid).toBe(partialUid);
    expect(watch.deleted.filter((d) => !stopped.includes(d.job))).toEqual([]);

    // The schedulers' own account: each pod bound at most once, by one of them, and every
    // binding that failed was for a pod deleted meanwhile (a terminated job's).
    const bound = bindings(s.schedulerLog);
    const times = new Map<string, number>();
    for (const [pod] of bound) times.set(pod, (times.get(pod) ?? 0) + 1);
    expect([...times].filter(([, c]) => c > 1)).toEqual([]);
    for (const p of pods) expect(times.get(podKey(p)), `binding of ${podKey(p)}`).toBe(1);
    for (const line of failedBindings(s.schedulerLog)) {
      const job = Number(/jarvice-job-(\d+)-\d+ to/.exec(line)?.[1]);
      expect(stopped, line).toContain(job);
      expect(line).not.toMatch(/already|409/);
    }

    // The new scheduler took over only once the dead one's lease had expired.
    const taken = (await lease()).spec!;
    expect(taken.holderIdentity).not.toBe(firstLeader);
    expect(new Date(taken.acquireTime as unknown as string).getTime() - deadRenew).toBeGreaterThanOrEqual(LEASE_SECONDS * 1000);

    await cleanUp();
  });
});

describe("two pod schedulers on one Lease", () => {
  const instances: SchedulerInstance[] = [];
  afterAll(async () => {
    for (const i of instances) await i.stop().catch(() => {});
    await cleanUp().catch(() => {});
    // Back to the stack's own scheduler for what follows.
    await s.stopControlPlane();
    await s.startControlPlane();
  });

  const leadership = (i: SchedulerInstance) => {
    const out: Array<[number, number]> = [];
    for (const e of i.log) {
      if (e.msg.startsWith("became leader")) out.push([e.at, Infinity]);
      if (e.msg === "scheduler stopped" && out.length) out[out.length - 1]![1] = e.at;
    }
    return out;
  };
  const boundBy = (i: SchedulerInstance) => i.log.filter((e) => /^bound /.test(e.msg));
  const runningJob = async (n: number, nodes: number) => waitUntil(`job ${n} running`, async () => {
    const p = await podsOf(n);
    return runningAndBound(p, nodes) && p;
  }, 30_000);
  const binder = (pods: k8s.V1Pod[], all: SchedulerInstance[]) =>
    pods.map((p) => all.filter((i) => boundBy(i).some((e) => e.msg.startsWith(`bound ${podKey(p)} to `))).map((i) => i.identity));

  it("one leads and binds; the standby takes over when it stops (released) or stops renewing (expired); never both", async () => {
    // Each instance's elector talks to the API server through a relay that a test can cut.
    // Only the job controller of the stack keeps running; its scheduler releases the lease.
    await s.stopControlPlane();
    await s.startControlPlane({ scheduler: false });
    const watch = new PodWatch();
    await watch.start();

    const a = await s.startSchedulerInstance("sched-a");
    instances.push(a);
    await waitUntil("a leads", async () => a.elector.isLeader, 15_000);
    const b = await s.startSchedulerInstance("sched-b");
    instances.push(b);
    await sleep(1500); // three renew periods
    expect([a.elector.isLeader, b.elector.isLeader]).toEqual([true, false]);

    const j1 = await submit(users.alice, "n4", 2);
    const p1 = await runningJob(j1, 2);
    expect(binder(p1, [a, b])).toEqual([["sched-a"], ["sched-a"]]);

    // The leader stops and releases the lease: the standby takes over at once, not after it expires.
    // Measured from the release itself (stopping the scheduler before it may take a while on a busy
    // machine): a standby that ignored the release would wait a whole lease from that write, since
    // the release changed the record it observes.
    await a.stop();
    await waitUntil("b leads", async () => b.elector.isLeader, 15_000);
    const released = a.log.find((e) => e.msg.startsWith("released lease"))?.at;
    const tookOver = b.log.find((e) => e.msg.startsWith("became leader"))?.at;
    expect(released, "a released the lease").toBeDefined();
    expect(tookOver! - released!).toBeLessThan(LEASE_SECONDS * 1000);
    const j2 = await submit(users.bob, "n8", 2);
    const p2 = await runningJob(j2, 2);
    expect(binder(p2, [a, b])).toEqual([["sched-b"], ["sched-b"]]);

    // The leader stops renewing (its renewals hang in a partition; its bindings would still go
    // through): it must step down on its own, and the standby takes over once the lease expired.
    const c = await s.startSchedulerInstance("sched-c");
    instances.push(c);
    await sleep(1500);
    expect([b.elector.isLeader, c.elector.isLeader]).toEqual([true, false]);
    const cut = Date.now();
    b.partition();
    const j3 = await submit(users.carol, "n4", 1);
    await waitUntil("c leads", async () => c.elector.isLeader, 30_000);
    expect(Date.now() - cut).toBeGreaterThanOrEqual((LEASE_SECONDS - 1) * 1000);
    const j4 = await submit(users.alice, "n8", 2);
    const p3 = await runningJob(j3, 1);
    const p4 = await runningJob(j4, 2);
    expect(binder(p4, [a, b, c])).toEqual([["sched-c"], ["sched-c"]]);
    expect(b.elector.isLeader).toBe(false);

    // The partition ends: the former leader is a standby now, and leads again (the same
    // PodScheduler, started a second time) when the current leader goes.
    b.heal();
    await sleep(1500);
    expect([b.elector.isLeader, c.elector.isLeader]).toEqual([false, true]);
    await c.stop();
    await waitUntil("b leads again", async () => b.elector.isLeader, 15_000);
    const j5 = await submit(users.bob, "n4", 1);
    const p5 = await runningJob(j5, 1);
    expect(binder(p5, [a, b, c])).toEqual([["sched-b"]]);
    await watch.stop();

    // Leadership never overlapped, and each bound only while it led.
    const terms = [a, b, c].flatMap((i) => leadership(i).map(([from, to]) => ({ who: i.identity, from, to })));
    terms.sort((x, y) => x.from - y.from);
    for (let k = 1; k < terms.length; k++) expect(terms[k]!.from, `${terms[k]!.who} became leader while ${terms[k - 1]!.who} led`).toBeGreaterThanOrEqual(terms[k - 1]!.to);
    for (const i of [a, b, c]) {
      for (const e of boundBy(i)) expect(leadership(i).some(([from, to]) => e.at >= from && e.at <= to), `${i.identity}: ${e.msg} at ${e.at}`).toBe(true);
      // No failed binding, and no watch restarted behind a stopped scheduler's back.
      expect(i.log.filter((e) => /failed|watch error/.test(e.msg)).map((e) => e.msg)).toEqual([]);
    }
    // Each pod bound exactly once, by exactly one of them.
    for (const p of [...p1, ...p2, ...p3, ...p4, ...p5]) expect(binder([p], [a, b, c])[0], podKey(p)).toHaveLength(1);
    expect(watch.rebinds).toEqual([]);
  });
});

describe("restart reconciliation", () => {
  it("deletes Paddock pods whose job is unknown or finished, and leaves running jobs and other pods alone", async () => {
    const j = await submit(users.bob, "n4", 2);
    const before = await waitUntil("job running", async () => {
      const p = await podsOf(j);
      return runningAndBound(p, 2) && (await jobStatus(j)) === "PROCESSING STARTING" && p;
    });
    const finished = await submit(users.carol, "n4", 1);
    await terminate(finished);
    await waitUntil("terminated job done", async () => (await jobStatus(finished)) === "CANCELED" || (await jobStatus(finished)) === "TERMINATED");
    await waitUntil("its pods gone", async () => (await podsOf(finished)).length === 0);

    await s.stopControlPlane();
    const pod = (name: string, labels: Record<string, string>): k8s.V1Pod => ({
      metadata: { name, labels },
      spec: { nodeName: "kwok-node-0", containers: [{ name: "c", image: "busybox" }] },
    });
    const managed = { [LABEL_MANAGED_BY]: MANAGED_BY };
    const orphans = [
      pod("orphan-unknown", { ...managed, [LABEL_JOB_NUMBER]: "990001" }),
      pod("orphan-unknown-indexed", { ...managed, [LABEL_JOB_NUMBER]: "990002", [LABEL_POD_INDEX]: "0" }),
      pod("orphan-finished", { ...managed, [LABEL_JOB_NUMBER]: String(finished), [LABEL_POD_INDEX]: "0" }),
    ];
    const bystander = pod("not-paddocks", { [LABEL_JOB_NUMBER]: "990003", [LABEL_POD_INDEX]: "0" });
    for (const body of [...orphans, bystander]) await s.core.createNamespacedPod({ namespace: s.jobsNamespace, body });

    await s.startControlPlane();
    await waitUntil("orphans deleted", async () => {
      const names = (await allPods()).map((p) => p.metadata!.name);
      return orphans.every((o) => !names.includes(o.metadata!.name));
    }, 30_000);
    expect(s.controllerLog).toEqual(expect.arrayContaining(["job controller: deleting pods of unknown job 990001", "job controller: deleting pods of unknown job 990002", `job controller: deleting pods of finished job ${finished}`]));

    await sleep(1500);
    const after = await allPods();
    expect(after.map((p) => p.metadata!.name)).toContain("not-paddocks");
    const mine = after.filter((p) => jobOf(p) === j);
    expect(mine.map((p) => [p.metadata!.uid, p.spec!.nodeName, p.status!.phase]).sort()).toEqual(
      before.map((p) => [p.metadata!.uid, p.spec!.nodeName, "Running"]).sort(),
    );
    expect(await jobStatus(j)).toBe("PROCESSING STARTING");
    await s.core.deleteNamespacedPod({ name: "not-paddocks", namespace: s.jobsNamespace, gracePeriodSeconds: 0 });
  });
});
