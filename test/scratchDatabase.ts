// A throwaway database on a PostgreSQL server: created under a unique name,
// dropped (with its connections) when done. Used by the test harness
// (test/db.ts) and by benchmarks; no vitest here, so both can import it.
import pg from "pg";
import { randomBytes } from "node:crypto";

export interface ScratchDatabase {
  /** the server's URL with the new database's name as its path */
  url: string;
  name: string;
  /** drop the database, ending whatever connections it still has */
  drop(): Promise<void>;
}

async function admin(serverUrl: string, query: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

/** Create `<prefix>_<pid>_<random>` on the server of `serverUrl`. */
export async function createScratchDatabase(serverUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
  await admin(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
