// Administration -> Jobs: every tenant's jobs for system administrators. Placeholder of the shell.
export function Jobs() {
  return (
    <section aria-labelledby="admin-jobs-title">
      <h1 id="admin-jobs-title">Jobs</h1>
      <p className="hint">Every tenant's jobs, with filters by status, user and payer, are coming here.</p>
    </section>
  );
}
