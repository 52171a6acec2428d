/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The portal in a real browser (Debian's Chromium), against Paddock started as
// the README starts it: log in, build and submit a tagged 2-node job and see
// it run, the inline error of a too-long tag, invitations with an
// ephemeral-zone override and the zone explainer, payer metadata through its
// confirmation, VAULTS (add and share), and tenant isolation on every screen.
// Screenshots of each main screen go to test-artifacts/e2e/.
import fs from "node:fs";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, launchChromium, startPaddock, type Paddock } from "./server";
import { TestApi, type Who } from "./apiClient";
import { horizontalOverflow } from "./layout";
import { logIn, logOut } from "./session";

let paddock: Paddock;
let browser: { context: BrowserContext; close: () => Promise<void> };
let page: Page;
const testApi = new TestApi(() => paddock);
const users = testApi.users;
let aliceJob = 0;

const api = async (method: string, url: string, body?: unknown, as?: Who | string) => {
  const r = await testApi.call(method, url, body, as);
  return { status: r.status, json: r.json };
};

const invite = (body: Record<string, unknown>, by?: Who | string) => testApi.invite(body, by);
const creds = (u: string) => ({ username: u, apikey: users[u]!.apikey });

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

const login = (username: string, password: string) => logIn(page, paddock.url, username, password);
const logout = () => logOut(page);
const nav = (name: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  paddock = await startPaddock();
  browser = await launchChromium();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(20_000);
  await invite({ username: "alice" });
  await invite({ username: "alice2", payer: "alice" });
  await invite({ username: "globex" });
  await invite({ username: "bob", payer: "globex" });
});

afterAll(async () => {
  await browser?.close();
  await paddock?.stop();
});

