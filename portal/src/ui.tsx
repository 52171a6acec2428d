// Small form pieces: every field has a label and its error right beside it.
//   <TextField label="Value" value={v} onChange={setV} error={errFor(status.errors, "value")} />
// Shared components (Table, Confirm, Tabs, CopyButton, DetailsPanel, ...) are in ./kit; errors in words in ./errors.
import { useId, type ReactNode } from "react";
import { Confirm as KitConfirm } from "./kit/Confirm";

export function Field(props: { label: string; error?: string | undefined; hint?: ReactNode; children: (id: string, describedBy: string | undefined) => ReactNode }) {
  const id = useId();
  const errId = `${id}-err`;
  const hintId = `${id}-hint`;
  const describedBy = [props.error ? errId : "", props.hint ? hintId : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field${props.error ? " has-error" : ""}`}>
      <label htmlFor={id}>{props.label}</label>
      {props.children(id, describedBy)}
      {props.hint ? (
        <div className="hint" id={hintId}>
          {props.hint}
        </div>
      ) : null}
      {props.error ? (
        <div className="error" id={errId} role="alert">
          {props.error}
        </div>
      ) : null}
    </div>
  );
}

export function TextField(props: { label: string; value: string; onChange: (v: string) => void; error?: string | undefined; type?: string; hint?: ReactNode; name?: string; placeholder?: string; autoComplete?: string }) {
  return (
    <Field label={props.label} error={props.error} hint={props.hint}>
      {(id, d) => (
        <input
          id={id}
          name={props.name}
          type={props.type ?? "text"}
          value={props.value}
          placeholder={props.placeholder}
          autoComplete={props.autoComplete}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={d}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

export function SelectField(props: { label: string; value: string; onChange: (v: string) => void; options: Array<[string, string]>; error?: string | undefined; hint?: ReactNode }) {
  return (
    <Field label={props.label} error={props.error} hint={props.hint}>
      {(id, d) => (
        <select id={id} value={props.value} aria-invalid={props.error ? true : undefined} aria-describedby={d} onChange={(e) => props.onChange(e.target.value)}>
          {props.options.map(([v, text]) => (
            <option key={v} value={v}>
              {text}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function Check(props: { label: string; checked: boolean; onChange: (v: boolean) => void }) {
  const id = useId();
  return (
    <div className="field check">
      <input id={id} type="checkbox" checked={props.checked} onChange={(e) => props.onChange(e.target.checked)} />
      <label htmlFor={id}>{props.label}</label>
    </div>
  );
}

/** Errors that no field of the form shows (or all, without `known`). */
export function FormError({ errors, known }: { errors: Record<string, string>; known?: string[] }) {
  const shown = Object.entries(errors)
    .filter(([f]) => f === "_" || (known !== undefined && !known.includes(f)))
    .map(([, m]) => m)
    .join("; ");
  return shown ? (
    <div className="error form-error" role="alert">
      {shown}
    </div>
  ) : null;
}

/** The old confirmation's signature, for screens not yet on kit/Confirm (focus on Cancel, Escape cancels). */
export function Confirm(props: { text: string; yes: string; onYes: () => void; onNo: () => void }) {
  return <KitConfirm question={props.text} confirmLabel={props.yes} onConfirm={props.onYes} onCancel={props.onNo} label="Confirmation" />;
}

/** The API's error for `field`, also when it names a sub-field (vaultOverrides.vaultSize). */
export const errFor = (errors: Record<string, string>, ...fields: string[]) => fields.map((f) => errors[f]).find(Boolean);
