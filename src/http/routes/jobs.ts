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
import { jobEntry, jobPage, jobsOf, nextBefore, visibleJob } from "../../jobs/views";
import type { Api } from "../api";
import { authenticate } from "../auth";
import { objectBody, optionalBool, requiredString, stringParam } from "../input";
import type { JarviceDeps } from "./jarvice";

export function jobRoutes(api: Api, ctx: Ctx, deps: JarviceDeps): void {
  const { db } = ctx;
  const jobOf = async (c: Awaited<ReturnType<typeof authenticate>>, params: unknown) => visibleJob(db, c.account, { number: stringParam(params, "number") });

  api.post(
    "/api/ipaddr/check",
    {
      summary: "Check an IP Address Tag for the caller as a submission would (rules, 63-character limit, whether another user already uses the label value)",
      tags: ["jobs"],
      access: "any authenticated user (for itself)",
      body: { tag: { type: "string" } },
      responses: { "200": "{ok, prefix, value, remaining, problem, conflict}" },
    },
    async (req) => {
      const c = await authenticate(ctx, req);
      const tag = objectBody(req.body).tag;
      if (typeof tag !== "string") throw invalid("tag", "must be a string");
      return checkIpaddrTag(db, c.user, tag);
    },
  );

  api.post(
    "/api/jobs",
    {
      summary: "Submit a job as the caller: the /jarvice/submit JSON without `user`",
      tags: ["jobs"],
      access: "any authenticated user (the job is its own)",
      body: { app: { type: "string" }, application: { type: "object" }, machine: { type: "object" }, vault: { type: "object" }, ipaddr: { type: "string" } },
      responses: { "200": "{name, number}", "409": "the tag's label value is already used by another user" },
    },
    async (req) => {
      const c = await authenticate(ctx, req);
      const submitted = await submitForCaller(ctx, c, req.body);
      deps.kick?.();
      return submitted;
    },
  );

  api.get(
    "/api/jobs",
    {
      summary: "The caller's jobs (or its team's, for payers and team admins), as /jarvice/jobs and /jarvice/teamjobs list them",
      tags: ["jobs"],
      access: "any authenticated user: its own jobs; team=true: payers and team admins",
      query: {
        team: "true: every job of the caller's team",
        completed: "true: finished jobs instead of active ones",
        limit: "at most this many jobs (1 to 1000, the default), newest first",
        before: "only jobs numbered below this (the answer's `next` asks for the following page)",
      },
    },
    async (req) => {
      const c = await authenticate(ctx, req);
      const q = objectBody(req.query);
      const team = optionalBool(q, "team") ?? false;
      if (team && !managesTenant(c.account, tenantOf(c.account))) throw forbidden("team jobs are for payers and team admins");
      const page = jobPage(q);
      const jobs = await jobsOf(db, team ? { tenantId: tenantOf(c.account) } : { ownerId: c.account.id }, optionalBool(q, "completed") ?? false, page);
      return { jobs: jobs.map((j) => jobEntry(j)), next: nextBefore(jobs, page) };
    },
  );

  api.get("/api/jobs/:number", { summary: "One job; with connection info (/jarvice/info) while it runs", tags: ["jobs"], access: "its owner, its team's payer and team admins, system administrators" }, async (req) => {
    const c = await authenticate(ctx, req);
    const job = await jobOf(c, req.params);
    return { job: jobEntry(job), info: job.status === "PROCESSING STARTING" ? await jobInfo(db, deps.cluster, job) : null };
  });

  api.post(
    "/api/jobs/:number/stop",
    { summary: "Shut down (how=shutdown) or terminate (how=terminate) a running job", tags: ["jobs"], access: "as for reading the job", body: { how: { type: "string", enum: ["shutdown", "terminate"] } } },
    async (req) => {
      const c = await authenticate(ctx, req);
      const how = requiredString(objectBody(req.body), "how");
      if (how !== "shutdown" && how !== "terminate") throw invalid("how", "must be shutdown or terminate");
      const answer = await requestStop(db, await jobOf(c, req.params), how);
      deps.kick?.();
      return answer;
    },
  );

  api.get("/api/jobs/:number/output", { summary: "A job's output (the tail while it runs)", tags: ["jobs"], access: "as for reading the job", query: { lines: "only the last N lines" } }, async (req) => {
    const c = await authenticate(ctx, req);
    const job = await jobOf(c, req.params);
    return { output: await jobOutput(deps.cluster, job, linesParam(objectBody(req.query).lines)) };
  });
}
