// How a batch job (/jarvice/batch) runs its script: the script travels in an
// environment variable, is written to a file inside the job's container and
// executed, so its `#!` line picks the interpreter (a script without one runs
// under /bin/sh, as POSIX shells do). The container is the app's image:
// Paddock runs only the images of its catalog's apps.
import type { Checked, CommandLine } from "./appdef";

export const BATCH_SCRIPT_ENV = "PADDOCK_BATCH_SCRIPT";
/** The command a batch job is stored and listed with (job_command). */
export const BATCH_COMMAND = "batch";
/** Longest script: it is an environment variable of every pod of the job. */
export const BATCH_SCRIPT_MAX = 256 * 1024;

const RUNNER = `f=$(mktemp) && printf '%s' "$${BATCH_SCRIPT_ENV}" > "$f" && chmod +x "$f" && exec "$f"`;

/** The command line of a batch job, or which field is wrong. */
export function batchCommandLine(container: unknown, appImage: string, parameters: Record<string, unknown>): Checked<CommandLine> {
  const fail = (field: string, problem: string) => ({ ok: false as const, field, problem });
  if (typeof container !== "object" || container === null || Array.isArray(container)) return fail("container", "is required: {\"jobscript\": \"<the script>\"}");
  const c = container as Record<string, unknown>;
  if (typeof c.jobscript !== "string" || c.jobscript.trim() === "") return fail("container.jobscript", "is required: the script to run");
  if (c.jobscript.length > BATCH_SCRIPT_MAX) return fail("container.jobscript", `must be at most ${BATCH_SCRIPT_MAX} characters`);
  if (c.jobscript.includes("\u0000")) return fail("container.jobscript", "must not contain NUL characters");
  if (c.image !== undefined && c.image !== null && c.image !== "" && c.image !== appImage) {
    return fail("container.image", `Paddock runs the app's own image (${appImage}); leave container.image out or give that image`);
  }
  if (Object.keys(parameters).length > 0) return fail("application.parameters", "a batch job takes no parameters: the script is the job");
  return { ok: true, value: { argv: ["/bin/sh", "-c", RUNNER], env: { [BATCH_SCRIPT_ENV]: c.jobscript }, parameters: {} } };
}
