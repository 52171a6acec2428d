// Who a set of credentials belongs to: the domain's credential check, used by
// the HTTP layer's authentication and by /jarvice/submit (whose body carries
// the user's name and API key).
import { timingSafeEqual } from "node:crypto";
import { unauthorized } from "../core/errors";
import type { Account } from "../core/tenancy";
import type { Ctx } from "../store/ctx";
import type { UserRow } from "../store/schema";
import { findUser, toAccount } from "./accounts";
import { hashToken } from "./secrets";

export interface Caller {
  user: UserRow;
  account: Account;
}

export function caller(user: UserRow): Caller {
  if (user.disabled) throw unauthorized("account disabled");
  return { user, account: toAccount(user) };
}

export async function userByApiKey(ctx: Ctx, username: string, apikey: string): Promise<Caller> {
  const user = await findUser(ctx.db, username);
  if (!user || !equalHashes(user.apikey_hash, hashToken(apikey))) throw unauthorized();
  return caller(user);
}

export function equalHashes(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
