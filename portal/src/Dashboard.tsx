// Dashboard: the user's jobs (or, for payers and team admins, the team's). Active jobs are polled for
// live status with the substatus text (why a SUBMITTED job waits: "Waiting for limits: ..."), elapsed
// times, Connect, Shutdown and Terminate; Completed jobs are the job history: newest first, a page at
// a time (the API's `next`), with start and end times, run time and exit status. Details of a job open
// below the table, scroll into view and take focus; they show connection info and pods, the output
// tail and a download of the whole output.
// The job to open comes from the `focus` prop (the shell's last submission) or `?job=N` in the address
// (the Task Builder goes to /jobs?job=N after Submit).
import { useEffect, useState } from "react";
import { managesTeam, type Me } from "./api";
import { JobDetails, JobsTable, POLL_MS } from "./JobList";
import { beforeOf, jobParam, jobsUrl, newer, older, type Job, type Pages } from "./jobs";
import { useApi } from "./kit";
import { Check } from "./ui";

/** Completed jobs per page of the history. */
export const HISTORY_PAGE = 20;

export function Dashboard({ me, focus }: { me: Me; focus?: number | undefined }) {
  const [team, setTeam] = useState(false);
  const [completed, setCompleted] = useState(false);
  const [pages, setPages] = useState<Pages>([]);
  const [open, setOpen] = useState<number | undefined>();
  // the address first: the shell keeps `focus` (the last submission) while /jobs?job=N may name another job
  const asked = jobParam(location.search) ?? focus;
  // opened after the first render, so the panel takes focus after the shell focuses the view's h1
  useEffect(() => {
    if (asked !== undefined) setOpen(asked);
  }, [asked]);

  const before = completed ? beforeOf(pages) : undefined;
  const url = jobsUrl({ team, completed, ...(completed ? { limit: HISTORY_PAGE, before } : {}) });
  const list = useApi<{ jobs: Job[]; next: number | null }>(["jobs", "list", url], url, { pollMs: completed && before !== undefined ? 0 : POLL_MS });
  const next = list.data?.next ?? null;
  const whose = team ? "your team's" : "your";

  return (
    <section aria-labelledby="dash-title">
      <h1 id="dash-title">Dashboard</h1>
      <div className="toolbar">
        <fieldset className="choice">
          <legend>Show</legend>
          {(
            [
              [false, "Active jobs"],
              [true, "Completed jobs"],
            ] as const
          ).map(([value, label]) => (
            <label key={label} className="radio">
              <input
                type="radio"
                name="dash-show"
                checked={completed === value}
                onChange={() => {
                  setCompleted(value);
                  setPages([]);
                }}
              />{" "}
              {label}
            </label>
          ))}
        </fieldset>
        {managesTeam(me) ? (
          <Check
            label="Team jobs"
            checked={team}
            onChange={(v) => {
              setTeam(v);
              setPages([]);
            }}
          />
        ) : null}
      </div>
      <h2>{completed ? "Job history" : "Active jobs"}</h2>
      {completed ? <p className="hint">Newest first, {HISTORY_PAGE} jobs a page.</p> : null}
      <JobsTable
        key={completed ? "history" : "active"}
        caption={completed ? `Job history: ${whose} completed jobs, newest first` : `${whose[0]!.toUpperCase()}${whose.slice(1)} active jobs`}
        list={list}
        history={completed}
        empty={completed ? (pages.length ? "No older jobs." : "No completed jobs.") : "No active jobs."}
        open={open}
        onOpen={setOpen}
      />
      {completed ? (
        <nav className="pager" aria-label="Job history pages">
          <button type="button" disabled={pages.length === 0} onClick={() => setPages(newer(pages))}>
            Newer jobs
          </button>
          <span>Page {pages.length + 1}</span>
          <button type="button" disabled={next === null} onClick={() => next !== null && setPages(older(pages, next))}>
            Older jobs
          </button>
        </nav>
      ) : null}
      {open !== undefined ? <JobDetails key={open} number={open} onClose={() => setOpen(undefined)} /> : null}
    </section>
  );
}
