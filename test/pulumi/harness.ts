/* eslint-disable @typescript-eslint/no-explicit-any -- mock inputs and parsed YAML are untyped by nature */
/**
 * Pulumi mocks for the program tests: records every resource, answers invokes in `call` (the program
 * makes none, so any invoke is recorded and fails the test), and returns plausible outputs for the
 * providers whose outputs the program reads. Secret outputs are returned in plain text, as a
 * provider without the engine would: the program itself must mark them secret.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { parse as parseYaml } from 'yaml';

export interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, any>;
  provider?: string;
}

export const resources: Recorded[] = [];
/**
 * Dependencies each resource was registered with, by resource name → names of the resources it
 * depends on (explicit dependsOn and input references alike), as the engine would receive them.
 * Pulumi's mocks do not pass them to `newResource`, so the mock monitor's registerResource is wrapped.
 */
export const dependencies = new Map<string, string[]>();

/** The name part of a URN (`urn:pulumi:stack::project::type$type::name`). */
const urnName = (urn: string): string => urn.slice(urn.lastIndexOf('::') + 2);

/**
 * Resource options each custom resource was registered with, by resource name: what the engine acts
 * on in a real `up`, `destroy` or replacement, and what mocks otherwise ignore. (Components are left
 * out: one may share its name with a custom resource, e.g. the dashboard AppService and its Secret.)
 */
export interface RecordedOptions {
  /** Provider plugin version the SDK asks the engine for ('' for components). */
  version: string;
  deleteBeforeReplace: boolean;
  /** Name of the resource whose deletion implies this one's (deletedWith), or ''. */
  deletedWith: string;
  customTimeouts?: { create: string; update: string; delete: string };
  replaceOnChanges: string[];
  ignoreChanges: string[];
}
export const options = new Map<string, RecordedOptions>();

interface RegisterRequest {
  getName(): string;
  getCustom(): boolean;
  getDependenciesList(): string[];
  getVersion(): string;
  getDeletebeforereplace(): boolean;
  getDeletedwith(): string;
  getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
  getReplaceonchangesList(): string[];
  getIgnorechangesList(): string[];
}

function recordRegistrations(): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, callback: unknown): unknown;
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    dependencies.set(req.getName(), req.getDependenciesList().map(urnName));
    const t = req.getCustomtimeouts();
    if (req.getCustom())
      options.set(req.getName(), {
        version: req.getVersion(),
        deleteBeforeReplace: req.getDeletebeforereplace(),
        deletedWith: req.getDeletedwith() ? urnName(req.getDeletedwith()) : '',
        ...(t
          ? { customTimeouts: { create: t.getCreate(), update: t.getUpdate(), delete: t.getDelete() } }
          : {}),
        replaceOnChanges: req.getReplaceonchangesList(),
        ignoreChanges: req.getIgnorechangesList(),
      });
    return original(req, callback);
  };
}

/** The options a resource was registered with; throws if it was not registered. */
export function optionsOf(name: string): RecordedOptions {
  const o = options.get(name);
  if (!o) throw new Error(`${name} was not registered`);
  return o;
}
export const invokes: string[] = [];
/** Every plain value a provider returned that must only ever travel as a secret. */
export const secretValues = new Set<string>();

const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';
const SIG_KEY = '4dabf18193072939515e22adb298388d';

function outputsFor(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
  const secret = (v: string): string => (secretValues.add(v), v);
  switch (type) {
    case 'random:index/randomPassword:RandomPassword':
      return { result: secret(`plain-password-${name}-${'x'.repeat(8)}`) };
    case 'random:index/randomBytes:RandomBytes': {
      const bytes = crypto.createHash('sha256').update(`seed-${name}`).digest();
      return { hex: secret(bytes.toString('hex')), base64: secret(bytes.toString('base64')) };
    }
    case 'tls:index/privateKey:PrivateKey':
      return {
        privateKeyPem: secret(`-----BEGIN PRIVATE KEY-----\nmock-${name}\n-----END PRIVATE KEY-----\n`),
        publicKeyPem: `pub-${name}`,
      };
    case 'tls:index/selfSignedCert:SelfSignedCert':
    case 'tls:index/locallySignedCert:LocallySignedCert':
      return { certPem: `-----BEGIN CERTIFICATE-----\nmock-${name}\n-----END CERTIFICATE-----\n` };
    case 'tls:index/certRequest:CertRequest':
      return { certRequestPem: `csr-${name}` };
    case 'command:local:Command':
      return {
        stdout: name.endsWith('-kubeconfig')
          ? secret(`apiVersion: v1\nkind: Config\n# mock kubeconfig ${name}\n`)
          : '',
        stderr: '',
      };
    case 'kubernetes:helm.sh/v3:Release':
      // Helm reports the chart's appVersion; a marker shows an output came from the release.
      return {
        status: {
          name: inputs.name,
          namespace: inputs.namespace,
          chart: inputs.chart,
          version: inputs.version,
          appVersion: `helm-app-version-of-${inputs.chart}-${inputs.version}`,
          status: 'deployed',
        },
      };
    case 'docker:index/image:Image': {
      const repo = String(inputs.imageName).replace(/:[^:/]+$/, '');
      return { repoDigest: `${repo}@sha256:${crypto.createHash('sha256').update(name).digest('hex')}` };
    }
    default:
      return {};
  }
}

