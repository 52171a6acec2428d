// The elector on a fake clock and an in-memory Lease with the API server's
// optimistic concurrency (resourceVersion): instances whose clocks disagree by
// an hour (or years) never lead at the same time, a standby takes over only
// after seeing no change for a whole lease duration of its own clock, a
// released lease is taken at once, and a leader cut off steps down at its
// renew deadline.
import type * as k8s from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LeaderElector, microTime, type LeaseClient } from "./leaderElection";

const LEASE_S = 15;
const RENEW_MS = 2000;
const DEADLINE_MS = 10_000;
const HOUR = 3600_000;
const YEARS = 10 * 365 * 24 * HOUR;

const copy = <T>(x: T): T => structuredClone(x);

/** One Lease object, stored like the API server does: create fails if it exists, replace needs the current resourceVersion. */
class LeaseStore {
  lease: k8s.V1Lease | undefined;
  private version = 0;
  /** global (fake) time of each write, by holder */
  writes: { at: number; holder: string | undefined }[] = [];

  put(lease: k8s.V1Lease): k8s.V1Lease {
    this.lease = copy({ ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.version) } });
    this.writes.push({ at: Date.now(), holder: this.lease.spec?.holderIdentity });
    return copy(this.lease);
  }

  /** a client for one instance; `link.hang` makes every request go unanswered */
  client(link: { hang: boolean }): LeaseClient {
    const answer = <T>(f: () => T): Promise<T> => (link.hang ? new Promise<T>(() => {}) : Promise.resolve().then(f));
    return {
      get: () => answer(() => (this.lease ? copy(this.lease) : undefined)),
      create: (lease) => answer(() => (this.lease ? undefined : this.put(lease))),
      replace: (lease) => answer(() => (lease.metadata?.resourceVersion === this.lease?.metadata?.resourceVersion ? this.put(lease) : undefined)),
    };
  }
}

interface Instance {
  id: string;
  elector: LeaderElector;
  link: { hang: boolean };
  /** global (fake) times at which it started / stopped leading */
  started: number[];
  stopped: number[];
}

let store: LeaseStore;
let leaders: Set<string>;
let mostLeaders: number;
let instances: Instance[];

/** An instance whose clock is `skewMs` off the true (fake global) time. */
function instance(id: string, skewMs: number): Instance {
  const link = { hang: false };
  const inst: Instance = { id, link, started: [], stopped: [], elector: undefined as unknown as LeaderElector };
  inst.elector = new LeaderElector(undefined, {
    namespace: "sys",
    name: "lease",
    identity: id,
    leaseSeconds: LEASE_S,
    renewMs: RENEW_MS,
    renewDeadlineMs: DEADLINE_MS,
    log: () => {},
    now: () => Date.now() + skewMs,
    leases: store.client(link),
    onStartedLeading: () => {
      leaders.add(id);
      mostLeaders = Math.max(mostLeaders, leaders.size);
      inst.started.push(Date.now());
    },
    onStoppedLeading: () => {
      leaders.delete(id);
      inst.stopped.push(Date.now());
    },
  });
  instances.push(inst);
  return inst;
}

/** Let `ms` of fake time pass in 100 ms steps; at no point may two instances believe they lead. */
async function run(ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) {
    await vi.advanceTimersByTimeAsync(100);
    expect(instances.filter((i) => i.elector.isLeader).length).toBeLessThanOrEqual(1);
    expect(mostLeaders).toBeLessThanOrEqual(1);
  }
}

const lastWriteBy = (id: string) => store.writes.filter((w) => w.holder === id).at(-1)!.at;

beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2026-12-01T12:00:00Z") });
  store = new LeaseStore();
  leaders = new Set();
  mostLeaders = 0;
  instances = [];
});

afterEach(async () => {
  for (const i of instances) await i.elector.stop({ release: false });
  vi.useRealTimers();
});

