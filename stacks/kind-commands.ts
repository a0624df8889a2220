/**
 * The shell commands the kind target runs through @pulumi/command (components/kind-cluster.ts and
 * components/local-registry.ts). Pure strings, so tests run them against stand-in `kind` and
 * `docker` executables (test/stacks/kind-commands.test.ts).
 *
 * Adoption: a create finds an existing cluster or registry container (state lost, or a previous run
 * interrupted) and adopts it only when it carries the digest of the same settings; otherwise it
 * fails and says how to remove the object. It never deletes what the state does not own.
 */
import { createHash } from 'node:crypto';
import type { StackConfig } from './schema';

/** POSIX single-quoting, so names and digests reach the commands as one word each. */
export const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** sha256 hex of a settings text: the marker an adopted object must carry. */
export const settingsDigest = (text: string): string => createHash('sha256').update(text).digest('hex');

/** File in the control-plane container holding the digest of the kind config it was created from. */
export const KIND_MARKER = '/kind/cortexiq-config.sha256';
/** Docker label of the registry container holding the digest of its settings. */
export const REGISTRY_LABEL = 'cortexiq.io/registry-settings';
/** The registry image (Distribution v2) the local registry runs. */
export const REGISTRY_IMAGE = 'registry:2';

/** `kind create cluster` from the config on stdin, or adoption of a cluster created from the same config. */
export function kindCreateScript(cluster: string, kindConfig: string): string {
  const digest = settingsDigest(kindConfig);
  const node = shq(`${cluster}-control-plane`);
  return [
    'set -eu',
    `if kind get clusters 2>/dev/null | grep -qx ${shq(cluster)}; then`,
    `  if [ "$(docker inspect -f '{{.State.Running}}' ${node} 2>/dev/null)" != true ]; then`,
    `    echo ${shq(`kind cluster ${cluster} exists but its node ${cluster}-control-plane is not running; start it with: docker start ${cluster}-control-plane`)} >&2`,
    '    exit 1',
    '  fi',
    `  have=$(docker exec ${node} cat ${KIND_MARKER} 2>/dev/null || true)`,
    `  if [ "$have" = ${shq(digest)} ]; then echo ${shq(`adopting kind cluster ${cluster} (same config)`)}; exit 0; fi`,
    `  echo ${shq(`kind cluster ${cluster} already exists but was not created from this config; remove it with: kind delete cluster --name ${cluster}`)} >&2`,
    '  exit 1',
    'fi',
    `kind create cluster --name ${shq(cluster)} --config /dev/stdin --wait 180s`,
    `printf '%s' ${shq(digest)} | docker exec -i ${node} sh -c ${shq(`cat > ${KIND_MARKER}`)}`,
  ].join('\n');
}

/** Idempotent: kind deletes a cluster that does not exist without error. */
export const kindDeleteScript = (cluster: string): string => `kind delete cluster --name ${shq(cluster)}`;

/** The settings that make a registry container this stack's: image, name and host binding. */
export function registrySettings(c: StackConfig): string {
  return `${REGISTRY_IMAGE} ${c.registry.container} 127.0.0.1:${c.registry.hostPort}:5000`;
}

/** `docker run` of the registry, or adoption of a container labelled with the same settings. */
export function registryRunScript(c: StackConfig): string {
  const box = shq(c.registry.container);
  const digest = settingsDigest(registrySettings(c));
  return [
    'set -eu',
    `if docker inspect ${box} >/dev/null 2>&1; then`,
    `  have=$(docker inspect -f ${shq(`{{index .Config.Labels "${REGISTRY_LABEL}"}}`)} ${box})`,
    `  if [ "$have" = ${shq(digest)} ]; then docker start ${box} >/dev/null; echo ${shq(`adopting registry container ${c.registry.container} (same settings)`)}; exit 0; fi`,
    `  echo ${shq(`container ${c.registry.container} already exists but is not this stack's registry; remove it with: docker rm -f ${c.registry.container} (or set cortex-iq:registry.container)`)} >&2`,
    '  exit 1',
    'fi',
    `docker run -d --restart=always --name ${box} --label ${shq(`${REGISTRY_LABEL}=${digest}`)} -p 127.0.0.1:${c.registry.hostPort}:5000 ${REGISTRY_IMAGE}`,
  ].join('\n');
}

export const registryDeleteScript = (c: StackConfig): string => `docker rm -f ${shq(c.registry.container)}`;

/** Attaches the registry to the kind network under its alias (once; the delete detaches it). */
export function networkAttachScript(c: StackConfig): string {
  const box = shq(c.registry.container);
  return [
    'set -eu',
    `if docker network inspect kind -f '{{range .Containers}}{{.Name}} {{end}}' | tr ' ' '\\n' | grep -qx ${box}; then exit 0; fi`,
    `docker network connect --alias ${shq(c.registry.alias)} kind ${box}`,
  ].join('\n');
}

export const networkDetachScript = (c: StackConfig): string =>
  `docker network disconnect kind ${shq(c.registry.container)} || true`;

/** Writes the hosts.toml on stdin to `dir` on every node of the cluster. */
export function hostsTomlScript(cluster: string, dir: string): string {
  return [
    'set -eu',
    'toml=$(cat)',
    `for node in $(kind get nodes --name ${shq(cluster)}); do`,
    `  docker exec "$node" mkdir -p ${shq(dir)}`,
    `  printf '%s\\n' "$toml" | docker exec -i "$node" sh -c ${shq(`cat > ${dir}/hosts.toml`)}`,
    'done',
  ].join('\n');
}
