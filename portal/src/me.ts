// Who is logged in, and what the role's words are (pure: routes.ts and tests import it without the transport).
export interface Me {
  id: number;
  username: string;
  email: string;
  role: "payer" | "member";
  payer: string | null;
  tenant: string;
  sysadmin: boolean;
  teamAdmin: boolean;
}

/** Payers, team admins and system administrators see their team. */
export const managesTeam = (me: Me) => me.sysadmin || me.role === "payer" || me.teamAdmin;

/** How the shell names the caller's role ("payer", "team admin of acme", ...). */
export const roleText = (me: Me) => (me.sysadmin ? "system administrator" : me.role === "payer" ? "payer" : me.teamAdmin ? `team admin of ${me.tenant}` : `member of ${me.tenant}`);
