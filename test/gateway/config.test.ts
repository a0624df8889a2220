/**
 * Gateway configuration from the environment (docs/configuration.md, gateway; issue 2 "CLI"): a bad or
 * missing setting stops the gateway at start with every problem listed, each naming its variable and what was
 * expected; `cortexiq gateway` prints them and exits 2. A good environment starts it.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadGatewayConfig } from '../../gateway';
import { quicCongestionControl } from '../../gateway/transport/select';

jest.setTimeout(40_000);

const ROOT = join(__dirname, '..', '..');
const PEM_CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/** Five independent mistakes; one start must report all of them. */
const BAD_ENV: NodeJS.ProcessEnv = {
  MACULA_GATEWAY_PORT: '70000',
  MESH_PEERS: 'tls://gw-a:9443,http://gw-b:9443',
  GATEWAY_ID: '-bad id!',
  MESH_SECRET: 'short',
  MACULA_TLS_CERT: PEM_CERT,
};

const EXPECTED_PROBLEMS: RegExp[] = [
  /^MACULA_GATEWAY_PORT: expected an integer from 0 to 65535/,
  /^MESH_PEERS: 'http:\/\/gw-b:9443' has scheme 'http:' \(expected https: for QUIC or tls: for TLS\)/,
  /^GATEWAY_ID: expected 1-63 characters/,
  /^MESH_SECRET: expected at least 16 characters/,
  /MACULA_TLS_CERT and MACULA_TLS_KEY: expected both or neither/,
];

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadGatewayConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadGatewayConfig', () => {
  it('lists every problem of a bad environment, each naming its variable', () => {
    const err = configError(BAD_ENV);
    for (const re of EXPECTED_PROBLEMS)
      expect(err.problems).toEqual(expect.arrayContaining([expect.stringMatching(re)]));
    expect(err.problems).toHaveLength(EXPECTED_PROBLEMS.length);
    for (const name of ['MACULA_GATEWAY_PORT', 'MESH_PEERS', 'GATEWAY_ID', 'MESH_SECRET', 'MACULA_TLS_KEY'])
      expect(err.message).toContain(name);
  });

  it.each<[string, NodeJS.ProcessEnv, RegExp]>([
    [
      'a port that is not a number',
      { ADMIN_PORT: 'eighty' },
      /^ADMIN_PORT: expected an integer from 0 to 65535/,
    ],
    [
      'a data folder that is a file',
      { GATEWAY_DATA_DIR: __filename },
      /^GATEWAY_DATA_DIR: '.*' is not a folder/,
    ],
    [
      'a data folder under a file',
      { GATEWAY_DATA_DIR: `${__filename}/data` },
      /^GATEWAY_DATA_DIR: '.*' cannot be made: '.*' is not a folder/,
    ],
    [
      'a data bound too small',
      { GATEWAY_DATA_MAX_BYTES: '1000' },
      /^GATEWAY_DATA_MAX_BYTES: expected an integer from 65536/,
    ],
    [
      'a group commit interval of 0',
      { GATEWAY_DATA_SYNC_MS: '0' },
      /^GATEWAY_DATA_SYNC_MS: expected an integer from 1 to 1000/,
    ],
    [
      'an unknown transport',
      { MACULA_TRANSPORTS: 'quic,udp' },
      /^MACULA_TRANSPORTS: unknown transport 'udp'/,
    ],
    ['a hub URL that is not a URL', { HUB_GATEWAY_URL: 'gw-hub:9443' }, /^HUB_GATEWAY_URL: /],
    [
      'an unknown QUIC stack',
      { MACULA_QUIC_STACK: 'quiche' },
      /MACULA_QUIC_STACK: expected ngtcp2, quinn or auto, got "quiche"/,
    ],
    [
      'an unknown QUIC congestion controller',
      { MACULA_QUIC_CC: 'vegas' },
      /MACULA_QUIC_CC: expected cubic, bbr, bbr2, got "vegas"/,
    ],
    [
      'a key without its certificate',
      { MACULA_TLS_KEY: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n' },
      /MACULA_TLS_CERT and MACULA_TLS_KEY: expected both or neither/,
    ],
    [
      'a CA file that does not exist',
      { MACULA_TLS_CA: '/nonexistent/ca.pem' },
      /^MACULA_TLS_CA: expected PEM text or the path of a PEM file/,
    ],
    [
      'a QUIC key of the wrong length',
      { MACULA_QUIC_KEY: 'abcd' },
      /^MACULA_QUIC_KEY: expected 64 hex characters/,
    ],
    [
      'a flag that is not a flag',
      { MACULA_TLS_INSECURE: 'maybe' },
      /^MACULA_TLS_INSECURE: expected 1\/0, true\/false or yes\/no/,
    ],
    ['an unknown log level', { LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
    ['a durable count of zero', { DURABLE_MAX_COUNT: '0' }, /^DURABLE_MAX_COUNT: expected an integer from 1/],
    [
      'a negative durable expiry',
      { DURABLE_EXPIRE_S: '-1' },
      /^DURABLE_EXPIRE_S: expected an integer from 0/,
    ],
    [
      'a durable total that is not a number',
      { DURABLE_TOTAL_MAX_BYTES: '1GB' },
      /^DURABLE_TOTAL_MAX_BYTES: expected an integer/,
    ],
    ['a bad realm name', { MACULA_REALM: 'Not A Realm' }, /^MACULA_REALM: expected a dotted realm name/],
  ])('names the variable for %s', (_what, env, re) => {
    expect(configError(env).problems).toEqual([expect.stringMatching(re)]);
  });

  it('parses a good environment', () => {
    const c = loadGatewayConfig({
      GATEWAY_ID: 'gw-hub',
      MACULA_REALM: 'be.cortexiq.energy',
      MACULA_GATEWAY_PORT: '9443',
      MESH_PEERS: 'https://gw-a:9443, tls://gw-b:9444',
      HUB_GATEWAY_URL: 'tls://hub:30443',
      ADMIN_PORT: '8081',
      MESH_SECRET: 'a-long-enough-mesh-secret',
      MESH_REPLAY_S: '12',
    });
    expect(c.gatewayId).toBe('gw-hub');
    expect(c.port).toBe(9443);
    expect(c.adminPort).toBe(8081);
    expect(c.meshPeers.map((p) => [p.transport, p.host, p.port])).toEqual([
      ['quic', 'gw-a', 9443],
      ['tls', 'gw-b', 9444],
    ]);
    expect(c.hubUrl).toEqual(expect.objectContaining({ transport: 'tls', host: 'hub', port: 30443 }));
    expect(c.meshReplayMs).toBe(12_000);
    // The order wait defaults to 10 s and never outlasts the replay window.
    expect(c.meshOrderWaitMs).toBe(10_000);
    const short = {
      GATEWAY_ID: 'g',
      MACULA_REALM: 'be.cortexiq.energy',
      MESH_SECRET: 'a-long-enough-mesh-secret',
    };
    expect(loadGatewayConfig({ ...short, MESH_REPLAY_S: '4' }).meshOrderWaitMs).toBe(4_000);
    expect(loadGatewayConfig({ ...short, MESH_ORDER_WAIT_S: '3' }).meshOrderWaitMs).toBe(3_000);
    expect(c.transports).toEqual(['quic', 'tls']);
  });
});

/** Run `node bin/cortexiq.js gateway` with only `env` (plus PATH/HOME); bounded by `timeoutMs`. */
function runCli(
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  onStdout?: (text: string, kill: () => void) => void,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'cortexiq.js'), 'gateway'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const kill = (): void => void child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout, kill);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('cortexiq gateway (CLI)', () => {
  it('exits 2 with every problem, each naming its variable, on stderr', async () => {
    const { code, signal, stderr } = await runCli(BAD_ENV, 30_000);
    expect(signal).toBeNull();
    expect(code).toBe(2);
    expect(stderr).toContain('cortexiq gateway: invalid gateway configuration');
    const lines = stderr.split('\n').map((l) => l.replace(/^\s*-\s*/, ''));
    for (const re of EXPECTED_PROBLEMS)
      expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(re)]));
    expect(stderr).not.toMatch(/\n\s+at /); // a message for a person, not a stack trace
  });

  it('starts with a good environment, prints where it listens, and stops cleanly on SIGTERM', async () => {
    const { code, signal, stdout, stderr } = await runCli(
      {
        GATEWAY_ID: 'gw-cli',
        MACULA_GATEWAY_HOST: '127.0.0.1',
        MACULA_GATEWAY_PORT: '0',
        ADMIN_HOST: '127.0.0.1',
        ADMIN_PORT: '0',
        MACULA_TRANSPORTS: 'tls',
        LOG_LEVEL: 'silent',
      },
      30_000,
      (text, kill) => {
        // At the very instant of the line: the signal handlers must already be installed by then.
        if (text.includes('ready')) kill();
      },
    );
    expect(stdout).toMatch(/gateway gw-cli ready: tls:\/\/127\.0\.0\.1:\d+ admin http:\/\/127\.0\.0\.1:\d+/);
    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
  });
});

