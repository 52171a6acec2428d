// Administration -> Metadata: the payer metadata table, searchable (and, for system administrators,
// filterable by payer). The worked example of the kit: useApi/useApiMutation, Table, Confirm next to
// the row, FormStatus, errors in words.
// Role-aware as src/http/routes/metadata.ts: system administrators read every row and add, edit and
// delete them (the type checked as you type, by the API's own rules in src/core/payerMetadata.ts, and
// every error of the form at once before anything is asked); payers and team admins read their own
// payer's rows only, with no controls they could not use.
import { useState } from "react";
import { checkPayerMetadata, PAYER_METADATA_KEYS } from "../../../src/core/payerMetadata";
import { call, type Me } from "../api";
import { errFor, failed, fieldErrors, hasErrors, idle, merge, succeeded, type Errors, type FormState } from "../errors";
import { Confirm, FormStatus, Table, useApi, useApiMutation } from "../kit";
import { SelectField, TextField } from "../ui";

interface Row {
  id: number;
  payer: string;
  key: string;
  value: string;
}
type Pending = { kind: "edit"; row: Row; value: string } | { kind: "delete"; row: Row };

const LABELS = { payer: "Payer", key: "Key", value: "Value" };
const CAUTION = (payer: string) => (
  <>
    This affects <strong>future invites of {payer}'s team only</strong>: accounts that exist now (the payer's own included) keep their vaults.
  </>
);

export function Metadata({ me }: { me: Me }) {
  const writer = me.sysadmin;
  const [search, setSearch] = useState("");
  const [payerFilter, setPayerFilter] = useState("");
  const q = new URLSearchParams();
  if (search) q.set("search", search);
  if (payerFilter) q.set("payer", payerFilter);
  const list = useApi<{ metadata: Row[] }>(["metadata", search, payerFilter], `/api/metadata?${q}`);
  const zones = useApi<{ zones: Array<{ id: number }> }>(["zones"], writer ? "/api/zones" : null);
  const zoneExists = (id: number) => (zones.data?.zones ?? []).some((z) => z.id === id);

  const [edit, setEdit] = useState<{ id: number; value: string } | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [status, setStatus] = useState<FormState>(idle);
  const save = useApiMutation((p: Pending) => (p.kind === "edit" ? call("PUT", `/api/metadata/${p.row.id}`, { value: p.value }) : call("DELETE", `/api/metadata/${p.row.id}`)), [["metadata"]]);

  /** The value's problem by the key's type, in words, as you type. */
  const problem = (key: string, value: string): string | undefined => {
    if (value === "") return undefined;
    const c = checkPayerMetadata(key, value, zoneExists);
    return c.ok ? undefined : `Value: ${c.problem}`;
  };

  async function apply(p: Pending) {
    setPending(null);
    try {
      await save.mutateAsync(p);
      setEdit(null);
      setStatus(succeeded(p.kind === "edit" ? `Changed ${p.row.key} of ${p.row.payer} to ${p.value}.` : `Deleted ${p.row.key} of ${p.row.payer}; the system default applies again.`));
    } catch (e) {
      setStatus(failed(fieldErrors(e, LABELS)));
    }
  }

  const editProblem = (r: Row) => (edit?.id === r.id ? problem(r.key, edit.value) : undefined);
  return (
    <section aria-labelledby="meta-title">
      <h1 id="meta-title">Metadata</h1>
      <p className="hint">
        Payer metadata sets the vault defaults of accounts created later in the payer's team. It never changes existing accounts.
        {writer ? null : " You can read your team's rows; only system administrators change them."}
      </p>
      {writer ? <AddRow problem={problem} /> : null}
      <div className="toolbar grid">
        <TextField label="Search metadata" value={search} onChange={setSearch} placeholder="payer, key or value" />
        {writer ? <TextField label="Filter by payer" value={payerFilter} onChange={setPayerFilter} placeholder="payer user name" /> : null}
      </div>
      <FormStatus state={status} />
      <Table
        caption="Payer metadata"
        rows={list.data?.metadata}
        loading={list.loading}
        error={list.error}
        empty={search || payerFilter ? "No metadata row matches." : "No payer metadata: every payer has the system defaults."}
        rowKey={(r) => r.id}
        rowAttrs={(r) => ({ "data-meta": `${r.payer}/${r.key}` })}
        columns={[
          { header: "Payer", cell: (r) => r.payer },
          { header: "Key", cell: (r) => r.key },
          {
            header: "Value",
            cell: (r) =>
              edit?.id === r.id ? (
                <form
                  className="inline"
                  onSubmit={(e) => {
                    e.preventDefault();
                    if (!editProblem(r)) setPending({ kind: "edit", row: r, value: edit.value });
                  }}
                >
                  <TextField label={`New value of ${r.key}`} value={edit.value} onChange={(x) => setEdit({ id: r.id, value: x })} error={editProblem(r) ?? errFor(status.errors, "value")} />
                  <button type="submit" disabled={!!editProblem(r)}>
                    Save
                  </button>{" "}
                  <button type="button" onClick={() => setEdit(null)}>
                    Cancel
                  </button>
                </form>
              ) : (
                r.value
              ),
          },
        ]}
        actions={
          writer
            ? (r) => (
                <>
                  <button type="button" onClick={() => setEdit({ id: r.id, value: r.value })}>
                    Edit<span className="sr-only"> {r.key} of {r.payer}</span>
                  </button>{" "}
                  <button type="button" className="danger" onClick={() => setPending({ kind: "delete", row: r })}>
                    Delete<span className="sr-only"> {r.key} of {r.payer}</span>
                  </button>
                </>
              )
            : undefined
        }
        below={(r) =>
          pending?.row.id === r.id ? (
            <Confirm
              question={pending.kind === "delete" ? `Delete ${r.key} of ${r.payer}?` : `Change ${r.key} of ${r.payer} to ${pending.value}?`}
              details={
                <>
                  {CAUTION(r.payer)}
                  {pending.kind === "delete" ? " The system default applies again." : ""}
                </>
              }
              confirmLabel={pending.kind === "delete" ? "Delete" : "Save"}
              danger={pending.kind === "delete"}
              onConfirm={() => void apply(pending)}
              onCancel={() => setPending(null)}
            />
          ) : null
        }
      />
    </section>
  );
}

