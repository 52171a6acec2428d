// Layout checks for the browser tests.
import type { Page } from "playwright-core";

/**
 * How far the page reaches past the window's right edge (px), and the first
 * elements that do (outside scrollable tables and preformatted text).
 */
export function horizontalOverflow(page: Page): Promise<{ by: number; wide: string[] }> {
  return page.evaluate(() => {
    const wide = [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest(".table-wrap, pre"));
    return { by: document.documentElement.scrollWidth - window.innerWidth, wide: wide.slice(0, 5).map((e) => `${e.tagName}.${e.className}: ${(e.textContent ?? "").slice(0, 40)}`) };
  });
}
