// A machine type's tolerations (its pods may go on nodes with these taints,
// e.g. a tainted GPU pool), checked as Kubernetes would check them, so a bad
// one is a 400 naming the field instead of every pod of the machine refused.
import { labelKeyProblem, labelValueProblem } from "./labels";
import type { PodToleration } from "./podPlan";

export const TOLERATIONS_MAX = 32;
const EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
const FIELDS = new Set(["key", "operator", "value", "effect", "tolerationSeconds"]);

export type TolerationsResult = { ok: true; value: PodToleration[] } | { ok: false; field: string; problem: string };

/** The tolerations as stored (operator spelled out), or the first problem with its field (`tolerations[i].key`). */
export function parseTolerations(input: unknown): TolerationsResult {
  const bad = (field: string, problem: string): TolerationsResult => ({ ok: false, field, problem });
  if (!Array.isArray(input)) return bad("tolerations", "must be an array of tolerations ({key, operator, value, effect, tolerationSeconds})");
  if (input.length > TOLERATIONS_MAX) return bad("tolerations", `must have at most ${TOLERATIONS_MAX} tolerations (has ${input.length})`);
  const out: PodToleration[] = [];
  for (const [i, t] of input.entries()) {
    const at = `tolerations[${i}]`;
    if (typeof t !== "object" || t === null || Array.isArray(t)) return bad(at, "must be an object");
    const o = t as Record<string, unknown>;
    const unknown = Object.keys(o).find((k) => !FIELDS.has(k));
    if (unknown !== undefined) return bad(`${at}.${unknown.slice(0, 60)}`, "is not a toleration field (key, operator, value, effect, tolerationSeconds)");
    const operator = o.operator ?? "Equal";
    if (operator !== "Equal" && operator !== "Exists") return bad(`${at}.operator`, "must be Equal or Exists");
    const key = o.key ?? "";
    if (typeof key !== "string") return bad(`${at}.key`, "must be a string (a taint key)");
    if (key === "" && operator !== "Exists") return bad(`${at}.key`, "may be empty only with operator Exists (tolerate every taint)");
    const keyProblem = key === "" ? undefined : labelKeyProblem(key);
    if (keyProblem) return bad(`${at}.key`, `taint key ${keyProblem}`);
    const value = o.value ?? "";
    if (typeof value !== "string") return bad(`${at}.value`, "must be a string");
    if (operator === "Exists" && value !== "") return bad(`${at}.value`, "must be empty with operator Exists");
    const valueProblem = value === "" ? undefined : labelValueProblem(value);
    if (valueProblem) return bad(`${at}.value`, `taint value ${valueProblem}`);
    const effect = o.effect ?? "";
    if (typeof effect !== "string" || (effect !== "" && !EFFECTS.includes(effect))) return bad(`${at}.effect`, `must be ${EFFECTS.join(", ")} or empty (every effect)`);
    let seconds: number | undefined;
    if (o.tolerationSeconds !== undefined && o.tolerationSeconds !== null) {
      if (!Number.isInteger(o.tolerationSeconds)) return bad(`${at}.tolerationSeconds`, "must be an integer number of seconds");
      if (effect !== "NoExecute") return bad(`${at}.tolerationSeconds`, "is only valid with effect NoExecute");
      seconds = o.tolerationSeconds as number;
    }
    out.push({
      ...(key !== "" ? { key } : {}),
      operator,
      ...(value !== "" ? { value } : {}),
      ...(effect !== "" ? { effect } : {}),
      ...(seconds !== undefined ? { tolerationSeconds: seconds } : {}),
    });
  }
  return { ok: true, value: out };
}
