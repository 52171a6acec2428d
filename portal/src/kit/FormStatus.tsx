// A form's outcome line: the success message or every error no field shows, never both.
//   const [status, setStatus] = useState<FormState>(idle);
//   setStatus(succeeded("Added.")) / setStatus(failed(fieldErrors(e, LABELS)))
//   <TextField ... error={errFor(status.errors, "value")} />
//   <FormStatus state={status} shown={["payer", "key", "value"]} />
import { unshown, type FormState } from "../errors";

export function FormStatus({ state, shown = [] }: { state: FormState; shown?: string[] }) {
  const rest = unshown(state.errors, shown);
  return (
    <>
      {rest.length > 0 ? (
        <div className="error form-error" role="alert">
          {rest.length === 1 ? (
            rest[0]
          ) : (
            <ul>
              {rest.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
      {state.message ? (
        <p role="status" className="ok">
          {state.message}
        </p>
      ) : null}
    </>
  );
}
