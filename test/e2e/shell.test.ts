/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The portal's shell and kit in Chromium, against Paddock started as the README starts it: role-aware
// navigation and the "not allowed" page, the page title and focus on each view change, the session in a
// second tab (and logging out there), a confirmation that Escape and Enter on its default cancel,
// Copy without navigator.clipboard, load failures in words (network error, a proxy's 502 page), and
// axe-core on the login page, the shell and Metadata. Screenshots go to test-artifacts/e2e/.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkA11y, shot } from "./a11y";
import { launchChromium, startPaddock, type Paddock } from "./server";
import { TestApi, type Who } from "./apiClient";
import { logIn, logOut } from "./session";

let paddock: Paddock;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
const testApi = new TestApi(() => paddock);
const users = testApi.users;

const api = async (method: string, url: string, body?: unknown, as?: Who | string) => {
  const r = await testApi.call(method, url, body, as);
  return { status: r.status, json: r.json };
};
const invite = (body: Record<string, unknown>, by?: Who | string) => testApi.invite(body, by);
const login = (username: string, path?: string) => logIn(page, paddock.url, username, username === paddock.admin.username ? paddock.admin.password : users[username]!.password, path);
const nav = (p: Page, name: string) => p.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();
/** The focused element's role-ish description: tag and text. */
const focused = (p: Page) => p.evaluate(() => `${document.activeElement?.tagName}: ${document.activeElement?.textContent?.trim()}`);
const METADATA = /\/api\/metadata(\?|$)/;
const metadataRows = async () => ((await api("GET", "/api/metadata?payer=acme")).json.metadata as Array<{ key: string }>).map((r) => r.key);

beforeAll(async () => {
  paddock = await startPaddock();
  browser = await launchChromium();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(20_000);
  await invite({ username: "acme" });
  await invite({ username: "wile", payer: "acme" });
});

afterAll(async () => {
  await browser?.close();
  await paddock?.stop();
});

