/**
 * The project folder (the one holding `bin/cortexiq.js` and the stack files), found from this file
 * whether it runs from the TypeScript sources (`launcher/`) or from the compiled build (`dist/launcher/`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (
      fs.existsSync(path.join(dir, 'bin', 'cortexiq.js')) &&
      fs.existsSync(path.join(dir, 'package.json'))
    ) {
      return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`cortexiq: no bin/cortexiq.js above ${from}`);
  }
}
