// One leader at a time through a coordination.k8s.io Lease: acquire it when
// free or expired, renew it while leading, and step down (stop working) as
// soon as a renewal fails, so a standby can take over. A renewal that gets no
// answer counts as failed once the renew deadline (before the lease expires)
// has passed: a leader cut off from the API server stops on its own before a
// standby can take the lease over.
//
// Expiry follows client-go's rule: a standby remembers the lease record it last
// saw and the time on its OWN clock at which it saw that record change; the lease
// counts as expired only when it has seen no change for a full lease duration.
// The holder's renewTime is only compared with the previous renewTime (to notice
// a change), never with the local clock, so clock skew between instances cannot
// make a standby take a lease that is being renewed. Taking it over is a
// compare-and-swap on resourceVersion, so two standbys cannot both win.
import * as k8s from "@kubernetes/client-node";
import { statusOf } from "./kubeCluster";
import type { Logger } from "./logger";

export interface LeaseOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseSeconds?: number;
  renewMs?: number;
  /** a leader that has not renewed for this long steps down (default 2/3 of the lease) */
  renewDeadlineMs?: number;
  log: Logger;
  onStartedLeading: () => Promise<void> | void;
  onStoppedLeading: () => Promise<void> | void;
  /** the local clock in ms (tests inject a fake one) */
  now?: () => number;
  /** the Lease API (tests inject an in-memory one); default: CoordinationV1Api of the KubeConfig */
  leases?: LeaseClient;
}

/** The one Lease this elector works on, with the API server's optimistic concurrency. */
export interface LeaseClient {
  /** the lease, or undefined when it does not exist */
  get(): Promise<k8s.V1Lease | undefined>;
  /** the stored lease, or undefined when it already exists (409) */
  create(lease: k8s.V1Lease): Promise<k8s.V1Lease | undefined>;
  /** the stored lease, or undefined when metadata.resourceVersion is stale (409) */
  replace(lease: k8s.V1Lease): Promise<k8s.V1Lease | undefined>;
}

export function coordinationLeases(kc: k8s.KubeConfig, namespace: string, name: string): LeaseClient {
  const api = kc.makeApiClient(k8s.CoordinationV1Api);
  const unlessConflict = async (write: Promise<k8s.V1Lease>) => {
    try {
      return await write;
    } catch (e) {
      if (statusOf(e) === 409) return undefined;
      throw e;
    }
  };
  return {
    get: async () => {
      try {
        return await api.readNamespacedLease({ name, namespace });
      } catch (e) {
        if (statusOf(e) === 404) return undefined;
        throw e;
      }
    },
    create: (body) => unlessConflict(api.createNamespacedLease({ namespace, body })),
    replace: (body) => unlessConflict(api.replaceNamespacedLease({ name, namespace, body })),
  };
}

/** What tells one version of the lease record from another (the holder's times are only compared with each other). */
const recordKey = (lease: k8s.V1Lease): string => {
  const spec = lease.spec ?? {};
  return JSON.stringify([
    lease.metadata?.resourceVersion ?? "",
    spec.holderIdentity ?? "",
    String(spec.renewTime ?? ""),
    String(spec.acquireTime ?? ""),
    spec.leaseTransitions ?? 0,
    spec.leaseDurationSeconds ?? 0,
  ]);
};

// MicroTime wants six fractional digits; the client passes strings through unchanged
// (a Date would go out with milliseconds and be refused with 400).
export const microTime = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z") as unknown as k8s.V1MicroTime;

export class LeaderElector {
  private readonly leases: LeaseClient;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private leading = false;
  private stopped = false;
  /** when the last successful acquire or renewal was sent (local clock) */
  private renewedAt = 0;
  /** the lease record last seen (recordKey), and when it was seen to change (local clock) */
  private observedRecord: string | undefined;
  private observedTime = 0;