export function setupMocks(stack = 'dev'): void {
  void pulumi.runtime.setMocks(
    {
      newResource(args) {
        resources.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
        return {
          id: `${args.name}-id`,
          state: { ...args.inputs, ...outputsFor(args.type, args.name, args.inputs) },
        };
      },
      call(args) {
        invokes.push(args.token);
        throw new Error(`unexpected invoke ${args.token}: the program must not call providers`);
      },
    },
    'cortex-iq',
    stack,
    true,
  );
  recordRegistrations();
}

/** The `config:` map of a stack file as the engine passes it (structured values as JSON). */
export function stackConfigMap(stack: string, patch: Record<string, unknown> = {}): Record<string, string> {
  const file = path.join(__dirname, '..', '..', `Pulumi.${stack}.yaml`);
  const entries = {
    ...(parseYaml(fs.readFileSync(file, 'utf8')) as { config: Record<string, unknown> }).config,
    ...patch,
  };
  return Object.fromEntries(
    Object.entries(entries).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
}

/** Waits until no resource has been registered for a few turns (bounded; call it from a hook whose timeout exceeds `maxMs`). */
export async function settle(maxMs = 100_000): Promise<void> {
  const start = Date.now();
  let last = -1;
  let quiet = 0;
  while (Date.now() - start < maxMs) {
    await new Promise((r) => setTimeout(r, 10));
    if (resources.length === last) {
      if (++quiet >= 5) return;
    } else {
      quiet = 0;
      last = resources.length;
    }
  }
  throw new Error(`resources still registering after ${maxMs} ms`);
}

export function value<T>(o: pulumi.Input<T> | undefined): Promise<T> {
  return new Promise((resolve) => pulumi.output(o as pulumi.Input<T>).apply((v) => resolve(v as T)));
}

export function isSecretOutput(o: pulumi.Input<unknown>): Promise<boolean> {
  return (pulumi.output(o) as unknown as { isSecret: Promise<boolean> }).isSecret;
}

export const isSecretWrapper = (v: unknown): v is { value: unknown } =>
  v !== null && typeof v === 'object' && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;

/** Replaces secret wrappers by their values (for schema validation). */
export function unwrap(v: unknown): any {
  if (isSecretWrapper(v)) return unwrap(v.value);
  if (Array.isArray(v)) return v.map(unwrap);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]));
  return v;
}

/** Paths at which a secret value appears outside a secret wrapper. */
export function plainSecrets(v: unknown, at = ''): string[] {
  if (isSecretWrapper(v)) return [];
  if (typeof v === 'string') return [...secretValues].some((s) => v.includes(s)) ? [at] : [];
  if (Array.isArray(v)) return v.flatMap((x, i) => plainSecrets(x, `${at}[${i}]`));
  if (v !== null && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => plainSecrets(x, `${at}.${k}`));
  return [];
}

export const ofType = (type: string): Recorded[] => resources.filter((r) => r.type === type);

/** Env of the first container of a recorded Deployment, as name → value | `secret:<name>/<key>`. */
export function envOf(r: Recorded): Record<string, string> {
  const env = unwrap(r.inputs.spec.template.spec.containers[0].env) as {
    name: string;
    value?: string;
    valueFrom?: any;
  }[];
  return Object.fromEntries(
    env.map((e) => [
      e.name,
      e.value ?? `secret:${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`,
    ]),
  );
}
