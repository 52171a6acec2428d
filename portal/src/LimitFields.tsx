// What a limit says, as form fields (concurrent CPUs; per machine type, jobs at
// once and nodes per job) and as a table row; shared by Administration -> Limits
// and Account -> Limits. Errors of the API's "cpus" and "machines..." fields
// show beside these fields.
import { useId, type ReactNode } from "react";
import { useApi } from "./kit";
import { cpusText, machinesText, targetText, type Limit, type LimitForm } from "./limits";
import { SelectField, TextField, errFor } from "./ui";

/** Machine type names the caller may see (all for system administrators). */
export function useMachineTypes(): string[] {
  const machines = useApi<{ machines: Array<{ name: string }> }>(["machines"], "/api/machines");
  return (machines.data?.machines ?? []).map((m) => m.name);
}

/** Errors of the machines map, whatever sub-field the API names (machines.n4.jobs). */
export const machineErrors = (errors: Record<string, string>) =>
  Object.entries(errors)
    .filter(([k]) => k === "machines" || k.startsWith("machines."))
    .map(([, m]) => m);

/** The API fields these inputs show errors for (for FormError's `known`). */
export const isLimitField = (k: string) => k === "cpus" || k === "machines" || k.startsWith("machines.");

export function LimitFields(props: { form: LimitForm; onChange: (f: LimitForm) => void; errors: Record<string, string>; types: string[]; cpusHint?: string | undefined }) {
  const { form, onChange, errors, types } = props;
  const setRow = (i: number, patch: Partial<LimitForm["machines"][number]>) => onChange({ ...form, machines: form.machines.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const problems = machineErrors(errors);
  const errId = `${useId()}-machines-err`;
  return (
    <>
      <div className="grid">
        <TextField label="Concurrent CPUs" name="cpus" type="number" value={form.cpus} onChange={(v) => onChange({ ...form, cpus: v })} error={errFor(errors, "cpus")} hint={props.cpusHint ?? "cores in use at once (machine cores x nodes); empty: no CPU limit"} />
      </div>
      <fieldset className={problems.length ? "has-error" : undefined} aria-describedby={problems.length ? errId : undefined}>
        <legend>Machine types (when listed, the others are unavailable)</legend>
        {form.machines.length === 0 ? <p className="hint">No machine type listed: every type is allowed.</p> : null}
        {form.machines.map((r, i) => {
          const n = i + 1;
          const options: Array<[string, string]> = [["", "(choose)"], ...types.map((t): [string, string] => [t, t])];
          if (r.type && !types.includes(r.type)) options.push([r.type, r.type]);
          return (
            <div key={i} className="grid machine-row" data-machine-row={n}>
              <SelectField label={`Machine type ${n}`} value={r.type} onChange={(v) => setRow(i, { type: v })} options={options} />
              <TextField label={`Jobs at once ${n}`} type="number" value={r.jobs} onChange={(v) => setRow(i, { jobs: v })} hint="empty: no job limit" />
              <TextField label={`Nodes per job ${n}`} type="number" value={r.nodes} onChange={(v) => setRow(i, { nodes: v })} hint="empty: no node limit" />
              <div className="field row-end">
                <button type="button" onClick={() => onChange({ ...form, machines: form.machines.filter((_, j) => j !== i) })}>
                  Remove<span className="sr-only"> machine type {n}</span>
                </button>
              </div>
            </div>
          );
        })}
        <button type="button" onClick={() => onChange({ ...form, machines: [...form.machines, { type: "", jobs: "", nodes: "" }] })}>
          Add a machine type
        </button>
        {problems.length ? (
          <div className="error" id={errId} role="alert">
            {problems.join("; ")}
          </div>
        ) : null}
      </fieldset>
    </>
  );
}

/** A table of limits; `actions` renders a row's buttons (nothing for a read-only table). */
export function LimitTable(props: { caption: string; limits: Limit[]; extra?: { header: string; cell: (l: Limit) => ReactNode }; actions?: (l: Limit) => ReactNode; empty: string }) {
  const { limits, extra, actions } = props;
  return (
    <div className="table-wrap">
      <table>
        <caption className="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Applies to</th>
            <th scope="col">Concurrent CPUs</th>
            <th scope="col">Machine types</th>
            {extra ? <th scope="col">{extra.header}</th> : null}
            {actions ? (
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {limits.length === 0 ? (
            <tr>
              <td colSpan={3 + (extra ? 1 : 0) + (actions ? 1 : 0)}>{props.empty}</td>
            </tr>
          ) : null}
          {limits.map((l) => (
            <tr key={l.id} data-limit={targetText(l)}>
              <td>{targetText(l)}</td>
              <td>{cpusText(l.cpus)}</td>
              <td>{machinesText(l.machines)}</td>
              {extra ? <td>{extra.cell(l)}</td> : null}
              {actions ? <td className="row-actions">{actions(l)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
