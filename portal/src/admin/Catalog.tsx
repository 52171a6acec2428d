// Administration -> Zones / Clusters / Machines / Apps: create, edit (under the row) and delete (after a
// confirmation under the row; a 409 says in words what still uses it), and make apps public or private.
// A cluster's mL, the cap on any Limit's CPUs there, is set by editing it. A cluster shows its zone (by
// name), whether it answers and its node count, and says how it is reached (a kubeconfig Secret or file;
// neither: the cluster Paddock was started with) and its jobs namespace. Machine types are listed in
// natural order (n4, n8, n16); the AppDef editor shows keys in their stored order.
import { useState } from "react";
import { ApiError, call } from "../api";
import { errFor, failed, fieldErrors, idle, succeeded, type Errors, type FormState } from "../errors";
import { Confirm, FormStatus, Table, Tabs, useApi, useApiMutation, type Column } from "../kit";
import { SelectField, TextField } from "../ui";
import { refusal, sortNaturally, zoneLabel } from "./catalogRows";

type Row = Record<string, unknown> & { id: number | string };
type Kind = "Zones" | "Clusters" | "Machines" | "Apps";
type FieldKind = "text" | "number" | "decimal" | "json" | "optional" | "nullable" | "zone";
interface Zone {
  id: number;
  name: string;
}

interface Spec {
  list: string;
  key: string;
  singular: string;
  create: string;
  update: (id: number | string) => [string, string];
  /**
   * form fields: [field, label, kind]; "decimal" is a number that may have a fraction (a price);
   * "optional" is an integer that may be empty; an edit that clears it sends null; "nullable" the same for text;
   * "zone" a zone chosen by name
   */
  fields: Array<[string, string, FieldKind]>;
  /** fields that may change after creation */
  editable: string[];
  /** fields set only by an edit, not at creation */
  editOnly?: string[];
  columns: Array<[string, string]>;
  /** columns shown another way than their value */
  render?: Record<string, (r: Row, zones: Zone[]) => string>;
  /** how a row is named in questions and messages */
  name: (r: Row) => string;
}

const HINTS: Record<string, string> = {
  maxCpus: "the most CPUs any Limit allows a tenant or user on this cluster: a limit L applies as min(L, mL); empty: no mL",
  kubeconfigSecret: "a Secret in the system namespace whose key 'kubeconfig' reaches the cluster; empty (and no file): the cluster Paddock was started with",
  kubeconfigPath: "or a kubeconfig file on the control plane (npm start)",
  jobsNamespace: "where its job pods go; empty: JARVICE_JOBS_NAMESPACE",
};

/** "yes", "no (<why>)", or "?" before the first probe. */
const reachability = (r: Row) => (r.reachable === true ? "yes" : r.reachable === false ? `no (${String(r.unreachableReason ?? "no answer")})` : "?");
const zoneOf = (r: Row, zones: Zone[]) => zoneLabel(r.zone, r.zoneName, zones);

