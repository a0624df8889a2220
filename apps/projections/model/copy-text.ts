/**
 * PostgreSQL's COPY text format (one line per row, fields separated by tabs, `\N` for NULL):
 * the cheapest way to hand the database many rows (docs/read-side.md, "Write path"). Pure.
 */

/** Characters that must be escaped inside a text field: backslash, tab, newline, carriage return. */
const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One field: null/undefined → `\N`, strings escaped, numbers as JavaScript prints them. */
export function copyField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'string') return SPECIAL.test(v) ? v.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : v;
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return String(v);
}

/** One row: its fields in column order, tab-separated, ended by a newline. */
export function copyLine(fields: ReadonlyArray<string | number | boolean | null | undefined>): string {
  let line = copyField(fields[0]);
  for (let i = 1; i < fields.length; i++) line += '\t' + copyField(fields[i]);
  return line + '\n';
}
