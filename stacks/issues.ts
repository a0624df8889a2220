/**
 * Problems of a stack, each with its key path (`cortex-iq:clusters[1].role`), collected and reported
 * together so one `pulumi preview` lists everything that is wrong with a stack file.
 */
import type { z } from 'zod';
import { NAMESPACE } from './schema';

export interface StackIssue {
  /** Key path in the stack file, e.g. `cortex-iq:clusters[1].role`. */
  path: string;
  /** What is wrong and what was expected. */
  message: string;
}

export class StackConfigError extends Error {
  constructor(
    readonly issues: readonly StackIssue[],
    readonly source = 'stack config',
  ) {
    super(
      `invalid ${source} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n'),
    );
    this.name = 'StackConfigError';
  }
}

/** `['clusters', 1, 'role']` → `cortex-iq:clusters[1].role`. */
export function keyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return `${NAMESPACE}:${out}`;
}

const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

/** One zod issue → one or more stack issues with messages written for the person editing the file. */
export function fromZodIssue(issue: z.core.$ZodIssue): StackIssue[] {
  const path = [...issue.path];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => ({ path: keyPath([...path, k]), message: 'unknown key' }));
    case 'invalid_type':
      if (!('input' in issue) || issue.input === undefined) {
        return [{ path: keyPath(path), message: `missing required key (expected ${issue.expected})` }];
      }
      return [{ path: keyPath(path), message: `expected ${issue.expected}, got ${show(issue.input)}` }];
    case 'invalid_value': {
      const what = path[path.length - 1] === 'role' ? 'role' : 'value';
      return [
        {
          path: keyPath(path),
          message: `unknown ${what} ${show(issue.input)} (expected one of ${issue.values.map((v) => String(v)).join(', ')})`,
        },
      ];
    }
    default: {
      const got =
        'input' in issue && issue.input !== undefined && typeof issue.input !== 'object'
          ? ` (got ${show(issue.input)})`
          : '';
      return [{ path: keyPath(path), message: issue.message + got }];
    }
  }
}