const SPECS: Record<Kind, Spec> = {
  Zones: {
    list: "/api/zones",
    key: "zones",
    singular: "zone",
    create: "/api/zones",
    update: (id) => ["PATCH", `/api/zones/${id}`],
    fields: [
      ["name", "Name", "text"],
      ["description", "Description", "text"],
    ],
    editable: ["name", "description"],
    columns: [
      ["id", "Id"],
      ["name", "Name"],
      ["description", "Description"],
    ],
    name: (r) => String(r.name),
  },
  Clusters: {
    list: "/api/clusters",
    key: "clusters",
    singular: "cluster",
    create: "/api/clusters",
    update: (id) => ["PATCH", `/api/clusters/${id}`],
    fields: [
      ["name", "Name", "text"],
      ["zone", "Zone", "zone"],
      ["backend", "Backend (kubernetes or simulated)", "text"],
      ["kubeconfigSecret", "Kubeconfig Secret", "nullable"],
      ["kubeconfigPath", "Kubeconfig file", "nullable"],
      ["jobsNamespace", "Jobs namespace", "nullable"],
      ["description", "Description", "text"],
      ["maxCpus", "Max CPUs (mL)", "optional"],
    ],
    editable: ["zone", "kubeconfigSecret", "kubeconfigPath", "jobsNamespace", "description", "maxCpus"],
    editOnly: ["maxCpus"],
    columns: [
      ["id", "Id"],
      ["name", "Name"],
      ["zone", "Zone"],
      ["reachable", "Reachable"],
      ["nodes", "Nodes"],
      ["backend", "Backend"],
      ["jobsNamespace", "Jobs namespace"],
      ["description", "Description"],
      ["maxCpus", "Max CPUs (mL)"],
    ],
    render: { reachable: reachability, zone: zoneOf },
    name: (r) => String(r.name),
  },
  Machines: {
    list: "/api/machines",
    key: "machines",
    singular: "machine type",
    create: "/api/machines",
    update: (id) => ["PATCH", `/api/machines/${id}`],
    fields: [
      ["name", "Name", "text"],
      ["cluster", "Cluster", "text"],
      ["cores", "Cores", "number"],
      ["memoryGb", "Memory (GB)", "number"],
      ["gpus", "GPUs", "number"],
      ["perNode", "Per node", "number"],
      ["maxNodes", "Max nodes", "number"],
      ["price", "Price per node-hour", "decimal"],
      ["description", "Description", "text"],
    ],
    editable: ["cluster", "cores", "memoryGb", "gpus", "perNode", "maxNodes", "price", "description"],
    columns: [
      ["name", "Name"],
      ["cluster", "Cluster"],
      ["zone", "Zone"],
      ["cores", "Cores"],
      ["gpus", "GPUs"],
      ["memoryGb", "Memory (GB)"],
      ["perNode", "Per node"],
      ["maxNodes", "Max nodes"],
      ["price", "Price"],
    ],
    render: { zone: zoneOf },
    name: (r) => String(r.name),
  },
  Apps: {
    list: "/api/apps",
    key: "apps",
    singular: "app",
    create: "/api/apps",
    update: (id) => ["PUT", `/api/apps/${id}`],
    fields: [
      ["id", "App id", "text"],
      ["appdef", "AppDef (JSON)", "json"],
    ],
    editable: ["appdef"],
    columns: [
      ["id", "App id"],
      ["name", "Name"],
      ["public", "Public"],
    ],
    render: { name: (r) => String((r.appdef as { name?: unknown } | null)?.name ?? ""), public: (r) => (r.public ? "public" : "private") },
    name: (r) => String(r.id),
  },
};
const KINDS = Object.keys(SPECS) as Kind[];

export function Catalog() {
  const [kind, setKind] = useState<Kind>("Zones");
  return (
    <section aria-labelledby="cat-title">
      <h1 id="cat-title">Zones, clusters, machines and apps</h1>
      <Tabs label="Catalog" selected={kind} onSelect={setKind} tabs={KINDS.map((k) => ({ id: k, title: k, panel: <CatalogTable key={k} spec={SPECS[k]} /> }))} />
    </section>
  );
}

/** `before`: the row an edit started from; clearing an "optional" field it had sends null. Errors of the form's own checks, all at once. */
function toBody(spec: Spec, values: Record<string, string>, only?: string[], before?: Row): { body: Record<string, unknown>; errors: Errors } {
  const body: Record<string, unknown> = {};
  const errors: Errors = {};
  for (const [f, label, t] of spec.fields) {
    if (only && !only.includes(f)) continue;
    const v = values[f] ?? "";
    if (v === "") {
      if ((t === "optional" || t === "nullable") && before?.[f] !== undefined && before[f] !== null) body[f] = null;
      continue;
    }
    if (t === "number" || t === "optional" || t === "zone") body[f] = /^-?\d+$/.test(v.trim()) ? Number(v) : v;
    else if (t === "decimal") body[f] = /^-?(\d+(\.\d*)?|\.\d+)$/.test(v.trim()) ? Number(v) : v;
    else if (t === "json") {
      try {
        body[f] = JSON.parse(v);
      } catch (e) {
        errors[f] = `${label}: is not valid JSON (${e instanceof Error ? e.message : String(e)})`;
      }
    } else body[f] = v;
  }
  return { body, errors };
}

const show = (v: unknown) => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v ?? ""));
const labelsOf = (spec: Spec) => Object.fromEntries(spec.fields.map(([f, l]) => [f, l]));

type Pending = { kind: "delete"; row: Row } | { kind: "public"; row: Row; to: boolean };