describe("LeaderElector under clock skew", () => {
  it.each([
    ["the standby's clock is an hour ahead", 0, HOUR],
    ["the standby's clock is an hour behind", 0, -HOUR],
    ["the holder's clock is an hour behind (renewTime in the past)", -HOUR, 0],
    ["the holder's clock is an hour ahead (renewTime in the future)", HOUR, 0],
    ["the holder writes renewTime years in the past", -YEARS, 0],
    ["the holder writes renewTime years in the future", YEARS, 0],
  ])("%s: a lease being renewed is never taken, and the standby takes over a full lease duration after the last renewal it saw", async (_what, holderSkew, standbySkew) => {
    const a = instance("a", holderSkew);
    a.elector.start();
    await run(500);
    expect(a.elector.isLeader).toBe(true);

    const b = instance("b", standbySkew);
    b.elector.start();
    await run(3 * LEASE_S * 1000);
    expect(a.elector.isLeader).toBe(true);
    expect(b.started).toEqual([]);
    expect(store.lease?.spec?.holderIdentity).toBe("a");

    // The holder dies without releasing: the lease stays as it last wrote it.
    const crashed = Date.now();
    await a.elector.stop({ release: false });
    await run(LEASE_S * 1000 + 3 * RENEW_MS);
    expect(b.elector.isLeader).toBe(true);
    const took = b.started[0]!;
    // Not before a full lease duration since the last change it could have seen, and not much later.
    expect(took - lastWriteBy("a")).toBeGreaterThanOrEqual(LEASE_S * 1000);
    expect(took - crashed).toBeLessThanOrEqual(LEASE_S * 1000 + 2 * RENEW_MS + 100);
    expect(store.lease?.spec).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
  });

  it.each([
    ["an hour in the past", -HOUR],
    ["an hour in the future", HOUR],
  ])("a new instance that finds a lease last renewed %s (by the holder's clock) waits a full lease duration of its own clock before taking it", async (_what, offset) => {
    const renew = microTime(new Date(Date.now() + offset));
    store.put({ metadata: { name: "lease", namespace: "sys" }, spec: { holderIdentity: "gone", leaseDurationSeconds: LEASE_S, acquireTime: renew, renewTime: renew, leaseTransitions: 3 } });
    const started = Date.now();
    const b = instance("b", 0);
    b.elector.start();
    await run(LEASE_S * 1000);
    expect(b.elector.isLeader).toBe(false);
    await run(2 * RENEW_MS + 100);
    expect(b.elector.isLeader).toBe(true);
    expect(b.started[0]! - started).toBeGreaterThan(LEASE_S * 1000);
    expect(store.lease?.spec).toMatchObject({ holderIdentity: "b", leaseTransitions: 4 });
  });

  it("a released lease is taken at once, whatever the clocks", async () => {
    const a = instance("a", -HOUR);
    a.elector.start();
    await run(500);
    const b = instance("b", HOUR);
    b.elector.start();
    await run(10_000);
    expect([a.elector.isLeader, b.elector.isLeader]).toEqual([true, false]);

    const released = Date.now();
    await a.elector.stop();
    expect(store.lease?.spec?.holderIdentity).toBeUndefined();
    await run(RENEW_MS + 100);
    expect(b.elector.isLeader).toBe(true);
    expect(b.started[0]! - released).toBeLessThanOrEqual(RENEW_MS + 100);
  });

  it("a leader whose renewals go unanswered steps down at its renew deadline, before the standby takes over", async () => {
    const a = instance("a", HOUR);
    a.elector.start();
    await run(500);
    const b = instance("b", -HOUR);
    b.elector.start();
    await run(10_000);
    expect([a.elector.isLeader, b.elector.isLeader]).toEqual([true, false]);

    a.link.hang = true; // cut off from the API server
    await run(LEASE_S * 1000 + 3 * RENEW_MS);
    expect([a.elector.isLeader, b.elector.isLeader]).toEqual([false, true]);
    const lastRenewal = lastWriteBy("a");
    expect(a.stopped[0]! - lastRenewal).toBeLessThanOrEqual(DEADLINE_MS + RENEW_MS);
    expect(a.stopped[0]!).toBeLessThan(b.started[0]!);
    expect(b.started[0]! - lastRenewal).toBeGreaterThanOrEqual(LEASE_S * 1000);
  });
});
