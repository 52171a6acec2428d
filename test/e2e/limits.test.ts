/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Admission Limits in the portal, in Chromium against Paddock started as the
// README starts it: a system administrator sets a payer's billing code, adds,
// edits and deletes limits of every scope on Administration -> Limits (an error
// shown beside the field it names, nothing stored) and a cluster's mL on the
// Clusters tab; a payer sees its administrator limit read-only with the usage
// and sets its team default and a user's limit within it (refused above it); a
// team admin sees the same, a member neither view, another tenant nothing of
// it; and a job held by its tenant's limit shows "Waiting for limits" on the
// dashboard until a running job ends. Screenshots go to test-artifacts/e2e/.
import fs from "node:fs";
import path from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, launchChromium, startPaddock, type Paddock } from "./server";
import { TestApi, type Who } from "./apiClient";
import { checkA11y } from "./a11y";
import { horizontalOverflow } from "./layout";
import { logIn, logOut } from "./session";

let paddock: Paddock;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
const testApi = new TestApi(() => paddock);
const users = testApi.users;
/** cores of the n16 machine type: the limits below are counted in its jobs */
let c = 0;

const api = async (method: string, url: string, body?: unknown, as?: Who | string) => {
  const r = await testApi.call(method, url, body, as);
  return { status: r.status, json: r.json };
};

const invite = (body: Record<string, unknown>, by?: Who | string) => testApi.invite(body, by);

interface Limit {
  id: number;
  scope: string;
  payer?: string;
  user?: string;
  billingFrom?: number;
  billingTo?: number;
  cpus: number | null;
  machines: Record<string, { jobs?: number; nodes?: number }>;
}
const limits = async () => (await api("GET", "/api/limits")).json.limits as Limit[];
const effective = async (user: string) => (await api("GET", `/api/limits/effective?user=${user}`)).json as { tenant: { limit: Limit | null; usage: { cpus: number }; held: number } };

/** What the page says now (its status and alert messages): a wait for a status shows the error instead, if one came. */
const said = async () => (await page.locator('[role="status"], [role="alert"]').allTextContents()).join(" | ");
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

async function login(username: string) {
  const password = username === paddock.admin.username ? paddock.admin.password : users[username]!.password;
  await logIn(page, paddock.url, username, password);
}
const logout = () => logOut(page);
const navLinks = () => page.getByRole("navigation", { name: "Main" });
const nav = (name: string) => navLinks().getByRole("link", { name, exact: true }).click();

/** The error shown beside a form's field: the field is marked invalid and its message starts with the API's field name. */
async function fieldError(form: Locator, label: string, field: string): Promise<string> {
  const input = form.getByLabel(label, { exact: true });
  await expect.poll(() => input.getAttribute("aria-invalid")).toBe("true");
  const ids = (await input.getAttribute("aria-describedby")) ?? "";
  const message = await page.locator(ids.split(" ").map((id) => `[id="${id}"].error`).join(", ")).textContent();
  expect(message).toMatch(new RegExp(`^${field}: `));
  return message!;
}

