// Administration -> Jobs (system administrators): every tenant's jobs (GET /api/jobs?all=true), active
// or completed, filtered by status, owner and payer, a page at a time, newest first; the same details
// and actions (Connect, Shutdown, Terminate) as the Dashboard.
import { useEffect, useState } from "react";
import { JobDetails, JobsTable, POLL_MS } from "../JobList";
import { ACTIVE_STATUSES, beforeOf, COMPLETED_STATUSES, jobsUrl, newer, older, type Job, type Pages } from "../jobs";
import { useApi } from "../kit";
import { SelectField, TextField } from "../ui";

export const ADMIN_PAGE = 25;

/** `value`, once it has stayed the same for `ms` (so typing a filter asks the API once). */
function useSettled<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

export function Jobs() {
  const [completed, setCompleted] = useState(false);
  const [status, setStatus] = useState("");
  const [userInput, setUser] = useState("");
  const [payerInput, setPayer] = useState("");
  const user = useSettled(userInput.trim());
  const payer = useSettled(payerInput.trim());
  const [pages, setPages] = useState<Pages>([]);
  const [open, setOpen] = useState<number | undefined>();
  // a new filter starts at the newest page
  useEffect(() => setPages([]), [completed, status, user, payer]);

  const before = beforeOf(pages);
  const url = jobsUrl({ all: true, completed, status, user, payer, limit: ADMIN_PAGE, before });
  const list = useApi<{ jobs: Job[]; next: number | null }>(["jobs", "all", url], url, { pollMs: before === undefined ? POLL_MS : 0 });
  const next = list.data?.next ?? null;
  const statuses = completed ? COMPLETED_STATUSES : ACTIVE_STATUSES;
  const filtered = Boolean(status || user || payer);

  return (
    <section aria-labelledby="admin-jobs-title">
      <h1 id="admin-jobs-title">Jobs</h1>
      <p className="hint">Every tenant's jobs, newest first.</p>
      <div className="toolbar grid" role="search" aria-label="Filter jobs">
        <SelectField
          label="Show"
          value={completed ? "completed" : "active"}
          onChange={(v) => {
            setCompleted(v === "completed");
            setStatus("");
          }}
          options={[
            ["active", "Active jobs"],
            ["completed", "Completed jobs"],
          ]}
        />
        <SelectField label="Status" value={status} onChange={setStatus} options={[["", "Any status"], ...statuses.map((s): [string, string] => [s, s])]} />
        <TextField label="User" value={userInput} onChange={setUser} placeholder="owner's user name" />
        <TextField label="Payer" value={payerInput} onChange={setPayer} placeholder="payer's user name" />
      </div>
      <JobsTable
        caption={`Every tenant's ${completed ? "completed" : "active"} jobs`}
        list={list}
        history={completed}
        showPayer
        empty={filtered ? "No jobs match these filters." : pages.length ? "No older jobs." : `No ${completed ? "completed" : "active"} jobs.`}
        open={open}
        onOpen={setOpen}
      />
      <nav className="pager" aria-label="Job pages">
        <button type="button" disabled={pages.length === 0} onClick={() => setPages(newer(pages))}>
          Newer jobs
        </button>
        <span>Page {pages.length + 1}</span>
        <button type="button" disabled={next === null} onClick={() => next !== null && setPages(older(pages, next))}>
          Older jobs
        </button>
      </nav>
      {open !== undefined ? <JobDetails key={open} number={open} onClose={() => setOpen(undefined)} /> : null}
    </section>
  );
}
