/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The Dashboard and Administration -> Jobs in Chromium, against Paddock started as the README starts it:
// a details panel that scrolls into view and takes focus on a dashboard of 25+ jobs, Connect, the
// terminate confirmation (Escape and Enter on the default cancel; only its own button terminates), the
// job history newest first with paging, the full output download, every action reachable at 400 px, and
// Administration -> Jobs showing another tenant's jobs to a system administrator and to nobody else.
// checkA11y on each screen; screenshots in test-artifacts/e2e/jobs-*.png.
import fs from "node:fs";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkA11y, shot } from "./a11y";
import { horizontalOverflow } from "./layout";
import { launchChromium, startPaddock, type Paddock } from "./server";
import { passwordOf, TestApi } from "./apiClient";
import { logIn } from "./session";

let paddock: Paddock;
let browser: { context: BrowserContext; close: () => Promise<void> };
let page: Page;
const testApi = new TestApi(() => paddock);
const password = passwordOf;

const api = (method: string, url: string, body?: unknown, as?: string) => testApi.call(method, url, body, as);

const invite = (username: string, payer?: string) => testApi.invite({ username, ...(payer ? { payer } : {}) });

async function submit(as: string, seconds: number, machine = "n4"): Promise<number> {
  const r = await api("POST", "/api/jobs", { app: "demo", application: { command: "sleep", parameters: { seconds } }, machine: { type: machine, nodes: 1 } }, as);
  if (r.status !== 200) throw new Error(`submit as ${as}: ${r.status} ${r.text}`);
  return r.json.number as number;
}

