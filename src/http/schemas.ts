// The shared pieces of every route's input schema: strings without NUL (which
// PostgreSQL refuses in text and jsonb) and with a bounded length, integers
// within the database's 32-bit columns, booleans as JSON or as "true"/"false".
// Messages are the project's ("is required", "must be a string", ...), so a 400
// reads the same whether the schema or the domain refused the value.
import { z } from "zod";
import { parseZoneId } from "../core/vaults";

/** Largest value of the database's integer columns (ids, sizes, counts). */
export const INT_MAX = 2_147_483_647;

/** Longest strings: names and keys (Kubernetes-ish names, user names, e-mails), and free text. */
export const NAME_MAX = 255;
export const TEXT_MAX = 4096;
/** Secrets: passwords, API keys, session tokens. */
export const SECRET_MAX = 1024;

export const NO_NUL = "must not contain NUL characters";
const hasNul = (s: string) => s.includes("\u0000");

const typeError = (what: string) => (iss: { input?: unknown }) => (iss.input === undefined || iss.input === null ? "is required" : `must be ${what}`);

/** A string of at most `max` characters with no NUL; "" allowed. */
export const text = (max = TEXT_MAX) =>
  z
    .string({ error: typeError("a string") })
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !hasNul(s), NO_NUL);

/** A required, non-empty string (as the former requiredString: "" is "is required"). */
export const required = (max = NAME_MAX) =>
  z
    .string({ error: typeError("a string") })
    .min(1, "is required")
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !hasNul(s), NO_NUL);

/** An optional string: absent or null read as absent. */
export const optional = (max = NAME_MAX) => text(max).nullish().transform((v) => v ?? undefined);

/** An optional boolean: true/false or the strings "true"/"false"; absent or null read as absent. */
export const optionalBool = () =>
  z
    .union([z.boolean(), z.enum(["true", "false"])], { error: "must be true or false" })
    .nullish()
    .transform((v) => (v === undefined || v === null ? undefined : v === true || v === "true"));

/** A JSON integer within the database's range (any sign; the domain checks the rest). */
export const int = () =>
  z
    .number({ error: typeError("an integer") })
    .int("must be an integer")
    .min(-INT_MAX - 1, `must be an integer >= ${-INT_MAX - 1}`)
    .max(INT_MAX, `must be an integer <= ${INT_MAX}`);

/** An optional integer given as a JSON number or a decimal string ("" and null read as absent). */
export const optionalIntLike = () =>
  z
    .union([int(), z.string().regex(/^-?\d{1,10}$/, "must be an integer")], { error: "must be an integer" })
    .nullish()
    .transform((v, c) => {
      if (v === undefined || v === null) return undefined;
      const n = Number(v);
      if (n > INT_MAX || n < -INT_MAX - 1) {
        c.addIssue({ code: "custom", message: `must be an integer <= ${INT_MAX}` });
        return z.NEVER;
      }
      return n;
    });

/**
 * An optional zone id, as a JSON number (or a decimal string where the route took one): the core's rule and words (parseZoneId),
 * so a route's schema and the domain refuse the same values the same way. -1 (unzoned) only where allowed.
 */
export const optionalZoneId = (opts: { unzonedAllowed: boolean; decimalStrings: boolean }) =>
  (opts.decimalStrings ? z.union([z.number(), z.string()], { error: "must be an integer" }) : z.number({ error: typeError("an integer") }))
    .nullish()
    .transform((v, c) => {
      if (v === undefined || v === null || v === "") return undefined;
      const zone = parseZoneId(v, opts.unzonedAllowed);
      if (!zone.ok) {
        c.addIssue({ code: "custom", message: zone.problem });
        return z.NEVER;
      }
      return zone.value;
    });

/** The name of a zone, cluster or machine type (the catalog's rule and words). */
export const CATALOG_NAME_RULE = "must be 1-63 letters, digits, '-', '_' or '.', starting with a letter or digit";
export const catalogName = () =>
  z
    .string({ error: CATALOG_NAME_RULE })
    .regex(/^[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$/, CATALOG_NAME_RULE)
    .optional();

/** A JSON number (prices): finite, any sign; the domain checks the range. */
export const num = () => z.number({ error: typeError("a number") });

/** A path parameter naming a database row: a decimal id within the database's range. */
export const idParam = () =>
  z
    .string()
    .regex(/^\d{1,10}$/, "must be a positive integer id")
    .transform((s) => Number(s))
    .refine((n) => n <= INT_MAX, "must be a positive integer id");

/** A JSON object of string keys (its values checked by the domain). */
export const jsonObject = (what = "an object") =>
  z.record(z.string().max(NAME_MAX, `keys must be at most ${NAME_MAX} characters`), z.unknown(), { error: `must be ${what}` });

/** A route's JSON body: an object; an absent body reads as {}. */
export const body = <S extends z.core.$ZodLooseShape>(shape: S) => z.object(shape, { error: "must be a JSON object" }).prefault({} as never);

/** Query parameters (unknown ones are kept: other parameters are read by the domain). */
export const query = <S extends z.core.$ZodLooseShape>(shape: S) => z.looseObject(shape);

/** Path parameters. */
export const params = <S extends z.core.$ZodLooseShape>(shape: S) => z.object(shape);
