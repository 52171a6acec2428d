// The page shown for a view the caller's role may not use (a member opening /admin/users).
//   <NotAllowed view="Users" who="member of acme" onHome={() => go("/compute")} />
export function NotAllowed(p: { view: string; who: string; onHome: () => void }) {
  return (
    <section aria-labelledby="not-allowed-title">
      <h1 id="not-allowed-title">Not allowed</h1>
      <p data-testid="not-allowed">
        <strong>{p.view}</strong> is not available to your account ({p.who}). Ask a system administrator or your payer if you need it.
      </p>
      <p>
        <a
          href="/compute"
          onClick={(e) => {
            e.preventDefault();
            p.onHome();
          }}
        >
          Go to Compute
        </a>
      </p>
    </section>
  );
}
