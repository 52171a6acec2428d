// The job controller's wake-up comes from the database (issue 12, split
// deployments): a trigger NOTIFYs paddock_jobs (src/jobs/wake.ts) with the job's
// number when a job is inserted, asked to stop, or released from its hold.
// Before, the API sent the NOTIFY itself after its INSERT had committed: one more
// round trip and statement per submission, a wake-up lost if the API died in
// between, and none at all for jobs released by a change of limits. A
// notification is delivered when (if) its transaction commits, and is cheap
// when nobody listens (the embedded database, one process).
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION paddock_wake_job() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('paddock_jobs', NEW.number::text);
      RETURN NULL;
    END
    $$`.execute(db);
  await sql`CREATE TRIGGER jobs_wake_submitted AFTER INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION paddock_wake_job()`.execute(db);
  await sql`
    CREATE TRIGGER jobs_wake_stop AFTER UPDATE OF stop_requested ON jobs FOR EACH ROW
    WHEN (NEW.stop_requested IS NOT NULL AND NEW.stop_requested IS DISTINCT FROM OLD.stop_requested)
    EXECUTE FUNCTION paddock_wake_job()`.execute(db);
  await sql`
    CREATE TRIGGER jobs_wake_released AFTER UPDATE OF held ON jobs FOR EACH ROW
    WHEN (OLD.held AND NOT NEW.held)
    EXECUTE FUNCTION paddock_wake_job()`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS jobs_wake_released ON jobs`.execute(db);
  await sql`DROP TRIGGER IF EXISTS jobs_wake_stop ON jobs`.execute(db);
  await sql`DROP TRIGGER IF EXISTS jobs_wake_submitted ON jobs`.execute(db);
  await sql`DROP FUNCTION IF EXISTS paddock_wake_job()`.execute(db);
}
