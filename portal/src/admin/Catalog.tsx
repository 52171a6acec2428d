// Administration -> Zones / Clusters / Machines / Apps: create and edit (a
// cluster's mL, the cap on any Limit's CPUs there, is set by editing it). A
// cluster shows its zone, whether it answers and its node count, and says how
// it is reached (a kubeconfig Secret or file; neither: the cluster Paddock was
// started with) and its jobs namespace.
import { useState } from "react";
import { useLoad } from "../useLoad";
import { call, errorsOf } from "../api";
import { FormError, TextField, errFor } from "../ui";

type Row = Record<string, unknown> & { id: number | string };
type Kind = "Zones" | "Clusters" | "Machines" | "Apps";

interface Spec {
  list: string;
  key: string;
  create: string;
  update: (id: number | string) => [string, string];
  /**
   * form fields: [field, label, kind]; "decimal" is a number that may have a fraction (a price);
   * "optional" is an integer that may be empty; an edit that clears it sends null; "nullable" the same for text
   */
  fields: Array<[string, string, "text" | "number" | "decimal" | "json" | "optional" | "nullable"]>;
  /** fields that may change after creation */
  editable: string[];
  /** fields set only by an edit, not at creation */
  editOnly?: string[];
  columns: string[];
  /** columns shown another way than their value */
  render?: Record<string, (r: Row) => string>;
}

const HINTS: Record<string, string> = {
  maxCpus: "the most CPUs any Limit allows a tenant or user on this cluster: a limit L applies as min(L, mL); empty: no mL",
  kubeconfigSecret: "a Secret in the system namespace whose key 'kubeconfig' reaches the cluster; empty (and no file): the cluster Paddock was started with",
  kubeconfigPath: "or a kubeconfig file on the control plane (npm start)",
  jobsNamespace: "where its job pods go; empty: JARVICE_JOBS_NAMESPACE",
};

/** "yes", "no (<why>)", or "?" before the first probe. */
const reachability = (r: Row) => (r.reachable === true ? "yes" : r.reachable === false ? `no (${String(r.unreachableReason ?? "no answer")})` : "?");

const SPECS: Record<Kind, Spec> = {
  Zones: { list: "/api/zones", key: "zones", create: "/api/zones", update: (id) => ["PATCH", `/api/zones/${id}`], fields: [["name", "Name", "text"], ["description", "Description", "text"]], editable: ["name", "description"], columns: ["id", "name", "description"] },
  Clusters: {
    list: "/api/clusters",
    key: "clusters",
    create: "/api/clusters",
    update: (id) => ["PATCH", `/api/clusters/${id}`],
    fields: [
      ["name", "Name", "text"],
      ["zone", "Zone id", "number"],
      ["backend", "Backend (kubernetes or simulated)", "text"],
      ["kubeconfigSecret", "Kubeconfig Secret", "nullable"],
      ["kubeconfigPath", "Kubeconfig file", "nullable"],
      ["jobsNamespace", "Jobs namespace", "nullable"],
      ["description", "Description", "text"],
      ["maxCpus", "Max CPUs (mL)", "optional"],
    ],
    editable: ["zone", "kubeconfigSecret", "kubeconfigPath", "jobsNamespace", "description", "maxCpus"],
    editOnly: ["maxCpus"],
    columns: ["id", "name", "zone", "reachable", "nodes", "backend", "jobsNamespace", "description", "maxCpus"],
    render: { reachable: reachability },
  },
  Machines: {
    list: "/api/machines",
    key: "machines",
    create: "/api/machines",
    update: (id) => ["PATCH", `/api/machines/${id}`],
    fields: [["name", "Name", "text"], ["cluster", "Cluster", "text"], ["cores", "Cores", "number"], ["memoryGb", "Memory (GB)", "number"], ["gpus", "GPUs", "number"], ["perNode", "Per node", "number"], ["maxNodes", "Max nodes", "number"], ["price", "Price per node-hour", "decimal"], ["description", "Description", "text"]],
    editable: ["cluster", "cores", "memoryGb", "gpus", "perNode", "maxNodes", "price", "description"],
    columns: ["name", "cluster", "zone", "cores", "gpus", "memoryGb", "perNode", "maxNodes", "price"],
  },
  Apps: { list: "/api/apps", key: "apps", create: "/api/apps", update: (id) => ["PUT", `/api/apps/${id}`], fields: [["id", "App id", "text"], ["appdef", "AppDef (JSON)", "json"]], editable: ["appdef"], columns: ["id", "public"] },
};

export function Catalog() {
  const [kind, setKind] = useState<Kind>("Zones");
  return (
    <section aria-labelledby="cat-title">
      <h1 id="cat-title">Zones, clusters, machines and apps</h1>
      <div role="tablist" aria-label="Catalog" className="tabs">
        {(Object.keys(SPECS) as Kind[]).map((k) => (
          <button key={k} type="button" role="tab" aria-selected={kind === k} className={kind === k ? "active" : ""} onClick={() => setKind(k)}>
            {k}
          </button>
        ))}
      </div>
      <CatalogTable key={kind} kind={kind} spec={SPECS[kind]} />
    </section>
  );
}