const statusOf = async (n: number, as?: string) => ((await api("GET", `/api/jobs/${n}`, undefined, as)).json.job as { job_status: string }).job_status;
const login = (username: string, path = "/jobs") => logIn(page, paddock.url, username, username === paddock.admin.username ? paddock.admin.password : password(username), path);
const nav = (name: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();

let running = 0; // alice's job that runs (long)
let bobJob = 0; // another tenant's job
const aliceJobs: number[] = [];

beforeAll(async () => {
  paddock = await startPaddock();
  browser = await launchChromium();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(20_000);
  await invite("alice");
  await invite("globex");
  await invite("bob", "globex");
  // alice: 3 short jobs that complete, then 26 long ones (some wait for room), so the dashboard lists 25+
  for (let i = 0; i < 3; i++) aliceJobs.push(await submit("alice", 1));
  running = await submit("alice", 3600);
  aliceJobs.push(running);
  for (let i = 0; i < 25; i++) aliceJobs.push(await submit("alice", 3600));
  bobJob = await submit("bob", 3600, "n16");
  await until(async () => (await statusOf(running)) === "PROCESSING STARTING" && (await statusOf(aliceJobs[2]!)) === "COMPLETED");
}, 180_000);

/** Waits (up to 30 s) until `f` holds (expect.poll only runs inside a test). */
async function until(f: () => Promise<boolean>): Promise<void> {
  for (const end = Date.now() + 30_000; !(await f()); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${f.toString()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

afterAll(async () => {
  await browser?.close();
  await paddock?.stop();
});

/** How far the job table reaches under its sticky actions column (px): 0 when every column shows in a wide window. */
const tableOverflow = (p: Page) => p.locator("main .table-wrap").first().evaluate((e) => e.scrollWidth - e.clientWidth);

/** Whether each element is on screen, inside the window's width, and the one a click at its centre reaches. */
function reachable(p: Page, selector: string) {
  return p.evaluate((sel) => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>(sel)) {
      el.scrollIntoView({ block: "center", inline: "nearest" });
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      const ok = r.width > 0 && r.left >= 0 && r.right <= window.innerWidth && hit !== null && (hit === el || el.contains(hit));
      if (!ok) out.push(`${(el.textContent ?? "").trim()} at ${Math.round(r.left)}..${Math.round(r.right)} (window ${window.innerWidth}), hit ${hit?.tagName ?? "nothing"}`);
    }
    return { count: document.querySelectorAll(sel).length, unreachable: out };
  }, selector);
}

describe("the Dashboard", () => {
  it("opens the details of the last of 25+ jobs in view, with focus on them, connection info and pods", async () => {
    await login("alice");
    await page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
    const rows = page.locator("tbody tr[data-job]");
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(25);
    // newest first: the running job (submitted before the other 25) is near the bottom
    const numbers = (await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute("data-job"))))) as number[];
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    expect(await tableOverflow(page)).toBeLessThanOrEqual(1);
    await checkA11y(page, "Dashboard");
    await shot(page, "jobs-01-dashboard");

    await page.getByRole("button", { name: `Details of jarvice-job-${running}` }).click();
    const panel = page.getByTestId("job-details");
    const heading = panel.getByRole("heading", { level: 2 });
    await expect.poll(() => heading.textContent()).toContain(`Job ${running}: jarvice-job-${running}, PROCESSING STARTING`);
    // in view and focused: a keyboard or screen reader user is taken to it
    await expect.poll(() => heading.evaluate((h) => document.activeElement === h)).toBe(true);
    // its heading and Close button are inside the window (the table above is taller than the window)
    const viewport = page.viewportSize()!;
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeGreaterThan(2 * viewport.height);
    for (const el of [heading, panel.getByRole("button", { name: "Close", exact: true })]) {
      const box = (await el.boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
    }
    await expect.poll(() => panel.getByTestId("connection").textContent()).toContain(`jarvice-job-${running}-0`);
    const connect = (await api("GET", `/jarvice/connect?username=alice&apikey=${testApi.users.alice!.apikey}&number=${running}`, undefined, "alice")).json as { address: string };
    expect(connect.address).toMatch(/^10\.244\./);
    expect(await panel.getByTestId("connection").textContent()).toContain(connect.address);
    expect(await panel.getByTestId("job-summary").textContent()).toMatch(/Submitted\d{4}-\d\d-\d\d \d\d:\d\d/);
    await checkA11y(page, "Dashboard: job details");
    await shot(page, "jobs-02-dashboard-details");

    // Escape closes it, and focus goes back to the Details button
    await page.keyboard.press("Escape");
    await expect.poll(() => panel.count()).toBe(0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? "")).toBe(`Details of jarvice-job-${running}`);
  });

  it("shows a running job's address as /jarvice/connect gives it, under its row", async () => {
    await page.getByRole("button", { name: `Connect to jarvice-job-${running}` }).click();
    const connect = page.getByRole("group", { name: `Connect to jarvice-job-${running}` });
    const expected = ((await api("GET", `/jarvice/connect?username=alice&apikey=${testApi.users.alice!.apikey}&number=${running}`, undefined, "alice")).json as { address: string }).address;
    await expect.poll(() => connect.getByTestId("connect-address").textContent()).toBe(expected);
    expect(await connect.getByRole("link", { name: `Open http://${expected}/` }).getAttribute("href")).toBe(`http://${expected}/`);
    // right under the job's row
    const row = (await page.locator(`tr[data-job="${running}"]`).boundingBox())!;
    const box = (await connect.boundingBox())!;
    expect(box.y - (row.y + row.height)).toBeLessThan(40);
    await shot(page, "jobs-03-dashboard-connect");
    await connect.getByRole("button", { name: /^Close/ }).click();
  });

  it("asks before terminating: Escape cancels, Enter on the focused default cancels, only Terminate terminates", async () => {
    const target = aliceJobs[aliceJobs.length - 1]!; // the newest: first row
    const name = `jarvice-job-${target}`;
    const open = () => page.getByRole("button", { name: `Terminate ${name}`, exact: true }).click();
    const dialog = page.getByRole("alertdialog", { name: `Terminate job ${target} (${name})?` });

    await open();
    await dialog.waitFor();
    // next to the row it is about
    const row = (await page.locator(`tr[data-job="${target}"]`).boundingBox())!;
    expect((await dialog.boundingBox())!.y - (row.y + row.height)).toBeLessThan(40);
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Cancel");
    await checkA11y(page, "Dashboard: terminate confirmation");
    await shot(page, "jobs-04-dashboard-terminate-confirm");
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.count()).toBe(0);

    await open();
    await dialog.waitFor();
    await page.keyboard.press("Enter");
    await expect.poll(() => dialog.count()).toBe(0);
    await page.keyboard.press("Enter"); // twice, as the issue did: focus is back on the row's Terminate, which only asks again
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await page.waitForTimeout(1000);
    expect(await statusOf(target)).toMatch(/^(SUBMITTED|PROCESSING STARTING)$/);

    await open();
    await dialog.getByRole("button", { name: "Terminate", exact: true }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: `Job ${target}: terminated.` }).count()).toBe(1);
    await expect.poll(() => statusOf(target), { timeout: 30_000 }).toMatch(/^(TERMINATED|CANCELED)$/);
    await expect.poll(() => page.locator(`tr[data-job="${target}"]`).count(), { timeout: 10_000 }).toBe(0);
  });

  it("keeps every action of every row reachable at 400 px", async () => {
    await page.setViewportSize({ width: 400, height: 800 });
    try {
      await page.waitForTimeout(300);
      const overflow = await horizontalOverflow(page);
      expect(overflow.by, overflow.wide.join(" | ")).toBeLessThanOrEqual(1);
      const r = await reachable(page, "main tbody button");
      expect(r.count).toBeGreaterThanOrEqual(25 * 3);
      expect(r.unreachable).toEqual([]);
      await page.getByRole("button", { name: `Details of jarvice-job-${running}` }).click();
      const panel = page.getByTestId("job-details");
      await expect.poll(() => panel.getByRole("heading", { level: 2 }).evaluate((h) => document.activeElement === h)).toBe(true);
      const d = await reachable(page, '[data-testid="job-details"] button, [data-testid="job-details"] a');
      expect(d.unreachable).toEqual([]);
      await shot(page, "jobs-05-dashboard-400px");
      await page.keyboard.press("Escape");
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it("lists the job history newest first, a page at a time, with times and exit status", async () => {
    // end most of alice's long jobs, so the history has more than a page (20)
    const ending = aliceJobs.slice(4, 26);
    for (const n of ending) expect((await api("POST", `/api/jobs/${n}/stop`, { how: "terminate" }, "alice")).status).toBe(200);
    for (const n of ending) await expect.poll(() => statusOf(n), { timeout: 30_000 }).toMatch(/^(TERMINATED|CANCELED)$/);
    const done = (await api("GET", "/api/jobs?completed=true", undefined, "alice")).json.jobs as Array<{ job_number: number }>;
    const all = done.map((j) => j.job_number).sort((a, b) => b - a);
    expect(all.length).toBeGreaterThan(20);

    await page.getByLabel("Completed jobs").check();
    await page.getByRole("heading", { name: "Job history" }).waitFor();
    const rows = page.locator("tbody tr[data-job]");
    const shown = () => rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute("data-job"))));
    await expect.poll(shown).toEqual(all.slice(0, 20));
    expect(await tableOverflow(page)).toBeLessThanOrEqual(1);
    await checkA11y(page, "Dashboard: job history");
    await shot(page, "jobs-06-dashboard-history");
    await page.getByRole("button", { name: "Older jobs" }).click();
    await expect.poll(shown).toEqual(all.slice(20, 40));
    expect(await page.getByRole("button", { name: "Older jobs" }).isDisabled()).toBe(all.length <= 40);
    // the first short job: its times and exit status
    const first = aliceJobs[0]!;
    const row = page.locator(`tr[data-job="${first}"]`);
    expect(await page.getByTestId(`status-${first}`).textContent()).toBe("COMPLETED");
    expect(await page.getByTestId(`exit-${first}`).textContent()).toBe("0 (success)");
    const cells = await row.getByRole("cell").allTextContents();
    expect(cells.filter((c) => /^\d{4}-\d\d-\d\d \d\d:\d\d$/.test(c))).toHaveLength(3); // submitted, started, ended
    expect(cells.filter((c) => /^[1-3]s$/.test(c))).toHaveLength(1); // run time of a 1-second sleep
    await shot(page, "jobs-07-dashboard-history-older");
    await page.getByRole("button", { name: "Newer jobs" }).click();
    await expect.poll(shown).toEqual(all.slice(0, 20));
  });

  it("downloads the whole output of a job", async () => {
    const first = aliceJobs[0]!;
    await page.getByRole("button", { name: "Older jobs" }).click();
    await page.getByRole("button", { name: `Details of jarvice-job-${first}` }).click();
    const panel = page.getByTestId("job-details");
    await expect.poll(() => panel.getByTestId("job-output").textContent()).toContain("finished after 1s, exit code 0");
    const [download] = await Promise.all([page.waitForEvent("download"), panel.getByRole("button", { name: "Download full output" }).click()]);
    expect(download.suggestedFilename()).toBe(`jarvice-job-${first}.txt`);
    const text = fs.readFileSync((await download.path())!, "utf8");
    const whole = (await api("GET", `/api/jobs/${first}/output`, undefined, "alice")).json.output as string;
    expect(text).toBe(whole);
    expect(text.split("\n")[0]).toContain(`jarvice-job-${first}-0 scheduled on`);
    expect(text).toContain("finished after 1s, exit code 0");
    await expect.poll(() => panel.getByRole("status").filter({ hasText: "Downloaded the whole output" }).count()).toBe(1);
  });

  it("opens the job of ?job=N (where the Task Builder goes after Submit)", async () => {
    await page.goto(`${paddock.url}/jobs?job=${running}`);
    const heading = page.getByTestId("job-details").getByRole("heading", { level: 2 });
    await expect.poll(() => heading.textContent()).toContain(`Job ${running}: jarvice-job-${running}`);
    await expect.poll(() => heading.evaluate((h) => document.activeElement === h)).toBe(true);
  });

  it("says when the list cannot be loaded, never 'No active jobs'", async () => {
    await page.route(/\/api\/jobs\?/, (r) => r.fulfill({ status: 502, contentType: "text/html", body: "<html><body><h1>502 Bad Gateway</h1></body></html>" }));
    try {
      await page.goto(`${paddock.url}/jobs`);
      const alert = page.getByRole("alert").filter({ hasText: "Could not load" });
      await expect.poll(() => alert.textContent(), { timeout: 30_000 }).toContain("Paddock answered 502");
      expect(await page.locator("main").textContent()).not.toMatch(/No active jobs|<html>/);
      await shot(page, "jobs-11-dashboard-load-failed");
    } finally {
      await page.unroute(/\/api\/jobs\?/);
    }
  });
});

