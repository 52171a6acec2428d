// Who a set of credentials belongs to: the domain's credential check, used by
// the HTTP layer's authentication and by /jarvice/submit (whose body carries
// the user's name and API key).
//
// An account is active when neither it nor its payer is disabled: disabling a
// payer disables its whole team (no login, no key, no session) until it is
// re-enabled. A disabled account answers exactly like wrong credentials, and a
// password check costs one scrypt whether or not the user exists, so neither
// the answer nor its timing tells which names exist or are disabled.
import { timingSafeEqual } from "node:crypto";
import { unauthorized } from "../core/errors";
import type { Account } from "../core/tenancy";
import type { Ctx } from "../store/ctx";
import type { Db } from "../store/db";
import { reusedQuery } from "../store/reusedQuery";
import type { UserRow } from "../store/schema";
import { toAccount } from "./accounts";
import { hashToken, verifyPassword } from "./secrets";

export interface Caller {
  user: UserRow;
  account: Account;
}

/** A user row with whether its payer (if any) is disabled. */
export type CredentialRow = UserRow & { payer_disabled: boolean | null };

export const WRONG_PASSWORD = "invalid user name or password";
export const WRONG_APIKEY = "invalid user name or API key";

/** Users joined with their payer's `disabled`; narrow it with a where clause on `users.*`. */
export const usersWithPayer = (db: Db) =>
  db.selectFrom("users").leftJoin("users as payer", "payer.id", "users.payer_id").selectAll("users").select("payer.disabled as payer_disabled");

export const isActive = (row: CredentialRow): boolean => !row.disabled && row.payer_disabled !== true;

/** The caller a row stands for, or 401 (`why`) when it or its payer is disabled. */
export function caller(row: CredentialRow, why = "invalid credentials"): Caller {
  if (!isActive(row)) throw unauthorized(why);
  const { payer_disabled: _, ...user } = row;
  return { user, account: toAccount(user) };
}

/** Every authenticated request reads this: compiled once (reusedQuery). */
const byName = reusedQuery<{ username: string }>()((db, slot) => usersWithPayer(db).where("users.username", "=", slot("username")));

export async function credentialRowByName(db: Db, username: string): Promise<CredentialRow | undefined> {
  return (await byName.execute(db, { username })).rows[0];
}

export async function userByApiKey(ctx: Ctx, username: string, apikey: string, why = "invalid credentials"): Promise<Caller> {
  const row = await credentialRowByName(ctx.db, username);
  if (!row || !equalHashes(row.apikey_hash, hashToken(apikey))) throw unauthorized(why);
  return caller(row, why);
}

/** A password hash of a random password nobody knows: unknown users and users without a password are checked against it. */
const DUMMY_PASSWORD_HASH = "scrypt$6d75009c5f8bbb5cb86ed1f3e8bfc6df$4783c310c38bf59e555dc31450011211fe0e79b2631daf081417481e44512747";

export async function userByPassword(ctx: Ctx, username: string, password: string): Promise<Caller> {
  const row = await credentialRowByName(ctx.db, username);
  const matches = await verifyPassword(password, row?.password_hash ?? DUMMY_PASSWORD_HASH);
  if (!row || row.password_hash === null || !matches) throw unauthorized(WRONG_PASSWORD);
  return caller(row, WRONG_PASSWORD);
}

export function equalHashes(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
