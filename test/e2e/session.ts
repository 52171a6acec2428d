// Logging in and out of the portal as a user does, for the browser tests.
import type { Page } from "playwright-core";

/** Open the portal at `url`, log out whoever is logged in, and log in as `username`. */
export async function logIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(`${url}/builder`);
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
