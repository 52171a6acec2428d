// The Account page's password change, checked before it is sent (pure; password.test.ts):
// every problem at once, in words, keyed by the API's field names (current, password) and "repeat".
import type { Errors } from "../errors";

export const PASSWORD_LABELS = { current: "Current password", password: "New password", repeat: "Repeat the new password" };

export function passwordProblems(p: { current: string; password: string; repeat: string }): Errors {
  const out: Errors = {};
  if (p.current === "") out.current = `${PASSWORD_LABELS.current}: required`;
  if (p.password === "") out.password = `${PASSWORD_LABELS.password}: required`;
  else if (p.password === p.current) out.password = `${PASSWORD_LABELS.password}: is the same as the current one`;
  if (p.password !== "" && p.repeat !== p.password) out.repeat = `${PASSWORD_LABELS.repeat}: does not match the new password`;
  return out;
}
