/**
 * Builds and removes the namespaces' network of one run (layout.ts), and removes what a crashed run
 * left behind. Removing a namespace first ends every process still in it (gateways, apps, relays):
 * `ip netns pids` finds them even when the run that started them is gone.
 */
import { ip, ipQuiet, listNamespaces, namespacePids } from './ip';
import { endsFrom, runPrefix, type NetnsCluster, type NetnsLayout, type NetnsLink } from './layout';

/** The host link's device inside each namespace. */
export const HOST_DEVICE = 'cq-host';

async function addCluster(c: NetnsCluster): Promise<void> {
  const ns = c.namespace;
  await ip('netns', 'add', ns);
  await ip('-n', ns, 'link', 'set', 'lo', 'up');
  await ip('-n', ns, 'addr', 'add', `${c.meshAddress}/32`, 'dev', 'lo');
  await ip('link', 'add', 'name', c.rootDevice, 'type', 'veth', 'peer', 'name', HOST_DEVICE, 'netns', ns);
  await ip('addr', 'add', `${c.rootAddress}/30`, 'dev', c.rootDevice);
  await ip('link', 'set', c.rootDevice, 'up');
  await ip('-n', ns, 'addr', 'add', `${c.hostAddress}/30`, 'dev', HOST_DEVICE);
  await ip('-n', ns, 'link', 'set', HOST_DEVICE, 'up');
}

const nsOf = (layout: NetnsLayout, cluster: string): NetnsCluster =>
  layout.clusters.find((c) => c.name === cluster)!;

/**
 * The route from one end's namespace to the far cluster's own address, over the link. The kernel
 * drops it when the link goes down, so healing puts it back.
 */
export async function routeOver(layout: NetnsLayout, link: NetnsLink, from: string): Promise<void> {
  const { near, far } = endsFrom(link, from);
  const me = nsOf(layout, from);
  await ip(
    '-n',
    me.namespace,
    'route',
    'replace',
    `${nsOf(layout, far.cluster).meshAddress}/32`,
    'via',
    far.address,
    'dev',
    near.device,
    'src',
    me.meshAddress,
  );
}

async function addLink(layout: NetnsLayout, link: NetnsLink): Promise<void> {
  const a = nsOf(layout, link.a.cluster);
  const b = nsOf(layout, link.b.cluster);
  await ip(
    ...['link', 'add', 'name', link.a.device, 'netns', a.namespace, 'type', 'veth'],
    ...['peer', 'name', link.b.device, 'netns', b.namespace],
  );
  for (const [end, c] of [
    [link.a, a],
    [link.b, b],
  ] as const) {
    await ip('-n', c.namespace, 'addr', 'add', `${end.address}/30`, 'dev', end.device);
    await ip('-n', c.namespace, 'link', 'set', end.device, 'up');
  }
  await routeOver(layout, link, link.a.cluster);
  await routeOver(layout, link, link.b.cluster);
}

/** Makes every namespace, host link and mesh link of `layout`; on failure removes what it made. */
export async function createNetwork(layout: NetnsLayout): Promise<void> {
  try {
    await Promise.all(layout.clusters.map(addCluster));
    for (const link of layout.links) await addLink(layout, link);
  } catch (err) {
    await removeRun(layout.runId);
    throw err;
  }
}

/** Ends every process in `ns` (SIGKILL: this is the last resort, after the launcher stopped them). */
async function killInside(ns: string): Promise<number> {
  const pids = await namespacePids(ns);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids.length;
}

export interface Removed {
  namespaces: string[];
  processes: number;
}

/**
 * Removes every namespace and root-side device of run `runId`, ending the processes still inside.
 * Deleting a namespace deletes its veths, and with them their peers in other namespaces.
 */
export async function removeRun(runId: number): Promise<Removed> {
  const prefix = runPrefix(runId);
  const namespaces = (await listNamespaces()).filter((n) => n.startsWith(prefix));
  let processes = 0;
  for (const ns of namespaces) processes += await killInside(ns);
  for (const ns of namespaces) await ipQuiet('netns', 'del', ns);
  const links = await ip('-o', 'link', 'show').catch(() => '');
  for (const m of links.matchAll(/^\d+:\s+([^:@\s]+)/gm)) {
    if (m[1]!.startsWith(`${prefix}h`)) await ipQuiet('link', 'del', m[1]!);
  }
  return { namespaces, processes };
}
