/**
 * Checks made before `cortexiq up` starts anything (docs/local-run.md): every homes and utilities
 * process can read and validate its data files with the env the plan gives it, and the embedded
 * PostgreSQL's folder is one its server user can reach. A missing or broken
 * file is then one clear message naming the file and the process, not an app that dies after the
 * gateways and the database came up.
 */
import { homesConfigFromEnv } from '../../apps/homes/config';
import { embeddedDirProblem } from '../../apps/shared/db/embedded-access';
import { loadHomes } from '../../apps/homes/homes-file';
import { loadNetworkTariffs } from '../../apps/homes/network-tariffs';
import { loadProviders } from '../../apps/utilities/catalogue';
import { utilitiesConfigFromEnv } from '../../apps/utilities/config';
import { LaunchError, type LocalPlan } from '../../launcher';

export function checkDataFiles(plan: LocalPlan): void {
  const problems: string[] = [];
  for (const p of plan.processes) {
    try {
      if (p.app === 'homes') {
        const c = homesConfigFromEnv(p.env);
        loadHomes(c.sources, c.region);
        loadNetworkTariffs(c.tariffsSource);
      } else if (p.kind === 'database' && p.env.EMBEDDED_PG_DIR) {
        const problem = embeddedDirProblem(p.env.EMBEDDED_PG_DIR);
        if (problem) throw new Error(problem);
      } else if (p.app === 'utilities') {
        const c = utilitiesConfigFromEnv(p.env);
        loadProviders(c.sources, c.region, c.count);
      }
    } catch (err) {
      problems.push(`${p.name}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new LaunchError(`${problems.join('\n')}\nnothing was started`);
}