describe('mesh authentication is required to link', () => {
  it('refuses to start with MESH_PEERS but neither MESH_SECRET nor MESH_PEER_IDS', () => {
    expect(() => loadGatewayConfig({ GATEWAY_ID: 'g', MESH_PEERS: 'https://127.0.0.1:9443' })).toThrow(
      /MESH_SECRET or MESH_PEER_IDS: expected one of them when MESH_PEERS or HUB_GATEWAY_URL is set/,
    );
    expect(() =>
      loadGatewayConfig({ GATEWAY_ID: 'g', HUB_GATEWAY_URL: 'https://hub:9443', MESH_PEER_IDS: 'abc' }),
    ).not.toThrow();
  });
});

describe('parsed config', () => {
  it('takes a data folder that does not exist yet, and without one keeps durables in memory', () => {
    const dir = join(tmpdir(), `cortexiq-config-${process.pid}`, 'gateway');
    const c = loadGatewayConfig({ GATEWAY_DATA_DIR: dir, GATEWAY_DATA_MAX_BYTES: '1048576' });
    expect(c.dataDir).toBe(dir);
    expect(c.dataMaxBytes).toBe(1048576);
    expect(c.dataSyncMs).toBe(5);
    expect(loadGatewayConfig({}).dataDir).toBeUndefined();
  });

  it('is frozen, nested settings too', () => {
    const c = loadGatewayConfig({
      GATEWAY_ID: 'g',
      MESH_PEERS: 'https://127.0.0.1:9443',
      MESH_SECRET: 's'.repeat(16),
    });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.meshPeers)).toBe(true);
    expect(Object.isFrozen(c.meshPeers[0])).toBe(true);
    expect(Object.isFrozen(c.quicAdmission)).toBe(true);
    expect(() => {
      (c as { realm: string }).realm = 'other';
    }).toThrow(TypeError);
  });
});

describe('MACULA_QUIC_CC', () => {
  it('names the ngtcp2 congestion controller, any case; unset leaves the addon default (bbr2)', () => {
    expect(quicCongestionControl({ MACULA_QUIC_CC: ' CUBIC ' })).toBe('cubic');
    expect(quicCongestionControl({ MACULA_QUIC_CC: 'bbr' })).toBe('bbr');
    expect(quicCongestionControl({})).toBeUndefined();
    expect(() => quicCongestionControl({ MACULA_QUIC_CC: 'reno' })).toThrow(/expected cubic, bbr, bbr2/);
  });
});