describe("the portal's shell", () => {
  it("titles the page after the view and moves focus to its heading after login and on each view change", async () => {
    await page.goto(`${paddock.url}/`);
    await page.getByRole("heading", { name: "Log in to Paddock" }).waitFor();
    expect(await page.title()).toBe("Log in - Paddock");
    await checkA11y(page, "login");
    await shot(page, "shell-01-login");
    await page.getByLabel("User name").fill(paddock.admin.username);
    await page.getByLabel("Password").fill(paddock.admin.password);
    await page.keyboard.press("Enter");
    // the landing page is Compute, for everyone
    await page.getByRole("heading", { name: "Compute", level: 1 }).waitFor();
    await expect.poll(() => page.title()).toBe("Compute - Paddock");
    await expect.poll(() => focused(page)).toBe("H1: Compute");
    expect(new URL(page.url()).pathname).toBe("/compute");
    await checkA11y(page, "shell (Compute)");
    await shot(page, "shell-02-compute");
    for (const [link, title] of [
      ["Dashboard", "Dashboard"],
      ["Metadata", "Metadata"],
      ["Jobs", "Jobs"],
      ["Account", "Account"],
    ] as const) {
      await nav(page, link);
      await expect.poll(() => page.title()).toBe(`${title} - Paddock`);
      await expect.poll(() => focused(page)).toBe(`H1: ${title}`);
    }
    // back in history: the view, its title and focus follow
    await page.goBack();
    await expect.poll(() => page.title()).toBe("Jobs - Paddock");
    await expect.poll(() => focused(page)).toBe("H1: Jobs");
  });

  it("shows a member only the views it may use, and a 'not allowed' page naming an admin view it opens", async () => {
    await login("wile");
    const main = page.getByRole("navigation", { name: "Main" });
    expect(await main.getByRole("link").allTextContents()).toEqual(["Compute", "Task Builder", "Dashboard", "Account"]);
    for (const [path, view] of [
      ["/admin/users", "Users"],
      ["/admin/metadata", "Metadata"],
      ["/admin/jobs", "Jobs"],
      ["/admin/catalog", "Zones / Clusters / Machines / Apps"],
    ] as const) {
      await page.goto(paddock.url + path);
      await page.getByRole("heading", { name: "Not allowed", level: 1 }).waitFor();
      expect(await page.getByTestId("not-allowed").textContent()).toContain(`${view} is not available to your account (member of acme)`);
      expect(await page.title()).toBe(`Not allowed: ${view} - Paddock`);
    }
    await checkA11y(page, "not allowed");
    await shot(page, "shell-03-not-allowed");
    await page.getByRole("link", { name: "Go to Compute" }).click();
    await page.getByRole("heading", { name: "Compute", level: 1 }).waitFor();
  });

  it("shows a payer its own metadata read-only: no control it may not use", async () => {
    expect((await api("POST", "/api/metadata", { payer: "acme", key: "vaultSize", value: 10 })).status).toBe(201);
    await login("acme");
    await nav(page, "Metadata");
    await page.locator('tr[data-meta="acme/vaultSize"]').waitFor();
    expect(await page.getByRole("button", { name: /^(Add|Edit|Delete)/ }).count()).toBe(0);
    expect(await page.getByLabel("Filter by payer").count()).toBe(0);
    expect(await page.getByText("only system administrators change them").count()).toBe(1);
    await checkA11y(page, "Metadata (payer)");
    await shot(page, "shell-04-metadata-payer");
  });

  it("keeps the session in a second tab, and logging out in one tab ends it in the other", async () => {
    await login(paddock.admin.username);
    const second = await browser.context.newPage();
    try {
      await second.goto(`${paddock.url}/jobs`);
      await second.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
      expect(await second.getByRole("button", { name: "Log out" }).count()).toBe(1);
      await logOut(page);
      await second.getByRole("heading", { name: "Log in to Paddock" }).waitFor();
      expect(await second.getByRole("status").first().textContent()).toContain("You logged out in another tab");
    } finally {
      await second.close();
    }
  });

  it("asks before deleting, next to the row: Escape cancels, Enter on the focused default cancels, only the named button deletes", async () => {
    await login(paddock.admin.username);
    await nav(page, "Metadata");
    const row = page.locator('tr[data-meta="acme/vaultSize"]');
    await row.waitFor();
    await checkA11y(page, "Metadata");
    const del = page.getByRole("button", { name: "Delete vaultSize of acme" });
    const dialog = page.getByRole("alertdialog", { name: "Delete vaultSize of acme?" });

    await del.click();
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("future invites of acme's team only");
    // right under the row that opened it
    const [r, d] = [await row.boundingBox(), await dialog.boundingBox()];
    expect(d!.y - (r!.y + r!.height)).toBeLessThan(40);
    await expect.poll(() => focused(page)).toBe("BUTTON: Cancel");
    await checkA11y(page, "Metadata confirmation");
    await shot(page, "shell-05-metadata-confirm");
    await page.keyboard.press("Enter");
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await metadataRows()).toContain("vaultSize");
    // focus went back to the button that asked
    await expect.poll(() => focused(page)).toBe("BUTTON: Delete vaultSize of acme");

    await page.keyboard.press("Enter");
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await metadataRows()).toContain("vaultSize");

    await del.click();
    await dialog.getByRole("button", { name: "Delete", exact: true }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect(await metadataRows()).not.toContain("vaultSize");
    expect(await page.getByRole("status").filter({ hasText: "Deleted vaultSize of acme" }).count()).toBe(1);
  });

  it("shows every error of the add form at once, in words, before asking anything", async () => {
    const form = page.getByRole("form", { name: "Add a row" });
    await form.getByLabel("Key").selectOption("vaultSize");
    await form.getByLabel("Value").fill("ten");
    await form.getByRole("button", { name: "Add", exact: true }).click();
    await expect.poll(async () => (await form.getByRole("alert").allTextContents()).sort()).toEqual(["Payer: required", "Value: must be an integer greater than 0 (size in GB), got 'ten'"]);
    expect(await page.getByRole("alertdialog").count()).toBe(0);
    // the server's refusal, in words; the old success line goes
    await form.getByLabel("Payer").fill("nobody");
    await form.getByLabel("Value").fill("5");
    await form.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByRole("alertdialog", { name: "Add vaultSize = 5 for nobody?" }).getByRole("button", { name: "Add row" }).click();
    await expect.poll(() => form.getByRole("alert").first().textContent()).toMatch(/^Payer: /);
    expect(await page.getByRole("status").filter({ hasText: "Deleted vaultSize" }).count()).toBe(1); // the table's line is the table's
    await shot(page, "shell-06-metadata-errors");
  });

  it("tells a failed load from an empty table: a network error and a proxy's 502 page, in words", async () => {
    await page.route(METADATA, (route) => route.abort("failed"));
    await page.reload();
    const table = page.getByRole("region", { name: "Payer metadata" });
    await expect.poll(() => table.getByRole("alert").textContent()).toBe("Could not load: Cannot reach Paddock (network error); retrying");
    expect(await table.textContent()).not.toContain("No payer metadata");
    await shot(page, "shell-07-network-error");
    await page.unroute(METADATA);
    await page.route(METADATA, (route) => route.fulfill({ status: 502, contentType: "text/html", body: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>" }));
    await page.reload();
    await expect.poll(() => table.getByRole("alert").textContent(), { timeout: 10_000 }).toBe("Could not load: Paddock answered 502 Bad Gateway");
    expect(await page.locator("main").textContent()).not.toContain("<html>");
    await page.unroute(METADATA);
  });

  it("copies without navigator.clipboard: execCommand on a selected text, else the text selected with 'press Ctrl+C'", async () => {
    const p = await browser.context.newPage();
    try {
      await p.addInitScript(() => {
        delete (Navigator.prototype as { clipboard?: unknown }).clipboard;
        const w = window as unknown as { copied: string[]; refuseCopy: boolean };
        w.copied = [];
        w.refuseCopy = false;
        document.execCommand = (cmd: string) => {
          if (cmd !== "copy" || w.refuseCopy) return false;
          const a = document.activeElement;
          w.copied.push(a instanceof HTMLTextAreaElement ? a.value.slice(a.selectionStart, a.selectionEnd) : String(getSelection()));
          return true;
        };
      });
      await p.goto(`${paddock.url}/builder`);
      await p.getByRole("heading", { name: "Task Builder", level: 1 }).waitFor();
      expect(await p.evaluate(() => "clipboard" in navigator)).toBe(false);
      await p.getByRole("tab", { name: "PREVIEW SUBMISSION" }).click();
      const preview = await p.getByTestId("preview").textContent();
      await p.getByRole("button", { name: "Copy", exact: true }).click();
      await expect.poll(() => p.getByRole("status").filter({ hasText: "Copied." }).count()).toBe(1);
      expect(await p.evaluate(() => (window as unknown as { copied: string[] }).copied)).toEqual([preview]);

      await p.evaluate(() => ((window as unknown as { refuseCopy: boolean }).refuseCopy = true));
      await p.getByRole("button", { name: "Copy", exact: true }).click();
      await expect.poll(() => p.getByRole("status").filter({ hasText: "press Ctrl+C" }).count()).toBe(1);
      const manual = p.getByRole("textbox", { name: "Copy: text to copy" });
      expect(await manual.inputValue()).toBe(preview);
      expect(await manual.evaluate((a: HTMLTextAreaElement) => a.selectionEnd - a.selectionStart)).toBe(preview!.length);
      await shot(p, "shell-08-copy-fallback");
    } finally {
      await p.close();
    }
  });

  it("keeps the navigation usable in a 400 px window", async () => {
    await page.setViewportSize({ width: 400, height: 800 });
    try {
      await nav(page, "Metadata");
      await page.getByRole("heading", { name: "Metadata", level: 1 }).waitFor();
      const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(over).toBeLessThanOrEqual(1);
      for (const link of await page.getByRole("navigation", { name: "Main" }).getByRole("link").all()) {
        const b = (await link.boundingBox())!;
        expect(b.x + b.width).toBeLessThanOrEqual(400);
      }
      await shot(page, "shell-09-narrow");
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });
});
