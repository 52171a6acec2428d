// One table for every screen's lists.
//   <Table caption="Payer metadata" rows={q.data?.metadata} loading={q.loading} error={q.error}
//     empty="No metadata rows." rowKey={(r) => r.id} rowAttrs={(r) => ({ "data-meta": `${r.payer}/${r.key}` })}
//     columns={[{ header: "Payer", cell: (r) => r.payer }, ...]}
//     actions={(r) => <button ...>Delete<span className="sr-only"> {r.key}</span></button>}
//     below={(r) => (confirming === r.id ? <Confirm .../> : null)} />
// - loading/error are told apart from empty: a failed load shows the error (role=alert), never the empty text;
//   rows already shown stay, under the error.
// - `below(row)` renders a full-width row right under the row (confirmations, inline editors), so they
//   appear next to what opened them.
// - It scrolls sideways inside itself on narrow windows; the actions column sticks to its right edge.
import { Fragment, useId, type ReactNode } from "react";

export interface Column<R> {
  header: ReactNode;
  cell: (row: R) => ReactNode;
  /** header for screen readers only */
  hidden?: boolean;
  className?: string;
}

export interface TableProps<R> {
  caption: string;
  /** show the caption (default: for screen readers only) */
  showCaption?: boolean;
  columns: Array<Column<R>>;
  rows: R[] | undefined;
  rowKey: (row: R) => string | number;
  rowAttrs?: (row: R) => Record<string, string | number | undefined>;
  empty: ReactNode;
  loading?: boolean;
  error?: string | undefined;
  actions?: (row: R) => ReactNode;
  actionsHeader?: string;
  below?: (row: R) => ReactNode;
}

export function Table<R>(p: TableProps<R>) {
  const captionId = useId();
  const width = p.columns.length + (p.actions ? 1 : 0);
  const rows = p.rows ?? [];
  const note = (text: ReactNode, role?: "alert" | "status") => (
    <tr className="table-note">
      <td colSpan={width} role={role}>
        {text}
      </td>
    </tr>
  );
  return (
    <div className="table-wrap" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table>
        <caption id={captionId} className={p.showCaption ? undefined : "sr-only"}>
          {p.caption}
        </caption>
        <thead>
          <tr>
            {p.columns.map((c, i) => (
              <th scope="col" key={i} className={c.className}>
                {c.hidden ? <span className="sr-only">{c.header}</span> : c.header}
              </th>
            ))}
            {p.actions ? (
              <th scope="col" className="row-actions">
                <span className="sr-only">{p.actionsHeader ?? "Actions"}</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {p.error ? note(<span className="error">Could not load: {p.error}</span>, "alert") : null}
          {!p.error && p.loading && rows.length === 0 ? note("Loading…", "status") : null}
          {!p.error && !p.loading && p.rows !== undefined && rows.length === 0 ? note(p.empty) : null}
          {rows.map((r) => {
            const extra = p.below?.(r);
            return (
              <Fragment key={p.rowKey(r)}>
                <tr {...(p.rowAttrs?.(r) ?? {})}>
                  {p.columns.map((c, i) => (
                    <td key={i} className={c.className}>
                      {c.cell(r)}
                    </td>
                  ))}
                  {p.actions ? <td className="row-actions">{p.actions(r)}</td> : null}
                </tr>
                {extra ? (
                  <tr className="row-below">
                    <td colSpan={width}>{extra}</td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
