// Logging in and out of the portal as a user does, for the browser tests.
// The session is shared by the browser's tabs (localStorage): logIn logs out whoever is logged in first.
import type { Page } from "playwright-core";

/** Open the portal at `url` (or at `path`), log out whoever is logged in, and log in as `username`; lands on Compute (or `path`). */
export async function logIn(page: Page, url: string, username: string, password: string, path = "/"): Promise<void> {
  await page.goto(`${url}${path}`);
  await page.getByRole("heading").first().waitFor();
  if (await page.getByRole("button", { name: "Log out" }).count()) await logOut(page);
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("button", { name: "Log out" }).waitFor();
}

export async function logOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("heading", { name: "Log in to Paddock" }).waitFor();
}

/** The session token the portal keeps (for tests that call the API as the page does). */
export const SESSION_KEY = "paddock.session";
