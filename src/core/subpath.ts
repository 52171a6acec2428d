// Vault sub-path substitutions, resolved per user at job launch:
// %USER% login name, %UPN% directory userPrincipalName without realm,
// %SAM% directory sAMAccountName, %IDUSER% %UPN% for directory users else %USER%.
// The values come from the directory (through the external-auth proxy), so the
// result is checked like the template: relative, no `..` segment, no escape.
import { subpathProblem } from "./vaults";

export interface DirectoryIdentity {
  username: string;
  /** userPrincipalName as the directory gave it (user@REALM), if a directory user */
  upn?: string | null;
  sam?: string | null;
}

export type SubpathResult = { ok: true; path: string } | { ok: false; problem: string };

export function resolveSubpath(template: string, who: DirectoryIdentity): SubpathResult {
  const upn = who.upn ? who.upn.split("@")[0] : undefined;
  const values: Record<string, string | undefined> = {
    "%USER%": who.username,
    "%UPN%": upn,
    "%SAM%": who.sam ?? undefined,
    "%IDUSER%": upn ?? who.username,
  };
  const missing = new Set<string>();
  const path = template.replace(/%(USER|UPN|SAM|IDUSER)%/g, (token) => {
    const v = values[token];
    if (v === undefined || v === "") {
      missing.add(token);
      return token;
    }
    return v;
  });
  if (missing.size > 0) {
    // A directory user may still lack one attribute (a UPN but no sAMAccountName).
    const why = who.upn || who.sam ? "" : " (not a directory user)";
    return {
      ok: false,
      problem: `vault sub-path '${template}' uses ${[...missing].join(", ")}, which user '${who.username}' does not have${why}`,
    };
  }
  const problem = subpathProblem(path);
  if (problem) return { ok: false, problem: `vault sub-path '${template}' for user '${who.username}' ${problem}` };
  return { ok: true, path };
}