/** The add form (system administrators): every error at once before the confirmation, the server's after it. */
function AddRow({ problem }: { problem: (key: string, value: string) => string | undefined }) {
  const [add, setAdd] = useState({ payer: "", key: PAYER_METADATA_KEYS[0] as string, value: "" });
  const [asking, setAsking] = useState(false);
  const [status, setStatus] = useState<FormState>(idle);
  const create = useApiMutation((body: typeof add) => call("POST", "/api/metadata", body), [["metadata"]]);
  const live = problem(add.key, add.value);

  function check(): Errors {
    return merge(add.payer.trim() ? {} : { payer: "Payer: required" }, add.value === "" ? { value: "Value: required" } : live ? { value: live } : {});
  }
  async function apply() {
    setAsking(false);
    try {
      await create.mutateAsync(add);
      setStatus(succeeded(`Added ${add.key} = ${add.value} for ${add.payer}.`));
      setAdd({ ...add, value: "" });
    } catch (e) {
      setStatus(failed(fieldErrors(e, LABELS)));
    }
  }
  const set = (patch: Partial<typeof add>) => {
    setAdd({ ...add, ...patch });
    setAsking(false);
  };
  return (
    <form
      className="card"
      aria-labelledby="meta-add-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const errors = check();
        if (hasErrors(errors)) setStatus(failed(errors));
        else {
          setStatus(idle);
          setAsking(true);
        }
      }}
    >
      <h2 id="meta-add-title">Add a row</h2>
      <div className="grid">
        <TextField label="Payer" name="meta-payer" value={add.payer} onChange={(x) => set({ payer: x })} error={errFor(status.errors, "payer")} />
        <SelectField label="Key" value={add.key} onChange={(x) => set({ key: x })} options={PAYER_METADATA_KEYS.map((k) => [k, k])} error={errFor(status.errors, "key")} />
        <TextField label="Value" name="meta-value" value={add.value} onChange={(x) => set({ value: x })} error={live ?? errFor(status.errors, "value")} />
      </div>
      <button type="submit" className="primary" disabled={create.isPending}>
        Add
      </button>
      {asking ? (
        <Confirm question={`Add ${add.key} = ${add.value} for ${add.payer}?`} details={CAUTION(add.payer)} confirmLabel="Add row" danger={false} onConfirm={() => void apply()} onCancel={() => setAsking(false)} />
      ) : null}
      <FormStatus state={status} shown={["payer", "key", "value"]} />
    </form>
  );
}
