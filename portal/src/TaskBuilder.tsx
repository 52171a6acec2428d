// Task Builder (/builder/<appId>): command, parameters, machine type, nodes, vault; the OPTIONAL tab
// (IP Address Tag, job label, wall time, licenses, project); the PREVIEW SUBMISSION; and the
// submission, as the logged-in user. Before submitting it checks what it can from what it loaded
// (builderChecks.ts: the AppDef's machine patterns, min/max and scale_max, the machine's maximum
// nodes, the vault's zone against the machine's) and shows every problem at once beside its field;
// the server's answer stays authoritative and lands beside the same fields. The form is kept per app
// (builderStore.ts) while the user goes elsewhere; after Submit the Dashboard opens the job.
import { useEffect, useMemo, useState } from "react";
import { checkTag, type TagCheck } from "../../src/core/ipaddr";
import { LABEL_VALUE_MAX } from "../../src/core/labels";
import { call, type Me } from "./api";
import { shownApps, usableApps, type ListedApp } from "./appSearch";
import { defaultMachine, jobVault, runsOn, sortedMachines, taskProblems, zoneText, type MachineInfo, type VaultInfo } from "./builderChecks";
import { lastApp, loadBuilder, saveBuilder, sessionStore, type BuilderState, type BuilderTab } from "./builderStore";
import { errFor, failed, fieldErrors, hasErrors, idle, inWords, merge, succeeded, type Errors, type FormState } from "./errors";
import { CopyButton, FormStatus, link, Tabs, useApi, useApiMutation, useGo } from "./kit";
import { APIKEY_PLACEHOLDER, buildSubmission, defaultParameters, freshForm, previewJson, type TaskForm } from "./submission";
import { Check, Field, SelectField, TextField } from "./ui";

interface Machine extends MachineInfo {
  description: string;
  cores: number;
  gpus: number;
  memoryGb: number;
}
interface VaultRow extends VaultInfo {
  id: number;
}

/** The OPTIONAL tab's fields (API paths); every other field is on GENERAL. */
const OPTIONAL_FIELDS = ["ipaddr", "job_label", "application.walltime", "licenses", "job_project"];
const onOptional = (path: string) => OPTIONAL_FIELDS.some((f) => path === f || path.startsWith(`${f}.`));

