import { describe, expect, it } from "vitest";
import { beforeOf, connectUrl, downloadName, exitText, formatDuration, formatTime, jobParam, jobsUrl, newer, older, servicesText, statusLook, timesOf } from "./jobs";

describe("job times", () => {
  it("formats unix seconds in a given zone, and nothing for 0", () => {
    const t = Date.UTC(2026, 11, 2, 3, 4, 59) / 1000;
    expect(formatTime(t, 0)).toBe("2026-12-02 03:04");
    expect(formatTime(t, 60)).toBe("2026-12-02 04:04");
    expect(formatTime(t, -240)).toBe("2026-12-01 23:04");
    expect(formatTime(0, 0)).toBe("");
    expect(formatTime(undefined, 0)).toBe("");
  });

  it("formats durations from seconds to days", () => {
    expect([0, 45, 60, 65, 3599, 3600, 3725, 86399, 86400 + 4 * 3600 + 5].map(formatDuration)).toEqual(["0s", "45s", "1m 00s", "1m 05s", "59m 59s", "1h 00m", "1h 02m", "23h 59m", "1d 04h"]);
    expect(formatDuration(-5)).toBe("0s");
  });

  it("gives elapsed time while running, run time once ended, and the wait of a job not started", () => {
    const now = 10_000;
    expect(timesOf({ job_status: "PROCESSING STARTING", job_submit_time: 9000, job_start_time: 9400, job_end_time: 0 }, now).elapsed).toBe("10m 00s");
    expect(timesOf({ job_status: "COMPLETED", job_submit_time: 1000, job_start_time: 1100, job_end_time: 1165 }, now).elapsed).toBe("1m 05s");
    expect(timesOf({ job_status: "SUBMITTED", job_submit_time: 9875, job_start_time: 0, job_end_time: 0 }, now).elapsed).toBe("waiting 2m 05s");
    expect(timesOf({ job_status: "CANCELED", job_submit_time: 9000, job_start_time: 0, job_end_time: 9100 }, now)).toMatchObject({ started: "", elapsed: "did not start" });
  });
});

describe("job status", () => {
  it("gives each status a tone and a symbol, telling a held job from a waiting one", () => {
    const look = (job_status: string, job_substatus_text = "") => statusLook({ job_status, job_substatus_text });
    expect(look("SUBMITTED")).toEqual({ tone: "waiting", symbol: "◷" });
    expect(look("SUBMITTED", "Waiting for limits: acme: at most 2 jobs").tone).toBe("held");
    expect(look("PROCESSING STARTING").tone).toBe("running");
    expect(look("COMPLETED").tone).toBe("ok");
    expect(look("COMPLETED WITH ERROR").tone).toBe("error");
    expect(look("TERMINATED").tone).toBe("stopped");
    expect(look("CANCELED").tone).toBe("stopped");
  });

  it("says the exit status only once the job ended", () => {
    expect(exitText({ job_status: "COMPLETED", job_exitcode: 0 })).toBe("0 (success)");
    expect(exitText({ job_status: "COMPLETED WITH ERROR", job_exitcode: 137 })).toBe("137");
    expect(exitText({ job_status: "TERMINATED", job_exitcode: null })).toBe("");
    expect(exitText({ job_status: "TERMINATED", job_exitcode: 0 })).toBe("0");
    expect(exitText({ job_status: "PROCESSING STARTING", job_exitcode: 0 })).toBe("");
  });
});

describe("job lists", () => {
  it("asks the API for the caller's, the team's or every job, with the filters given", () => {
    expect(jobsUrl({ team: false, completed: false })).toBe("/api/jobs?team=false&completed=false");
    expect(jobsUrl({ team: true, completed: true, limit: 20, before: 42 })).toBe("/api/jobs?team=true&completed=true&limit=20&before=42");
    expect(jobsUrl({ all: true, completed: true, status: "COMPLETED WITH ERROR", user: " bob ", payer: "", limit: 25 })).toBe("/api/jobs?all=true&completed=true&status=COMPLETED+WITH+ERROR&user=bob&limit=25");
  });

  it("pages back with `next` and forward again", () => {
    let pages = older([], 80);
    pages = older(pages, 60);
    expect(beforeOf(pages)).toBe(60);
    pages = newer(pages);
    expect(beforeOf(pages)).toBe(80);
    expect(beforeOf(newer(pages))).toBeUndefined();
  });

  it("reads the job to open from ?job=N", () => {
    expect(jobParam("?job=42")).toBe(42);
    expect(jobParam("?x=1&job=7")).toBe(7);
    expect(jobParam("")).toBeUndefined();
    expect(jobParam("?job=abc")).toBeUndefined();
  });

  it("gives the address to connect to, and the services in words", () => {
    expect(connectUrl({ address: "10.244.0.3", url: "http://10.244.0.3/" })).toBe("http://10.244.0.3/");
    expect(connectUrl({ address: "10.244.0.3" })).toBe("http://10.244.0.3/");
    expect(connectUrl({ address: "" })).toBe("");
    expect(connectUrl(null)).toBe("");
    expect(servicesText({ services: [] })).toBe("none");
    expect(servicesText({ services: ["a", { name: "web", namespace: "jobs" }] })).toBe("a, jobs/web");
  });
});

describe("output download", () => {
  it("names the file as the answer does, else after the job", () => {
    expect(downloadName('attachment; filename="jarvice-job-7.txt"', 7)).toBe("jarvice-job-7.txt");
    expect(downloadName(null, 7)).toBe("jarvice-job-7.txt");
    expect(downloadName("attachment", 9)).toBe("jarvice-job-9.txt");
  });
});
