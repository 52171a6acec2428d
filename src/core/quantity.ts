// Kubernetes resource quantities (k8s.io/apimachinery resource.Quantity) as
// integers the placement core compares: cpu in millicores, everything else in
// base units (bytes for memory), rounded up as Kubernetes' MilliValue/Value do.
// Never NaN: a string outside the grammar, or a negative quantity, is a problem.
//
//   <quantity> ::= <sign>? <number> <suffix>
//   <number>   ::= <digits> | <digits>.<digits>? | .<digits>
//   <suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei            (binary SI)
//                | n | u | m | "" | k | M | G | T | P | E (decimal SI)
//                | (e | E) <sign>? <digits>               (decimal exponent)

export type Quantity = { ok: true; value: number } | { ok: false; problem: string };

const GRAMMAR = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
/** Kubernetes clamps quantities to 2^63-1 (an int64); so do we, which keeps every value finite. */
const MAX = 2n ** 63n - 1n;

export function quantity(resource: string, q: string): Quantity {
  const m = GRAMMAR.exec(q);
  if (!m) return { ok: false, problem: `${JSON.stringify(q)} is not a Kubernetes quantity` };
  const [, sign, whole = "", fraction = "", bareFraction, exponent, suffix = ""] = m;
  const frac = bareFraction ?? fraction;
  const digits = (whole + frac).replace(/^0+/, "");
  if (digits === "") return { ok: true, value: 0 };
  if (sign === "-") return { ok: false, problem: `${JSON.stringify(q)} is negative` };
  // value = digits × 10^scale × 2^pow2, in millicores for cpu
  const exp10 = exponent !== undefined ? Number(exponent) : (DECIMAL[suffix] ?? 0);
  const scale = exp10 - frac.length + (resource === "cpu" ? 3 : 0);
  const pow2 = BINARY[suffix] ?? 0;
  const magnitude = digits.length + scale; // value < 10^magnitude × 2^pow2
  if (magnitude > 40) return { ok: true, value: Number(MAX) };
  if (magnitude < -40) return { ok: true, value: 1 }; // a tiny positive amount rounds up to one unit
  const num = BigInt(digits) * 2n ** BigInt(pow2) * 10n ** BigInt(Math.max(scale, 0));
  const den = 10n ** BigInt(Math.max(-scale, 0));
  const ceil = (num + den - 1n) / den;
  return { ok: true, value: Number(ceil > MAX ? MAX : ceil) };
}
