// POST /jarvice/batch: a JARVICE submission whose `container.jobscript` is the
// job. It is checked and stored like /jarvice/submit (user, machine, vault,
// zones, tag), runs in the image of `app` (default: the demo app) and is
// listed with the command "batch". See core/batch.ts for how the script runs.
import { BATCH_COMMAND, batchCommandLine } from "../core/batch";
import type { Ctx } from "../store/ctx";
import { userByApiKey } from "../accounts/credentials";
import { parsed, submitAs, type Submitted } from "./submit";

/** The app a batch submission without `app` runs in. */
export const DEFAULT_BATCH_APP = "demo";

export async function submitBatch(ctx: Ctx, body: unknown): Promise<Submitted> {
  const b = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const application = b && typeof b.application === "object" && b.application !== null && !Array.isArray(b.application) ? (b.application as Record<string, unknown>) : undefined;
  // The submission's rules, with the batch defaults: the demo app and the command "batch".
  // (An `application` that is not an object is left for the submission's check to name.)
  const withDefaults = b && (application || b.application === undefined || b.application === null) ? { ...b, app: b.app ?? DEFAULT_BATCH_APP, application: { ...application, command: application?.command ?? BATCH_COMMAND } } : b ? { ...b, app: b.app ?? DEFAULT_BATCH_APP } : body;
  const sub = parsed(withDefaults);
  const caller = await userByApiKey(ctx, sub.user.username, sub.user.apikey);
  return submitAs(ctx, caller, { ...sub, command: BATCH_COMMAND }, withDefaults, (appdef, s) => batchCommandLine(b?.container, appdef.image.data, s.parameters));
}
