// Dashboard: the user's jobs (or, for payers and team admins, the team's),
// polled for live status with the substatus text (why a SUBMITTED job waits:
// "Waiting for limits: ..." while its Limits hold it); connection info for
// running jobs; shutdown and terminate after a confirmation; the output tail.
import { useState } from "react";
import { useLoad } from "./useLoad";
import { call, errorsOf, managesTeam, type Me } from "./api";
import { Check, Confirm, FormError } from "./ui";

interface Job {
  job_number: number;
  job_name: string;
  job_status: string;
  job_substatus_text: string;
  job_application: string;
  job_command: string;
  job_owner_username: string;
  job_mc_name: string;
  job_mc_scale: number;
  job_ipaddr: string;
}
interface Info {
  address: string;
  ipaddr: string;
  help: string;
  services: Array<{ name: string; namespace?: string; selector?: Record<string, string> } | string>;
  pods: Array<{ index: number; name: string; phase: string; node: string; address: string }>;
}

const POLL_MS = 2000;

/** Held by its Limits: SUBMITTED, and the substatus says which limit it waits for. */
const held = (j: Job) => j.job_status === "SUBMITTED" && j.job_substatus_text.startsWith("Waiting for limits");

export function Dashboard({ me, focus }: { me: Me; focus?: number | undefined }) {
  const [team, setTeam] = useState(false);
  const [completed, setCompleted] = useState(false);
  const [jobs, setJobs] = useState<Job[]>([]);
  const [open, setOpen] = useState<number | undefined>(focus);
  const [errors, setErrors] = useState<Record<string, string>>({});

  const load = useLoad(
    async () => {
      const r = await call<{ jobs: Job[] }>("GET", `/api/jobs?team=${team}&completed=${completed}`);
      setJobs(r.jobs);
      setErrors({});
    },
    [team, completed],
    setErrors, POLL_MS,
  );

  return (
    <section aria-labelledby="dash-title">
      <h1 id="dash-title">Dashboard</h1>
      <div className="toolbar">
        {managesTeam(me) ? <Check label="Team jobs" checked={team} onChange={setTeam} /> : null}
        <Check label="Completed jobs" checked={completed} onChange={setCompleted} />
      </div>
      <FormError errors={errors} />
      <div className="table-wrap">
        <table>
          <caption className="sr-only">{team ? "Your team's jobs" : "Your jobs"}</caption>
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Owner</th>
              <th scope="col">App</th>
              <th scope="col">Machine</th>
              <th scope="col">Status</th>
              <th scope="col">IP Address Tag</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {jobs.length === 0 ? (
              <tr>
                <td colSpan={7}>No {completed ? "completed" : "active"} jobs.</td>
              </tr>
            ) : null}
            {jobs.map((j) => (
              <tr key={j.job_number} data-job={j.job_number}>
                <td>{j.job_name}</td>
                <td>{j.job_owner_username}</td>
                <td>
                  {j.job_application} {j.job_command}
                </td>
                <td>
                  {j.job_mc_scale} x {j.job_mc_name}
                </td>
                <td>
                  <span data-testid={`status-${j.job_number}`}>{j.job_status}</span>
                  {j.job_substatus_text ? (
                    <div className={`substatus${held(j) ? " held" : ""}`} data-testid={`substatus-${j.job_number}`}>
                      {j.job_substatus_text}
                    </div>
                  ) : null}
                </td>
                <td>{j.job_ipaddr}</td>
                <td>
                  <button type="button" aria-expanded={open === j.job_number} onClick={() => setOpen(open === j.job_number ? undefined : j.job_number)}>
                    Details<span className="sr-only"> of {j.job_name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {open !== undefined ? <JobDetails key={open} number={open} onChanged={() => void load()} /> : null}
    </section>
  );
}

function JobDetails({ number, onChanged }: { number: number; onChanged: () => void }) {
  const [job, setJob] = useState<Job | null>(null);
  const [info, setInfo] = useState<Info | null>(null);
  const [output, setOutput] = useState("");
  const [confirm, setConfirm] = useState<"shutdown" | "terminate" | null>(null);
  const [message, setMessage] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});

  const load = useLoad(
    async () => {
      const r = await call<{ job: Job; info: Info | null }>("GET", `/api/jobs/${number}`);
      setJob(r.job);
      setInfo(r.info);
      const o = await call<{ output: string }>("GET", `/api/jobs/${number}/output?lines=20`);
      setOutput(o.output);
    },
    [number],
    setErrors, POLL_MS,
  );

  async function stop(how: "shutdown" | "terminate") {
    setConfirm(null);
    try {
      const r = await call<{ status: string }>("POST", `/api/jobs/${number}/stop`, { how });
      setMessage(`Job ${number}: ${r.status}.`);
      onChanged();
      void load();
    } catch (e) {
      setErrors(errorsOf(e));
    }
  }

  const active = job && (job.job_status === "SUBMITTED" || job.job_status === "PROCESSING STARTING");
  return (
    <section className="details" aria-label={`Job ${number}`}>
      <h2>
        Job {number}
        {job ? `: ${job.job_name}, ${job.job_status}` : ""}
      </h2>
      <FormError errors={errors} />
      {job?.job_substatus_text ? (
        <p className={`substatus${held(job) ? " held" : ""}`} data-testid="job-substatus">
          {job.job_substatus_text}
        </p>
      ) : null}
      {info ? (
        <dl className="info" data-testid="connection">
          <dt>Address</dt>
          <dd>{info.address || "(none yet)"}</dd>
          <dt>IP Address Tag label value</dt>
          <dd data-testid="ipaddr-value">{info.ipaddr || "(no tag)"}</dd>
          <dt>How to reach it</dt>
          <dd>{info.help}</dd>
          <dt>Services selecting it</dt>
          <dd>{info.services.length === 0 ? "none" : info.services.map((s) => (typeof s === "string" ? s : `${s.namespace ? `${s.namespace}/` : ""}${s.name}`)).join(", ")}</dd>
          <dt>Pods</dt>
          <dd>
            <ul>
              {info.pods.map((p) => (
                <li key={p.index}>
                  {p.name}: {p.phase} on {p.node || "?"} {p.address}
                </li>
              ))}
            </ul>
          </dd>
        </dl>
      ) : null}
      {active ? (
        <div className="actions">
          <button type="button" onClick={() => setConfirm("shutdown")}>
            Shutdown
          </button>{" "}
          <button type="button" className="danger" onClick={() => setConfirm("terminate")}>
            Terminate
          </button>
        </div>
      ) : null}
      {confirm ? <Confirm text={`${confirm === "terminate" ? "Terminate" : "Shut down"} job ${number}? ${confirm === "terminate" ? "Its pods are killed now." : "It is asked to stop."}`} yes={confirm === "terminate" ? "Yes, terminate" : "Yes, shut down"} onYes={() => void stop(confirm)} onNo={() => setConfirm(null)} /> : null}
      {message ? <p role="status">{message}</p> : null}
      <h3>Output (last 20 lines)</h3>
      <pre className="output" tabIndex={0}>
        {output || "(no output)"}
      </pre>
    </section>
  );
}
