// The Task Builder's state per user and app, kept while the user goes to other views and comes back
// (and over a reload of the tab: sessionStorage, so another tab starts afresh). Pure over the storage
// given (builderStore.test.ts); the screen passes sessionStorage.
//   saveBuilder(store, "alice", "demo", {form, tab})   loadBuilder(store, "alice", "demo") -> the same
//   lastApp(store, "alice") -> the app the user last built a task for (the Task Builder without an app opens it)
import type { TaskForm } from "./submission";

export type BuilderTab = "GENERAL" | "OPTIONAL" | "PREVIEW SUBMISSION";
export interface BuilderState {
  form: TaskForm;
  tab: BuilderTab;
}
type Store = Pick<Storage, "getItem" | "setItem">;

const key = (user: string, app: string) => `paddock.builder.${user}.${app}`;
const lastKey = (user: string) => `paddock.builder.${user}`;

/** The session's storage, or a memory one where the browser refuses it (private modes, tests). */
export function sessionStore(): Store {
  try {
    sessionStorage.setItem("paddock.probe", "1");
    return sessionStorage;
  } catch {
    return memory;
  }
}
const mem = new Map<string, string>();
const memory: Store = { getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => void mem.set(k, v) };

export function loadBuilder(store: Store, user: string, app: string): BuilderState | undefined {
  try {
    const raw = store.getItem(key(user, app));
    const s = raw ? (JSON.parse(raw) as BuilderState) : undefined;
    // a state saved by an older portal (another form shape) is dropped, not half-used
    return s && s.form?.app === app && typeof s.form.nodes === "string" && typeof s.form.jobLabel === "string" ? s : undefined;
  } catch {
    return undefined;
  }
}

export function saveBuilder(store: Store, user: string, app: string, s: BuilderState): void {
  try {
    store.setItem(key(user, app), JSON.stringify(s));
    store.setItem(lastKey(user), app);
  } catch {
    /* full or refused: the state lives as long as the screen */
  }
}

export const lastApp = (store: Store, user: string): string | undefined => {
  try {
    return store.getItem(lastKey(user)) ?? undefined;
  } catch {
    return undefined;
  }
};
