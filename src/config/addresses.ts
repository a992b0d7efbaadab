// Parsing of host:port endpoints and listen addresses, shared by validation and the listeners.

export interface HostPort {
  host: string;
  port: number;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;

/** host:port or [IPv6]:port with a port in 1–65535 (0 too when `allowZero`, for listeners). */
export function parseHostPort(s: string, allowZero = false): HostPort | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(s);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535 || (port === 0 && !allowZero)) return undefined;
  const host = m[1] ?? m[2]!;
  if (m[2] !== undefined && !HOSTNAME.test(host)) return undefined;
  return { host, port };
}

/** A listen HOST:PORT (port 0: ephemeral) for a server to bind; throws on anything else. */
export function listenHostPort(s: string): HostPort {
  const hp = parseHostPort(s, true);
  if (!hp) throw new Error(`invalid listen address "${s}" (expected HOST:PORT)`);
  return hp;
}

/** A gRPC listen address: host:port or unix:/absolute/path. */
export function isListenAddress(s: string): boolean {
  return /^unix:\/./.test(s) || parseHostPort(s, true) !== undefined;
}
