// Sealed API keys: an API key is stored as a hash (for lookups) and also
// sealed with AES-256-GCM under the server's key, so that its owner can be
// shown it again (the portal's Account page). The server's key comes from
// PADDOCK_SECRET_KEY (several API replicas must share it), else from a file
// in the data directory, generated on first start and kept; it is never logged.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseSecretKey, SECRET_KEY_BYTES } from "../core/secretKey";

export { parseSecretKey };

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** `plaintext` sealed under `key`: "v1:" and base64 of IV, GCM tag and ciphertext. */
export function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
}

/** What `sealed` holds, or undefined when it was sealed under another key, or is damaged. */
export function unseal(key: Buffer, sealed: string): string | undefined {
  const [version, data] = sealed.split(":");
  if (version !== VERSION || !data) return undefined;
  const raw = Buffer.from(data, "base64");
  if (raw.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}

/**
 * The key in `<dataDir>/secret.key` (hex), created (mode 0600) on first use. Two processes starting at
 * once agree: the file is created exclusively, and the loser reads the winner's.
 */
export function dataDirSecretKey(dataDir: string): Buffer {
  const file = path.join(dataDir, "secret.key");
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(file, `${randomBytes(SECRET_KEY_BYTES).toString("hex")}\n`, { flag: "wx", mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  const key = parseSecretKey(readFileSync(file, "utf8"));
  if (!key) throw new Error(`${file}: not a 32-byte key (64 hex digits); remove it to have a new one made (API keys sealed under it then need regenerating)`);
  return key;
}