function CatalogTable({ spec }: { spec: Spec }) {
  const q = useApi<Record<string, Row[]>>([spec.key], spec.list);
  const zones = useApi<{ zones: Zone[] }>(["zones"], "/api/zones").data?.zones ?? [];
  const rows = q.data?.[spec.key];
  const [editing, setEditing] = useState<Row | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [status, setStatus] = useState<FormState>(idle);
  /** a refused change, shown under its row */
  const [refused, setRefused] = useState<{ id: number | string; text: string } | null>(null);
  const change = useApiMutation((p: Pending) => (p.kind === "delete" ? call("DELETE", `${spec.list}/${encodeURIComponent(String(p.row.id))}`) : call("PATCH", `/api/apps/${encodeURIComponent(String(p.row.id))}`, { public: p.to })), [[spec.key], ["zones"]]);

  async function apply(p: Pending) {
    setPending(null);
    setRefused(null);
    const what = `${spec.singular} ${spec.name(p.row)}`;
    try {
      await change.mutateAsync(p);
      setStatus(succeeded(p.kind === "delete" ? `Deleted ${what}.` : `${what} is ${p.to ? "public" : "private"} now.`));
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(0, e instanceof Error ? e.message : String(e));
      setStatus(idle);
      setRefused({ id: p.row.id, text: p.kind === "delete" ? refusal(what, err) : `${what}: ${err.message}` });
    }
  }

  const columns: Array<Column<Row>> = spec.columns.map(([c, header]) => ({ header, cell: (r) => (spec.render?.[c] ? spec.render[c](r, zones) : show(r[c])) }));
  const sorted = rows && spec.key === "machines" ? sortNaturally(rows, (r) => String(r.name)) : rows;
  return (
    <>
      <FormStatus state={status} />
      <Table
        caption={spec.key === "machines" ? "Machine types" : `${spec.singular[0]!.toUpperCase()}${spec.singular.slice(1)}s`}
        rows={sorted}
        loading={q.loading}
        error={q.error}
        empty={`No ${spec.key} yet.`}
        rowKey={(r) => String(r.id)}
        rowAttrs={(r) => ({ [`data-${spec.singular.replace(" type", "")}`]: spec.name(r) })}
        columns={columns}
        actions={(r) => (
          <div className="stack">
            <button
              type="button"
              aria-expanded={editing?.id === r.id}
              onClick={() => {
                setEditing(editing?.id === r.id ? null : r);
                setPending(null);
              }}
            >
              Edit<span className="sr-only"> {spec.name(r)}</span>
            </button>{" "}
            {spec.key === "apps" ? (
              <>
                <button type="button" onClick={() => setPending({ kind: "public", row: r, to: !r.public })}>
                  {r.public ? "Make private" : "Make public"}
                  <span className="sr-only"> {spec.name(r)}</span>
                </button>{" "}
              </>
            ) : null}
            <button
              type="button"
              className="danger"
              onClick={() => {
                setPending({ kind: "delete", row: r });
                setEditing(null);
              }}
            >
              Delete<span className="sr-only"> {spec.name(r)}</span>
            </button>
          </div>
        )}
        below={(r) => {
          if (editing?.id === r.id) return <Editor key={String(r.id)} spec={spec} zones={zones} editing={r} onDone={(m) => {
                  setEditing(null);
                  setStatus(succeeded(m));
                }} onCancel={() => setEditing(null)} />;
          if (pending?.row.id !== r.id)
            return refused?.id === r.id ? (
              <p className="error" role="alert">
                {refused.text}
              </p>
            ) : null;
          const p = pending;
          const what = `${spec.singular} ${spec.name(r)}`;
          return p.kind === "delete" ? (
            <Confirm question={`Delete ${what}?`} details={DELETE_DETAILS[spec.key]} confirmLabel={`Delete ${spec.singular}`} onConfirm={() => void apply(p)} onCancel={() => setPending(null)} />
          ) : (
            <Confirm
              question={`Make app ${spec.name(r)} ${p.to ? "public" : "private"}?`}
              details={p.to ? "Every user then sees it in Compute and may run it." : "Users then no longer see it in Compute; jobs already running go on."}
              confirmLabel={p.to ? "Make public" : "Make private"}
              danger={!p.to}
              onConfirm={() => void apply(p)}
              onCancel={() => setPending(null)}
            />
          );
        }}
      />
      <Editor key={`new-${spec.key}`} spec={spec} zones={zones} editing={null} />
    </>
  );
}

