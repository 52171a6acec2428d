// A confirmation in the page, next to what opened it (render it right there, e.g. in <Table below>).
//   {deleting ? <Confirm question={`Delete ${row.key} of ${row.payer}?`} details="The system default applies again."
//      confirmLabel="Delete" onConfirm={() => remove(row)} onCancel={() => setDeleting(null)} /> : null}
// - names what it confirms: its accessible name is the question ("Terminate job 42 (jarvice-job-42)?");
// - focus starts on Cancel, so Enter on the default cancels; Escape cancels; the action runs only
//   when its own button is pressed; focus goes back to the opener when it closes;
// - check the change before asking (client-side errors first), so a confirmed change does not then fail.
import { useEffect, useId, useRef, type ReactNode } from "react";

export interface ConfirmProps {
  question: string;
  details?: ReactNode;
  /** the action's button text ("Delete", "Terminate"); its accessible name adds nothing else */
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  /** style the action as destructive (default true) */
  danger?: boolean;
  /** accessible name instead of the question (only for old callers' tests) */
  label?: string;
}

export function Confirm(p: ConfirmProps) {
  const id = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  // the element that had focus when it opened (read at the first render, before Cancel takes focus)
  const opener = useRef<Element | null>(document.activeElement);
  useEffect(() => {
    cancel.current?.focus();
    cancel.current?.scrollIntoView?.({ block: "nearest" });
    return () => {
      // back to the button that opened it, if focus was left inside (or nowhere)
      const back = opener.current;
      if (back instanceof HTMLElement && back.isConnected && (document.activeElement === document.body || document.activeElement === null)) back.focus();
    };
  }, []);
  return (
    <div
      className="confirm"
      role="alertdialog"
      aria-labelledby={p.label ? undefined : `${id}-q`}
      aria-label={p.label}
      aria-describedby={p.details ? `${id}-d` : undefined}
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          e.stopPropagation();
          p.onCancel();
        }
      }}
    >
      <p id={`${id}-q`} className="confirm-question">
        {p.question}
      </p>
      {p.details ? <p id={`${id}-d`}>{p.details}</p> : null}
      <div className="confirm-buttons">
        <button type="button" ref={cancel} onClick={p.onCancel}>
          Cancel
        </button>
        <button type="button" className={p.danger === false ? "primary" : "danger"} onClick={p.onConfirm}>
          {p.confirmLabel}
        </button>
      </div>
    </div>
  );
}
