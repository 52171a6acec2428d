// Kubernetes resource quantities as numbers the placement core compares.

/** Kubernetes quantities for cpu (→ millicores) and memory (→ bytes); plain numbers otherwise. */
export function parseQuantity(resource: string, q: string): number {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q);
  if (!m) return NaN;
  const n = Number(m[1]);
  const unit = m[2]!;
  if (resource === "cpu") return unit === "m" ? n : n * 1000;
  const factors: Record<string, number> = { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  return n * (factors[unit] ?? NaN);
}
