// Kubernetes label-value rules, and user names as label-value prefixes
// (a user name becomes the `<username>-` prefix of the ipaddr labels).

export const LABEL_VALUE_MAX = 63;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
// A user name is itself a label value (jarvice-user) and prefixes one (the ipaddr labels).
const USER_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Why `value` is not a valid Kubernetes label value, or undefined if it is. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > LABEL_VALUE_MAX) {
    return `must be at most ${LABEL_VALUE_MAX} characters (is ${value.length})`;
  }
  if (!LABEL_VALUE.test(value)) {
    return "must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit";
  }
  return undefined;
}

/** Why `name` cannot be a user name, or undefined if it can. */
export function userNameProblem(name: string): string | undefined {
  if (name.length === 0) return "must not be empty";
  if (name.length > LABEL_VALUE_MAX) {
    return `must be at most ${LABEL_VALUE_MAX} characters (is ${name.length}), since it prefixes Kubernetes label values`;
  }
  if (!USER_NAME.test(name)) {
    return "may contain only letters, digits, '-', '_' and '.', and must start and end with a letter or digit (it is used in Kubernetes label values)";
  }
  return undefined;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Why `key` is not a valid Kubernetes label key ([prefix/]name), or undefined if it is. */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return "has more than one '/'";
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  const prefix = parts.length === 2 ? parts[0]! : undefined;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return "has an invalid DNS prefix (lower-case DNS subdomain, at most 253 characters)";
  if (name.length === 0 || name.length > LABEL_VALUE_MAX || !LABEL_NAME.test(name)) {
    return `is not a valid label name (1-${LABEL_VALUE_MAX} letters, digits, '-', '_' or '.', starting and ending with a letter or digit)`;
  }
  return undefined;
}

/** At most this many labels in one node selector. */
export const NODE_SELECTOR_MAX = 64;

/**
 * Why `selector` is not a node selector (an object of label keys to label
 * values), with the field at fault (`nodeSelector` or `nodeSelector.<key>`).
 */
export function nodeSelectorProblem(selector: unknown): { field: string; problem: string } | undefined {
  if (typeof selector !== "object" || selector === null || Array.isArray(selector)) {
    return { field: "nodeSelector", problem: "must be an object of label names to string values" };
  }
  const entries = Object.entries(selector);
  if (entries.length > NODE_SELECTOR_MAX) return { field: "nodeSelector", problem: `must have at most ${NODE_SELECTOR_MAX} labels (has ${entries.length})` };
  for (const [key, value] of entries) {
    const field = `nodeSelector.${key.slice(0, 100)}`;
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) return { field, problem: `label key ${keyProblem}` };
    if (typeof value !== "string") return { field, problem: "must be a string (the label value)" };
    const valueProblem = labelValueProblem(value);
    if (valueProblem) return { field, problem: `label value ${valueProblem}` };
  }
  return undefined;
}