async function submit(as: string): Promise<number> {
  const r = await api("POST", "/api/jobs", { app: "demo", application: { command: "sleep", parameters: { seconds: 900 } }, machine: { type: "n16", nodes: 1 } }, as);
  if (r.status !== 200) throw new Error(`submit as ${as}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.number as number;
}

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  paddock = await startPaddock();
  browser = await launchChromium();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(20_000);
  await invite({ username: "acme" });
  await invite({ username: "wile", payer: "acme" });
  await invite({ username: "coyote", payer: "acme", teamAdmin: true });
  await invite({ username: "globex" });
  const machines = (await api("GET", "/api/machines")).json.machines as Array<{ name: string; cores: number }>;
  c = machines.find((m) => m.name === "n16")!.cores;
});

afterAll(async () => {
  await browser?.close();
  await paddock?.stop();
});

describe("Limits in the portal", () => {
  it("lets a system administrator set a billing code and add, edit and delete limits of every scope, with errors beside the field", async () => {
    await login(paddock.admin.username);
    await nav("Limits");
    await page.getByRole("heading", { name: "Limits", exact: true }).waitFor();
    // the Administration group holds it; no Account group for system administrators
    expect(await navLinks().getByRole("group", { name: "Administration" }).getByRole("link", { name: "Limits" }).count()).toBe(1);
    expect(await navLinks().getByRole("group", { name: "Account" }).count()).toBe(0);

    const billing = page.getByRole("form", { name: "Billing codes" });
    await billing.getByLabel("Payer of the billing code").fill("acme");
    await billing.getByLabel("Billing code", { exact: true }).fill("5");
    await billing.getByRole("button", { name: "Set billing code" }).click();
    await expect.poll(() => said()).toContain("acme's billing code is now 5");

    // a billing-code range: governs acme through its code
    const form = page.getByRole("form", { name: /^(Add a limit|Edit the limit on .*)$/ });
    await form.getByLabel("Scope").selectOption("billing");
    await form.getByLabel("Billing codes from").fill("1");
    await form.getByLabel("Billing codes to").fill("9");
    await form.getByLabel("Concurrent CPUs").fill(String(4 * c));
    await form.getByRole("button", { name: "Add limit" }).click();
    const range = page.locator('tr[data-limit="billing codes 1 to 9"]');
    await expect.poll(() => range.textContent()).toContain(`${4 * c} CPUs`);
    expect((await effective("acme")).tenant.limit).toMatchObject({ scope: "billing", billingFrom: 1, billingTo: 9, cpus: 4 * c });

    // a bad number: the API's error beside the CPU field, nothing stored
    await form.getByLabel("Scope").selectOption("payer");
    await form.getByLabel("Payer", { exact: true }).fill("acme");
    await form.getByLabel("Concurrent CPUs").fill("-4");
    await form.getByRole("button", { name: "Add limit" }).click();
    await fieldError(form, "Concurrent CPUs", "cpus");
    await shot("limits-01-admin-error");
    expect((await limits()).filter((l) => l.scope === "payer")).toEqual([]);

    // the payer's own limit, with machine types: overrides the range
    await form.getByLabel("Concurrent CPUs").fill(String(2 * c));
    await form.getByRole("button", { name: "Add a machine type" }).click();
    await form.getByLabel("Machine type 1").selectOption("n16");
    await form.getByLabel("Jobs at once 1").fill("2");
    await form.getByLabel("Nodes per job 1").fill("1");
    await form.getByRole("button", { name: "Add a machine type" }).click();
    await form.getByLabel("Machine type 2").selectOption("n4");
    await form.getByLabel("Jobs at once 2").fill("3");
    await form.getByRole("button", { name: "Add limit" }).click();
    const own = page.locator('tr[data-limit="payer acme (whole tenant)"]');
    await expect.poll(() => own.textContent()).toContain(`${2 * c} CPUs`);
    expect(await own.textContent()).toContain("n16: at most 2 jobs at once, at most 1 node per job");
    expect((await effective("acme")).tenant.limit).toMatchObject({ scope: "payer", payer: "acme", cpus: 2 * c, machines: { n16: { jobs: 2, nodes: 1 }, n4: { jobs: 3 } } });

    // a self-service limit too: globex's team default
    await form.getByLabel("Scope").selectOption("team");
    await form.getByLabel("Payer", { exact: true }).fill("globex");
    await form.getByLabel("Concurrent CPUs").fill(String(c));
    await form.getByRole("button", { name: "Add limit" }).click();
    await page.locator(`tr[data-limit="each user of globex's team"]`).waitFor();

    // edit the range, then delete it after the confirmation
    await page.getByRole("button", { name: "Edit the limit on billing codes 1 to 9" }).click();
    await expect.poll(() => form.getByLabel("Concurrent CPUs").inputValue()).toBe(String(4 * c));
    expect(await form.getByLabel("Scope").count()).toBe(0); // the target is fixed while editing
    await form.getByLabel("Concurrent CPUs").fill(String(3 * c));
    await form.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => range.textContent()).toContain(`${3 * c} CPUs`);
    await shot("limits-02-admin");
    await checkA11y(page, "Administration -> Limits");
    await page.getByRole("button", { name: "Delete the limit on billing codes 1 to 9" }).click();
    await page.getByRole("alertdialog", { name: "Confirmation" }).getByRole("button", { name: "Yes, delete" }).click();
    await expect.poll(() => range.count()).toBe(0);
    expect((await limits()).map((l) => l.scope).sort()).toEqual(["payer", "team"]);

    // a cluster's mL: on the Clusters tab
    await nav("Zones / Clusters / Machines / Apps");
    await page.getByRole("tab", { name: "Clusters" }).click();
    await page.getByRole("button", { name: "Edit embedded" }).click();
    await page.getByLabel("Max CPUs (mL)").fill(String(10 * c));
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("cell", { name: String(10 * c), exact: true }).waitFor();
    const clusters = (await api("GET", "/api/clusters")).json.clusters as Array<{ name: string; maxCpus: number | null }>;
    expect(clusters.find((x) => x.name === "embedded")?.maxCpus).toBe(10 * c);
    await logout();
  });

  it("shows a payer its administrator limit read-only with usage, and takes a team default and a user limit only within it", async () => {
    await login("acme");
    expect(await navLinks().getByRole("group", { name: "Administration" }).getByRole("link", { name: "Limits" }).count()).toBe(0);
    await nav("Limits");
    await page.getByRole("heading", { name: "Limits", exact: true }).waitFor();
    const admin = page.getByTestId("admin-limit");
    await expect.poll(() => admin.textContent()).toContain(`0 of ${2 * c} CPUs in use`);
    expect(await admin.textContent()).toContain(`${2 * c} CPUs`);
    expect(await admin.getByRole("button").count()).toBe(0);
    expect(await admin.locator("input, select").count()).toBe(0);
    // no administrator controls here
    expect(await page.getByLabel("Scope").count()).toBe(0);
    expect(await page.getByLabel("Payer", { exact: true }).count()).toBe(0);
    expect(await page.getByRole("form", { name: "Billing codes" }).count()).toBe(0);

    const team = page.getByRole("form", { name: /^Team default/ });
    await team.getByLabel("Concurrent CPUs").fill(String(c));
    await team.getByRole("button", { name: "Save team default" }).click();
    await expect.poll(() => said()).toContain("Saved the limit on each user of acme's team");

    const one = page.getByRole("form", { name: "Limit one user" });
    await one.getByLabel("User", { exact: true }).selectOption("wile");
    // only the machine types the administrator limit lists are offered
    await one.getByRole("button", { name: "Add a machine type" }).click();
    expect((await one.getByLabel("Machine type 1").locator("option").allTextContents()).sort()).toEqual(["(choose)", "n16", "n4"]);
    await one.getByLabel("Machine type 1").selectOption("n16");
    await one.getByLabel("Jobs at once 1").fill("1");
    // above the administrator limit: refused, beside the field, nothing stored
    await one.getByLabel("Concurrent CPUs").fill(String(4 * c));
    await one.getByRole("button", { name: "Set user limit" }).click();
    await fieldError(one, "Concurrent CPUs", "cpus");
    await shot("limits-03-account-error");
    expect((await limits()).filter((l) => l.scope === "user")).toEqual([]);
    await one.getByLabel("Concurrent CPUs").fill(String(c));
    await one.getByRole("button", { name: "Set user limit" }).click();
    const wile = page.locator('tr[data-limit="user wile"]');
    await expect.poll(() => wile.textContent()).toContain(`${c} CPUs`);
    // the row shows the limit first and its usage when the usage has loaded: wait for both
    await expect.poll(() => wile.textContent()).toContain(`0 of ${c} CPUs in use`);
    await shot("limits-04-account");
    await checkA11y(page, "Account -> Limits");
    const saved = await limits();
    expect(saved.find((l) => l.scope === "team" && l.payer === "acme")).toMatchObject({ cpus: c });
    expect(saved.find((l) => l.scope === "user")).toMatchObject({ user: "wile", cpus: c, machines: { n16: { jobs: 1 } } });
    await logout();
  });

  it("gives a team admin the same view, a member neither, and another tenant nothing of acme's", async () => {
    await login("coyote");
    await nav("Limits");
    await page.locator('tr[data-limit="user wile"]').waitFor();
    await expect.poll(() => page.getByTestId("admin-limit").textContent()).toContain(`${2 * c} CPUs`);
    await logout();

    await login("wile");
    expect(await navLinks().getByRole("link", { name: "Limits" }).count()).toBe(0);
    // its address shows nothing of it either
    await page.goto(`${paddock.url}/account/limits`);
    await page.getByRole("button", { name: "Log out" }).waitFor();
    expect(await page.getByRole("heading", { name: "Limits" }).count()).toBe(0);
    expect((await api("GET", "/api/limits", undefined, "wile")).status).toBe(403);
    await logout();

    await login("globex");
    await nav("Limits");
    await expect.poll(() => page.getByTestId("admin-limit").textContent()).toContain("No administrator limit governs team globex");
    await expect.poll(() => page.getByRole("form", { name: /^Team default/ }).textContent()).toContain(`Now: ${c} CPUs`);
    expect(await page.locator("main").textContent()).not.toMatch(/acme|wile|coyote/);
    await logout();
  });

  it("shows a job held by its tenant's limit as waiting for limits on the dashboard, until a running job ends", async () => {
    // each user's own limit (c CPUs) fits one n16 job; the tenant's (2c) fits two
    const first = await submit("acme");
    await submit("wile");
    const third = await submit("coyote");

    await login("acme");
    await nav("Dashboard");
    await page.getByLabel("Team jobs").check();
    const substatus = page.getByTestId(`substatus-${third}`);
    await expect.poll(() => substatus.textContent(), { timeout: 30_000 }).toContain("Waiting for limits");
    expect(await substatus.textContent()).toContain("acme");
    expect(await page.getByTestId(`status-${third}`).textContent()).toBe("SUBMITTED");
    await page.getByRole("button", { name: `Details of jarvice-job-${third}` }).click();
    await expect.poll(() => page.getByTestId("job-substatus").textContent()).toContain("Waiting for limits");
    await shot("limits-05-dashboard-held");

    await nav("Limits");
    await expect.poll(() => page.getByTestId("team-usage").textContent()).toContain(`${2 * c} of ${2 * c} CPUs in use`);
    expect(await page.getByTestId("team-usage").textContent()).toMatch(/Held jobs\s*1/);
    expect((await effective("acme")).tenant).toMatchObject({ usage: { cpus: 2 * c }, held: 1 });

    expect((await api("POST", `/api/jobs/${first}/stop`, { how: "terminate" }, "acme")).status).toBe(200);
    await nav("Dashboard");
    await page.getByLabel("Team jobs").check();
    await expect.poll(() => page.getByTestId(`status-${third}`).textContent(), { timeout: 30_000 }).toBe("PROCESSING STARTING");
    expect(await page.locator(`tr[data-job="${third}"]`).textContent()).not.toContain("Waiting for limits");
    await logout();
  });

  it("keeps the Limits views within a narrow window", async () => {
    await page.setViewportSize({ width: 400, height: 800 });
    for (const [who, name] of [
      ["acme", "limits-06-narrow-account"],
      [paddock.admin.username, "limits-07-narrow-admin"],
    ] as const) {
      await login(who);
      await nav("Limits");
      await page.getByRole("heading", { name: "Limits", exact: true }).waitFor();
      await page.waitForTimeout(300);
      const overflow = await horizontalOverflow(page);
      expect(overflow.by, `${who}: ${overflow.wide.join(" | ")}`).toBeLessThanOrEqual(1);
      await shot(name);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
