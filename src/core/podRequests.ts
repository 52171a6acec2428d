// What a pod asks of a node, as kube-scheduler counts it: per resource, the
// larger of (all containers + sidecars) and the largest init container (plus
// the sidecars started before it), plus the pod overhead. Pure; structurally
// typed so both the Kubernetes pod and the simulated cluster's plan fit.
import type { Resources } from "./placement";
import { quantity } from "./quantity";

type Requests = Record<string, string> | undefined;
interface ContainerLike {
  resources?: { requests?: Requests } | undefined;
  restartPolicy?: string | undefined;
}
export interface PodSpecLike {
  containers?: ContainerLike[] | undefined;
  initContainers?: ContainerLike[] | undefined;
  overhead?: Requests;
}

/** Not ok when a quantity is unparsable: `requests` then holds the parsable part, `unparsable` the resources that were not. */
export type PodRequests = { ok: true; requests: Resources } | { ok: false; problem: string; requests: Resources; unparsable: string[] };

export function podRequests(spec: PodSpecLike | undefined): PodRequests {
  const problems: string[] = [];
  const unparsable = new Set<string>();
  const parse = (list: Requests): Resources => {
    const out: Resources = {};
    for (const [r, q] of Object.entries(list ?? {})) {
      const v = quantity(r, q);
      if (v.ok) out[r] = v.value;
      else {
        problems.push(`${r}: ${v.problem}`);
        unparsable.add(r);
      }
    }
    return out;
  };
  const add = (a: Resources, b: Resources) => {
    for (const [r, v] of Object.entries(b)) a[r] = (a[r] ?? 0) + v;
  };
  const max = (a: Resources, b: Resources) => {
    for (const [r, v] of Object.entries(b)) a[r] = Math.max(a[r] ?? 0, v);
  };
  const total: Resources = {};
  for (const c of spec?.containers ?? []) add(total, parse(c.resources?.requests));
  const sidecars: Resources = {};
  const init: Resources = {};
  for (const c of spec?.initContainers ?? []) {
    const own = parse(c.resources?.requests);
    if (c.restartPolicy === "Always") {
      // a sidecar runs beside the containers and beside every later init container
      add(total, own);
      add(sidecars, own);
      max(init, sidecars);
    } else {
      const during = { ...sidecars };
      add(during, own);
      max(init, during);
    }
  }
  max(total, init);
  add(total, parse(spec?.overhead));
  if (problems.length) return { ok: false, problem: problems.join("; "), requests: total, unparsable: [...unparsable] };
  return { ok: true, requests: total };
}
