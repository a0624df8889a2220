/**
 * `node:util` parseArgs for the commands: strict, and a bad option becomes a CliError that ends
 * with the command's usage, so every command reports it the same way.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './cli-error';

export function parseOptions<O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: O,
  usage: string,
) {
  try {
    return parseArgs({ args, options, strict: true }).values;
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${usage}`);
  }
}
