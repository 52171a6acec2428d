// Administration -> Metadata: the payer metadata table, searchable and
// filterable by payer; add, edit and delete with the type checked as you
// type (the API's own rules, src/core/payerMetadata.ts) and an explicit
// confirmation that edits affect future invites of that payer's team only.
import { useState } from "react";
import { useLoad } from "../useLoad";
import { checkPayerMetadata, PAYER_METADATA_KEYS } from "../../../src/core/payerMetadata";
import { call, errorsOf } from "../api";
import { Confirm, FormError, SelectField, TextField, errFor } from "../ui";
import { useZones } from "./Users";

interface Row {
  id: number;
  payer: string;
  key: string;
  value: string;
}
type Pending = { kind: "add" } | { kind: "edit"; row: Row; value: string } | { kind: "delete"; row: Row };

export function Metadata() {
  const zones = useZones();
  const zoneExists = (id: number) => zones.some((z) => z.id === id);
  const [search, setSearch] = useState("");
  const [payerFilter, setPayerFilter] = useState("");
  const [rows, setRows] = useState<Row[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [add, setAdd] = useState({ payer: "", key: PAYER_METADATA_KEYS[0] as string, value: "" });
  const [edit, setEdit] = useState<{ id: number; value: string } | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [message, setMessage] = useState("");

  const load = useLoad(
    async () => {
      const q = new URLSearchParams();
      if (search) q.set("search", search);
      if (payerFilter) q.set("payer", payerFilter);
      setRows((await call<{ metadata: Row[] }>("GET", `/api/metadata?${q}`)).metadata);
    },
    [search, payerFilter],
    setErrors,
  );

  const problem = (key: string, value: string) => {
    if (value === "") return undefined;
    const c = checkPayerMetadata(key, value, zoneExists);
    return c.ok ? undefined : `value: ${c.problem}`;
  };
  const addProblem = problem(add.key, add.value);
  const editRow = edit ? rows.find((r) => r.id === edit.id) : undefined;
  const editProblem = edit && editRow ? problem(editRow.key, edit.value) : undefined;

  async function apply(p: Pending) {
    setPending(null);
    setErrors({});
    try {
      if (p.kind === "add") {
        await call("POST", "/api/metadata", add);
        setMessage(`Added ${add.key} for ${add.payer}.`);
        setAdd({ ...add, value: "" });
      } else if (p.kind === "edit") {
        await call("PUT", `/api/metadata/${p.row.id}`, { value: p.value });
        setMessage(`Changed ${p.row.key} of ${p.row.payer}.`);
        setEdit(null);
      } else {
        await call("DELETE", `/api/metadata/${p.row.id}`);
        setMessage(`Deleted ${p.row.key} of ${p.row.payer}; the system default applies again.`);
      }
      void load();
    } catch (e) {
      setErrors(errorsOf(e));
    }
  }

  const payerOf = (p: Pending) => (p.kind === "add" ? add.payer : p.row.payer);
  return (
    <section aria-labelledby="meta-title">
      <h1 id="meta-title">Metadata</h1>
      <p className="hint">Payer metadata sets the vault defaults of accounts created later in the payer's team. It never changes existing accounts.</p>
      <form
        className="card"
        aria-labelledby="meta-add-title"
        onSubmit={(e) => {
          e.preventDefault();
          if (!addProblem) setPending({ kind: "add" });
        }}
      >
        <h2 id="meta-add-title">Add a row</h2>
        <div className="grid">
          <TextField label="Payer" name="meta-payer" value={add.payer} onChange={(x) => setAdd({ ...add, payer: x })} error={errFor(errors, "payer")} />
          <SelectField label="Key" value={add.key} onChange={(x) => setAdd({ ...add, key: x })} options={PAYER_METADATA_KEYS.map((k) => [k, k])} error={errFor(errors, "key")} />
          <TextField label="Value" name="meta-value" value={add.value} onChange={(x) => setAdd({ ...add, value: x })} error={addProblem ?? (pending ? undefined : errFor(errors, "value"))} />
        </div>
        <button type="submit" className="primary" disabled={!!addProblem}>
          Add
        </button>
      </form>
      {pending ? (
        <Confirm
          text={
            <>
              This edit affects <strong>future invites of {payerOf(pending)}'s team only</strong>: accounts that exist now (the payer's own included) keep their vaults. {pending.kind === "delete" ? "Delete" : "Save"} it?
            </>
          }
          yes={pending.kind === "delete" ? "Confirm delete" : "Confirm"}
          onYes={() => void apply(pending)}
          onNo={() => setPending(null)}
        />
      ) : null}
      <FormError errors={errors} known={["payer", "key", "value"]} />
      {message ? <p role="status">{message}</p> : null}
      <div className="toolbar grid">
        <TextField label="Search metadata" value={search} onChange={setSearch} placeholder="payer, key or value" />
        <TextField label="Filter by payer" value={payerFilter} onChange={setPayerFilter} placeholder="payer user name" />
      </div>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Payer</th>
              <th scope="col">Key</th>
              <th scope="col">Value</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-meta={`${r.payer}/${r.key}`}>
                <td>{r.payer}</td>
                <td>{r.key}</td>
                <td>
                  {edit?.id === r.id ? (
                    <form
                      className="inline"
                      onSubmit={(e) => {
                        e.preventDefault();
                        if (!editProblem) setPending({ kind: "edit", row: r, value: edit.value });
                      }}
                    >
                      <TextField label={`New value of ${r.key}`} value={edit.value} onChange={(x) => setEdit({ id: r.id, value: x })} error={editProblem} />
                      <button type="submit" disabled={!!editProblem}>
                        Save
                      </button>{" "}
                      <button type="button" onClick={() => setEdit(null)}>
                        Cancel
                      </button>
                    </form>
                  ) : (
                    r.value
                  )}
                </td>
                <td className="row-actions">
                  <button type="button" onClick={() => setEdit({ id: r.id, value: r.value })}>
                    Edit<span className="sr-only"> {r.key} of {r.payer}</span>
                  </button>{" "}
                  <button type="button" className="danger" onClick={() => setPending({ kind: "delete", row: r })}>
                    Delete<span className="sr-only"> {r.key} of {r.payer}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
