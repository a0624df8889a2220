/**
 * Gateway URLs (docs/protocol.md, transports): `https://host:port` is QUIC, `tls://host:port` is
 * TLS over TCP; the same rules for MESH_PEERS, HUB_GATEWAY_URL and the client's `url`.
 */
export type TransportName = 'quic' | 'tls';

export interface PeerUrl {
  transport: TransportName;
  host: string;
  port: number;
  url: string;
}

/** Parse `https://h:p` (QUIC) or `tls://h:p` (TLS/TCP). Returns a reason string when invalid. */
export function parsePeerUrl(raw: string): PeerUrl | string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return `'${raw}' is not a URL (expected https://host:port for QUIC or tls://host:port for TLS)`;
  }
  const transport =
    u.protocol === 'https:' || u.protocol === 'quic:' ? 'quic' : u.protocol === 'tls:' ? 'tls' : undefined;
  if (!transport) return `'${raw}' has scheme '${u.protocol}' (expected https: for QUIC or tls: for TLS)`;
  const port = explicitPort(raw, u);
  if (!u.hostname) return `'${raw}' has no host`;
  return { transport, host: u.hostname.replace(/^\[|\]$/g, ''), port, url: raw };
}

/** The URL's port; WHATWG URL drops a scheme's default (443 for https), so read it from the text. */
export function explicitPort(raw: string, u: URL): number {
  if (u.port) return Number(u.port);
  const written = /^[a-z]+:\/\/(?:\[[^\]]+\]|[^/:?#]+):(\d+)/i.exec(raw);
  return written ? Number(written[1]) : 9443;
}
