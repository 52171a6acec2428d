// A strict reader of the Prometheus text exposition format (0.0.4), for tests:
// every line is `# HELP name text`, `# TYPE name type`, another comment, or a
// sample `name{label="value",...} value [timestamp]`, and every sample belongs
// to a family declared by a TYPE line before it (histograms and summaries by
// their _bucket, _sum and _count series). Throws naming the first bad line.
export interface Family {
  help?: string;
  type?: string;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
// Prometheus reads values with Go's strconv.ParseFloat, where Inf and NaN are case-insensitive (prom-client writes "Nan").
const VALUE = "[-+]?(?:[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?|[Ii][Nn][Ff]|[Nn][Aa][Nn])";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*,?)?\\})? (${VALUE})(?: -?[0-9]+)?$`);
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => families.get(name) ?? families.set(name, { samples: [] }).get(name)!;
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (const [i, line] of lines.entries()) {
    const bad = (why: string) => new Error(`line ${i + 1} ${why}: ${JSON.stringify(line)}`);
    if (line.startsWith("#")) {
      const m = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line);
      if (!m) continue; // another comment
      const f = family(m[2]!);
      if (m[1] === "TYPE") {
        if (!TYPES.has(m[3]!)) throw bad("has an unknown type");
        if (f.type || f.samples.length > 0) throw bad("types a family twice or after its samples");
        f.type = m[3];
      } else f.help = m[3];
      continue;
    }
    if (line.trim() === "") continue;
    const m = SAMPLE.exec(line);
    if (!m) throw bad("is not `name{labels} value`");
    const name = m[1]!;
    const base = [name, name.replace(/_(bucket|sum|count)$/, "")].find((n) => families.get(n)?.type);
    if (!base) throw bad("is a sample of no TYPE'd family");
    const labels = Object.fromEntries([...(m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    const raw = m[3]!.replace(/^\+/, "");
    const value = /inf$/i.test(raw) ? (raw.startsWith("-") ? -Infinity : Infinity) : /nan$/i.test(raw) ? NaN : Number(raw);
    families.get(base)!.samples.push({ name, labels, value });
  }
  return families;
}
