// The server key that API keys are sealed under (accounts/sealing.ts), as
// PADDOCK_SECRET_KEY and <dataDir>/secret.key write it.

export const SECRET_KEY_BYTES = 32;

/** A 32-byte key written as 64 hex digits or as base64; undefined when it is neither. */
export function parseSecretKey(text: string): Buffer | undefined {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, "hex");
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (b.length === SECRET_KEY_BYTES) return b;
  }
  return undefined;
}
