/**
 * Gateway URLs and certificate addresses by where the reader stands (issue 13, defects 6 and 9):
 * pure functions of the typed stack, so no mocks.
 */
import * as path from 'node:path';
import { gatewayIpAddresses, gatewayUrls } from '../../components/endpoints';
import { loadStackFile, parseStackConfig, type StackConfig } from '../../stacks';

const root = path.join(__dirname, '..', '..');
const dev = loadStackFile('dev', root).config;
const staging = loadStackFile('staging', root).config;
const listening = (address: string): StackConfig =>
  parseStackConfig({ ...JSON.parse(JSON.stringify(dev)), kind: { ...dev.kind, listenAddress: address } });

test('defect 9: with the default 127.0.0.1 the hub is reached at localhost and its certificate needs no IP', () => {
  expect(gatewayUrls(dev, 'macula-hub', true).hostAdminUrl).toBe('http://localhost:30081');
  expect(gatewayIpAddresses(dev, 'macula-hub', true)).toEqual([]);
  expect(gatewayUrls(listening('0.0.0.0'), 'macula-hub', true).hostQuicUrl).toBe('https://localhost:30080');
});

test('defect 9: a hub bound to one LAN address is reached there, and its certificate names that IP', () => {
  const lan = listening('192.168.1.20');
  expect(gatewayUrls(lan, 'macula-hub', true)).toMatchObject({
    hostQuicUrl: 'https://192.168.1.20:30080',
    hostAdminUrl: 'http://192.168.1.20:30081',
  });
  expect(gatewayIpAddresses(lan, 'macula-hub', true)).toEqual(['192.168.1.20']);
  expect(gatewayIpAddresses(lan, 'be-antwerp', false)).toEqual([]);
  expect(gatewayUrls(listening('::1'), 'macula-hub', true).hostQuicUrl).toBe('https://localhost:30080');
});

test('defect 6: existing clusters: host URLs at the gateway address, network URLs at the in-cluster Service', () => {
  expect(gatewayUrls(staging, 'be-brabant', false)).toEqual({
    id: 'be-brabant',
    hostQuicUrl: 'https://brabant.mesh.staging.cortexiq.example:9443',
    hostAdminUrl: 'http://brabant.mesh.staging.cortexiq.example:8080',
    networkQuicUrl: 'https://macula-gateway.cortex-iq.svc:9443',
    networkAdminUrl: 'http://macula-gateway.cortex-iq.svc:8080',
  });
  expect(gatewayIpAddresses(staging, 'be-brabant', false)).toEqual([]);
  const byIp = parseStackConfig({
    ...JSON.parse(JSON.stringify(staging)),
    clusters: staging.clusters.map((c) =>
      c.name === 'be-brabant' ? { ...c, gatewayAddress: '203.0.113.7:9443' } : c,
    ),
  });
  expect(gatewayIpAddresses(byIp, 'be-brabant', false)).toEqual(['203.0.113.7']);
});
