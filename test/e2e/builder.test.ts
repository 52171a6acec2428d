/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Compute and the Task Builder in Chromium, against Paddock started as the README starts it: the app
// catalog's search and cards opening the Task Builder, tabs by arrow keys, the form kept across a view
// switch, the Nodes field as typed, machine types in natural order, the four mismatches refused before
// anything is sent (a machine type the app cannot run on, a vault in another zone than the machine,
// nodes above the machine's maximum, a parameter outside its min/max) with every problem at once in
// words beside its field, the OPTIONAL tab's fields reaching the job, a failed load said as such, the
// PREVIEW SUBMISSION with the user's own API key, and axe-core on each screen. Screenshots go to
// test-artifacts/e2e/builder-*.png.
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkA11y, shot } from "./a11y";
import { launchChromium, startPaddock, type Paddock } from "./server";
import { TestApi, type Who } from "./apiClient";
import { logIn } from "./session";

let paddock: Paddock;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
const testApi = new TestApi(() => paddock);
const users = testApi.users;
/** POST /api/jobs requests the page sent */
let posts = 0;

const api = async (method: string, url: string, body?: unknown, as?: Who | string) => {
  const r = await testApi.call(method, url, body, as);
  return { status: r.status, json: r.json };
};
async function must(method: string, url: string, body: unknown): Promise<Record<string, unknown>> {
  const r = await api(method, url, body);
  if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}
