/**
 * CSRF protection of the control POSTs: a token signed with SECRET_KEY_BASE (HMAC-SHA256 over a
 * random nonce and an expiry), handed to the page in a meta tag and to scripts by GET /api/csrf,
 * sent back in the `x-csrf-token` header. A cross-site form cannot set that header, and a forged
 * token does not verify. A POST whose Origin is neither the request's host nor PHX_HOST is refused
 * as well.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const TTL_MS = 24 * 3_600_000;

export class CsrfTokens {
  constructor(
    private readonly secret: string,
    private readonly now: () => number = Date.now,
  ) {}

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(`csrf:${body}`).digest('base64url');
  }

  issue(): string {
    const body = `${randomBytes(16).toString('base64url')}.${this.now() + TTL_MS}`;
    return `${body}.${this.sign(body)}`;
  }

  /** Why a token is refused, or null when it is good. */
  problem(token: string | undefined): string | null {
    if (!token) return 'missing x-csrf-token header (GET /api/csrf gives one)';
    const parts = token.split('.');
    if (parts.length !== 3) return 'malformed x-csrf-token';
    const [nonce, expiry, mac] = parts;
    const expected = Buffer.from(this.sign(`${nonce}.${expiry}`));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid x-csrf-token';
    if (!(Number(expiry) > this.now())) return 'expired x-csrf-token; reload the page';
    return null;
  }
}

/** Whether a POST's Origin (when a browser sent one) is this site. */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  publicHost: string,
): boolean {
  if (!origin) return true;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  return o.host === host || o.hostname === publicHost;
}
