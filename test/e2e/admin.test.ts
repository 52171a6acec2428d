/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Account, Administration -> Users and Zones / Clusters / Machines / Apps in Chromium, against Paddock
// started as the README starts it: the own API key shown and regenerated after a confirmation (the old key
// then refused by /jarvice/jobs, the new one accepted), the password change (a wrong current password
// refused, the new one good for the next login), details panels far down a long user list coming into
// view with focus, confirmations (Escape and Enter on the default cancel; they name what they confirm and
// sit under their row), sharing across tenants asked first, disabling a user, every Users action within
// reach at 400 px, deleting machine types (one in use refused, in words), apps public/private and the
// AppDef editor's key order; axe-core on each screen and screenshots in test-artifacts/e2e/.
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkA11y, shot } from "./a11y";
import { horizontalOverflow } from "./layout";
import { launchChromium, startPaddock, type Paddock } from "./server";
import { TestApi, type Who } from "./apiClient";
import { logIn } from "./session";

let paddock: Paddock;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
const testApi = new TestApi(() => paddock);
const users = testApi.users;
const MANY = 30;

const api = async (method: string, url: string, body?: unknown, as?: Who | string) => {
  const r = await testApi.call(method, url, body, as);
  return { status: r.status, json: r.json };
};
const invite = (body: Record<string, unknown>, by?: Who | string) => testApi.invite(body, by);
/** The HTTP status of /jarvice/jobs with `apikey` in its query (as JARVICE clients give it), or of /api/me with it as HTTP Basic credentials. */
async function jarviceJobs(username: string, apikey: string, how: "query" | "basic"): Promise<number> {
  const res =
    how === "query"
      ? await fetch(`${paddock.url}/jarvice/jobs?username=${encodeURIComponent(username)}&apikey=${encodeURIComponent(apikey)}`)
      : await fetch(`${paddock.url}/api/me`, { headers: { authorization: `Basic ${Buffer.from(`${username}:${apikey}`).toString("base64")}` } });
  return res.status;
}
const login = (username: string, path?: string) => logIn(page, paddock.url, username, username === paddock.admin.username ? paddock.admin.password : users[username]!.password, path);
const nav = (name: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();
const focused = () => page.evaluate(() => `${document.activeElement?.tagName}: ${document.activeElement?.textContent?.trim()}`);
const userRow = (u: string) => page.locator(`tr[data-user="${u}"]`);
/** The box of `l` lies inside the window. */
async function inWindow(l: Locator): Promise<boolean> {
  const b = await l.boundingBox();
  const v = page.viewportSize()!;
  return b !== null && b.x >= 0 && b.y >= 0 && b.x + b.width <= v.width + 1 && b.y + b.height <= v.height + 1;
}

beforeAll(async () => {
  paddock = await startPaddock();
  browser = await launchChromium();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(20_000);
  await invite({ username: "alice" });
  await invite({ username: "alice2", payer: "alice" });
  await invite({ username: "globex" });
  await invite({ username: "bob", payer: "globex" });
  // enough users that a details panel under the list opens far below the window
  for (let i = 1; i <= MANY; i++) await invite({ username: `m${String(i).padStart(2, "0")}`, payer: "alice" });
  // a PVC vault of alice in zone west, which bob (another tenant) cannot use
  const west = await api("POST", "/api/zones", { name: "west" });
  const projects = await api("POST", "/api/users/alice/vaults", { name: "projects", kind: "pvc", storageClass: "fast-sc", accessModes: "ReadWriteMany", size: 10, zone: west.json.id });
  if (projects.status !== 201) throw new Error(`vault: ${projects.status} ${JSON.stringify(projects.json)}`);
  // a job that keeps machine type n4 in use
  const job = await api("POST", "/api/jobs", { app: "demo", application: { command: "sleep", parameters: { seconds: 900 } }, machine: { type: "n4", nodes: 1 } }, { username: "alice", apikey: users.alice!.apikey });
  if (job.status !== 200 && job.status !== 201) throw new Error(`submit: ${job.status} ${JSON.stringify(job.json)}`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await paddock?.stop();
});

describe("Account", () => {
  it("shows the own API key on demand, regenerates it after a confirmation, and the old key is then refused by /jarvice/jobs", async () => {
    await login("alice");
    await nav("Account");
    await page.getByRole("heading", { name: "Account", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Show API key" }).click();
    await expect.poll(() => page.getByTestId("apikey").textContent()).toBe(users.alice!.apikey);
    await page.getByRole("button", { name: "Copy API key" }).waitFor();
    await checkA11y(page, "Account");
    await shot(page, "admin-01-account");

    const old = users.alice!.apikey;
    const regenerate = page.getByRole("button", { name: "Regenerate API key" });
    const dialog = page.getByRole("alertdialog", { name: "Make a new API key for alice?" });
    // Escape cancels; Enter on the focused default (Cancel) cancels
    await regenerate.click();
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("The old key stops working at once");
    await expect.poll(focused).toBe("BUTTON: Cancel");
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.count()).toBe(0);
    await regenerate.click();
    await dialog.waitFor();
    await page.keyboard.press("Enter");
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await jarviceJobs("alice", old, "query")).toBe(200);
    expect(await jarviceJobs("alice", old, "basic")).toBe(200);

    await regenerate.click();
    await dialog.getByRole("button", { name: "Make a new key" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "A new API key was made" }).count()).toBe(1);
    const fresh = (await page.getByTestId("apikey").textContent())!;
    expect(fresh).not.toBe(old);
    expect(fresh.length).toBeGreaterThan(10);
    await shot(page, "admin-02-account-new-key");
    expect(await jarviceJobs("alice", old, "query")).toBe(401);
    expect(await jarviceJobs("alice", old, "basic")).toBe(401);
    expect(await jarviceJobs("alice", fresh, "query")).toBe(200);
    expect(await jarviceJobs("alice", fresh, "basic")).toBe(200);
    users.alice!.apikey = fresh;
    // shown again later, as stored
    await page.reload();
    await page.getByRole("button", { name: "Show API key" }).click();
    await expect.poll(() => page.getByTestId("apikey").textContent()).toBe(fresh);
  });

  it("changes the password: every problem at once, a wrong current password refused, the new one good for the next login", async () => {
    const next = "alice-New-Secret-2";
    await page.getByLabel("New password", { exact: true }).fill(next);
    await page.getByLabel("Repeat the new password").fill("something else");
    await page.getByRole("button", { name: "Change password" }).click();
    const form = page.getByRole("form", { name: "Password" });
    await expect.poll(() => form.getByRole("alert").allTextContents()).toEqual(["Current password: required", "Repeat the new password: does not match the new password"]);
    await page.getByLabel("Current password").fill("wrong-password-1");
    await page.getByLabel("Repeat the new password").fill(next);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => form.getByRole("alert").allTextContents()).toEqual(["Current password: is not your current password"]);
    await checkA11y(page, "Account (password errors)");
    await shot(page, "admin-03-account-password-refused");

    await page.getByLabel("Current password").fill(users.alice!.password);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByRole("heading", { name: "Log in to Paddock" }).waitFor();
    expect(await page.getByRole("status").first().textContent()).toContain("your password was changed");
    await page.getByLabel("User name").fill("alice");
    await page.getByLabel("Password").fill(users.alice!.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toContain("invalid user name or password");
    users.alice!.password = next;
    await login("alice", "/account");
    await page.getByRole("heading", { name: "Account", level: 1 }).waitFor();
    // own vaults and zones, by name
    await page.locator("tr[data-vault]").first().waitFor();
    expect(await page.getByTestId("my-zones").textContent()).toContain("Default");
  });
});

describe("Administration -> Users", () => {
  it("opens VAULTS and Zone access far below a long user list in view, with focus, and Escape closes them", async () => {
    await login(paddock.admin.username);
    await nav("Users");
    await expect.poll(() => page.locator("tr[data-user]").count()).toBeGreaterThanOrEqual(MANY + 4);
    for (const [button, heading] of [
      ["VAULTS of alice", "VAULTS of alice"],
      ["Zone access of alice2", "Zone access of alice2"],
    ] as const) {
      await page.evaluate(() => window.scrollTo(0, 0));
      const opener = page.getByRole("button", { name: button, exact: true });
      const h2 = page.getByRole("heading", { name: heading, level: 2 });
      expect(await h2.count()).toBe(0);
      await opener.click();
      await h2.waitFor();
      await expect.poll(() => inWindow(h2)).toBe(true);
      await expect.poll(focused).toBe(`H2: ${heading}`);
      expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(400);
      await checkA11y(page, `Users (${heading})`);
      await shot(page, `admin-04-users-${heading.startsWith("VAULTS") ? "vaults" : "zone-access"}`);
      await page.keyboard.press("Escape");
      await expect.poll(() => h2.count()).toBe(0);
      await expect.poll(focused).toContain("BUTTON: ");
    }
  });

  it("asks before sharing a vault across tenants, naming the vault, the user and why; unsharing asks too", async () => {
    const vault = ((await api("GET", "/api/users/alice/vaults")).json.vaults as Array<{ id: number; name: string }>).find((v) => v.name === "projects")!;
    await page.getByRole("button", { name: "VAULTS of alice", exact: true }).click();
    const panel = page.getByTestId("vaults");
    await panel.getByLabel(`Share ${vault.name} with user`).fill("bob");
    await panel.getByRole("button", { name: `Share ${vault.name}`, exact: true }).click();
    const ask = page.getByRole("alertdialog", { name: `Share ${vault.name} of alice with bob? This is unusual.` });
    await ask.waitFor();
    expect(await ask.textContent()).toContain("bob is in tenant globex, not in alice's tenant alice");
    expect(await ask.textContent()).toContain("projects is in zone west, which bob cannot use now");
    await checkA11y(page, "Users (share across tenants)");
    await shot(page, "admin-05-users-share-across-tenants");
    await page.keyboard.press("Escape");
    await expect.poll(() => ask.count()).toBe(0);
    expect(((await api("GET", `/api/vaults/${vault.id}`)).json.sharedWith as string[]) ?? []).not.toContain("bob");

    await panel.getByRole("button", { name: `Share ${vault.name}`, exact: true }).click();
    await ask.getByRole("button", { name: "Share anyway" }).click();
    await expect.poll(() => page.getByTestId(`shared-${vault.name}`).textContent()).toBe("bob");
    await panel.getByRole("button", { name: `Unshare ${vault.name} from bob` }).click();
    const unshare = page.getByRole("alertdialog", { name: `Stop sharing ${vault.name} with bob?` });
    await unshare.getByRole("button", { name: "Unshare" }).click();
    await expect.poll(() => page.getByTestId(`shared-${vault.name}`).textContent()).toBe("-");
    await page.keyboard.press("Escape");
  });

  it("disables a user only from the confirmation's own button, which sits under the row: Escape and Enter on the default cancel", async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByRole("button", { name: "Manage alice2", exact: true }).click();
    const disable = page.getByRole("button", { name: "Disable alice2", exact: true });
    const dialog = page.getByRole("alertdialog", { name: "Disable alice2?" });
    await disable.click();
    await dialog.waitFor();
    const [r, d] = [await userRow("alice2").boundingBox(), await dialog.boundingBox()];
    expect(d!.y - (r!.y + r!.height)).toBeLessThan(80);
    await expect.poll(focused).toBe("BUTTON: Cancel");
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.count()).toBe(0);
    await disable.click();
    await dialog.waitFor();
    await page.keyboard.press("Enter");
    await expect.poll(() => dialog.count()).toBe(0);
    expect((await api("GET", "/api/users/alice2")).json.disabled).toBe(false);

    await disable.click();
    await checkA11y(page, "Users (confirmation)");
    await shot(page, "admin-06-users-disable-confirm");
    await dialog.getByRole("button", { name: "Disable", exact: true }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Disabled alice2" }).count()).toBe(1);
    expect((await api("GET", "/api/users/alice2")).json.disabled).toBe(true);
    await expect.poll(() => userRow("alice2").textContent()).toContain("disabled");
    expect(await jarviceJobs("alice2", users.alice2!.apikey, "query")).not.toBe(200);
    // and back
    await page.getByRole("button", { name: "Enable alice2", exact: true }).click();
    await page.getByRole("alertdialog", { name: "Enable alice2?" }).getByRole("button", { name: "Enable" }).click();
    await expect.poll(async () => (await api("GET", "/api/users/alice2")).json.disabled).toBe(false);
  });

  it("keeps every action of a user row within reach in a 400 px window", async () => {
    await page.setViewportSize({ width: 400, height: 800 });
    try {
      await page.reload();
      await userRow("alice2").waitFor();
      const overflow = await horizontalOverflow(page);
      expect(overflow.by, overflow.wide.join(" | ")).toBeLessThanOrEqual(1);
      await page.getByRole("button", { name: "Manage alice2", exact: true }).click();
      const names = ["Zone access of alice2", "VAULTS of alice2", "Manage alice2", "Disable alice2", "Make team admin alice2", "Reset password of alice2", "New API key for alice2"];
      for (const name of names) {
        const b = page.getByRole("button", { name, exact: true });
        await b.scrollIntoViewIfNeeded();
        expect(await inWindow(b), name).toBe(true);
        // nothing covers it: the element at its centre is the button (or inside it)
        const box = (await b.boundingBox())!;
        expect(await b.evaluate((el, [x, y]) => el.contains(document.elementFromPoint(x!, y!)), [box.x + box.width / 2, box.y + box.height / 2]), name).toBe(true);
      }
      // and the row still shows whose actions they are: the sticky actions column does not cover the user's name
      const name = userRow("alice2").getByRole("cell").first();
      await name.scrollIntoViewIfNeeded();
      const nb = (await name.boundingBox())!;
      expect(await name.evaluate((el, [x, y]) => el.contains(document.elementFromPoint(x!, y!)), [nb.x + 8, nb.y + nb.height / 2])).toBe(true);
      await checkA11y(page, "Users (400 px)");
      await shot(page, "admin-07-users-narrow");
      // a 400 px click reaches the action: a new API key, shown once with Copy
      await page.getByRole("button", { name: "New API key for alice2", exact: true }).click();
      await page.getByRole("alertdialog", { name: "Make a new API key for alice2?" }).getByRole("button", { name: "Make a new key" }).click();
      const key = (await page.getByTestId("reset-apikey").textContent())!;
      expect(await jarviceJobs("alice2", key, "query")).toBe(200);
      expect(await jarviceJobs("alice2", users.alice2!.apikey, "query")).toBe(401);
      users.alice2!.apikey = key;
      await page.getByRole("button", { name: "Copy API key" }).waitFor();
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it("keeps an invited user's credentials in a panel with Copy until dismissed, through the next invite", async () => {
    await page.getByLabel("User name", { exact: true }).fill("carol");
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    await page.getByRole("region", { name: "Invited carol (a new payer)" }).waitFor();
    await page.getByLabel("User name", { exact: true }).fill("dave");
    await page.getByLabel("Payer (empty: invite a payer)").fill("carol");
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    await page.getByRole("region", { name: "Invited dave into carol's team" }).waitFor();
    const carol = page.getByRole("region", { name: "Invited carol (a new payer)" });
    expect(await carol.getByTestId("new-password").count()).toBe(1);
    expect(await carol.getByRole("button", { name: "Copy password" }).count()).toBe(1);
    await checkA11y(page, "Users (invited)");
    await shot(page, "admin-08-users-invited");
    await carol.getByRole("button", { name: "Dismiss Invited carol (a new payer)" }).click();
    await expect.poll(() => carol.count()).toBe(0);
    expect(await page.getByRole("region", { name: "Invited dave into carol's team" }).count()).toBe(1);
  });
});

describe("Administration -> Users for a team admin", () => {
  it("shows only the actions a team admin may use, and says whom an invitation adds (no Payer field to clear)", async () => {
    expect((await api("PATCH", "/api/users/m01", { teamAdmin: true })).status).toBe(200);
    await login("m01");
    await nav("Users");
    await userRow("m02").waitFor();
    expect(await page.getByTestId("invite-into").textContent()).toContain("joins your team (alice) as a member");
    expect(await page.getByLabel("Payer (empty: invite a payer)").count()).toBe(0);
    // a plain member: disable and team admin rights, but not its password or key (only it and system administrators)
    await page.getByRole("button", { name: "Manage m02", exact: true }).click();
    const group = page.getByRole("group", { name: "Manage m02" });
    expect(await group.getByRole("button").allTextContents()).toEqual(["Disable m02", "Make team admin m02"]);
    // the payer, itself: no Manage at all
    for (const u of ["alice", "m01"]) expect(await page.getByRole("button", { name: `Manage ${u}`, exact: true }).count()).toBe(0);
    // VAULTS without "Add a vault" (system administrators only)
    await page.getByRole("button", { name: "VAULTS of m02", exact: true }).click();
    await page.getByRole("heading", { name: "VAULTS of m02", level: 2 }).waitFor();
    expect(await page.getByRole("button", { name: "Add vault" }).count()).toBe(0);
    await checkA11y(page, "Users (team admin)");
    await shot(page, "admin-09-users-team-admin");
  });
});

describe("Administration -> Zones / Clusters / Machines / Apps", () => {
  it("lists machine types in natural order and deletes one after a confirmation; one in use is refused in words", async () => {
    await login(paddock.admin.username);
    await nav("Zones / Clusters / Machines / Apps");
    await page.getByRole("tab", { name: "Machines" }).click();
    await page.locator("tr[data-machine]").first().waitFor();
    expect(await page.locator("tr[data-machine]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-machine")))).toEqual(["n4", "n8", "n16"]);
    expect(await page.locator('tr[data-machine="n4"] td').nth(2).textContent()).toBe("Default (0)");
    await checkA11y(page, "Catalog (Machines)");
    await shot(page, "admin-10-catalog-machines");

    await page.getByRole("button", { name: "Delete n4", exact: true }).click();
    const dialog = page.getByRole("alertdialog", { name: "Delete machine type n4?" });
    await dialog.getByRole("button", { name: "Delete machine type" }).click();
    const refused = page.getByRole("alert").filter({ hasText: "Cannot delete machine type n4" });
    await expect.poll(() => refused.textContent()).toMatch(/^Cannot delete machine type n4: machine type 'n4' is used by active job\(s\) jarvice-job-\d+/);
    // under the row it concerns
    const [row, note] = [await page.locator('tr[data-machine="n4"]').boundingBox(), await refused.boundingBox()];
    expect(note!.y - (row!.y + row!.height)).toBeLessThan(40);
    await shot(page, "admin-11-catalog-delete-refused");
    expect(await page.locator('tr[data-machine="n4"]').count()).toBe(1);

    await page.getByRole("button", { name: "Delete n16", exact: true }).click();
    await page.getByRole("alertdialog", { name: "Delete machine type n16?" }).getByRole("button", { name: "Delete machine type" }).click();
    await expect.poll(() => page.locator('tr[data-machine="n16"]').count()).toBe(0);
    // the new success line replaced the old error
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Deleted machine type n16." }).count()).toBe(1);
    expect(await page.getByRole("alert").count()).toBe(0);
    const machines = (await api("GET", "/api/machines")).json.machines as Array<{ name: string }>;
    expect(machines.map((m) => m.name)).toEqual(["n4", "n8"]);
  });

  it("makes an app private and public again, and edits its AppDef with keys in their stored order", async () => {
    await page.getByRole("tab", { name: "Apps" }).click();
    await page.getByRole("button", { name: "Make private demo", exact: true }).click();
    await page.getByRole("alertdialog", { name: "Make app demo private?" }).getByRole("button", { name: "Make private" }).click();
    await expect.poll(async () => (await api("GET", "/api/apps/demo")).json.public).toBe(false);
    await page.getByRole("button", { name: "Make public demo", exact: true }).click();
    await page.getByRole("alertdialog", { name: "Make app demo public?" }).getByRole("button", { name: "Make public" }).click();
    await expect.poll(async () => (await api("GET", "/api/apps/demo")).json.public).toBe(true);

    await page.getByRole("button", { name: "Edit demo", exact: true }).click();
    const editor = page.getByRole("form", { name: "Edit app demo" });
    const text = await editor.getByLabel("AppDef (JSON)").inputValue();
    const stored = (await api("GET", "/api/apps/demo")).json.appdef as Record<string, unknown>;
    expect(Object.keys(JSON.parse(text) as Record<string, unknown>)).toEqual(Object.keys(stored));
    await checkA11y(page, "Catalog (Apps, editing)");
    await shot(page, "admin-12-catalog-apps-edit");
    await editor.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("tab", { name: "Zones" }).click();
    await checkA11y(page, "Catalog (Zones)");
    await shot(page, "admin-13-catalog-zones");
  });
});
