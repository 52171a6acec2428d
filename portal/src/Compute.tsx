// Compute: JARVICE's app catalog, the landing page after login (a card per app; choosing one opens
// the Task Builder at /builder/<appId>). Placeholder of the shell; the Compute screen fills it.
import type { Me } from "./api";

export function Compute(_: { me: Me }) {
  return (
    <section aria-labelledby="compute-title">
      <h1 id="compute-title">Compute</h1>
      <p className="hint">The app catalog is coming here.</p>
    </section>
  );
}
