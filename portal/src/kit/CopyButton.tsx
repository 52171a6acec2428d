// A Copy button that works without the clipboard API.
//   <CopyButton text={apikey} label="Copy API key" />
// Tries navigator.clipboard, then document.execCommand("copy") on a hidden selected textarea; when
// neither copies, shows the text selected in a field and says "press Ctrl+C". Reports in a status line.
import { useEffect, useRef, useState } from "react";
import { copyText, type CopyWay } from "./copy";

export function CopyButton(p: { text: string; label?: string }) {
  const [way, setWay] = useState<CopyWay | null>(null);
  const manual = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (way === "manual") manual.current?.select();
  }, [way]);
  useEffect(() => setWay(null), [p.text]);
  return (
    <span className="copy">
      <button type="button" onClick={() => void copyText(p.text).then(setWay)}>
        {p.label ?? "Copy"}
      </button>
      <span role="status" className="copy-status">
        {way === "clipboard" || way === "execCommand" ? " Copied." : way === "manual" ? " Copying is not available here: the text is selected below; press Ctrl+C (⌘C on a Mac)." : ""}
      </span>
      {way === "manual" ? <textarea ref={manual} className="copy-manual" readOnly value={p.text} aria-label={`${p.label ?? "Copy"}: text to copy`} rows={Math.min(8, p.text.split("\n").length)} onFocus={(e) => e.currentTarget.select()} /> : null}
    </span>
  );
}
