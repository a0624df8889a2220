/**
 * `cortexiq app <name>`: runs one of the six apps in this process, configured by the environment
 * (docs/configuration.md). Configuration and data-file errors are reported as one message naming the
 * variable, file, entry and field.
 */
import { CliError } from '../cli-error';
import { ConfigError } from '../../apps/shared/env';
import { DataFileError } from '../../apps/shared/data-file';
import { DatabaseConfigError } from '../../apps/shared/db/url';

interface AppEntry {
  summary: string;
  /** Loads the app's process entry; undefined while the app is not built yet. */
  load?: () => { main(env?: Record<string, string | undefined>): Promise<void> };
}

export const APPS: Record<string, AppEntry> = {
  simulation: {
    summary:
      'the world: clock ticks with weather and day-ahead prices, pause/resume/reset/set_speed/status (hub)',
    load: () => require('../../apps/simulation/main'),
  },
  homes: {
    summary:
      'every home of REGION from HOMES_SOURCES: energy, trades, monthly bills, contract switching (edge)',
    load: () => require('../../apps/homes/main'),
  },
  utilities: {
    summary: 'PROVIDERS_COUNT providers of REGION: offers, hourly dynamic prices, accept_offer (edge)',
    load: () => require('../../apps/utilities/main'),
  },
  projections: {
    summary: 'read models in PostgreSQL (DATABASE_URL, else embedded) and published aggregates (hub)',
    load: () => require('../../apps/projections/main'),
  },
  queries: {
    summary: 'the energy.queries.* RPCs over the read models (DATABASE_URL, else embedded) (hub)',
    load: () => require('../../apps/queries/main'),
  },
  dashboard: {
    summary: 'the web dashboard on PORT (4000): live overview, homes, providers, mesh, controls (hub)',
    load: () => require('../../apps/dashboard/main'),
  },
};

export function appUsage(): string {
  const lines = Object.entries(APPS).map(
    ([name, e]) => `  ${name.padEnd(12)} ${e.summary}${e.load ? '' : ' [not built yet]'}`,
  );
  return ['usage: cortexiq app <name>', '', 'apps:', ...lines].join('\n');
}

export async function run(args: string[]): Promise<void> {
  const [name, ...rest] = args;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(appUsage() + '\n');
    if (!name) process.exitCode = 2;
    return;
  }
  if (rest.length > 0)
    throw new CliError(
      `app ${name} takes no arguments (configure it by environment), got: ${rest.join(' ')}`,
    );
  const entry = APPS[name];
  if (!entry) throw new CliError(`unknown app '${name}'; expected one of: ${Object.keys(APPS).join(', ')}`);
  if (!entry.load) throw new CliError(`app '${name}' is not built yet in this checkout`, 1);
  try {
    await entry.load().main(process.env);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DataFileError || err instanceof DatabaseConfigError)
      throw new CliError(err.message, 2);
    throw err;
  }
}
