// Loading, polling and cache invalidation (@tanstack/react-query over api.ts's `call`).
//   const jobs = useApi<{ jobs: Job[] }>(["jobs", team], `/api/jobs?team=${team}`, { pollMs: 2000 });
//   jobs.data (undefined until loaded), jobs.loading (first load), jobs.error (words, or undefined)
//   -> pass `{ loading: jobs.loading, error: jobs.error }` to <Table> so a failed load never reads "No jobs".
//   const remove = useApiMutation((id: number) => call("DELETE", `/api/x/${id}`), [["x"]]);
//   await remove.mutateAsync(3)  (invalidates every query whose key starts with ["x"])
// Keys: the first element names the resource ("jobs", "metadata", "zones"); invalidate by that prefix.
import { QueryClient, useMutation, useQuery, useQueryClient, type QueryKey, type UseQueryResult } from "@tanstack/react-query";
import { ApiError, call } from "../api";

/** Network failures retry with backoff until Paddock answers; server errors once; refusals (4xx) never. */
export function shouldRetry(failures: number, e: unknown): boolean {
  if (e instanceof ApiError && e.status === 0) return true;
  if (e instanceof ApiError && e.status >= 400 && e.status < 500) return false;
  return failures < 1;
}

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: shouldRetry, retryDelay: (n) => Math.min(1000 * 2 ** n, 15_000), refetchOnWindowFocus: false },
    mutations: { retry: false },
  },
});

export interface Loaded<T> {
  data: T | undefined;
  /** the first load is under way (no data yet) */
  loading: boolean;
  /** why the last load failed, in words ("Cannot reach Paddock (network error); retrying"); undefined when it did not */
  error: string | undefined;
  reload: () => void;
}

/** GET `url` as `key` (null url: wait); `pollMs` refetches while the view is shown. */
export function useApi<T>(key: QueryKey, url: string | null, opts: { pollMs?: number } = {}): Loaded<T> {
  const q = useQuery<T, Error>({ queryKey: key, queryFn: () => call<T>("GET", url!), enabled: url !== null, refetchInterval: opts.pollMs ?? false });
  return loadedOf(q, url !== null);
}

/** Like useApi, for a screen whose data takes several calls: `load` returns it all, cached under `key`. */
export function useApiLoad<T>(key: QueryKey, load: () => Promise<T>): Loaded<T> {
  return loadedOf(useQuery<T, Error>({ queryKey: key, queryFn: load }), true);
}

/** A query as a screen reads it; `enabled`: the query runs (useApi's url is known). */
function loadedOf<T>(q: UseQueryResult<T, Error>, enabled: boolean): Loaded<T> {
  // while retrying, react-query keeps `error` empty and says why in `failureReason`
  const e = q.error ?? q.failureReason;
  const error = e ? (e instanceof ApiError && e.status === 0 ? `${e.message}; retrying` : e.message) : undefined;
  return { data: q.data, loading: q.isPending && enabled && !e, error, reload: () => void q.refetch() };
}

/** A change through the API that, once done, reloads every query under the given key prefixes. */
export function useApiMutation<V, R = unknown>(run: (v: V) => Promise<R>, invalidates: QueryKey[]) {
  const client = useQueryClient();
  return useMutation<R, Error, V>({
    mutationFn: run,
    onSettled: () => Promise.all(invalidates.map((k) => client.invalidateQueries({ queryKey: k }))),
  });
}
