// API keys (random, shown once, stored as a SHA-256 hash: they are long and
// random, so a fast hash suffices and lookups stay indexable), passwords
// (scrypt with a per-password salt) and session tokens.
import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

const scryptAsync = promisify(scrypt) as (pw: string, salt: Buffer, len: number) => Promise<Buffer>;

export const newApiKey = (): string => randomBytes(24).toString("base64url");
export const newSessionToken = (): string => randomBytes(32).toString("base64url");
export const newPassword = (): string => randomBytes(12).toString("base64url");

export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, 32);
  return `scrypt$${salt.toString("hex")}$${key.toString("hex")}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (!stored) return false;
  const [scheme, saltHex, keyHex] = stored.split("$");
  if (scheme !== "scrypt" || !saltHex || !keyHex) return false;
  const key = await scryptAsync(password, Buffer.from(saltHex, "hex"), 32);
  const expected = Buffer.from(keyHex, "hex");
  return key.length === expected.length && timingSafeEqual(key, expected);
}
