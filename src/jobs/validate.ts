// POST /jarvice/validate: is the body a valid AppDef? Every problem is named
// (one 400 lists them all, the first one's field in `field`).
import { appDefProblems } from "../core/appdef";
import { invalid, PaddockError } from "../core/errors";

export function validateAppDef(doc: unknown): { valid: true } {
  const problems = appDefProblems(doc, "");
  if (problems.length === 0) return { valid: true };
  const [first] = problems;
  if (problems.length === 1) throw invalid(first!.field, first!.problem);
  // One 400 for all of them: the message lists each, the field is the first one's.
  throw new PaddockError("invalid", problems.map((p) => `${p.field}: ${p.problem}`).join("; "), first!.field);
}
