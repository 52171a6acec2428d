// One leader at a time through a coordination.k8s.io Lease: acquire it when
// free or expired, renew it while leading, and step down (stop working) as
// soon as a renewal fails, so a standby can take over. A renewal that gets no
// answer counts as failed once the renew deadline (before the lease expires)
// has passed: a leader cut off from the API server stops on its own before a
// standby can take the lease over.
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
}

// MicroTime wants six fractional digits; the client passes strings through unchanged
// (a Date would go out with milliseconds and be refused with 400).
export const microTime = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z") as unknown as k8s.V1MicroTime;

export class LeaderElector {
  private readonly api: k8s.CoordinationV1Api;
  private timer: NodeJS.Timeout | undefined;
  private leading = false;
  private stopped = false;
  /** when the last successful acquire or renewal was sent (local clock) */
  private renewedAt = 0;

  constructor(
    kc: k8s.KubeConfig,
    private readonly opts: LeaseOptions,
  ) {
    this.api = kc.makeApiClient(k8s.CoordinationV1Api);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      const attempt = Date.now();
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
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.opts.renewMs ?? 2000);
    };
    void tick();
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
    const budget = this.leading ? this.renewedAt + this.renewDeadlineMs - Date.now() : this.renewDeadlineMs;
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
        const lease = await this.api.readNamespacedLease({ name: this.opts.name, namespace: this.opts.namespace });
        if (lease.spec?.holderIdentity === this.opts.identity) {
          lease.spec.holderIdentity = undefined;
          lease.spec.renewTime = undefined;
          await this.api.replaceNamespacedLease({ name: this.opts.name, namespace: this.opts.namespace, body: lease });
        }
      } catch {
        // best effort: the lease expires anyway
      }
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { name, namespace, identity } = this.opts;
    const duration = this.opts.leaseSeconds ?? 15;
    const now = new Date();
    let lease: k8s.V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
      try {
        await this.api.createNamespacedLease({
          namespace,
          body: { metadata: { name, namespace }, spec: { holderIdentity: identity, leaseDurationSeconds: duration, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 } },
        });
        return true;
      } catch (e2) {
        if (statusOf(e2) === 409) return false; // someone else created it first
        throw e2;
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity;
    const renewed = spec.renewTime ? new Date(spec.renewTime as unknown as string).getTime() : 0;
    const expired = renewed + (spec.leaseDurationSeconds ?? duration) * 1000 < now.getTime();
    if (holder && holder !== identity && !expired) return false;
    const taking = holder !== identity;
    lease.spec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds: duration,
      renewTime: microTime(now),
      ...(taking ? { acquireTime: microTime(now), leaseTransitions: (spec.leaseTransitions ?? 0) + 1 } : {}),
    };
    try {
      // resourceVersion in the body makes this a compare-and-swap: a concurrent taker gets 409.
      await this.api.replaceNamespacedLease({ name, namespace, body: lease });
      return true;
    } catch (e) {
      if (statusOf(e) === 409) return false;
      throw e;
    }
  }
}