const DELETE_DETAILS: Record<string, string> = {
  zones: "Refused while clusters or vaults are in it, or payer metadata names it; the Default zone always stays.",
  clusters: "Refused while it offers machine types.",
  machines: "Refused while active jobs run on it; finished jobs keep its name.",
  apps: "Refused while active jobs run it; finished jobs keep its id.",
};

/** The create form (editing null, under the table) or the edit form of a row (under that row). */
function Editor({ spec, zones, editing, onDone, onCancel }: { spec: Spec; zones: Zone[]; editing: Row | null; onDone?: (message: string) => void; onCancel?: () => void }) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    editing ? Object.fromEntries(spec.fields.map(([f, , t]) => [f, t === "json" ? JSON.stringify(editing[f], null, 2) : show(editing[f])])) : {},
  );
  const [status, setStatus] = useState<FormState>(idle);
  const save = useApiMutation(([m, url, body]: [string, string, Record<string, unknown>]) => call(m, url, body), [[spec.key], ["zones"]]);
  const labels = labelsOf(spec);
  const idBase = `cat-${spec.key}-${editing ? String(editing.id) : "new"}`;

  async function submit() {
    const { body, errors } = editing ? toBody(spec, values, spec.editable, editing) : toBody(spec, values);
    if (Object.keys(errors).length > 0) return setStatus(failed(errors));
    try {
      if (editing) {
        const [m, url] = spec.update(editing.id);
        await save.mutateAsync([m, url, body]);
        onDone?.(`Saved ${spec.singular} ${spec.name(editing)}.`);
      } else {
        await save.mutateAsync(["POST", spec.create, body]);
        setValues({});
        setStatus(succeeded(`Created ${spec.singular} ${values.name ?? values.id ?? ""}.`));
      }
    } catch (e) {
      setStatus(failed(fieldErrors(e, labels)));
    }
  }

  const fields = spec.fields.filter(([f]) => (editing ? spec.editable.includes(f) : !spec.editOnly?.includes(f)));
  const title = editing ? `Edit ${spec.singular} ${spec.name(editing)}` : `Create a ${spec.singular}`;
  return (
    <form
      className="card"
      aria-label={title}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>{title}</h2>
      <div className="grid">
        {fields.map(([f, label, t]) => {
          const set = (x: string) => setValues({ ...values, [f]: x });
          if (t === "json") {
            const err = errFor(status.errors, f);
            return (
              <div key={f} className={`field wide${err ? " has-error" : ""}`}>
                <label htmlFor={`${idBase}-${f}`}>{label}</label>
                <textarea id={`${idBase}-${f}`} rows={12} value={values[f] ?? ""} onChange={(e) => set(e.target.value)} aria-invalid={err ? true : undefined} aria-describedby={err ? `${idBase}-${f}-err` : undefined} />
                {err ? (
                  <div id={`${idBase}-${f}-err`} className="error" role="alert">
                    {Object.entries(status.errors)
                      .filter(([k]) => k === f || k.startsWith(`${f}.`))
                      .map(([, m]) => m)
                      .join("; ")}
                  </div>
                ) : null}
              </div>
            );
          }
          if (t === "zone")
            return <SelectField key={f} label={label} value={values[f] ?? ""} onChange={set} options={[["", "(choose a zone)"], ...zones.map((z): [string, string] => [String(z.id), `${z.name} (${z.id})`])]} error={errFor(status.errors, f)} />;
          return (
            <TextField
              key={f}
              label={label}
              type={t === "number" || t === "optional" ? "number" : "text"}
              hint={t === "decimal" ? "a number, e.g. 0.25" : t === "optional" || t === "nullable" ? HINTS[f] : undefined}
              value={values[f] ?? ""}
              onChange={set}
              error={errFor(status.errors, f)}
            />
          );
        })}
      </div>
      <FormStatus state={status} shown={spec.fields.map(([f]) => f)} />
      <button type="submit" className="primary" disabled={save.isPending}>
        {editing ? "Save" : "Create"}
      </button>{" "}
      {onCancel ? (
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      ) : null}
    </form>
  );
}