describe("Administration -> Jobs", () => {
  it("shows a system administrator every tenant's jobs, filtered by payer, user and status", async () => {
    await login(paddock.admin.username, "/admin/jobs");
    await page.getByRole("heading", { name: "Jobs", level: 1 }).waitFor();
    await page.locator(`tr[data-job="${bobJob}"]`).waitFor();
    await page.locator(`tr[data-job="${running}"]`).waitFor();
    expect(await tableOverflow(page)).toBeLessThanOrEqual(1);
    await checkA11y(page, "Administration -> Jobs");
    await shot(page, "jobs-08-admin-jobs");

    await page.getByLabel("Payer", { exact: true }).fill("globex");
    await expect.poll(() => page.locator(`tr[data-job="${running}"]`).count()).toBe(0);
    const rows = page.locator("tbody tr[data-job]");
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute("data-job"))))).toEqual([bobJob]);
    expect(await page.locator(`tr[data-job="${bobJob}"]`).getByRole("cell").allTextContents()).toEqual(expect.arrayContaining(["bob", "globex"]));
    await page.getByLabel("Payer", { exact: true }).fill("");
    await page.getByLabel("User", { exact: true }).fill("alice");
    await expect.poll(() => page.locator(`tr[data-job="${bobJob}"]`).count()).toBe(0);
    await page.locator(`tr[data-job="${running}"]`).waitFor();
    await page.getByLabel("User", { exact: true }).fill("");

    await page.getByLabel("Show", { exact: true }).selectOption("completed");
    await page.getByLabel("Status").selectOption("COMPLETED");
    await expect.poll(async () => new Set(await page.locator("tbody [data-testid^='status-']").allTextContents())).toEqual(new Set(["COMPLETED"]));
    expect(await page.locator("tbody tr[data-job]").count()).toBe(3);

    // the same details as the Dashboard
    await page.getByLabel("Show", { exact: true }).selectOption("active");
    await page.getByRole("button", { name: `Details of jarvice-job-${bobJob}` }).click();
    const heading = page.getByTestId("job-details").getByRole("heading", { level: 2 });
    await expect.poll(() => heading.textContent()).toContain(`Job ${bobJob}: jarvice-job-${bobJob}`);
    await expect.poll(() => heading.evaluate((h) => document.activeElement === h)).toBe(true);
    await checkA11y(page, "Administration -> Jobs: job details");
    await shot(page, "jobs-09-admin-jobs-details");
  });

  it("is not allowed for a payer, whose Dashboard never shows another tenant's job", async () => {
    await login("alice", "/admin/jobs");
    await page.getByRole("heading", { name: "Not allowed", level: 1 }).waitFor();
    expect(await page.getByTestId("not-allowed").textContent()).toContain("Jobs");
    await shot(page, "jobs-10-admin-jobs-not-allowed");
    expect((await api("GET", "/api/jobs?all=true", undefined, "alice")).status).toBe(403);

    await nav("Dashboard");
    await page.getByLabel("Team jobs").check();
    await page.locator(`tr[data-job="${running}"]`).waitFor();
    expect(await page.locator(`tr[data-job="${bobJob}"]`).count()).toBe(0);
    expect(await page.locator("main").textContent()).not.toContain("bob");
  });
});
