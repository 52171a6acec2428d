// Account: the caller's own API key, password, vaults and zones (every user). Placeholder of the shell.
import type { Me } from "../api";

export function Account({ me }: { me: Me }) {
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">Account</h1>
      <p className="hint">Your account ({me.username}): API key, password, vaults and zones are coming here.</p>
    </section>
  );
}