const carol = () => ({ username: "carol", apikey: users.carol!.apikey });
const nav = (name: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();
const field = (label: string) => page.getByLabel(label, { exact: true });
/** What a field's description says (its hint and its error, through aria-describedby): the words beside it. */
async function beside(f: Locator): Promise<string> {
  const ids = ((await f.getAttribute("aria-describedby")) ?? "").split(/\s+/).filter(Boolean);
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.join(" | ");
}
const tab = (name: string) => page.getByRole("tab", { name });
const selectedTab = () => page.getByRole("tab", { selected: true }).textContent();

const SOLVER = {
  name: "Fluid solver",
  description: "Computational fluid dynamics on CPU nodes",
  author: "Paddock tests",
  image: { type: "docker", data: "docker.io/library/busybox:1.36" },
  machines: ["n*"],
  scale_max: 8,
  commands: {
    run: {
      path: "/bin/sleep",
      name: "Run case",
      description: "Run a case for a number of steps",
      parameters: { steps: { name: "Steps", type: "INT", value: 10, min: 1, max: 100, required: true, positional: true } },
    },
  },
};

beforeAll(async () => {
  paddock = await startPaddock();
  browser = await launchChromium();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(20_000);
  page.on("request", (r) => {
    if (r.method() === "POST" && new URL(r.url()).pathname === "/api/jobs") posts++;
  });
  const east = await must("POST", "/api/zones", { name: "east", description: "the east zone" });
  // a GPU machine type in the Default zone, which the solver (machines n*) cannot run on
  await must("POST", "/api/machines", { name: "g2", cluster: "embedded", description: "GPU", cores: 1, memoryGb: 1, gpus: 1, perNode: 1, maxNodes: 1 });
  await must("POST", "/api/apps", { id: "solver", appdef: SOLVER });
  const c = await must("POST", "/api/users", { username: "carol", password: "carol-Secret-1" });
  users.carol = { password: "carol-Secret-1", apikey: c.apikey as string };
  // a vault in the east zone, where no machine is: carol's machines (Default zone) and it never go together
  await must("POST", "/api/users/carol/vaults", { name: "east-data", kind: "pvc", zone: east.id, storageClass: "standard", accessModes: "ReadWriteMany", size: 5 });
  await logIn(page, paddock.url, "carol", users.carol.password);
});

afterAll(async () => {
  await browser?.close();
  await paddock?.stop();
});

describe("Compute and the Task Builder", () => {
  it("Compute lists the apps as cards, searches them, and a card or a command opens the Task Builder for it", async () => {
    await page.getByRole("heading", { name: "Compute", level: 1 }).waitFor();
    const cards = page.getByRole("list", { name: "Apps" }).locator("> li");
    await expect.poll(() => cards.count()).toBe(2);
    const solver = page.locator('li[data-app="solver"]');
    expect(await solver.getByRole("heading", { level: 2 }).textContent()).toBe("Fluid solver");
    expect(await solver.textContent()).toContain("Computational fluid dynamics on CPU nodes");
    expect(await solver.getByRole("list", { name: "Commands of Fluid solver" }).getByRole("link").allTextContents()).toEqual(["Run case"]);
    await checkA11y(page, "Compute");
    await shot(page, "builder-01-compute");

    // by name, by description, by command
    const search = page.getByLabel("Search apps");
    for (const [words, shown] of [
      ["fluid", ["Fluid solver"]],
      ["seconds", ["Paddock demo"]],
      ["web server", ["Paddock demo"]],
      ["run case", ["Fluid solver"]],
      ["nothing like it", []],
    ] as const) {
      await search.fill(words);
      await expect.poll(() => page.getByRole("list", { name: "Apps" }).getByRole("heading", { level: 2 }).allTextContents(), { timeout: 5000 }).toEqual(shown);
    }
    expect(await page.getByText("No app matches the search.").count()).toBe(1);
    await search.fill("fluid");
    await shot(page, "builder-02-compute-search");

    await page.getByRole("link", { name: "Fluid solver" }).click();
    await page.getByRole("heading", { name: "Task Builder", level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/builder/solver");
    expect(await field("App").inputValue()).toBe("solver");
    expect(await field("Command").inputValue()).toBe("run");

    // a command of a card opens the Task Builder on that command
    await nav("Compute");
    await page.getByRole("list", { name: "Commands of Paddock demo" }).getByRole("link", { name: "Web server" }).click();
    await page.getByRole("heading", { name: "Task Builder", level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/builder/demo");
    await expect.poll(() => field("Command").inputValue()).toBe("web");
  });

  it("lists machine types in natural order, defaults to the smallest the app runs on, and names zones", async () => {
    await page.goto(`${paddock.url}/builder/solver`);
    await page.getByRole("heading", { name: "Task Builder", level: 1 }).waitFor();
    await expect.poll(() => field("Machine type").inputValue()).toBe("n4");
    const options = await field("Machine type").locator("option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(["g2", "n4", "n8", "n16"]);
    expect(await field("Machine type").locator('option[value="g2"]').textContent()).toContain("(not for this app)");
    // zone names come with their own answer: wait for them
    await expect.poll(() => beside(field("Machine type"))).toContain("In zone Default; up to 4 nodes.");
    await expect.poll(() => field("Vault").locator('option[value="east-data"]').textContent()).toBe("east-data (pvc, east)");
  });

  it("moves between the tabs with the arrow keys; axe finds nothing serious on each", async () => {
    await tab("GENERAL").click();
    await expect.poll(selectedTab).toBe("GENERAL");
    await checkA11y(page, "Task Builder (GENERAL)");
    await shot(page, "builder-03-general");
    await page.keyboard.press("ArrowRight");
    await expect.poll(selectedTab).toBe("OPTIONAL");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("OPTIONAL");
    await field("IP Address Tag").waitFor();
    await checkA11y(page, "Task Builder (OPTIONAL)");
    await shot(page, "builder-04-optional");
    await page.keyboard.press("ArrowRight");
    await expect.poll(selectedTab).toBe("PREVIEW SUBMISSION");
    await page.getByTestId("preview").waitFor();
    await checkA11y(page, "Task Builder (PREVIEW SUBMISSION)");
    await shot(page, "builder-05-preview");
    await page.keyboard.press("ArrowLeft");
    await expect.poll(selectedTab).toBe("OPTIONAL");
    await page.keyboard.press("Home");
    await expect.poll(selectedTab).toBe("GENERAL");
  });

  it("shows the user's own API key in the PREVIEW SUBMISSION, with Copy, and says where the key lives", async () => {
    await tab("PREVIEW SUBMISSION").click();
    try {
      const preview = JSON.parse((await page.getByTestId("preview").textContent())!) as Record<string, unknown>;
      expect(preview.user).toEqual({ username: "carol", apikey: users.carol!.apikey });
      expect(await page.getByRole("button", { name: "Copy", exact: true }).count()).toBe(1);
      expect(await page.getByRole("link", { name: "Account page" }).getAttribute("href")).toBe("/account");
      // a key stored before keys could be shown again: the preview says where to find it instead
      await page.route("**/api/me/apikey", (route) => route.fulfill({ status: 404, contentType: "application/json", body: JSON.stringify({ error: "apikey: not stored; generate a new key", field: "apikey" }) }));
      await page.reload();
      // the tab left is kept over the reload
      await page.getByTestId("preview").waitFor();
      await expect.poll(async () => (JSON.parse((await page.getByTestId("preview").textContent())!) as { user: unknown }).user).toEqual({ username: "carol", apikey: "<your API key: Account page, /account>" });
      expect(await page.getByTestId("preview").locator("xpath=..").textContent()).toContain("you find it on the Account page");
      await shot(page, "builder-05-preview-no-key");
    } finally {
      await page.unroute("**/api/me/apikey");
      await tab("GENERAL").click();
    }
  });

  it("keeps the Nodes field as typed and the whole form across a view switch", async () => {
    const nodes = field("Nodes");
    await nodes.fill("");
    await nodes.focus();
    await page.keyboard.type("1");
    await page.keyboard.press("Backspace");
    expect(await nodes.inputValue()).toBe("");
    await page.keyboard.type("3");
    expect(await nodes.inputValue()).toBe("3");
    await field("Steps (required)").fill("42");
    await tab("OPTIONAL").click();
    await field("Job label").fill("kept-label");

    await nav("Dashboard");
    await page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
    await nav("Task Builder");
    await page.getByRole("heading", { name: "Task Builder", level: 1 }).waitFor();
    // the last app, on the tab left, with every value
    await expect.poll(selectedTab).toBe("OPTIONAL");
    expect(await field("Job label").inputValue()).toBe("kept-label");
    await tab("GENERAL").click();
    expect(await field("App").inputValue()).toBe("solver");
    expect(await field("Nodes").inputValue()).toBe("3");
    expect(await field("Steps (required)").inputValue()).toBe("42");
    await field("Nodes").fill("1");
  });

  it("refuses each of the four mismatches before submitting, in words beside the field, and sends nothing", async () => {
    await expect.poll(() => field("Machine type").inputValue()).toBe("n4");
    const submit = page.getByRole("button", { name: "Submit" });
    const cases: Array<{ what: string; label: string; set: () => Promise<void>; undo: () => Promise<void>; words: string }> = [
      {
        what: "a machine type the app cannot run on",
        label: "Machine type",
        set: () => field("Machine type").selectOption("g2").then(() => undefined),
        undo: () => field("Machine type").selectOption("n4").then(() => undefined),
        words: "Machine type: app 'Fluid solver' runs only on machines matching n*",
      },
      {
        what: "a vault in another zone than the machine",
        label: "Vault",
        set: () => field("Vault").selectOption("east-data").then(() => undefined),
        undo: () => field("Vault").selectOption("").then(() => undefined),
        words: "Vault: machine 'n4' is in zone Default but vault 'east-data' is in zone east",
      },
      {
        what: "nodes above the machine's maximum",
        label: "Nodes",
        set: () => field("Nodes").fill("5"),
        undo: () => field("Nodes").fill("1"),
        words: "Nodes: 5 is more than the 4 node(s) allowed for machine 'n4' and app 'solver'",
      },
      {
        what: "a parameter outside its min/max",
        label: "Steps (required)",
        set: () => field("Steps (required)").fill("500"),
        undo: () => field("Steps (required)").fill("42"),
        words: "Steps: must be at most 100",
      },
    ];
    for (const c of cases) {
      await c.set();
      await submit.click();
      await expect.poll(() => beside(field(c.label)), { message: c.what }).toContain(c.words);
      expect(await field(c.label).getAttribute("aria-invalid"), c.what).toBe("true");
      expect(await page.getByRole("alert").filter({ hasText: c.words }).count(), c.what).toBeGreaterThan(0);
      await page.waitForTimeout(300);
      expect(posts, `${c.what}: no POST /api/jobs`).toBe(0);
      expect(new URL(page.url()).pathname, c.what).toMatch(/^\/builder/);
      await c.undo();
      await expect.poll(() => beside(field(c.label)), { message: c.what }).not.toContain(c.words);
    }

    // all four at once: every problem shown together, in words (on g2: one node at most, in the Default zone)
    await field("Machine type").selectOption("g2");
    await field("Vault").selectOption("east-data");
    await field("Nodes").fill("5");
    await field("Steps (required)").fill("0");
    await submit.click();
    const all = [
      "Steps: must be at least 1",
      "Machine type: app 'Fluid solver' runs only on machines matching n*",
      "Nodes: 5 is more than the 1 node(s) allowed for machine 'g2' and app 'solver'",
      "Vault: machine 'g2' is in zone Default but vault 'east-data' is in zone east",
    ];
    await expect.poll(() => page.getByText("Not submitted: correct these 4 problems first.").count()).toBe(1);
    for (const words of all) expect(await page.getByRole("alert").filter({ hasText: words }).count(), words).toBeGreaterThan(0);
    expect(await tab("GENERAL").textContent()).toBe("GENERAL (!)");
    await shot(page, "builder-06-refused");
    await page.waitForTimeout(300);
    expect(posts).toBe(0);

    // the server, asked the same, answers in the same words: the portal's check is the API's rule
    const r = await api("POST", "/api/jobs", { app: "solver", application: { command: "run", parameters: { steps: 10 } }, machine: { type: "n4", nodes: 5 } }, carol());
    expect(r).toEqual({ status: 400, json: { error: "machine.nodes: 5 is more than the 4 node(s) allowed for machine 'n4' and app 'solver'", field: "machine.nodes" } });

    await field("Machine type").selectOption("n4");
    await field("Vault").selectOption("");
    await field("Nodes").fill("1");
    await field("Steps (required)").fill("42");
    await expect.poll(() => page.getByText(/Not submitted/).count()).toBe(0);
  });

  it("sends the OPTIONAL tab's job label, wall time, licenses and project with the job, then opens the job on the Dashboard", async () => {
    await tab("OPTIONAL").click();
    await field("Job label").fill("nightly-run");
    await field("Wall time").fill("1:75");
    expect(await beside(field("Wall time"))).toContain("Wall time: must be HH:MM or HH:MM:SS");
    await field("Wall time").fill("01:30");
    await field("Licenses").fill("solver:2");
    await field("Project").fill("apollo");
    await tab("PREVIEW SUBMISSION").click();
    const preview = JSON.parse((await page.getByTestId("preview").textContent())!) as Record<string, unknown>;
    expect(preview).toMatchObject({ application: { command: "run", parameters: { steps: 42 }, walltime: "01:30" }, machine: { type: "n4", nodes: 1 }, job_label: "nightly-run", licenses: "solver:2", job_project: "apollo" });
    await page.getByRole("button", { name: "Submit" }).click();
    await page.waitForURL(/\/jobs\?job=\d+$/);
    expect(posts).toBe(1);
    const number = Number(new URL(page.url()).searchParams.get("job"));
    await page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();

    const jobs = (await api("GET", `/jarvice/jobs?username=carol&apikey=${users.carol!.apikey}`, undefined, carol())).json as Record<string, Record<string, unknown>>;
    const job = jobs[String(number)]!;
    expect(job).toMatchObject({ job_application: "solver", job_command: "run", job_label: "nightly-run", job_project: "apollo", job_walltime: "01:30", job_mc_name: "n4" });
    expect(job.job_api_submission).toMatchObject({ licenses: "solver:2", job_label: "nightly-run", job_project: "apollo", application: { walltime: "01:30" } });
  });

  it("says the machine types failed to load when the API is unreachable, not that none is in the zones", async () => {
    await page.route(/\/api\/machines(\?|$)/, (route) => route.abort("connectionrefused"));
    try {
      await page.goto(`${paddock.url}/builder/demo`);
      await page.getByRole("heading", { name: "Task Builder", level: 1 }).waitFor();
      await expect.poll(() => beside(field("Machine type")), { timeout: 10_000 }).toContain("Could not load the machine types: Cannot reach Paddock (network error)");
      expect(await page.locator("main").textContent()).not.toMatch(/no machine type/i);
      await shot(page, "builder-07-machines-unreachable");
    } finally {
      await page.unroute(/\/api\/machines(\?|$)/);
    }
  });
});
