/**
 * What the launcher shows of its children (pino lines made compact, info summarised) and how it starts
 * them (environment cleaned, the CLI entry found from sources or from the compiled build).
 */
import * as path from 'node:path';
import {
  childEnv,
  CLI_ENTRY,
  formatChildLine,
  InfoSummary,
  parseChildLine,
  projectRoot,
} from '../../launcher';

describe('parseChildLine / formatChildLine', () => {
  it('turns a pino warning into one compact line without pino bookkeeping', () => {
    const raw = JSON.stringify({
      level: 40,
      time: 1795317587688,
      pid: 12,
      hostname: 'h',
      gateway: 'macula-hub',
      peer: 'https://127.0.0.1:19441',
      attempts: 2,
      err: { type: 'Error', message: 'quic dial failed', stack: 'Error: quic dial failed\n    at x' },
      msg: 'mesh peer not reachable yet; retrying',
    });
    const line = parseChildLine(raw, 'stdout');
    expect(line).toMatchObject({
      level: 'warn',
      message: 'mesh peer not reachable yet; retrying',
      json: true,
    });
    expect(line.text).toBe(
      'mesh peer not reachable yet; retrying peer=https://127.0.0.1:19441 attempts=2 err="quic dial failed"',
    );
    expect(formatChildLine('macula-hub/gateway', line, new Date('2026-01-02T03:04:05Z'))).toBe(
      `03:04:05 macula-hub/gateway WARN ${line.text}`,
    );
  });

  it('plain text is info on stdout and a warning on stderr; info lines carry no level tag', () => {
    expect(parseChildLine('gateway x ready: https://127.0.0.1:1', 'stdout').level).toBe('info');
    const err = parseChildLine('cortexiq app: invalid configuration:', 'stderr');
    expect(err).toMatchObject({ level: 'warn', json: false, text: 'cortexiq app: invalid configuration:' });
    const info = parseChildLine('{"level":30,"msg":"connected","url":"tls://a:1"}', 'stdout');
    expect(formatChildLine('p', info, new Date('2026-01-02T03:04:05Z'))).toBe(
      '03:04:05 p connected url=tls://a:1',
    );
    expect(parseChildLine('{not json', 'stdout')).toMatchObject({ level: 'info', json: false });
    expect(parseChildLine('{"level":60,"msg":"boom"}', 'stdout').level).toBe('fatal');
  });
});

describe('InfoSummary', () => {
  it('counts per process and message, most frequent first, then starts again', () => {
    const s = new InfoSummary();
    expect(s.take('(x)')).toBeUndefined();
    for (let i = 0; i < 3; i++) s.add('be-antwerp/utilities', 'contract confirmed');
    s.add('be-antwerp/utilities', 'connected');
    s.add('macula-hub/gateway', 'mesh link up');
    expect(s.take('(last 30 s)')).toBe(
      'info (last 30 s): be-antwerp/utilities 4 (contract confirmed ×3, connected) · macula-hub/gateway 1 (mesh link up)',
    );
    expect(s.empty).toBe(true);
  });

  it('keeps at most three messages per process and shortens long ones', () => {
    const s = new InfoSummary();
    ['a', 'b', 'c', 'd'].forEach((m) => s.add('p', m));
    s.add('q', 'x'.repeat(60));
    expect(s.take('now')).toBe(`info now: p 4 (a, b, c, …) · q 1 (${'x'.repeat(45)}...)`);
  });
});

describe('childEnv', () => {
  it('drops contract variables inherited from the shell and keeps the rest', () => {
    const env = childEnv(
      { MACULA_URL: 'https://127.0.0.1:1', LOG_LEVEL: 'info' },
      {
        PATH: '/bin',
        HOME: '/h',
        MACULA_TOKEN: 'leaked',
        MESH_PEERS: 'tls://x:1',
        REGION: 'x',
        LOG_LEVEL: 'debug',
      },
    );
    expect(env).toEqual({ PATH: '/bin', HOME: '/h', MACULA_URL: 'https://127.0.0.1:1', LOG_LEVEL: 'info' });
  });
});

describe('projectRoot', () => {
  const root = path.resolve(__dirname, '..', '..');

  it('finds bin/cortexiq.js from the sources and from the compiled build folder', () => {
    expect(projectRoot()).toBe(root);
    expect(projectRoot(path.join(root, 'dist', 'launcher'))).toBe(root);
    expect(CLI_ENTRY).toBe(path.join(root, 'bin', 'cortexiq.js'));
  });

  it('says where it looked when there is no project above', () => {
    expect(() => projectRoot('/proc/self')).toThrow('cortexiq: no bin/cortexiq.js above /proc/self');
  });
});
