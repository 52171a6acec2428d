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
