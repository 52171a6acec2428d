// Copying text where the clipboard API may be missing (plain-HTTP internal sites). Pure of React.
//   const how = await copyText("text")  -> "clipboard" | "execCommand" | "manual"
// "manual": nothing could copy; the caller shows the text selected and says "press Ctrl+C".
export type CopyWay = "clipboard" | "execCommand" | "manual";

export async function copyText(text: string, doc: Document = document, nav: Navigator = navigator): Promise<CopyWay> {
  try {
    if (nav.clipboard?.writeText) {
      await nav.clipboard.writeText(text);
      return "clipboard";
    }
  } catch {
    /* refused (no permission): try the next way */
  }
  const area = doc.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.setAttribute("aria-hidden", "true");
  area.style.position = "fixed";
  area.style.top = "0";
  area.style.left = "-9999px";
  const back = doc.activeElement;
  doc.body.appendChild(area);
  area.select();
  let done = false;
  try {
    done = doc.execCommand("copy");
  } catch {
    done = false;
  }
  area.remove();
  if (back instanceof HTMLElement) back.focus();
  return done ? "execCommand" : "manual";
}
