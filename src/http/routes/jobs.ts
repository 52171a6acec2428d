// The portal's job routes: the Task Builder's tag check and submission, the
// dashboard's job list, connection info, stop requests and output. They
// mirror /jarvice/* but authenticate with the portal session (the portal
// never holds the API key: only its hash is stored).
import { forbidden, invalid } from "../../core/errors";
import { managesTenant, tenantOf } from "../../core/tenancy";
import type { Ctx } from "../../store/ctx";
import { jobInfo, jobOutput, linesParam, requestStop } from "../../jobs/actions";
import { checkIpaddrTag } from "../../jobs/ipaddrTag";
import { submitForCaller } from "../../jobs/submit";
import { timedSubmit } from "../../jobs/jobMetrics";
import { JOB_STATUSES, jobPage, jobsOf, nextBefore, portalJobEntry, visibleJob } from "../../jobs/views";
import type { Api } from "../api";
import type { Caller } from "../../accounts/credentials";
import { callerOf } from "../auth";
import { body, NAME_MAX, optional, optionalBool, params, query, required, text } from "../schemas";
import { z } from "zod";
import type { JarviceDeps } from "./jarvice";
import { jobAnswer, statusAnswer } from "../answers";

const byNumber = params({ number: z.string().regex(/^\d{1,9}$/, "must be a job number").describe("the job number") });
/** The submission is parsed by the core (parseSubmission), whose messages name each field; these only document it. */
const submission = z.looseObject({
  app: z.unknown().optional().describe("application id"),
  application: z.unknown().optional().describe("{command, parameters, geometry, walltime}"),
  machine: z.unknown().optional().describe("{type, nodes}"),
  vault: z.unknown().optional().describe("{name, readonly, force}"),
  ipaddr: z.unknown().optional().describe("IP Address Tag"),
  job_label: z.unknown().optional().describe("a label for the job (string)"),
  job_project: z.unknown().optional().describe("the project billed (string)"),
  licenses: z.unknown().optional().describe("license features the job needs (string)"),
});

export function jobRoutes(api: Api, ctx: Ctx, deps: JarviceDeps): void {
  const { db } = ctx;
  const jobOf = async (c: Caller, p: { number: string }) => visibleJob(db, c.account, { number: p.number });

  api.post(
    "/api/ipaddr/check",
    {
      summary: "Check an IP Address Tag for the caller as a submission would (rules, 63-character limit, whether another user already uses the label value)",
      tags: ["jobs"],
      access: "any authenticated user (for itself)",
      body: body({ tag: text(NAME_MAX) }),
      response: { 200: z.looseObject({ ok: z.boolean() }).describe("{ok, prefix, value, remaining, problem, conflict}") },
    },
    async (req) => {
      const c = callerOf(req);
      return checkIpaddrTag(db, c.user, req.body.tag);
    },
  );

  api.post(
    "/api/jobs",
    {
      summary: "Submit a job as the caller: the /jarvice/submit JSON without `user`",
      tags: ["jobs"],
      access: "any authenticated user (the job is its own)",
      body: submission,
      response: { 200: z.looseObject({ name: z.string(), number: z.number() }) },
      responses: { "409": "the tag's label value is already used by another user" },
    },
    async (req) => {
      const c = callerOf(req);
      const submitted = await timedSubmit(() => submitForCaller(ctx, c, req.body));
      deps.kick?.(submitted.number);
      return submitted;
    },
  );

  api.get(
    "/api/jobs",
    {
      summary: "The caller's jobs (or its team's, for payers and team admins; every tenant's, for system administrators with all=true), as /jarvice/jobs and /jarvice/teamjobs list them",
      tags: ["jobs"],
      access: "any authenticated user: its own jobs; team=true: payers and team admins; all=true: system administrators",
      query: query({ team: optionalBool().describe("true: every job of the caller's team"), completed: optionalBool().describe("true: finished jobs instead of active ones"),
        all: optionalBool().describe("true: every tenant's jobs (system administrators)"),
        status: optional(32).describe("only jobs with this JARVICE status (e.g. COMPLETED WITH ERROR); `completed` is then not consulted"),
        user: optional().describe("only jobs owned by this user name"),
        payer: optional().describe("only jobs of this payer's team (the owner's payer's user name)"),
        limit: optional(16).describe("at most this many jobs (1 to 1000, the default), newest first"),
        before: optional(16).describe("only jobs numbered below this (the answer's `next` asks for the following page)"),
      }),
      response: { 200: z.looseObject({ jobs: z.array(jobAnswer), next: z.number().nullable() }) },
    },
    async (req) => {
      const c = callerOf(req);
      const q = req.query;
      const team = q.team ?? false;
      const all = q.all ?? false;
      if (all && !c.account.isSysadmin) throw forbidden("all jobs are for system administrators");
      if (team && !managesTenant(c.account, tenantOf(c.account))) throw forbidden("team jobs are for payers and team admins");
      if (q.status !== undefined && !JOB_STATUSES.includes(q.status)) throw invalid("status", `must be one of ${JOB_STATUSES.join(", ")}`);
      const page = jobPage(q);
      const scope = all ? {} : team ? { tenantId: tenantOf(c.account) } : { ownerId: c.account.id };
      const jobs = await jobsOf(db, { ...scope, status: q.status, user: q.user, payer: q.payer }, q.completed ?? false, page);
      return { jobs: jobs.map((j) => portalJobEntry(j)), next: nextBefore(jobs, page) };
    },
  );

  api.get("/api/jobs/:number", { summary: "One job; with connection info (/jarvice/info) while it runs", tags: ["jobs"], access: "its owner, its team's payer and team admins, system administrators", params: byNumber, response: { 200: z.looseObject({ job: jobAnswer, info: z.unknown().nullable() }) } }, async (req) => {
    const c = callerOf(req);
    const job = await jobOf(c, req.params);
    return { job: portalJobEntry(job), info: job.status === "PROCESSING STARTING" ? await jobInfo(db, deps.cluster, job) : null };
  });

  api.post(
    "/api/jobs/:number/stop",
    { summary: "Shut down (how=shutdown) or terminate (how=terminate) a running job", tags: ["jobs"], access: "as for reading the job", params: byNumber, body: body({ how: required(16).describe("shutdown or terminate") }), response: { 200: statusAnswer } },
    async (req) => {
      const c = callerOf(req);
      const how = req.body.how;
      if (how !== "shutdown" && how !== "terminate") throw invalid("how", "must be shutdown or terminate");
      const job = await jobOf(c, req.params);
      const answer = await requestStop(db, job, how);
      deps.kick?.(job.number);
      return answer;
    },
  );

  api.get(
    "/api/jobs/:number/output",
    {
      summary: "A job's output (the tail while it runs); with download=true the whole output as a text file",
      tags: ["jobs"],
      access: "as for reading the job",
      params: byNumber,
      query: query({ lines: optional(16).describe("only the last N lines"), download: optionalBool().describe("true: the whole output as text/plain, as an attachment named jarvice-job-N.txt") }),
      response: { 200: z.union([z.looseObject({ output: z.string() }), z.string()]) },
    },
    async (req, reply) => {
      const c = callerOf(req);
      const job = await jobOf(c, req.params);
      if (req.query.download === true) {
        const text = await jobOutput(deps.cluster, job, undefined);
        reply.header("content-type", "text/plain; charset=utf-8").header("content-disposition", `attachment; filename="jarvice-job-${job.number}.txt"`);
        return text;
      }
      return { output: await jobOutput(deps.cluster, job, linesParam(req.query.lines)) };
    },
  );
}