export function TaskBuilder({ me, appId, onSubmitted }: { me: Me; appId: string | undefined; onSubmitted: (number: number) => void }) {
  const go = useGo();
  const store = useMemo(sessionStore, []);
  const apps = useApi<{ apps: ListedApp[] }>(["apps"], "/api/apps");
  const machinesQ = useApi<{ machines: Machine[] }>(["machines", "usable"], "/api/machines?usable=true");
  const vaultsQ = useApi<{ vaults: VaultRow[] }>(["vaults", me.username], `/api/users/${encodeURIComponent(me.username)}/vaults`);
  const zonesQ = useApi<{ zones: Array<{ id: number; name: string }> }>(["zones"], "/api/zones");

  const list = useMemo(() => shownApps(usableApps(apps.data?.apps ?? [], me), ""), [apps.data, me]);
  const remembered = lastApp(store, me.username);
  const wanted = appId ?? (remembered && (!apps.data || list.some((a) => a.id === remembered)) ? remembered : list[0]?.id);
  const app = list.find((a) => a.id === wanted);

  const [state, setState] = useState<BuilderState | undefined>();
  const [serverErrors, setServerErrors] = useState<Errors>({});
  const [status, setStatus] = useState<FormState>(idle);
  const [refused, setRefused] = useState(false);
  const [serverTag, setServerTag] = useState<TagCheck | null>(null);

  // This app's kept form (or a new one), once its AppDef is here; a command asked for in ?command= is chosen.
  useEffect(() => {
    if (!wanted || !app) return;
    const asked = new URLSearchParams(location.search).get("command");
    if (state?.form.app === wanted && !asked) return;
    let next: BuilderState = state && state.form.app === wanted ? state : (loadBuilder(store, me.username, wanted) ?? { form: freshForm(wanted, app.appdef.commands), tab: "GENERAL" as const });
    if (asked && Object.hasOwn(app.appdef.commands, asked)) {
      if (next.form.command !== asked) next = { ...next, form: { ...next.form, command: asked, parameters: defaultParameters(app.appdef.commands[asked]?.parameters) } };
      next = { ...next, tab: "GENERAL" };
    }
    if (asked) history.replaceState(null, "", `/builder/${encodeURIComponent(wanted)}`);
    setState(next);
    setServerErrors({});
    setStatus(idle);
    setRefused(false);
  }, [wanted, app, state, store, me.username]);

  const machines = useMemo(() => sortedMachines(machinesQ.data?.machines ?? []), [machinesQ.data]);
  const form = state && state.form.app === wanted ? state.form : undefined;
  // a new form gets the smallest machine type its command may run on
  useEffect(() => {
    if (form && !form.machine && machines.length > 0) setState((s) => s && { ...s, form: { ...s.form, machine: defaultMachine(machines, app?.appdef, s.form.command) } });
  }, [form, machines, app]);
  useEffect(() => {
    if (state) saveBuilder(store, me.username, state.form.app, state);
  }, [state, store, me.username]);

  // The tag: checked locally at every keystroke, then by the server for the collision guard.
  const ipaddr = form?.ipaddr ?? "";
  const localTag = ipaddr ? checkTag(me.username, ipaddr) : null;
  useEffect(() => {
    setServerTag(null);
    if (!ipaddr || !localTag?.ok) return;
    const t = setTimeout(() => {
      call<TagCheck>("POST", "/api/ipaddr/check", { tag: ipaddr })
        .then((r) => setServerTag(r))
        .catch(() => setServerTag(null));
    }, 250);
    return () => clearTimeout(t);
  }, [ipaddr, localTag?.ok]);
  const tagCheck = serverTag && serverTag.value === `${me.username}-${ipaddr}` ? serverTag : localTag;

  const command = form ? app?.appdef.commands[form.command] : undefined;
  const defs = command?.parameters;
  const labels = useMemo<Record<string, string>>(
    () => ({
      app: "App",
      "application.command": "Command",
      "machine.type": "Machine type",
      "machine.nodes": "Nodes",
      machine: "Machine type",
      "vault.name": "Vault",
      vault: "Vault",
      ipaddr: "IP Address Tag",
      job_label: "Job label",
      "application.walltime": "Wall time",
      licenses: "Licenses",
      job_project: "Project",
      ...Object.fromEntries(Object.entries(defs ?? {}).flatMap(([id, d]) => [[`application.parameters.${id}`, d.name || id], [`parameters.${id}`, d.name || id]])),
    }),
    [defs],
  );
  const zoneNames = useMemo(() => new Map((zonesQ.data?.zones ?? []).map((z) => [z.id, z.name])), [zonesQ.data]);
  const vaults = vaultsQ.data?.vaults ?? [];
  const machine = form ? machines.find((m) => m.name === form.machine) : undefined;
  const vault = form ? jobVault(vaults, form.vault) : undefined;
  const zoneOf = (x: { zone: number; zoneName?: string }) => zoneText(x.zone, zoneNames, x.zoneName);

  const clientErrors = useMemo<Errors>(() => {
    if (!form || !app) return {};
    const problems = taskProblems({
      appId: app.id,
      app: app.appdef,
      command: form.command,
      parameters: form.parameters,
      machineName: form.machine,
      machine,
      nodes: form.nodes,
      vaultName: form.vault,
      vault,
      zoneNames,
      walltime: form.walltime,
      texts: { job_label: form.jobLabel, job_project: form.project, licenses: form.licenses },
    })
      // what is not loaded yet (or failed to load) is not judged
      .filter((p) => (machinesQ.data || !p.field.startsWith("machine")) && (vaultsQ.data || !p.field.startsWith("vault")));
    const out: Errors = Object.fromEntries(problems.map((p) => [p.field, inWords(p.field, p.problem, labels)]));
    if (ipaddr && tagCheck && !tagCheck.ok) out.ipaddr = inWords("ipaddr", tagCheck.problem, labels);
    return out;
  }, [form, app, machine, vault, zoneNames, machinesQ.data, vaultsQ.data, labels, ipaddr, tagCheck]);
  const errors = merge(clientErrors, serverErrors);
  const optionalErrors = Object.keys(errors).filter(onOptional);
  const generalErrors = Object.keys(errors).filter((k) => k !== "_" && !onOptional(k));

  const submitJob = useApiMutation((body: unknown) => call<{ name: string; number: number }>("POST", "/api/jobs", body), [["jobs"]]);
  const apikey = useApi<{ username: string; apikey: string }>(["apikey", me.username], state?.tab === "PREVIEW SUBMISSION" ? "/api/me/apikey" : null);

  if (!wanted || !form || !app) {
    return (
      <section aria-labelledby="tb-title">
        <h1 id="tb-title">Task Builder</h1>
        {apps.error ? (
          <p className="error" role="alert">
            Could not load the app catalog: {apps.error}
          </p>
        ) : apps.loading || (wanted && !apps.data) ? (
          <p className="loading">Loading the app catalog…</p>
        ) : (
          <p role="status">
            {wanted ? `There is no app '${wanted}' in the catalog. ` : "The catalog has no app yet. "}
            <a href="/compute" onClick={link(go, "/compute")}>
              Choose an app on Compute
            </a>
            .
          </p>
        )}
      </section>
    );
  }

  const submission = buildSubmission(form, defs);
  const set = (patch: Partial<TaskForm>) => {
    setState((s) => s && { ...s, form: { ...s.form, ...patch } });
    setServerErrors({});
    setStatus(idle);
  };
  const setTab = (tab: BuilderTab) => setState((s) => s && { ...s, tab });
  const chooseApp = (id: string) => go(`/builder/${encodeURIComponent(id)}`);
  const chooseCommand = (cmd: string) => {
    const keep = form.machine && runsOn(app.appdef, cmd, form.machine);
    set({ command: cmd, parameters: defaultParameters(app.appdef.commands[cmd]?.parameters), ...(keep ? {} : { machine: defaultMachine(machines, app.appdef, cmd) }) });
  };

  async function submit() {
    if (hasErrors(clientErrors)) {
      // nothing is sent: every problem is shown, and the tab of the first one opens
      setRefused(true);
      setStatus(idle);
      setTab(Object.keys(clientErrors).some((k) => !onOptional(k)) ? "GENERAL" : "OPTIONAL");
      return;
    }
    setRefused(false);
    try {
      const r = await submitJob.mutateAsync(submission);
      setStatus(succeeded(`Submitted ${r.name} (job ${r.number}).`));
      onSubmitted(r.number);
      go(`/jobs?job=${r.number}`);
    } catch (e) {
      const errs = fieldErrors(e, labels);
      setServerErrors(errs);
      setStatus(failed(errs));
      if (Object.keys(errs).some((k) => k !== "_" && !onOptional(k))) setTab("GENERAL");
      else if (Object.keys(errs).some(onOptional)) setTab("OPTIONAL");
    }
  }

  const room = LABEL_VALUE_MAX - me.username.length - 1;
  const left = room - ipaddr.length;
  const maxNodes = machine ? Math.min(machine.maxNodes, app.appdef.scale_max ?? Infinity) : undefined;
  const defaultVault = jobVault(vaults, "");
  const shownStatus: FormState = (refused || hasErrors(serverErrors)) && hasErrors(errors) ? failed(errors) : status.message ? status : idle;

  const general = (
    <div className="grid">
      <SelectField label="App" value={app.id} onChange={chooseApp} options={list.map((a) => [a.id, `${a.appdef.name} (${a.id})${a.public ? "" : ", private"}`])} error={errFor(errors, "app")} />
      <SelectField
        label="Command"
        value={form.command}
        onChange={chooseCommand}
        options={Object.entries(app.appdef.commands).map(([id, c]) => [id, c.name || id])}
        error={errFor(errors, "application.command")}
        hint={command?.description}
      />
      {Object.entries(defs ?? {})
        .filter(([, d]) => d.type !== "CONST")
        .map(([id, d]) => {
          const err = errFor(errors, `application.parameters.${id}`, `parameters.${id}`);
          const v = form.parameters[id];
          const setParam = (x: string | boolean) => set({ parameters: { ...form.parameters, [id]: x } });
          if (d.type === "BOOL") return <Check key={id} label={d.name} checked={v === true} onChange={setParam} />;
          if (d.type === "selection") return <SelectField key={id} label={d.name} value={String(v ?? "")} onChange={setParam} options={(d.values ?? []).map((o) => [o, o])} error={err} hint={d.description} />;
          const numeric = d.type === "INT" || d.type === "FLOAT" || d.type === "RANGE";
          const range = d.min !== undefined && d.max !== undefined ? `from ${d.min} to ${d.max}` : d.min !== undefined ? `at least ${d.min}` : d.max !== undefined ? `at most ${d.max}` : "";
          return (
            <TextField
              key={id}
              label={`${d.name}${d.required ? " (required)" : ""}`}
              type={numeric ? "number" : "text"}
              value={String(v ?? "")}
              onChange={setParam}
              error={err}
              hint={[d.description, range].filter(Boolean).join("; ") || undefined}
            />
          );
        })}
      <SelectField
        label="Machine type"
        value={form.machine}
        onChange={(x) => set({ machine: x })}
        options={[
          ...(machine || !form.machine ? [] : [[form.machine, `${form.machine} (not offered)`] as [string, string]]),
          ...machines.map((m): [string, string] => [
            m.name,
            `${m.name}: ${m.cores} cores, ${m.gpus} GPUs, ${m.memoryGb} GB, ${zoneOf(m)}${m.description ? ` (${m.description})` : ""}${runsOn(app.appdef, form.command, m.name) ? "" : " (not for this app)"}`,
          ]),
        ]}
        error={errFor(errors, "machine.type") ?? (machinesQ.error && !machinesQ.data ? `Could not load the machine types: ${machinesQ.error}` : undefined)}
        hint={
          machinesQ.loading
            ? "Loading the machine types…"
            : machinesQ.data && machines.length === 0
              ? "No machine type is offered in your zones: ask your administrator."
              : machine
                ? `In zone ${zoneOf(machine)}; up to ${maxNodes} node${maxNodes === 1 ? "" : "s"}.`
                : undefined
        }
      />
      <TextField label="Nodes" type="number" value={form.nodes} onChange={(x) => set({ nodes: x })} error={errFor(errors, "machine.nodes")} hint={maxNodes !== undefined ? `1 to ${maxNodes}` : undefined} />
      <SelectField
        label="Vault"
        value={form.vault}
        onChange={(x) => set({ vault: x })}
        options={[
          ["", defaultVault ? `(default vault: ${defaultVault.name}, ${zoneOf(defaultVault)})` : "(default vault)"],
          ...vaults.map((v): [string, string] => [v.name, `${v.name} (${v.kind}, ${zoneOf(v)}${v.sharedBy ? `, shared by ${v.sharedBy}` : ""})`]),
          ...(form.vault && !vaults.some((v) => v.name === form.vault) ? [[form.vault, `${form.vault} (not found)`] as [string, string]] : []),
        ]}
        error={errFor(errors, "vault.name", "vault") ?? (vaultsQ.error && !vaultsQ.data ? `Could not load your vaults: ${vaultsQ.error}` : undefined)}
        hint={vault && machine && vault.zone >= 0 && vault.zone === machine.zone ? `In zone ${zoneOf(vault)}, as the machine type.` : vault && vault.zone < 0 ? "Unzoned: goes with any machine type." : undefined}
      />
    </div>
  );

  const optional = (
    <div className="grid">
      <Field
        label="IP Address Tag"
        error={errFor(errors, "ipaddr")}
        hint={
          <>
            Label value <code>{`${me.username}-${ipaddr}`}</code>: <span data-testid="tag-left">{left}</span> of {room} characters left (63 in all, with the prefix).
            {ipaddr && tagCheck?.ok ? " The tag is valid." : ""}
          </>
        }
      >
        {(id, d) => (
          <div className="prefixed">
            <span className="prefix" aria-hidden="true">{`${me.username}-`}</span>
            <input id={id} name="ipaddr" value={ipaddr} aria-invalid={errFor(errors, "ipaddr") ? true : undefined} aria-describedby={d} onChange={(e) => set({ ipaddr: e.target.value })} />
          </div>
        )}
      </Field>
      <p className="hint">
        The prefix <code>{`${me.username}-`}</code> is always added. Services selecting <code>jarvice-job-ipaddr</code> reach every pod of the job, <code>jarvice-pod0-job-ipaddr</code> only pod 0.
      </p>
      <TextField label="Job label" name="job_label" value={form.jobLabel} onChange={(x) => set({ jobLabel: x })} error={errFor(errors, "job_label")} hint="A name of your own for the job, shown on the Dashboard." />
      <TextField label="Wall time" name="walltime" value={form.walltime} onChange={(x) => set({ walltime: x })} error={errFor(errors, "application.walltime")} placeholder="HH:MM" hint="The longest the job may run, HH:MM or HH:MM:SS; empty for no limit." />
      <TextField label="Licenses" name="licenses" value={form.licenses} onChange={(x) => set({ licenses: x })} error={errFor(errors, "licenses")} hint="License features the job needs, as your site names them (e.g. solver:2)." />
      <TextField label="Project" name="job_project" value={form.project} onChange={(x) => set({ project: x })} error={errFor(errors, "job_project")} hint="The project the job is accounted to." />
    </div>
  );

  const key = apikey.data?.apikey;
  const preview = previewJson(submission, me.username, key);
  // shown once the key's answer is in, so what is shown is what Copy copies
  const previewPanel = apikey.loading ? (
    <p className="loading">Loading the preview…</p>
  ) : (
    <div>
      <p>
        The same job through the JARVICE API: POST this to <code>/jarvice/submit</code>.{" "}
        {key ? (
          <>It carries your API key: keep it to yourself (see or regenerate it on the </>
        ) : (
          <>
            Put your API key where it says <code>{APIKEY_PLACEHOLDER}</code>: you find it on the{" "}
          </>
        )}
        <a href="/account" onClick={link(go, "/account")}>
          Account page
        </a>
        {key ? ")." : "."}
      </p>
      <pre data-testid="preview" tabIndex={0} aria-label="Submission JSON">
        {preview}
      </pre>
      <CopyButton text={preview} />
    </div>
  );

  return (
    <section aria-labelledby="tb-title">
      <h1 id="tb-title">Task Builder</h1>
      <p className="hint">
        {app.appdef.name}
        {app.appdef.description ? `: ${app.appdef.description}` : ""}{" "}
        <a href="/compute" onClick={link(go, "/compute")}>
          Other apps on Compute
        </a>
      </p>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Tabs
          label="Task Builder sections"
          selected={state!.tab}
          onSelect={setTab}
          tabs={[
            { id: "GENERAL", title: `GENERAL${generalErrors.length ? " (!)" : ""}`, panel: general },
            { id: "OPTIONAL", title: `OPTIONAL${optionalErrors.length ? " (!)" : ""}`, panel: optional },
            { id: "PREVIEW SUBMISSION", title: "PREVIEW SUBMISSION", panel: previewPanel },
          ]}
        />
        {shownStatus.errors && hasErrors(shownStatus.errors) ? <p className="error">Not submitted: correct {Object.keys(shownStatus.errors).length === 1 ? "this problem" : `these ${Object.keys(shownStatus.errors).length} problems`} first.</p> : null}
        <FormStatus state={shownStatus} />
        <div className="actions">
          <button type="submit" className="primary" disabled={submitJob.isPending}>
            Submit
          </button>
        </div>
      </form>
    </section>
  );
}
