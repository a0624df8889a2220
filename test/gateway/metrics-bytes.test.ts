/** /metrics reports bytes in/out by message kind (docs/protocol.md §5), for clients and mesh links. */
import { startMesh, interestPropagated, waitFor } from '../helpers/mesh';

it('counts bytes by direction and kind, on client sessions and mesh links', async () => {
  const mesh = await startMesh(2, 'line', 'tls');
  try {
    await mesh.converged(1);
    const sub = await mesh.client(1);
    let got = 0;
    await sub.subscribe('be.cortexiq.bytes.test', () => void got++);
    await interestPropagated(mesh, 'be.cortexiq.bytes.test', [1]);
    const pub = await mesh.client(0);
    for (let i = 0; i < 10; i++)
      await pub.publish('be.cortexiq.bytes.test', { i, pad: 'x'.repeat(100) }, { ack: true });
    await waitFor(() => got === 10, 5000, 'the events');
    const text = async (i: number) => (await fetch(`${mesh.gateways[i].admin!.url}/metrics`)).text();
    const value = (body: string, direction: string, kind: string): number => {
      const m = new RegExp(
        `^macula_bytes_total\\{direction="${direction}",kind="${kind}"[^}]*\\} (\\S+)$`,
        'm',
      ).exec(body);
      return m ? Number(m[1]) : 0;
    };
    const a = await text(0);
    const b = await text(1);
    expect(value(a, 'in', 'publish')).toBeGreaterThan(10 * 100);
    expect(value(a, 'out', 'mesh_data')).toBeGreaterThan(10 * 100);
    expect(value(b, 'in', 'mesh_data')).toBeGreaterThan(10 * 100);
    expect(value(b, 'out', 'event')).toBeGreaterThan(10 * 100);
    expect(value(a, 'out', 'lsa')).toBeGreaterThan(0);
  } finally {
    await mesh.stop();
  }
});
