/**
 * Builds the browser side at build time (`npm run build` → tools/build-assets.js): the TypeScript
 * under web/ bundled and minified by esbuild into one script and one stylesheet (uPlot's CSS
 * included), and Belgium's outline cut out of the `world-atlas` package's topojson. Nothing is
 * fetched from the internet when the page runs. From a source checkout the server rebuilds a bundle
 * that is older than the sources (server/assets.ts), so an edit is never served stale.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The project folder (holding bin/cortexiq.js), from the sources or from dist/. */
export function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'bin', 'cortexiq.js')) && fs.existsSync(path.join(dir, 'package.json')))
      return dir;
    if (path.dirname(dir) === dir) throw new Error(`dashboard: no bin/cortexiq.js above ${from}`);
  }
}

export function webSourceDir(root = projectRoot()): string {
  return path.join(root, 'apps', 'dashboard');
}

export function bundleDir(root = projectRoot()): string {
  return path.join(root, 'dist', 'web', 'dashboard');
}

export const BUNDLE_FILES = ['app.js', 'app.css', 'belgium.json'] as const;

/** Writes through a temporary name, so a server reading concurrently never sees half a file. */
function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Belgium's outline (ISO 3166 numeric 056) as GeoJSON rings, coordinates to ~10 m. */
export function belgiumOutline(): { type: 'MultiPolygon'; coordinates: number[][][][] } {
  const topo = require('world-atlas/countries-10m.json');
  const { feature } = require('topojson-client') as typeof import('topojson-client');
  const countries = feature(topo, topo.objects.countries) as unknown as {
    features: Array<{ id: string; geometry: { type: string; coordinates: unknown } }>;
  };
  const be = countries.features.find((f) => f.id === '056');
  if (!be) throw new Error('world-atlas: no feature 056 (Belgium)');
  const polys = (
    be.geometry.type === 'Polygon' ? [be.geometry.coordinates] : be.geometry.coordinates
  ) as number[][][][];
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  return {
    type: 'MultiPolygon',
    coordinates: polys.map((p) => p.map((r) => r.map(([x, y]) => [round(x), round(y)]))),
  };
}

export async function bundleWeb(outDir = bundleDir(), srcDir = webSourceDir()): Promise<void> {
  const esbuild = await import('esbuild');
  fs.mkdirSync(outDir, { recursive: true });
  const result = await esbuild.build({
    entryPoints: {
      app: path.join(srcDir, 'web', 'main.ts'),
      'app-style': path.join(srcDir, 'web', 'style.css'),
    },
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['chrome109', 'firefox115', 'safari16'],
    write: false,
    outdir: outDir,
    logLevel: 'silent',
    legalComments: 'none',
  });
  for (const f of result.outputFiles) {
    const name = path.basename(f.path) === 'app-style.css' ? 'app.css' : path.basename(f.path);
    writeAtomic(path.join(outDir, name), f.contents);
  }
  writeAtomic(path.join(outDir, 'belgium.json'), JSON.stringify(belgiumOutline()));
}

function newestMtime(dir: string): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Rebuilds when the web sources (web/ and the pure model/ they import) are newer than the bundle.
 * From dist/ there are no sources and the built bundle is used as it is.
 */
export async function ensureBundle(outDir = bundleDir(), srcDir = webSourceDir()): Promise<void> {
  const sources = Math.max(newestMtime(path.join(srcDir, 'web')), newestMtime(path.join(srcDir, 'model')));
  const built = Math.min(
    ...BUNDLE_FILES.map((f) => {
      const p = path.join(outDir, f);
      return fs.existsSync(p) ? fs.statSync(p).mtimeMs : 0;
    }),
  );
  if (sources > 0 && sources > built) await bundleWeb(outDir, srcDir);
}
