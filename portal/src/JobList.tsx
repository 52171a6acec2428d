// The job tables and the job details, shared by the Dashboard and Administration -> Jobs.
//   <JobsTable caption="Your active jobs" list={useApi(...)} history={false} open={open} onOpen={setOpen} />
//   {open ? <JobDetails key={open} number={open} onClose={() => setOpen(undefined)} /> : null}
// Each row: its status (colour and symbol beside the text), substatus ("Waiting for limits: ..."), times,
// exit status; actions Details, Connect (running jobs: the address /jarvice/connect gives), Shutdown and
// Terminate, each stop asked in a confirmation right under the row that names the job.
import { useEffect, useState } from "react";
import { call, SESSION_KEY } from "./api";
import { answerText } from "./errors";
import { connectUrl, downloadName, exitText, isActive, isHeld, servicesText, statusLook, timesOf, type Info, type Job } from "./jobs";
import { Confirm, CopyButton, DetailsPanel, Table, useApi, useApiMutation, type Column, type Loaded } from "./kit";
import { fieldErrors } from "./errors";

export const POLL_MS = 2000;
/** Lines of output the details show (the download gives all). */
export const TAIL_LINES = 20;

/** Unix seconds now, renewed every `ms` while `on` (elapsed times count up between polls). */
export function useNow(ms: number, on: boolean): number {
  const [now, setNow] = useState(() => Date.now() / 1000);
  useEffect(() => {
    if (!on) return;
    setNow(Date.now() / 1000);
    const t = setInterval(() => setNow(Date.now() / 1000), ms);
    return () => clearInterval(t);
  }, [ms, on]);
  return now;
}

export function Status({ job, testId }: { job: Job; testId?: string }) {
  const look = statusLook(job);
  return (
    <span className={`status status-${look.tone}`}>
      <span aria-hidden="true">{look.symbol} </span>
      <span data-testid={testId}>{job.job_status}</span>
    </span>
  );
}

type Asking = { number: number; how: "shutdown" | "terminate" } | { number: number; how: "connect" };

export function JobsTable(p: {
  caption: string;
  list: Loaded<{ jobs: Job[]; next: number | null }>;
  /** completed jobs: start, end, run time and exit status instead of elapsed time */
  history: boolean;
  /** show the payer of each job (every tenant's jobs) */
  showPayer?: boolean;
  empty: string;
  open: number | undefined;
  onOpen: (n: number | undefined) => void;
}) {
  const rows = p.list.data?.jobs;
  const now = useNow(1000, !p.history && (rows ?? []).length > 0);
  const [asking, setAsking] = useState<Asking | null>(null);
  const [outcome, setOutcome] = useState<{ text: string; error: boolean } | null>(null);
  const stop = useApiMutation((a: { number: number; how: "shutdown" | "terminate" }) => call<{ status: string }>("POST", `/api/jobs/${a.number}/stop`, { how: a.how }), [["jobs"]]);

  async function run(a: { number: number; how: "shutdown" | "terminate" }) {
    setAsking(null);
    try {
      const r = await stop.mutateAsync(a);
      setOutcome({ text: `Job ${a.number}: ${r.status}.`, error: false });
    } catch (e) {
      setOutcome({ text: `Job ${a.number}: ${Object.values(fieldErrors(e, { how: "Action", number: "Job" })).join("; ")}`, error: true });
    }
  }

  const columns: Array<Column<Job>> = [
    {
      header: "Job",
      cell: (j) => (
        <>
          <span className="nowrap">{j.job_name}</span>
          {j.job_label ? <div className="hint">{j.job_label}</div> : null}
        </>
      ),
    },
    { header: "Owner", cell: (j) => j.job_owner_username },
    ...(p.showPayer ? [{ header: "Payer", cell: (j: Job) => j.job_owner_payer ?? j.job_payer ?? j.job_owner_username }] : []),
    { header: "App", cell: (j) => `${j.job_application} ${j.job_command}` },
    { header: "Machine", cell: (j) => `${j.job_mc_scale} x ${j.job_mc_name}` },
    {
      header: "Status",
      cell: (j) => (
        <>
          <Status job={j} testId={`status-${j.job_number}`} />
          {j.job_substatus_text ? (
            <div className={`substatus${isHeld(j) ? " held" : ""}`} data-testid={`substatus-${j.job_number}`}>
              {j.job_substatus_text}
            </div>
          ) : null}
        </>
      ),
    },
    { header: "Submitted", cell: (j) => timesOf(j, now).submitted },
    ...(p.history
      ? [
          { header: "Started", cell: (j: Job) => timesOf(j, now).started },
          { header: "Ended", cell: (j: Job) => timesOf(j, now).ended },
          { header: "Run time", cell: (j: Job) => timesOf(j, now).elapsed, className: "nowrap" },
          { header: "Exit status", cell: (j: Job) => <span data-testid={`exit-${j.job_number}`}>{exitText(j)}</span> },
        ]
      : [{ header: "Elapsed", cell: (j: Job) => <span data-testid={`elapsed-${j.job_number}`}>{timesOf(j, now).elapsed}</span>, className: "nowrap" }]),
    // the tag matters while a job runs (how it is reached); the history leaves it to the details
    ...(p.history ? [] : [{ header: "IP Address Tag", cell: (j: Job) => j.job_ipaddr }]),
  ];

  return (
    <>
      {outcome ? (
        <p role="status" className={outcome.error ? "error" : "ok"}>
          {outcome.text}
        </p>
      ) : null}
      <Table
        caption={p.caption}
        rows={rows}
        loading={p.list.loading}
        error={p.list.error}
        empty={p.empty}
        rowKey={(j) => j.job_number}
        rowAttrs={(j) => ({ "data-job": j.job_number })}
        columns={columns}
        actions={(j) => (
          <div className={`job-actions${isActive(j.job_status) ? " stoppable" : ""}`}>
            <button type="button" aria-expanded={p.open === j.job_number} onClick={() => p.onOpen(p.open === j.job_number ? undefined : j.job_number)}>
              Details<span className="sr-only"> of {j.job_name}</span>
            </button>
            {j.job_status === "PROCESSING STARTING" ? (
              <button type="button" aria-expanded={asking?.number === j.job_number && asking.how === "connect"} onClick={() => setAsking(asking?.number === j.job_number && asking.how === "connect" ? null : { number: j.job_number, how: "connect" })}>
                Connect<span className="sr-only"> to {j.job_name}</span>
              </button>
            ) : null}
            {isActive(j.job_status) ? (
              <>
                <button type="button" onClick={() => setAsking({ number: j.job_number, how: "shutdown" })}>
                  Shutdown<span className="sr-only"> {j.job_name}</span>
                </button>
                <button type="button" className="danger" onClick={() => setAsking({ number: j.job_number, how: "terminate" })}>
                  Terminate<span className="sr-only"> {j.job_name}</span>
                </button>
              </>
            ) : null}
          </div>
        )}
        below={(j) => {
          if (asking?.number !== j.job_number) return null;
          if (asking.how === "connect") return <Connect number={j.job_number} name={j.job_name} onClose={() => setAsking(null)} />;
          const how = asking.how;
          return (
            <Confirm
              question={`${how === "terminate" ? "Terminate" : "Shut down"} job ${j.job_number} (${j.job_name})?`}
              details={how === "terminate" ? "Its pods are killed now; unsaved work is lost." : "The job is asked to stop and may finish its work first."}
              confirmLabel={how === "terminate" ? "Terminate" : "Shut down"}
              onConfirm={() => void run({ number: j.job_number, how })}
              onCancel={() => setAsking(null)}
            />
          );
        }}
      />
    </>
  );
}

