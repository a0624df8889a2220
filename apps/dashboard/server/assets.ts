/**
 * The page and its bundle, served by the app itself: read once into memory with a gzip copy
 * (the bundle is built by bundle.ts), cached by content hash, and one HTML shell for every page
 * (the browser routes between Overview, Homes, Providers and Mesh itself).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BUNDLE_FILES } from '../bundle';

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

export function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of BUNDLE_FILES) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) throw new Error(`dashboard bundle missing: ${file} (run npm run build)`);
    const body = fs.readFileSync(file);
    assets.set(name, {
      type: TYPES[path.extname(name)]!,
      body,
      gzip: gzipSync(body, { level: 9 }),
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`,
    });
  }
  return assets;
}

function send(req: FastifyRequest, reply: FastifyReply, a: Asset, immutable: boolean): FastifyReply {
  reply.header('content-type', a.type).header('etag', a.etag).header('vary', 'accept-encoding');
  reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
  if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')))
    return reply.header('content-encoding', 'gzip').send(a.gzip);
  return reply.send(a.body);
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function shell(assets: Map<string, Asset>, csrfToken: string, publicHost: string): string {
  const v = (n: string) => assets.get(n)!.etag.replace(/"/g, '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="csrf-token" content="${escapeAttr(csrfToken)}">
<meta name="public-host" content="${escapeAttr(publicHost)}">
<title>CortexIQ Mesh</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css?v=${v('app.css')}">
<script defer src="/assets/app.js?v=${v('app.js')}"></script>
</head>
<body><noscript>The dashboard needs JavaScript; the same data is at /api/overview.</noscript></body>
</html>
`;
}

export const PAGES = ['/', '/homes', '/homes/:id', '/providers', '/mesh'] as const;

export function registerAssets(
  app: FastifyInstance,
  assets: Map<string, Asset>,
  page: () => { csrf: string; publicHost: string },
): void {
  for (const route of PAGES)
    app.get(route, async (_req, reply) => {
      const p = page();
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'same-origin')
        .header(
          'content-security-policy',
          "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'",
        )
        .send(shell(assets, p.csrf, p.publicHost));
    });
  app.get('/assets/:name', async (req, reply) => {
    const { name } = req.params as { name: string };
    const a = assets.get(name);
    if (!a) return reply.code(404).send({ error: 'not_found', message: `no asset ${name}` });
    return send(req, reply, a, 'v' in (req.query as object));
  });
}