/** `before`: the row an edit started from; clearing an "optional" field it had sends null. */
function toBody(spec: Spec, values: Record<string, string>, only?: string[], before?: Row): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [f, , t] of spec.fields) {
    if (only && !only.includes(f)) continue;
    const v = values[f] ?? "";
    if (v === "") {
      if ((t === "optional" || t === "nullable") && before?.[f] !== undefined && before[f] !== null) body[f] = null;
      continue;
    }
    if (t === "number" || t === "optional") body[f] = /^-?\d+$/.test(v.trim()) ? Number(v) : v;
    else if (t === "decimal") body[f] = /^-?(\d+(\.\d*)?|\.\d+)$/.test(v.trim()) ? Number(v) : v;
    else if (t === "json") {
      try {
        body[f] = JSON.parse(v);
      } catch {
        throw Object.assign(new Error(`${f}: is not valid JSON`), { field: f });
      }
    } else body[f] = v;
  }
  return body;
}

const show = (v: unknown) => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v ?? ""));

function CatalogTable({ kind, spec }: { kind: Kind; spec: Spec }) {
  const [rows, setRows] = useState<Row[]>([]);
  const [values, setValues] = useState<Record<string, string>>({});
  const [editing, setEditing] = useState<Row | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");

  const load = useLoad(
    async () => {
      setRows((await call<Record<string, Row[]>>("GET", spec.list))[spec.key] ?? []);
    },
    [spec],
    setErrors,
  );

  async function save() {
    setErrors({});
    try {
      if (editing) {
        const [m, url] = spec.update(editing.id);
        await call(m, url, toBody(spec, values, spec.editable, editing));
        setMessage(`Saved ${String(editing.name ?? editing.id)}.`);
      } else {
        await call("POST", spec.create, toBody(spec, values));
        setMessage(`Created ${values.name ?? values.id ?? ""}.`);
      }
      setEditing(null);
      setValues({});
      void load();
    } catch (e) {
      const f = (e as { field?: string }).field;
      setErrors(f && !(e instanceof Error && "status" in e) ? { [f]: (e as Error).message } : errorsOf(e));
    }
  }

  const startEdit = (r: Row) => {
    setEditing(r);
    setErrors({});
    setValues(Object.fromEntries(spec.fields.map(([f, , t]) => [f, t === "json" ? JSON.stringify(r[f], null, 2) : show(r[f])])));
  };
  const singular = kind.slice(0, -1).toLowerCase();
  return (
    <div role="tabpanel">
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              {spec.columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={String(r.id)}>
                {spec.columns.map((c) => (
                  <td key={c}>{spec.render?.[c] ? spec.render[c](r) : show(r[c])}</td>
                ))}
                <td>
                  <button type="button" onClick={() => startEdit(r)}>
                    Edit<span className="sr-only"> {String(r.name ?? r.id)}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <h2>{editing ? `Edit ${singular} ${String(editing.name ?? editing.id)}` : `Create a ${singular}`}</h2>
        <div className="grid">
          {spec.fields
            .filter(([f]) => (editing ? spec.editable.includes(f) : !spec.editOnly?.includes(f)))
            .map(([f, label, t]) =>
              t === "json" ? (
                <div key={f} className={`field wide${errors[f] || errors[`${f}.`] ? " has-error" : ""}`}>
                  <label htmlFor={`cat-${f}`}>{label}</label>
                  <textarea id={`cat-${f}`} rows={10} value={values[f] ?? ""} onChange={(e) => setValues({ ...values, [f]: e.target.value })} aria-describedby={errFor(errors, f) ? `cat-${f}-err` : undefined} />
                  {Object.entries(errors)
                    .filter(([k]) => k === f || k.startsWith(`${f}.`))
                    .map(([k, m]) => (
                      <div key={k} id={`cat-${f}-err`} className="error" role="alert">
                        {m}
                      </div>
                    ))}
                </div>
              ) : (
                <TextField key={f} label={label} type={t === "number" || t === "optional" ? "number" : "text"} hint={t === "decimal" ? "a number, e.g. 0.25" : t === "optional" || t === "nullable" ? HINTS[f] : undefined} value={values[f] ?? ""} onChange={(x) => setValues({ ...values, [f]: x })} error={errFor(errors, f)} />
              ),
            )}
        </div>
        <FormError errors={Object.fromEntries(Object.entries(errors).filter(([k]) => !spec.fields.some(([f]) => k === f || k.startsWith(`${f}.`))).map(([k, v]) => [k === "_" ? k : "_", v]))} />
        <button type="submit" className="primary">
          {editing ? "Save" : "Create"}
        </button>{" "}
        {editing ? (
          <button
            type="button"
            onClick={() => {
              setEditing(null);
              setValues({});
            }}
          >
            Cancel
          </button>
        ) : null}
        {message ? <span role="status"> {message}</span> : null}
      </form>
    </div>
  );
}
