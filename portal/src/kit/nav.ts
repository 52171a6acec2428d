// Moving between views from inside a screen, without a page load.
//   const go = useGo(); go("/builder/demo");  <a href="/jobs" onClick={link(go, "/jobs")}>Dashboard</a>
import { createContext, useContext, type MouseEvent } from "react";

export type Go = (path: string) => void;
export const GoContext = createContext<Go>((path) => location.assign(path));
export const useGo = () => useContext(GoContext);

/** An <a>'s onClick that navigates in the app (a modified click still opens a new tab). */
export const link = (go: Go, path: string) => (e: MouseEvent) => {
  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  go(path);
};
