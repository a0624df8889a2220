/** Generated homes for `cortexiq up --homes N` (launcher/homes-files.ts). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeGeneratedHomes } from '../../launcher';
import { loadHomes } from '../../apps/homes/homes-file';

describe('generated homes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cortexiq-homes-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes one valid file per region, whose first homes are the shipped ones', () => {
    const written = writeGeneratedHomes(['antwerp', 'brabant'], 1200, dir);
    expect(written.map((f) => path.basename(f))).toEqual(['antwerp-1200.json', 'brabant-1200.json']);
    const homes = loadHomes([written[0]!], 'antwerp');
    expect(homes).toHaveLength(1200);
    expect(new Set(homes.map((h) => h.id)).size).toBe(1200);
    expect(homes.slice(0, 1000)).toEqual(loadHomes(['antwerp-1000'], 'antwerp'));
  });

  it('reuses a file that is there and writes nothing for the shipped counts', () => {
    expect(writeGeneratedHomes(['antwerp'], 1200, dir)).toEqual([]);
    expect(writeGeneratedHomes(['antwerp'], 1000, dir)).toEqual([]);
    expect(fs.readdirSync(dir).sort()).toEqual(['antwerp-1200.json', 'brabant-1200.json']);
  });

  it('names a region it cannot generate homes for', () => {
    expect(() => writeGeneratedHomes(['limburg'], 300, dir)).toThrow(
      '--homes 300: homes can be generated for antwerp, brabant, east-flanders, not for limburg',
    );
  });
});
