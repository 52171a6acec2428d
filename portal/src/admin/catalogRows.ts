// How Administration -> Zones / Clusters / Machines / Apps shows its rows (pure; catalogRows.test.ts).
//   naturalCompare("n4", "n16") < 0        names with numbers in numeric order (n4, n8, n16)
//   zoneLabel(row, zones)                  a zone id as its name ("west (1)"), from the answer's zoneName or the zone list
//   deletedOrWhy(e)                        a refused delete in words ("Cannot delete: zone west has clusters ...")
const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

export const naturalCompare = (a: string, b: string): number => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

export function sortNaturally<R>(rows: R[], name: (r: R) => string): R[] {
  return [...rows].sort((a, b) => naturalCompare(name(a), name(b)));
}

/** "west (1)", "Default (0)", "unzoned" for -1; the id alone when the name is not known. */
export function zoneLabel(id: unknown, name: unknown, zones: Array<{ id: number; name: string }> = []): string {
  if (typeof id !== "number") return "";
  if (id < 0) return "unzoned";
  const known = typeof name === "string" ? name : zones.find((z) => z.id === id)?.name;
  return known === undefined ? `zone ${id}` : `${known} (${id})`;
}

/** A refused delete in words: a 409 says what still uses it (without the API's leading "<field>: "). */
export function refusal(what: string, e: { status?: number; message: string; field?: string | undefined }): string {
  const why = e.field && e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message;
  if (e.status === 409) return `Cannot delete ${what}: ${why}`;
  if (e.status === 403) return `Not allowed to delete ${what}: ${why}`;
  return `Deleting ${what} failed: ${why}`;
}
