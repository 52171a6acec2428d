// A details region that comes into view and takes focus when it opens.
//   {open ? <DetailsPanel title={`Job ${n}`} onClose={() => setOpen(undefined)} testId="job-details">...</DetailsPanel> : null}
// Give it a `key` per subject (key={n}) so opening another one scrolls and focuses again.
// Its heading (h2) takes focus; Close (or Escape inside it) closes it and focus returns to the opener.
import { useEffect, useId, useRef, type ReactNode } from "react";

export function DetailsPanel(p: { title: ReactNode; onClose: () => void; children: ReactNode; testId?: string; label?: string }) {
  const id = useId();
  const section = useRef<HTMLElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const opener = useRef<Element | null>(document.activeElement);
  useEffect(() => {
    section.current?.scrollIntoView?.({ block: "start", behavior: "instant" as ScrollBehavior });
    heading.current?.focus({ preventScroll: true });
    return () => {
      const back = opener.current;
      if (back instanceof HTMLElement && back.isConnected && (document.activeElement === document.body || document.activeElement === null)) back.focus();
    };
  }, []);
  return (
    <section
      ref={section}
      className="details"
      aria-labelledby={p.label ? undefined : id}
      aria-label={p.label}
      data-testid={p.testId}
      onKeyDown={(e) => {
        if (e.key === "Escape" && !e.defaultPrevented) {
          e.preventDefault();
          p.onClose();
        }
      }}
    >
      <div className="details-head">
        <h2 id={id} ref={heading} tabIndex={-1}>
          {p.title}
        </h2>
        <button type="button" onClick={p.onClose}>
          Close
        </button>
      </div>
      {p.children}
    </section>
  );
}
