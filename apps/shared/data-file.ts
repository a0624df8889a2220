/**
 * Reading the apps' JSON data files (homes, providers): a source is a path or a name in the app's
 * bundled `data/` folder; a malformed file is an error naming the file, the entry index and the field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { z } from 'zod';

export class DataFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataFileError';
  }
}

/** An existing path as given, otherwise a name (with or without `.json`) in `dataDir`. */
export function resolveSource(source: string, dataDir: string): string {
  if (isAbsolute(source) || source.includes('/') || existsSync(source)) return resolve(source);
  return join(dataDir, source.endsWith('.json') ? source : `${source}.json`);
}

export function describeEntry(
  kind: string,
  file: string,
  index: number | null,
  path: PropertyKey[],
  message: string,
) {
  const where = index === null ? '' : `, entry ${index}`;
  const field = path.length ? `, field ${path.map(String).join('.')}` : '';
  return `${kind} file ${file}${where}${field}: ${message}`;
}

/** Parses a JSON array whose every entry must match `schema`. */
export function parseJsonArray<S extends z.ZodType>(
  kind: string,
  file: string,
  text: string,
  schema: S,
): z.output<S>[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new DataFileError(
      describeEntry(kind, file, null, [], `not valid JSON (${(err as Error).message})`),
    );
  }
  if (!Array.isArray(data))
    throw new DataFileError(describeEntry(kind, file, null, [], `expected a JSON array`));
  return data.map((entry, index) => {
    const parsed = schema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DataFileError(describeEntry(kind, file, index, issue.path, issue.message));
    }
    return parsed.data;
  });
}

/** Reads and parses every source, in order; `variable` names the setting in messages. */
export function readJsonArrays<S extends z.ZodType>(
  kind: string,
  variable: string,
  sources: string[],
  dataDir: string,
  schema: S,
): { file: string; entries: z.output<S>[] }[] {
  if (sources.length === 0) throw new DataFileError(`${variable}: no ${kind} file given`);
  return sources.map((source) => {
    const file = resolveSource(source, dataDir);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new DataFileError(
        `${kind} file ${file} (from ${variable} '${source}'): ${(err as Error).message}`,
      );
    }
    return { file, entries: parseJsonArray(kind, file, text, schema) };
  });
}
