/**
 * The local run keeps its gateways' development identities (launcher/dev-identities.ts): made once,
 * reused while they load and stay valid, remade when damaged; and a gateway started with them
 * presents that certificate.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { ensureDevIdentities, identityFiles } from '../../launcher/dev-identities';
import { Gateway, loadGatewayConfig } from '../../gateway';
import { fingerprintPem } from '../../gateway/transport/identity';

jest.setTimeout(60_000);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** `<tmp>/run/identities`, `run` not made yet: made with the identities. */
function freshDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cq-ids-'));
  dirs.push(d);
  return path.join(d, 'run', 'identities');
}

describe('kept development identities', () => {
  it('are made once, reused after, and remade when damaged', async () => {
    const files = identityFiles(freshDir(), ['hub', 'edge']);
    expect(await ensureDevIdentities(files)).toBe(2);
    const hub = files.get('hub')!;
    expect(fs.statSync(path.dirname(hub.key)).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.dirname(path.dirname(hub.key))).mode & 0o777).toBe(0o700 | 0o055);
    expect(fs.statSync(hub.key).mode & 0o777).toBe(0o600);
    const cert = new X509Certificate(fs.readFileSync(hub.cert));
    expect(cert.subject).toContain('cortexiq-dev-hub');
    const before = fs.readFileSync(hub.cert, 'utf8');

    expect(await ensureDevIdentities(files)).toBe(0);
    expect(fs.readFileSync(hub.cert, 'utf8')).toBe(before);

    fs.writeFileSync(files.get('edge')!.key, 'not a key');
    expect(await ensureDevIdentities(files)).toBe(1);
    expect(fs.readFileSync(hub.cert, 'utf8')).toBe(before);
  });

  it('a gateway given them presents that certificate', async () => {
    const files = identityFiles(freshDir(), ['hub']);
    await ensureDevIdentities(files);
    const f = files.get('hub')!;
    const gw = await Gateway.start(
      loadGatewayConfig({
        GATEWAY_ID: 'gw-kept-identity',
        MACULA_GATEWAY_HOST: '127.0.0.1',
        ADMIN_HOST: '127.0.0.1',
        MACULA_GATEWAY_PORT: '0',
        ADMIN_PORT: '0',
        LOG_LEVEL: 'warn',
        MACULA_TLS_CERT: f.cert,
        MACULA_TLS_KEY: f.key,
      }),
    );
    try {
      expect(gw.identity.tlsFingerprint).toBe(fingerprintPem(fs.readFileSync(f.cert, 'utf8')));
    } finally {
      await gw.stop();
    }
  });
});