  constructor(
    kc: k8s.KubeConfig | undefined,
    private readonly opts: LeaseOptions,
  ) {
    this.now = opts.now ?? Date.now;
    if (opts.leases) this.leases = opts.leases;
    else if (kc) this.leases = coordinationLeases(kc, opts.namespace, opts.name);
    else throw new Error("LeaderElector needs a KubeConfig or a lease client");
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    const loop = async () => {
      await this.tick();
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.opts.renewMs ?? 2000);
    };
    void loop();
  }

  /** One round: acquire or renew the lease, start or stop leading accordingly (start() repeats it). */
  async tick(): Promise<void> {
    if (this.stopped) return;
    const attempt = this.now();
    try {
      const holds = await this.withinDeadline(this.tryAcquireOrRenew());
      if (this.stopped) return; // stopped meanwhile: do not start leading now
      if (holds) this.renewedAt = attempt;
      if (holds && !this.leading) {
        this.leading = true;
        this.opts.log(20, `became leader (lease ${this.opts.namespace}/${this.opts.name}, identity ${this.opts.identity})`);
        await this.opts.onStartedLeading();
      } else if (!holds && this.leading) {
        await this.stepDown("lease taken by another instance");
      }
    } catch (e) {
      if (this.leading) await this.stepDown(`cannot renew lease: ${(e as Error).message}`);
      else this.opts.log(30, `lease: ${(e as Error).message}`);
    }
  }

  private get renewDeadlineMs(): number {
    return this.opts.renewDeadlineMs ?? Math.round(((this.opts.leaseSeconds ?? 15) * 1000 * 2) / 3);
  }

  /**
   * A request to the API server can hang (client-node sets no timeout): give up on it when a
   * leader's renew deadline passes (or after one renew deadline for a standby).
   */
  private async withinDeadline<T>(attempt: Promise<T>): Promise<T> {
    attempt.catch(() => {}); // it may still fail after we gave up on it
    const budget = this.leading ? this.renewedAt + this.renewDeadlineMs - this.now() : this.renewDeadlineMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        attempt,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer from the API server within the renew deadline (${this.renewDeadlineMs} ms)`)), Math.max(0, budget));
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async stepDown(why: string): Promise<void> {
    this.leading = false;
    this.opts.log(30, `stopped leading: ${why}`);
    await this.opts.onStoppedLeading();
  }

  /**
   * Stop leading and release the lease (so a standby takes over at once). With
   * `release: false` the lease is left to expire, as after a crash.
   */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.leading) {
      this.leading = false;
      await this.opts.onStoppedLeading();
      if (opts.release === false) return;
      try {
        const lease = await this.leases.get();
        if (lease?.spec?.holderIdentity === this.opts.identity) {
          lease.spec.holderIdentity = undefined;
          lease.spec.renewTime = undefined;
          await this.leases.replace(lease);
          this.opts.log(20, `released lease ${this.opts.namespace}/${this.opts.name}`);
        }
      } catch {
        // best effort: the lease expires anyway
      }
    }
  }

  /** Remember the record and, when it changed since last seen, the local time of the change. */
  private observe(lease: k8s.V1Lease, at: number): void {
    const key = recordKey(lease);
    if (key !== this.observedRecord) {
      this.observedRecord = key;
      this.observedTime = at;
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { name, namespace, identity } = this.opts;
    const duration = this.opts.leaseSeconds ?? 15;
    const lease = await this.leases.get();
    const nowMs = this.now();
    const now = new Date(nowMs);
    if (!lease) {
      const created = await this.leases.create({
        metadata: { name, namespace },
        spec: { holderIdentity: identity, leaseDurationSeconds: duration, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
      });
      if (!created) return false; // someone else created it first
      this.observe(created, nowMs);
      return true;
    }
    this.observe(lease, nowMs);
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity;
    // Expired only when this instance has seen no change for a whole lease duration of its own clock.
    const expired = this.observedTime + (spec.leaseDurationSeconds ?? duration) * 1000 < nowMs;
    if (holder && holder !== identity && !expired) return false;
    const taking = holder !== identity;
    const body: k8s.V1Lease = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: duration,
        renewTime: microTime(now),
        ...(taking ? { acquireTime: microTime(now), leaseTransitions: (spec.leaseTransitions ?? 0) + 1 } : {}),
      },
    };
    // resourceVersion in the body makes this a compare-and-swap: a concurrent taker gets 409.
    const stored = await this.leases.replace(body);
    if (!stored) return false;
    this.observe(stored, nowMs);
    return true;
  }
}
