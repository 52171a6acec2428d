// Loads a screen's data when its inputs change (and every `pollMs` when
// given), putting an API error into the screen's error state. Returns the
// loader, so that actions can reload after they change something.
import { useCallback, useEffect, type DependencyList } from "react";
import { errorsOf } from "./api";

export function useLoad(work: () => Promise<void>, deps: DependencyList, setErrors: (errors: Record<string, string>) => void, pollMs?: number): () => Promise<void> {
  const load = useCallback(async () => {
    try {
      await work();
    } catch (e) {
      setErrors(errorsOf(e));
    }
    // The caller names what `work` depends on, as with useCallback itself.
  }, deps);
  useEffect(() => {
    void load();
    if (pollMs === undefined) return undefined;
    const t = setInterval(() => void load(), pollMs);
    return () => clearInterval(t);
  }, [load, pollMs]);
  return load;
}
