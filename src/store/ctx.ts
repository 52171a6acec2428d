// What every service works with: the database and the settings parsed at start.
import type { Settings } from "../config/settings";
import type { Db } from "./db";

export interface Ctx {
  db: Db;
  settings: Settings;
}
