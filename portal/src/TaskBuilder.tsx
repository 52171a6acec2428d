// Task Builder: app, command, parameters, machine type, nodes, vault; the
// OPTIONAL tab's IP Address Tag with live validation (the same rules and
// messages as the API, then the server's collision guard); the PREVIEW
// SUBMISSION; and the submission itself, as the logged-in user.
import { useEffect, useMemo, useState } from "react";
import type { AppDef } from "../../src/core/appdef";
import { checkTag, type TagCheck } from "../../src/core/ipaddr";
import { LABEL_VALUE_MAX } from "../../src/core/labels";
import { call, errorsOf, type Me } from "./api";
import { buildSubmission, defaultParameters, previewJson, type TaskForm } from "./submission";
import { CopyButton } from "./kit/CopyButton";
import { Check, Field, FormError, SelectField, TextField, errFor } from "./ui";

interface Machine {
  name: string;
  description: string;
  cores: number;
  gpus: number;
  memoryGb: number;
  zone: number;
  maxNodes: number;
}
interface VaultRow {
  name: string;
  kind: string;
  zone: number;
  default: boolean;
}
type Tab = "GENERAL" | "OPTIONAL" | "PREVIEW SUBMISSION";

export function TaskBuilder({ me, onSubmitted }: { me: Me; onSubmitted: (number: number) => void }) {
  const [apps, setApps] = useState<Array<{ id: string; appdef: AppDef }>>([]);
  const [machines, setMachines] = useState<Machine[]>([]);
  const [vaults, setVaults] = useState<VaultRow[]>([]);
  const [form, setForm] = useState<TaskForm>({ app: "", command: "", parameters: {}, machine: "", nodes: 1, vault: "", ipaddr: "" });
  const [tab, setTab] = useState<Tab>("GENERAL");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverTag, setServerTag] = useState<TagCheck | null>(null);
  const [submitted, setSubmitted] = useState<string>("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void (async () => {
      try {
        const [a, m, v] = await Promise.all([
          call<{ apps: Array<{ id: string; appdef: AppDef; public: boolean }> }>("GET", "/api/apps"),
          call<{ machines: Machine[] }>("GET", "/api/machines?usable=true"),
          call<{ vaults: VaultRow[] }>("GET", `/api/users/${encodeURIComponent(me.username)}/vaults`),
        ]);
        const list = a.apps.filter((x) => x.public);
        setApps(list);
        setMachines(m.machines);
        setVaults(v.vaults);
        const first = list[0];
        const cmd = first ? Object.keys(first.appdef.commands)[0] ?? "" : "";
        setForm((f) => ({ ...f, app: first?.id ?? "", command: cmd, parameters: defaultParameters(first?.appdef.commands[cmd]?.parameters), machine: m.machines[0]?.name ?? "", vault: "" }));
      } catch (e) {
        setErrors(errorsOf(e));
      }
    })();
  }, [me.username]);

  const app = apps.find((a) => a.id === form.app);
  const command = app?.appdef.commands[form.command];
  const defs = command?.parameters;
  const submission = useMemo(() => buildSubmission(form, defs), [form, defs]);

  // The tag: checked locally at every keystroke, then by the server for the collision guard.
  const localTag = form.ipaddr ? checkTag(me.username, form.ipaddr) : null;
  useEffect(() => {
    setServerTag(null);
    if (!form.ipaddr || !localTag?.ok) return;
    const tag = form.ipaddr;
    const t = setTimeout(() => {
      call<TagCheck>("POST", "/api/ipaddr/check", { tag })
        .then((r) => setServerTag(r))
        .catch(() => setServerTag(null));
    }, 250);
    return () => clearTimeout(t);
  }, [form.ipaddr, localTag?.ok]);
  const tagCheck = serverTag && serverTag.value === `${me.username}-${form.ipaddr}` ? serverTag : localTag;
  const tagError = form.ipaddr && tagCheck && !tagCheck.ok ? `ipaddr: ${tagCheck.problem}` : errors.ipaddr;
  const room = LABEL_VALUE_MAX - me.username.length - 1;
  const left = room - form.ipaddr.length;

  const set = (patch: Partial<TaskForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    setSubmitted("");
  };
  const chooseApp = (id: string) => {
    const a = apps.find((x) => x.id === id);
    const cmd = a ? Object.keys(a.appdef.commands)[0] ?? "" : "";
    set({ app: id, command: cmd, parameters: defaultParameters(a?.appdef.commands[cmd]?.parameters) });
  };
  const chooseCommand = (cmd: string) => set({ command: cmd, parameters: defaultParameters(app?.appdef.commands[cmd]?.parameters) });

  async function submit() {
    setErrors({});
    if (tagError) {
      setTab("OPTIONAL");
      setErrors({ ipaddr: tagError });
      return;
    }
    setBusy(true);
    try {
      const r = await call<{ name: string; number: number }>("POST", "/api/jobs", submission);
      setSubmitted(`Submitted ${r.name} (job ${r.number}).`);
      onSubmitted(r.number);
    } catch (e) {
      const errs = errorsOf(e);
      setErrors(errs);
      if (errs.ipaddr) setTab("OPTIONAL");
      else if (!errs._) setTab("GENERAL");
    } finally {
      setBusy(false);
    }
  }

  const machine = machines.find((m) => m.name === form.machine);
  return (
    <section aria-labelledby="tb-title">
      <h1 id="tb-title">Task Builder</h1>
      <div role="tablist" aria-label="Task Builder sections" className="tabs">
        {(["GENERAL", "OPTIONAL", "PREVIEW SUBMISSION"] as Tab[]).map((t) => (
          <button key={t} role="tab" type="button" id={`tab-${t}`} aria-selected={tab === t} aria-controls={`panel-${t}`} className={tab === t ? "active" : ""} onClick={() => setTab(t)}>
            {t}
            {t === "OPTIONAL" && tagError ? " (!)" : ""}
          </button>
        ))}
      </div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {tab === "GENERAL" && (
          <div role="tabpanel" id="panel-GENERAL" aria-labelledby="tab-GENERAL" className="grid">
            <SelectField label="App" value={form.app} onChange={chooseApp} options={apps.map((a) => [a.id, `${a.appdef.name} (${a.id})`])} error={errFor(errors, "app")} />
            <SelectField
              label="Command"
              value={form.command}
              onChange={chooseCommand}
              options={Object.entries(app?.appdef.commands ?? {}).map(([id, c]) => [id, c.name || id])}
              error={errFor(errors, "application.command")}
              hint={command?.description}
            />
            {Object.entries(defs ?? {})
              .filter(([, d]) => d.type !== "CONST")
              .map(([id, d]) => {
                const err = errFor(errors, `application.parameters.${id}`, `parameters.${id}`);
                const v = form.parameters[id];
                if (d.type === "BOOL") return <Check key={id} label={d.name} checked={v === true} onChange={(x) => set({ parameters: { ...form.parameters, [id]: x } })} />;
                if (d.type === "selection")
                  return <SelectField key={id} label={d.name} value={String(v ?? "")} onChange={(x) => set({ parameters: { ...form.parameters, [id]: x } })} options={(d.values ?? []).map((o) => [o, o])} error={err} hint={d.description} />;
                const numeric = d.type === "INT" || d.type === "FLOAT" || d.type === "RANGE";
                return (
                  <TextField
                    key={id}
                    label={`${d.name}${d.required ? " (required)" : ""}`}
                    type={numeric ? "number" : "text"}
                    value={String(v ?? "")}
                    onChange={(x) => set({ parameters: { ...form.parameters, [id]: x } })}
                    error={err}
                    hint={[d.description, d.min !== undefined ? `min ${d.min}` : "", d.max !== undefined ? `max ${d.max}` : ""].filter(Boolean).join("; ") || undefined}
                  />
                );
              })}
            <SelectField
              label="Machine type"
              value={form.machine}
              onChange={(x) => set({ machine: x })}
              options={machines.map((m) => [m.name, `${m.name}: ${m.cores} cores, ${m.gpus} GPUs, ${m.memoryGb} GB${m.description ? ` (${m.description})` : ""}`])}
              error={errFor(errors, "machine.type")}
              hint={machines.length === 0 ? "no machine type is in your zones" : machine ? `zone ${machine.zone}; up to ${machine.maxNodes} nodes` : undefined}
            />
            <TextField label="Nodes" type="number" value={String(form.nodes)} onChange={(x) => set({ nodes: Math.max(1, Math.floor(Number(x) || 1)) })} error={errFor(errors, "machine.nodes")} />
            <SelectField
              label="Vault"
              value={form.vault}
              onChange={(x) => set({ vault: x })}
              options={[["", "(default vault)"], ...vaults.map((v): [string, string] => [v.name, `${v.name} (${v.kind}${v.zone >= 0 ? `, zone ${v.zone}` : ", unzoned"})`])]}
              error={errFor(errors, "vault.name", "vault")}
            />
          </div>
        )}
        {tab === "OPTIONAL" && (
          <div role="tabpanel" id="panel-OPTIONAL" aria-labelledby="tab-OPTIONAL">
            <Field
              label="IP Address Tag"
              error={tagError}
              hint={
                <>
                  Label value <code>{`${me.username}-${form.ipaddr}`}</code>: <span data-testid="tag-left">{left}</span> of {room} characters left (63 in all, with the prefix).
                  {form.ipaddr && tagCheck?.ok ? " The tag is valid." : ""}
                </>
              }
            >
              {(id, d) => (
                <div className="prefixed">
                  <span className="prefix" aria-hidden="true">{`${me.username}-`}</span>
                  <input id={id} name="ipaddr" value={form.ipaddr} aria-invalid={tagError ? true : undefined} aria-describedby={d} onChange={(e) => set({ ipaddr: e.target.value })} />
                </div>
              )}
            </Field>
            <p className="hint">
              The prefix <code>{`${me.username}-`}</code> is always added. Services selecting <code>jarvice-job-ipaddr</code> reach every pod of the job, <code>jarvice-pod0-job-ipaddr</code> only pod 0.
            </p>
          </div>
        )}
        {tab === "PREVIEW SUBMISSION" && (
          <div role="tabpanel" id="panel-PREVIEW SUBMISSION" aria-labelledby="tab-PREVIEW SUBMISSION">
            <p>
              The same job through the JARVICE API: POST this to <code>/jarvice/submit</code> with your API key.
            </p>
            <pre data-testid="preview" tabIndex={0}>
              {previewJson(submission, me.username)}
            </pre>
            <CopyButton text={previewJson(submission, me.username)} />
          </div>
        )}
        <FormError errors={errors} known={["app", "application.command", "machine.type", "machine.nodes", "vault.name", "vault", "ipaddr", ...Object.keys(defs ?? {}).flatMap((id) => [`application.parameters.${id}`, `parameters.${id}`])]} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Submit
          </button>
          {submitted ? (
            <span role="status" className="ok">
              {" "}
              {submitted}
            </span>
          ) : null}
        </div>
      </form>
    </section>
  );
}