/** A running job's address as /jarvice/connect gives it, to open or copy. */
function Connect({ number, name, onClose }: { number: number; name: string; onClose: () => void }) {
  const q = useApi<{ job: Job; info: Info | null }>(["jobs", number, "detail"], `/api/jobs/${number}`, { pollMs: POLL_MS });
  const url = connectUrl(q.data?.info);
  return (
    <div className="connect" role="group" aria-label={`Connect to ${name}`} data-testid={`connect-${number}`}>
      {q.error ? <span className="error">Could not load: {q.error}</span> : null}
      {q.loading ? "Loading…" : null}
      {q.data && !url ? <span>No address yet: the job's pods are starting.</span> : null}
      {url ? (
        <>
          <span>
            Address <code data-testid="connect-address">{q.data?.info?.address}</code>
          </span>{" "}
          <a href={url} target="_blank" rel="noreferrer noopener">
            Open {url}
          </a>{" "}
          <CopyButton text={q.data?.info?.address ?? ""} label="Copy address" />
        </>
      ) : null}{" "}
      <button type="button" onClick={onClose}>
        Close<span className="sr-only"> connection of {name}</span>
      </button>
    </div>
  );
}

/** Fetch the whole output (GET /api/jobs/N/output?download=true) and save it as the answer names it. */
async function downloadOutput(number: number): Promise<void> {
  const token = localStorage.getItem(SESSION_KEY);
  let res: Response;
  let text: string;
  try {
    res = await fetch(`/api/jobs/${number}/output?download=true`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    text = await res.text();
  } catch {
    throw new Error("Cannot reach Paddock (network error)");
  }
  if (!res.ok) throw new Error(answerText(res.status, res.statusText, res.headers.get("content-type"), text).error);
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = downloadName(res.headers.get("content-disposition"), number);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** One job: status, substatus, times, exit status, connection info and pods while it runs, the output tail and its download. */
export function JobDetails({ number, onClose }: { number: number; onClose: () => void }) {
  const [running, setRunning] = useState(true);
  const q = useApi<{ job: Job; info: Info | null }>(["jobs", number, "detail"], `/api/jobs/${number}`, { pollMs: running ? POLL_MS : 0 });
  const out = useApi<{ output: string }>(["jobs", number, "output"], `/api/jobs/${number}/output?lines=${TAIL_LINES}`, { pollMs: running ? POLL_MS : 0 });
  const job = q.data?.job;
  const info = q.data?.info ?? null;
  useEffect(() => {
    if (job) setRunning(isActive(job.job_status));
  }, [job]);
  const now = useNow(1000, running);
  const [downloading, setDownloading] = useState<string>("");
  const times = job ? timesOf(job, now) : null;
  const url = connectUrl(info);

  return (
    <DetailsPanel title={`Job ${number}${job ? `: ${job.job_name}, ${job.job_status}` : ""}`} onClose={onClose} testId="job-details">
      {q.error ? (
        <p className="error" role="alert">
          Could not load job {number}: {q.error}
        </p>
      ) : null}
      {job?.job_substatus_text ? (
        <p className={`substatus${isHeld(job) ? " held" : ""}`} data-testid="job-substatus">
          {job.job_substatus_text}
        </p>
      ) : null}
      {job && times ? (
        <dl className="info" data-testid="job-summary">
          <dt>Status</dt>
          <dd>
            <Status job={job} />
          </dd>
          <dt>Owner</dt>
          <dd>
            {job.job_owner_username}
            {job.job_owner_payer && job.job_owner_payer !== job.job_owner_username ? ` (payer ${job.job_owner_payer})` : ""}
          </dd>
          <dt>App</dt>
          <dd>
            {job.job_application} {job.job_command}
          </dd>
          <dt>Machine</dt>
          <dd>
            {job.job_mc_scale} x {job.job_mc_name}
          </dd>
          <dt>Submitted</dt>
          <dd>{times.submitted || "—"}</dd>
          <dt>Started</dt>
          <dd>{times.started || "not yet"}</dd>
          <dt>{isActive(job.job_status) ? "Elapsed" : "Ended"}</dt>
          <dd>{isActive(job.job_status) ? times.elapsed || "—" : `${times.ended || "—"}${times.elapsed ? ` (ran ${times.elapsed})` : ""}`}</dd>
          <dt>Exit status</dt>
          <dd>{exitText(job) || (isActive(job.job_status) ? "still running" : "none recorded")}</dd>
          {job.job_label ? (
            <>
              <dt>Job label</dt>
              <dd>{job.job_label}</dd>
            </>
          ) : null}
          {job.job_project ? (
            <>
              <dt>Project</dt>
              <dd>{job.job_project}</dd>
            </>
          ) : null}
          {job.job_walltime ? (
            <>
              <dt>Wall time</dt>
              <dd>{job.job_walltime}</dd>
            </>
          ) : null}
          {job.job_vault ? (
            <>
              <dt>Vault</dt>
              <dd>{job.job_vault}</dd>
            </>
          ) : null}
        </dl>
      ) : null}
      {info ? (
        <>
          <h3>Connection</h3>
          <dl className="info" data-testid="connection">
            <dt>Address</dt>
            <dd>
              {url ? (
                <>
                  <code>{info.address}</code>{" "}
                  <a href={url} target="_blank" rel="noreferrer noopener">
                    Connect<span className="sr-only"> to {job?.job_name ?? `job ${number}`}</span> ({url})
                  </a>{" "}
                  <CopyButton text={info.address} label="Copy address" />
                </>
              ) : (
                "(none yet: the job's pods are starting)"
              )}
            </dd>
            <dt>IP Address Tag label value</dt>
            <dd data-testid="ipaddr-value">{info.ipaddr || "(no tag)"}</dd>
            <dt>How to reach it</dt>
            <dd>{info.help}</dd>
            <dt>Services selecting it</dt>
            <dd>{servicesText(info)}</dd>
            <dt>Pods</dt>
            <dd>
              <ul className="pods">
                {info.pods.map((p) => (
                  <li key={p.index}>
                    {p.name}: {p.phase} on {p.node || "?"} {p.address}
                  </li>
                ))}
              </ul>
            </dd>
          </dl>
        </>
      ) : null}
      <h3>Output (last {TAIL_LINES} lines)</h3>
      {out.error ? <p className="error">Could not load the output: {out.error}</p> : null}
      <pre className="output" tabIndex={0} aria-label={`Output of job ${number}, last ${TAIL_LINES} lines`} data-testid="job-output">
        {out.data?.output || "(no output)"}
      </pre>
      <div className="actions">
        <button
          type="button"
          onClick={() => {
            setDownloading("");
            downloadOutput(number).then(
              () => setDownloading(`Downloaded the whole output of job ${number}.`),
              (e: Error) => setDownloading(`Could not download the output: ${e.message}`),
            );
          }}
        >
          Download full output
        </button>{" "}
        <span role="status">{downloading}</span>
      </div>
    </DetailsPanel>
  );
}
