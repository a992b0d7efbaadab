// dns: the A/AAAA records of a name (a headless Service: one record per ready pod) with a fixed
// port, or its SRV records (port from the record, target resolved to its addresses), re-resolved
// every interval. A name that does not exist or has no records is an empty fleet; any other DNS
// failure keeps the last answer (a resolver blip must not empty the fleet) and is reported.
import { promises as dns } from 'node:dns';
import type { EndpointSource } from './types.js';

export interface DnsResolver {
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
  resolveSrv(name: string): Promise<{ name: string; port: number }[]>;
}

export interface DnsSourceOptions {
  name: string;
  /** a: A and AAAA records with `port`; srv: SRV records. */
  record: 'a' | 'srv';
  port?: number;
  intervalMs: number;
  resolver?: DnsResolver;
  onError?: (message: string) => void;
}

const EMPTY = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN']);

function formatAddress(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Both families; a family with no records is empty, any other failure throws. */
async function addresses(r: DnsResolver, name: string): Promise<string[]> {
  const one = (p: Promise<string[]>) => p.catch((e: NodeJS.ErrnoException) => (EMPTY.has(e.code ?? '') ? [] : Promise.reject(e)));
  const [v4, v6] = await Promise.all([one(r.resolve4(name)), one(r.resolve6(name))]);
  return [...v4, ...v6];
}

export async function resolveEndpoints(opts: Pick<DnsSourceOptions, 'name' | 'record' | 'port' | 'resolver'>): Promise<string[]> {
  const r = opts.resolver ?? dns;
  let out: string[];
  if (opts.record === 'a') out = (await addresses(r, opts.name)).map((ip) => formatAddress(ip, opts.port!));
  else {
    const srv = await r.resolveSrv(opts.name).catch((e: NodeJS.ErrnoException) => (EMPTY.has(e.code ?? '') ? [] : Promise.reject(e)));
    const per = await Promise.all(srv.map(async (s) => (await addresses(r, s.name)).map((ip) => formatAddress(ip, s.port))));
    out = per.flat();
  }
  return [...new Set(out)].sort();
}

export function dnsSource(opts: DnsSourceOptions): EndpointSource {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let last: string | undefined;
  return {
    kind: 'dns',
    start(onChange) {
      const round = async () => {
        try {
          const eps = await resolveEndpoints(opts);
          const key = eps.join(',');
          if (!stopped && key !== last) {
            last = key;
            onChange(eps);
          }
        } catch (e) {
          opts.onError?.(`dns ${opts.name}: ${(e as Error).message}`);
        }
        if (!stopped) timer = setTimeout(() => void round(), opts.intervalMs).unref();
      };
      void round();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
