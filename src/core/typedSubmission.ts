// The stored submission (echoed in job entries as `job_api_submission`) in
// the types the JARVICE OpenAPI documents for a Submission, whatever types the
// client sent: `"nodes": "1"` is kept as 1, `"publicIP": "True"` as true, a
// number where a string is documented as its decimal text. A value that has no
// such reading is left out (Paddock does not use it; the fields Paddock uses
// were checked by parseSubmission), and so is any key the document does not
// name, and the secrets (API key, vault password). So one odd submission cannot
// break a strict client's job list.

type Shape = "string" | "boolean" | "integer" | "object" | "stringMap" | "stringList" | { [key: string]: Shape };

const APPLICATION: Shape = { command: "string", geometry: "string", ipaddr: "string", nosubmit: "boolean", parameters: "object", walltime: "string" };
const CONTAINER: Shape = { image: "string", interactive: "boolean", jobscript: "string", pullsecret: "string" };
const HPC: Shape = { hpc_envs: "stringMap", hpc_job_env_config: "string", hpc_job_script: "string", hpc_job_shell: "string", hpc_queue: "string", hpc_resources: "stringMap", hpc_umask: "integer" };
const IDENTITY: Shape = { gid: "integer", group: "string", uid: "integer", username: "string" };
const MACHINE: Shape = { nodes: "integer", type: "string" };
/** Vault of the OpenAPI without `password` and `confirm`, which are not echoed. */
const VAULT: Shape = { bucket: "string", domain: "string", force: "boolean", name: "string", objects: "stringList", readonly: "boolean" };

/** The Submission of the JARVICE OpenAPI as stored: `user` without its API key; `ipaddr` (the tag's place in the load-balancing document). */
export const SUBMISSION: { [key: string]: Shape } = {
  app: "string",
  application: APPLICATION,
  container: CONTAINER,
  gen_sshkey: "boolean",
  hpc: HPC,
  identity: IDENTITY,
  ipaddr: "string",
  job_label: "string",
  job_project: "string",
  jobsub: "string",
  licenses: "string",
  machine: MACHINE,
  nopasssubt: "boolean",
  publicIP: "boolean",
  queue: "string",
  test_comment: "string",
  user: { username: "string" },
  vault: VAULT,
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `value` read as `shape`, or undefined when it has no such reading. */
function typed(value: unknown, shape: Shape): unknown {
  switch (shape) {
    case "string":
      return typeof value === "string" ? value : typeof value === "number" && Number.isFinite(value) ? String(value) : typeof value === "boolean" ? String(value) : undefined;
    case "boolean":
      if (typeof value === "boolean") return value;
      if (value === 1 || value === 0) return value === 1;
      if (typeof value === "string" && /^(true|1)$/i.test(value)) return true;
      if (typeof value === "string" && /^(false|0)$/i.test(value)) return false;
      return undefined;
    case "integer":
      if (typeof value === "number" && Number.isSafeInteger(value)) return value;
      if (typeof value === "string" && /^-?\d{1,15}$/.test(value)) return Number(value);
      return undefined;
    case "object":
      return isObj(value) ? value : undefined;
    case "stringMap":
      return isObj(value) ? typedObject(value, Object.fromEntries(Object.keys(value).map((k) => [k, "string" as Shape]))) : undefined;
    case "stringList":
      return Array.isArray(value) ? value.map((v) => typed(v, "string")).filter((v) => v !== undefined) : undefined;
    default:
      return isObj(value) ? typedObject(value, shape) : undefined;
  }
}

function typedObject(value: Record<string, unknown>, shape: { [key: string]: Shape }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(shape)) {
    if (!Object.hasOwn(value, k) || value[k] === null || value[k] === undefined) continue;
    const v = typed(value[k], s);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** The submission as stored and echoed: the documented keys only, each in its documented type. */
export function typedSubmission(body: unknown): Record<string, unknown> {
  return isObj(body) ? typedObject(body, SUBMISSION) : {};
}
