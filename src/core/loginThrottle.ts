// Slowing down password guessing at POST /api/login: after `limit` failed
// logins within `windowMs` for one key (a user name, or a client address), that
// key is refused until the oldest of those failures leaves the window. Only
// failures count; a success clears its user name's failures (not its
// address's, so an attacker's own account cannot reset its address).
// Pure: the caller keeps the failure lists (in memory, per process) and the clock.

export interface ThrottlePolicy {
  limit: number;
  windowMs: number;
}

export const LOGIN_POLICY: { perUser: ThrottlePolicy; perAddress: ThrottlePolicy } = {
  perUser: { limit: 10, windowMs: 15 * 60_000 },
  perAddress: { limit: 50, windowMs: 15 * 60_000 },
};

/** Milliseconds until a login for this key may be tried again; 0 when it may now. `failures` are times, oldest first. */
export function retryAfterMs(failures: readonly number[], now: number, policy: ThrottlePolicy): number {
  const recent = failures.filter((t) => t > now - policy.windowMs);
  if (recent.length < policy.limit) return 0;
  // The key is free again once enough failures have aged out to leave limit - 1 in the window.
  return recent[recent.length - policy.limit]! + policy.windowMs - now;
}

/** The failure list after one more failure at `now`: only the newest `limit` within the window are kept. */
export function withFailure(failures: readonly number[], now: number, policy: ThrottlePolicy): number[] {
  return [...failures.filter((t) => t > now - policy.windowMs), now].slice(-policy.limit);
}