describe("the portal in Chromium", () => {
  it("logs in by keyboard, and logs out", async () => {
    await page.goto(`${paddock.url}/`);
    await page.getByRole("heading", { name: "Log in to Paddock" }).waitFor();
    await shot("01-login");
    await page.getByLabel("User name").focus();
    await page.keyboard.type(paddock.admin.username);
    await page.keyboard.press("Tab");
    await page.keyboard.type("wrong-password");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("invalid user name or password");
    await page.getByLabel("Password").fill(paddock.admin.password);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Compute" }).waitFor();
    await logout();
  });

  it("invites a payer with an ephemeral-zone override, a member as that payer, and shows the member locked to that zone", async () => {
    await login(paddock.admin.username, paddock.admin.password);
    await nav("Zones / Clusters / Machines / Apps");
    await page.getByLabel("Name", { exact: true }).fill("west");
    await page.getByLabel("Description").fill("the west zone");
    await page.getByRole("button", { name: "Create" }).click();
    await page.getByRole("cell", { name: "west", exact: true }).waitFor();
    await shot("02-admin-zones");
    // each cluster's zone, whether it answers and its node count (the embedded simulated cluster: 4 nodes)
    await page.getByRole("tab", { name: "Clusters" }).click();
    const embedded = page.getByRole("row").filter({ has: page.getByRole("cell", { name: "embedded", exact: true }) });
    await expect.poll(async () => (await embedded.getByRole("cell").allTextContents()).slice(0, 5)).toEqual(["1", "embedded", "Default (0)", "yes", "4"]);
    await page.getByRole("tab", { name: "Zones" }).click();

    await nav("Users");
    await page.getByLabel("User name", { exact: true }).fill("acme");
    await page.getByLabel("Ephemeral zone").selectOption({ label: "west (1)" });
    await shot("03-admin-users-invite-payer");
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    const password = await page.getByTestId("new-password").textContent();
    expect(password).toBeTruthy();
    await logout();

    await login("acme", password!);
    await nav("Users");
    await page.getByLabel("User name", { exact: true }).fill("wile");
    // a payer invites into its own team, and the form says so (no Payer field to clear)
    expect(await page.getByTestId("invite-into").textContent()).toContain("joins your team (acme)");
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    await page.getByTestId("new-apikey").waitFor();
    await page.getByRole("button", { name: "Zone access of wile" }).click();
    await expect.poll(() => page.getByTestId("locked").textContent()).toBe("Locked to zone west (1).");
    await shot("04-admin-users-zone-access");
    const za = await api("GET", "/api/users/wile/zone-access");
    expect(za.json.lockedTo).toEqual({ id: 1, name: "west" });
    await logout();
  });

  it("adds a payer metadata row through the confirmation, with type validation inline", async () => {
    await login(paddock.admin.username, paddock.admin.password);
    await nav("Metadata");
    await page.getByLabel("Payer", { exact: true }).fill("acme");
    await page.getByLabel("Key").selectOption("vaultSize");
    await page.getByLabel("Value").fill("ten");
    await expect.poll(() => page.getByRole("alert").first().textContent()).toContain("must be an integer greater than 0");
    await page.getByLabel("Value").fill("10");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    const dialog = page.getByRole("alertdialog", { name: "Add vaultSize = 10 for acme?" });
    await expect.poll(() => dialog.textContent()).toContain("future invites of acme's team only");
    await shot("05-admin-metadata-confirm");
    await dialog.getByRole("button", { name: "Add row" }).click();
    await page.locator('tr[data-meta="acme/vaultSize"]').waitFor();
    await page.getByLabel("Filter by payer").fill("acme");
    await expect.poll(() => page.locator("tbody tr").count()).toBe(2); // vaultEphemeralZone (the invitation's override) and vaultSize
    await shot("06-admin-metadata");
    const rows = (await api("GET", "/api/metadata?payer=acme")).json.metadata as Array<{ key: string; value: string }>;
    expect(rows).toContainEqual(expect.objectContaining({ key: "vaultSize", value: "10" }));
  });

  it("adds a vault to a user and shares it with VAULTS", async () => {
    await nav("Users");
    await page.getByRole("button", { name: "VAULTS of alice", exact: true }).click();
    await page.getByRole("heading", { name: "VAULTS of alice" }).waitFor();
    const vaults = page.getByTestId("vaults");
    await vaults.getByLabel("Vault name").fill("projects");
    await vaults.getByLabel("Storage class").fill("fast-sc");
    await vaults.getByLabel("Access modes").fill("ReadWriteMany");
    await vaults.getByLabel("Size (GB)").fill("10");
    await page.getByRole("button", { name: "Add vault" }).click();
    await page.locator('tr[data-vault="projects"]').waitFor();
    await page.getByLabel("Share projects with user").fill("alice2");
    await page.locator('tr[data-vault="projects"]').getByRole("button", { name: "Share" }).click();
    await expect.poll(() => page.getByTestId("shared-projects").textContent()).toBe("alice2");
    await shot("07-admin-users-vaults");
    const held = (await api("GET", "/api/users/alice2/vaults")).json.vaults as Array<{ name: string; sharedBy?: string }>;
    expect(held).toContainEqual(expect.objectContaining({ name: "projects", sharedBy: "alice" }));
    await logout();
  });

  it("builds and submits a 2-node job with an IP Address Tag, which reaches PROCESSING STARTING with its labels", async () => {
    await login("alice", users.alice!.password);
    await nav("Task Builder");
    await page.getByLabel("Machine type").locator('option[value="n4"]').waitFor({ state: "attached" });
    await page.getByLabel("App").selectOption("demo");
    await page.getByLabel("Command").selectOption("sleep");
    await shot("08-task-builder");
    await page.getByLabel("Seconds (required)").fill("120");
    await page.getByLabel("Machine type").selectOption("n4");
    await page.getByLabel("Nodes").fill("2");
    await shot("08-task-builder");
    await page.getByRole("tab", { name: "OPTIONAL" }).click();
    await page.getByLabel("IP Address Tag").fill("web");
    await expect.poll(() => page.getByTestId("tag-left").textContent()).toBe(String(63 - "alice-".length - 3));
    await expect.poll(() => page.getByText("The tag is valid.").count()).toBe(1);
    await shot("09-task-builder-optional");
    await page.getByRole("tab", { name: "PREVIEW SUBMISSION" }).click();
    const preview = JSON.parse((await page.getByTestId("preview").textContent())!) as Record<string, unknown>;
    expect(preview).toEqual({
      app: "demo",
      application: { command: "sleep", parameters: { seconds: 120 } },
      machine: { type: "n4", nodes: 2 },
      ipaddr: "web",
      // the user's own key, which the portal shows again (GET /api/me/apikey)
      user: { username: "alice", apikey: users.alice!.apikey },
    });
    await shot("10-task-builder-preview");
    await page.getByRole("button", { name: "Submit" }).click();
    // Submit takes the user to the job on the Dashboard
    await page.waitForURL(/\/jobs\?job=\d+$/);
    aliceJob = Number(new URL(page.url()).searchParams.get("job"));

    await nav("Dashboard");
    await expect.poll(() => page.getByTestId(`status-${aliceJob}`).textContent(), { timeout: 30_000 }).toBe("PROCESSING STARTING");
    // the dashboard opens the job just submitted; the Details button toggles it
    const details = page.getByRole("button", { name: `Details of jarvice-job-${aliceJob}` });
    if ((await details.getAttribute("aria-expanded")) !== "true") await details.click();
    await expect.poll(() => page.getByTestId("ipaddr-value").textContent()).toBe("alice-web");
    await shot("11-dashboard");
    const info = await api("GET", `/jarvice/info?username=alice&apikey=${users.alice!.apikey}&number=${aliceJob}`, undefined, creds("alice"));
    expect(info.json.ipaddr).toBe("alice-web");
    expect(info.json.pods).toHaveLength(2);
  });

  it("shows the inline error of a too-long tag and submits nothing", async () => {
    const before = (await api("GET", `/jarvice/jobs?username=alice&apikey=${users.alice!.apikey}`, undefined, creds("alice"))).json;
    await nav("Task Builder");
    await page.getByRole("tab", { name: "OPTIONAL" }).click();
    await page.getByLabel("IP Address Tag").fill("x".repeat(60));
    const problem = "ipaddr: 'alice-' + tag is 66 characters; the limit is 63, which leaves 57 characters for the tag (it has 60)";
    // in words: the field's label for the API's field path
    await expect.poll(() => page.getByRole("alert").first().textContent()).toBe(problem.replace(/^ipaddr: /, "IP Address Tag: "));
    expect(await page.getByLabel("IP Address Tag").getAttribute("aria-invalid")).toBe("true");
    await page.getByRole("button", { name: "Submit" }).click();
    await page.waitForTimeout(1000);
    expect(new URL(page.url()).pathname).toMatch(/^\/builder/);
    await shot("12-task-builder-tag-too-long");
    const after = (await api("GET", `/jarvice/jobs?username=alice&apikey=${users.alice!.apikey}`, undefined, creds("alice"))).json;
    expect(Object.keys(after)).toEqual(Object.keys(before));
    // the API refuses the same tag with the same message
    const r = await api("POST", "/api/jobs", { app: "demo", application: { command: "sleep" }, machine: { type: "n4", nodes: 1 }, ipaddr: "x".repeat(60) }, creds("alice"));
    expect(r).toEqual({ status: 400, json: { error: problem, field: "ipaddr" } });
  });

  it("keeps the layout within a narrow window", async () => {
    await page.setViewportSize({ width: 400, height: 800 });
    for (const [view, name] of [
      ["Task Builder", "13-narrow-task-builder"],
      ["Dashboard", "14-narrow-dashboard"],
    ] as const) {
      await nav(view);
      await page.waitForTimeout(300);
      const overflow = await horizontalOverflow(page);
      expect(overflow.by, `${view}: ${overflow.wide.join(" | ")}`).toBeLessThanOrEqual(1);
      await shot(name);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await logout();
  });

  it("never shows tenant A's jobs or vaults to a user of tenant B, on any screen", async () => {
    await login("globex", users.globex!.password);
    await nav("Dashboard");
    await page.getByLabel("Team jobs").check();
    await page.waitForTimeout(2500);
    expect(await page.locator("main").textContent()).not.toContain("alice");
    await page.getByLabel("Completed jobs").check();
    await page.waitForTimeout(2500);
    expect(await page.locator("main").textContent()).not.toContain("alice");
    await shot("15-tenant-b-dashboard");

    await nav("Users");
    await page.getByLabel("Search users").fill("alice");
    await page.waitForTimeout(1000);
    expect(await page.locator("tr[data-user]").count()).toBe(0);
    await page.getByLabel("Search users").fill("");
    await expect.poll(() => page.locator("tr[data-user]").count()).toBe(2); // globex and bob
    expect(await page.locator("table").textContent()).not.toMatch(/alice|acme|wile/);
    await page.getByRole("button", { name: "VAULTS of bob", exact: true }).click();
    await page.getByRole("heading", { name: "VAULTS of bob" }).waitFor();
    expect(await page.getByTestId("vaults").textContent()).not.toContain("projects");
    await shot("16-tenant-b-users");

    await nav("Metadata");
    await page.waitForTimeout(1000);
    expect(await page.locator("main").textContent()).not.toContain("acme");

    await nav("Task Builder");
    const vaultOptions = await page.getByLabel("Vault").locator("option").allTextContents();
    expect(vaultOptions.join(" ")).not.toContain("projects");

    // the session the screens use, aimed at tenant A's objects directly: 404, as for nothing
    const projects = ((await api("GET", "/api/users/alice/vaults")).json.vaults as Array<{ id: number; name: string }>).find((v) => v.name === "projects")!;
    const answers = await page.evaluate(
      async ({ job, vault }) => {
        const token = localStorage.getItem("paddock.session");
        const h = { authorization: `Bearer ${token}`, "content-type": "application/json" };
        const out: Record<string, number> = {};
        for (const [m, u, b] of [
          ["GET", `/api/jobs/${job}`, undefined],
          ["GET", `/api/jobs/${job}/output`, undefined],
          ["POST", `/api/jobs/${job}/stop`, { how: "terminate" }],
          ["GET", "/api/users/alice/vaults", undefined],
          ["GET", `/api/vaults/${vault}`, undefined],
          ["POST", `/api/vaults/${vault}/shares`, { username: "bob" }],
        ] as const) {
          out[`${m} ${u}`] = (await fetch(u, { method: m, headers: h, body: b ? JSON.stringify(b) : undefined })).status;
        }
        return out;
      },
      { job: aliceJob, vault: projects.id },
    );
    for (const [req, status] of Object.entries(answers)) expect(status, req).toBe(404);
    const still = await api("GET", `/jarvice/status?username=alice&apikey=${users.alice!.apikey}&number=${aliceJob}`, undefined, creds("alice"));
    expect(JSON.stringify(still.json)).toContain("PROCESSING STARTING");
  });

  it("ends an expired session and asks to log in again", async () => {
    await page.evaluate(async () => {
      await fetch("/api/logout", { method: "POST", headers: { authorization: `Bearer ${localStorage.getItem("paddock.session")}` } });
    });
    await nav("Dashboard");
    await expect.poll(() => page.getByRole("status").first().textContent()).toContain("Your session ended");
    await page.getByRole("heading", { name: "Log in to Paddock" }).waitFor();
  });
});
