/** A throw-away private CA and a leaf it signs, like the mesh CA the deployment issues. */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as forge from 'node-forge';

export interface TestCa {
  caPem: string;
  issue(commonName: string): { certPem: string; keyPem: string };
}

function rsaKeys(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

function baseCert(publicKeyPem: string, commonName: string): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  return cert;
}

export function createTestCa(name = 'test-mesh-ca'): TestCa {
  const caKeys = rsaKeys();
  const caKey = forge.pki.privateKeyFromPem(caKeys.privateKey);
  const ca = baseCert(caKeys.publicKey, name);
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true },
  ]);
  ca.sign(caKey, forge.md.sha256.create());
  return {
    caPem: forge.pki.certificateToPem(ca),
    issue(commonName) {
      const keys = rsaKeys();
      const leaf = baseCert(keys.publicKey, commonName);
      leaf.setIssuer(ca.subject.attributes);
      // Deliberately a service name only: the dialer checks the chain, not the host name.
      leaf.setExtensions([
        { name: 'basicConstraints', cA: false },
        { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: `${commonName}.mesh.svc` }] },
      ]);
      leaf.sign(caKey, forge.md.sha256.create());
      return { certPem: forge.pki.certificateToPem(leaf), keyPem: keys.privateKey };
    },
  };
}
