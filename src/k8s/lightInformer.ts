// A list-and-watch that keeps no copies of the objects, for the pod scheduler's
// watches of every node and pod. client-node 1.4's informer keeps every object
// in arrays and looks each watch event up with a linear search: with thousands
// of pods that search was most of the scheduler's CPU. This one lists as plain
// JSON, remembers only each object's key, and hands every event on; the
// scheduler keeps its own compact records.
//  - start(): list, emit `add` for each, then watch from the list's resourceVersion;
//  - the watch ends (server timeout): watch again from the last resourceVersion;
//  - 410 Gone (too old) or an error: list again after `retryMs`, emitting `delete` for what
//    disappeared meanwhile and `update` for the rest, then watch.
// The watch is read on a connection of its own, one JSON event per line (client-node's Watch
// goes through node-fetch and readline, and drops whatever the event handler throws).
import type * as k8s from "@kubernetes/client-node";
import { kubeHttp, statusMessage, type KubeHttp } from "./kubeHttp";

type Handler<T> = (o: T) => void;

export interface LightInformerOptions {
  /** extra query parameters for list and watch, e.g. { fieldSelector: "..." } */
  query?: Record<string, string>;
  /** pause before listing again after an error (default 2000 ms) */
  retryMs?: number;
  /** how the list is fetched (tests); default: GET on the kubeconfig's server */
  list?: (path: string) => Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>;
}

const keyOf = (o: k8s.KubernetesObject) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;

export class LightInformer<T extends k8s.KubernetesObject> {
  private readonly handlers = { add: [] as Handler<T>[], update: [] as Handler<T>[], delete: [] as Handler<T>[], error: [] as Array<(e: unknown) => void> };
  private readonly known = new Set<string>();
  private resourceVersion = "";
  private stopped = true;
  private abort: AbortController | undefined;
  private retry: NodeJS.Timeout | undefined;
  private generation = 0;
  /** the watch's connection, opened at the first watch and closed by stop() */
  private watchHttp: KubeHttp | undefined;

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly path: string,
    private readonly opts: LightInformerOptions = {},
  ) {}

  on(event: "add" | "update" | "delete", h: Handler<T>): void;
  on(event: "error", h: (e: unknown) => void): void;
  on(event: "add" | "update" | "delete" | "error", h: Handler<T> | ((e: unknown) => void)): void {
    (this.handlers[event] as Array<typeof h>).push(h);
  }

  /** how many objects exist now */
  get size(): number {
    return this.known.size;
  }

  /** Lists, emits the objects, and starts watching; rejects when the first list fails. */
  async start(): Promise<void> {
    this.stopped = false;
    const generation = ++this.generation;
    await this.relist(generation);
    this.watch(generation);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    this.abort?.abort();
    this.abort = undefined;
    this.watchHttp?.close();
    this.watchHttp = undefined;
  }

  private emit(event: "add" | "update" | "delete", o: T): void {
    for (const h of this.handlers[event]) h(o);
  }

  private async fetchList(): Promise<k8s.KubernetesListObject<T>> {
    const query = new URLSearchParams(this.opts.query ?? {}).toString();
    const path = query ? `${this.path}?${query}` : this.path;
    if (this.opts.list) return (await this.opts.list(path)) as k8s.KubernetesListObject<T>;
    const http = kubeHttp(this.kc, { maxSockets: 1 });
    try {
      const r = await http.send("GET", path, undefined);
      if (r.status !== 200) throw Object.assign(new Error(`list ${path}: ${statusMessage(r.status, r.body)}`), { code: r.status });
      return JSON.parse(r.body) as k8s.KubernetesListObject<T>;
    } finally {
      http.close();
    }
  }

  private async relist(generation: number): Promise<void> {
    const list = await this.fetchList();
    if (generation !== this.generation) return;
    const now = new Set<string>();
    for (const o of list.items) now.add(keyOf(o));
    for (const key of this.known) {
      if (now.has(key)) continue;
      this.known.delete(key);
      const [namespace, name] = key.split("/") as [string, string];
      this.emit("delete", { metadata: { name, ...(namespace ? { namespace } : {}) } } as T);
    }
    for (const o of list.items) {
      const key = keyOf(o);
      const event = this.known.has(key) ? "update" : "add";
      this.known.add(key);
      this.emit(event, o);
    }
    this.resourceVersion = list.metadata?.resourceVersion ?? "";
  }

  private failed(e: unknown, generation: number): void {
    if (generation !== this.generation || this.stopped || this.retry) return;
    this.abort?.abort();
    this.abort = undefined;
    for (const h of this.handlers.error) h(e);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (generation !== this.generation || this.stopped) return;
      this.relist(generation).then(
        () => this.watch(generation),
        (err: unknown) => this.failed(err, generation),
      );
    }, this.opts.retryMs ?? 2000);
  }

  private watch(generation: number): void {
    if (generation !== this.generation || this.stopped) return;
    let gone = false;
    const onEvent = (type: string, o: T) => {
      if (generation !== this.generation) return;
      if (type === "ERROR") {
        gone = (o as unknown as { code?: number }).code === 410;
        if (!gone) this.failed(new Error(`watch ${this.path}: ${(o as unknown as { message?: string }).message ?? "error"}`), generation);
        return;
      }
      const rv = o.metadata?.resourceVersion;
      if (rv) this.resourceVersion = rv;
      if (type === "BOOKMARK") return;
      const key = keyOf(o);
      if (type === "DELETED") {
        if (this.known.delete(key)) this.emit("delete", o);
        return;
      }
      const event = this.known.has(key) ? "update" : "add";
      this.known.add(key);
      this.emit(event, o);
    };
    const onDone = (err: unknown) => {
      if (generation !== this.generation || this.stopped) return;
      if (err || gone) {
        if (gone) this.resourceVersion = "";
        this.failed(err ?? new Error(`watch ${this.path}: resourceVersion too old; listing again`), generation);
        return;
      }
      this.watch(generation); // the server ended the watch (timeout): go on from the last version
    };
    const controller = new AbortController();
    this.abort = controller;
    this.watchHttp ??= kubeHttp(this.kc, { maxSockets: 1 });
    // client-go's rule: the server ends each watch after 5-10 minutes, and it is resumed from the last version
    const query = new URLSearchParams({
      ...(this.opts.query ?? {}),
      watch: "true",
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: "true",
      timeoutSeconds: String(300 + Math.floor(Math.random() * 300)),
    });
    this.watchHttp
      .stream(
        `${this.path}?${query}`,
        (line) => {
          const e = JSON.parse(line) as { type: string; object: T };
          onEvent(e.type, e.object);
        },
        { signal: controller.signal },
      )
      .then(
        (r) => {
          if (r.status === 200) return onDone(null);
          gone = r.status === 410;
          onDone(gone ? null : Object.assign(new Error(`watch ${this.path}: ${statusMessage(r.status, r.body)}`), { code: r.status }));
        },
        (err: unknown) => onDone(err ?? new Error(`watch ${this.path} failed`)),
      );
  }
}
