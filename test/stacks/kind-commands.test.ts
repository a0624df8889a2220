/**
 * The kind and registry commands of stacks/kind-commands.ts, run by /bin/sh as @pulumi/command runs
 * them, against stand-in `kind` and `docker` executables that keep their state in a directory (issue
 * 13, defect 2: a create adopts an existing object only when it carries the same settings).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  kindCreateScript,
  loadStackFile,
  registryRunScript,
  renderKindConfig,
  settingsDigest,
  type StackConfig,
} from '../../stacks';

const dev = loadStackFile('dev', path.join(__dirname, '..', '..')).config;

// Stand-ins: every call is logged; clusters, markers and containers are files under $STATE.
const KIND = `#!/bin/sh
echo "kind $*" >> "$STATE/log"
case "$1 $2" in
  "get clusters") cat "$STATE/clusters" 2>/dev/null; exit 0 ;;
  "create cluster") cat > "$STATE/config-$4"; echo "$4" >> "$STATE/clusters"; exit 0 ;;
  "delete cluster") exit 0 ;;
esac
exit 2
`;
const DOCKER = `#!/bin/sh
echo "docker $*" >> "$STATE/log"
case "$1" in
  exec)
    if [ "$2" = "-i" ]; then cat > "$STATE/marker-$3"; exit 0; fi
    cat "$STATE/marker-$2" 2>/dev/null ;;
  inspect)
    if [ "$2" = "-f" ]; then
      case "$3" in
        *State.Running*) [ -e "$STATE/stopped-$4" ] && echo false || echo true ;;
        *) cat "$STATE/label-$4" 2>/dev/null ;;
      esac
      exit 0
    fi
    [ -e "$STATE/box-$2" ] ;;
  run)
    shift; name=""; label=""
    while [ $# -gt 0 ]; do
      case "$1" in --name) name="$2"; shift ;; --label) label="\${2#*=}"; shift ;; esac; shift
    done
    touch "$STATE/box-$name"; printf '%s' "$label" > "$STATE/label-$name" ;;
  start) exit 0 ;;
  *) exit 2 ;;
esac
`;

let bin: string;
let state: string;
beforeAll(() => {
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'kind-cmds-bin-'));
  fs.writeFileSync(path.join(bin, 'kind'), KIND, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'docker'), DOCKER, { mode: 0o755 });
});
beforeEach(() => {
  state = fs.mkdtempSync(path.join(os.tmpdir(), 'kind-cmds-state-'));
});
afterAll(() => fs.rmSync(bin, { recursive: true, force: true }));

function run(script: string, input = ''): { status: number | null; stderr: string; log: string[] } {
  const r = spawnSync('/bin/sh', ['-c', script], {
    input,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, STATE: state },
  });
  const logFile = path.join(state, 'log');
  const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim().split('\n') : [];
  return { status: r.status, stderr: r.stderr, log };
}

const hub = dev.clusters[0]!;
const hubConfig = renderKindConfig(dev, hub);

test('defect 2: a new cluster is created from the config on stdin and marked with its digest', () => {
  const r = run(kindCreateScript(hub.name, hubConfig), hubConfig);
  expect(r.status).toBe(0);
  expect(r.log.filter((l) => l.startsWith('kind create'))).toHaveLength(1);
  expect(fs.readFileSync(path.join(state, `config-${hub.name}`), 'utf8')).toBe(hubConfig);
  expect(fs.readFileSync(path.join(state, `marker-${hub.name}-control-plane`), 'utf8')).toBe(
    settingsDigest(hubConfig),
  );
});

test('defect 2: an existing cluster created from the same config is adopted, not created again', () => {
  expect(run(kindCreateScript(hub.name, hubConfig), hubConfig).status).toBe(0);
  const again = run(kindCreateScript(hub.name, hubConfig), hubConfig);
  expect(again.status).toBe(0);
  expect(again.log.filter((l) => l.startsWith('kind create'))).toHaveLength(1);
});

test('defect 2: an existing cluster from another config (or none known) is refused and left alone', () => {
  expect(run(kindCreateScript(hub.name, hubConfig), hubConfig).status).toBe(0);
  const changed = renderKindConfig({ ...dev, kind: { ...dev.kind, listenAddress: '0.0.0.0' } }, hub);
  const r = run(kindCreateScript(hub.name, changed), changed);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`kind cluster ${hub.name} already exists`);
  expect(r.stderr).toContain(`kind delete cluster --name ${hub.name}`);
  expect(r.log.filter((l) => l.startsWith('kind create') || l.startsWith('kind delete'))).toHaveLength(1);
});

test('defect 2: an existing cluster whose node is stopped is not mistaken for a foreign one', () => {
  expect(run(kindCreateScript(hub.name, hubConfig), hubConfig).status).toBe(0);
  fs.writeFileSync(path.join(state, `stopped-${hub.name}-control-plane`), '');
  const r = run(kindCreateScript(hub.name, hubConfig), hubConfig);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`start it with: docker start ${hub.name}-control-plane`);
  expect(r.log.filter((l) => l.startsWith('kind create'))).toHaveLength(1);
});

test('defect 2: the registry container is labelled with its settings, adopted when they match and refused otherwise', () => {
  const first = run(registryRunScript(dev));
  expect(first.status).toBe(0);
  expect(first.log.some((l) => l.startsWith('docker run -d --restart=always --name cortexiq-registry'))).toBe(
    true,
  );
  const again = run(registryRunScript(dev));
  expect(again.status).toBe(0);
  expect(again.log.filter((l) => l.startsWith('docker run'))).toHaveLength(1);

  const moved: StackConfig = { ...dev, registry: { ...dev.registry, hostPort: 5002 } };
  const refused = run(registryRunScript(moved));
  expect(refused.status).toBe(1);
  expect(refused.stderr).toContain(
    "container cortexiq-registry already exists but is not this stack's registry",
  );
  expect(refused.log.filter((l) => l.startsWith('docker run') || l.startsWith('docker rm'))).toHaveLength(1);
});
