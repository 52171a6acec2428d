// Reading a /jarvice/submit body (the JARVICE Submission JSON): what the user
// asked for, checked for shape only; the job service checks it against the
// catalog, the user's zones and vaults.

export interface Submission {
  user: { username: string; apikey: string };
  app: string;
  command: string;
  parameters: Record<string, unknown>;
  geometry: string;
  walltime: string;
  /** the IP-address tag without the user-name prefix */
  ipaddrTag: string | undefined;
  machineType: string;
  nodes: number;
  vault: { name: string | undefined; readonly: boolean; force: boolean };
  jobLabel: string;
  jobProject: string;
  licenses: string;
}

export type Parsed = { ok: true; value: Submission } | { ok: false; status: 400 | 401; field: string; problem: string };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Longest free-text field of a submission (labels, project, licenses, geometry, walltime): each is stored with the job. */
export const SUBMISSION_TEXT_MAX = 1024;

export function parseSubmission(body: unknown): Parsed {
  const bad = (field: string, problem: string): Parsed => ({ ok: false, status: 400, field, problem });
  if (!isObj(body)) return bad("body", "must be a JSON object (a JARVICE submission)");

  const user = body.user;
  if (!isObj(user) || typeof user.username !== "string" || typeof user.apikey !== "string" || !user.username || !user.apikey) {
    return { ok: false, status: 401, field: "user", problem: "user.username and user.apikey are required" };
  }

  const str = (o: Record<string, unknown>, key: string, field: string): string | Parsed => {
    const v = o[key];
    if (v === undefined || v === null) return "";
    if (typeof v !== "string") return bad(field, "must be a string");
    if (v.length > SUBMISSION_TEXT_MAX) return bad(field, `must be at most ${SUBMISSION_TEXT_MAX} characters`);
    return v;
  };

  if (typeof body.app !== "string" || body.app === "") return bad("app", "is required: the application id");
  const application = body.application ?? {};
  if (!isObj(application)) return bad("application", "must be an object");
  const command = application.command;
  if (typeof command !== "string" || command === "") return bad("application.command", "is required");
  const parameters = application.parameters ?? {};
  if (!isObj(parameters)) return bad("application.parameters", "must be an object");

  // The tag: top level (as the load-balancing document says) and inside `application` (as the OpenAPI has it).
  const top = body.ipaddr;
  const inner = application.ipaddr;
  for (const [v, field] of [
    [top, "ipaddr"],
    [inner, "application.ipaddr"],
  ] as const) {
    if (v !== undefined && v !== null && typeof v !== "string") return bad(field, "must be a string (the tag; the user-name prefix is added for you)");
  }
  const topTag = typeof top === "string" && top !== "" ? top : undefined;
  const innerTag = typeof inner === "string" && inner !== "" ? inner : undefined;
  if (topTag !== undefined && innerTag !== undefined && topTag !== innerTag) {
    return bad("ipaddr", `'${topTag}' differs from application.ipaddr '${innerTag}'; give the tag once, or the same in both`);
  }

  const machine = body.machine;
  if (!isObj(machine)) return bad("machine", "is required: {\"type\": ..., \"nodes\": ...}");
  if (typeof machine.type !== "string" || machine.type === "") return bad("machine.type", "is required");
  const nodes = machine.nodes ?? 1;
  const n = typeof nodes === "string" && /^\d+$/.test(nodes) ? Number(nodes) : nodes;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) return bad("machine.nodes", "must be an integer of at least 1");

  const vault = body.vault ?? {};
  if (!isObj(vault)) return bad("vault", "must be an object");
  if (vault.name !== undefined && typeof vault.name !== "string") return bad("vault.name", "must be a string");
  for (const k of ["readonly", "force"] as const) {
    if (vault[k] !== undefined && typeof vault[k] !== "boolean") return bad(`vault.${k}`, "must be true or false");
  }

  const fields: Array<[Record<string, unknown>, string, string]> = [
    [application, "geometry", "application.geometry"],
    [application, "walltime", "application.walltime"],
    [body, "job_label", "job_label"],
    [body, "job_project", "job_project"],
    [body, "licenses", "licenses"],
  ];
  const strings: string[] = [];
  for (const [o, k, field] of fields) {
    const v = str(o, k, field);
    if (typeof v !== "string") return v;
    strings.push(v);
  }
  const [geometry, walltime, jobLabel, jobProject, licenses] = strings as [string, string, string, string, string];
  if (walltime !== "" && !/^\d{1,4}:[0-5]\d(:[0-5]\d)?$/.test(walltime)) {
    return bad("application.walltime", "must be HH:MM or HH:MM:SS, with minutes and seconds from 00 to 59");
  }

  return {
    ok: true,
    value: {
      user: { username: user.username, apikey: user.apikey },
      app: body.app,
      command,
      parameters,
      geometry,
      walltime,
      ipaddrTag: topTag ?? innerTag,
      machineType: machine.type,
      nodes: n,
      vault: { name: vault.name === "" ? undefined : (vault.name as string | undefined), readonly: vault.readonly === true, force: vault.force === true },
      jobLabel,
      jobProject,
      licenses,
    },
  };
}
