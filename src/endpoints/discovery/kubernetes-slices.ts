// EndpointSlice (discovery.k8s.io/v1) → "ip:port" addresses: ready endpoints only (conditions.ready
// true or unset, as the API documents), the named port or the slice's first port, several slices
// of one Service merged.
export interface SlicePort {
  name?: string | null;
  port?: number | null;
}
export interface SliceEndpoint {
  addresses?: string[] | null;
  conditions?: { ready?: boolean | null } | null;
}
export interface EndpointSlice {
  metadata?: { name?: string; resourceVersion?: string } | null;
  addressType?: string;
  endpoints?: SliceEndpoint[] | null;
  ports?: SlicePort[] | null;
}

function format(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function sliceAddresses(slice: EndpointSlice, portName?: string): string[] {
  // FQDN slices carry names, not addresses the gateway can dial.
  if (slice.addressType && slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') return [];
  const ports = slice.ports ?? [];
  const port = (portName === undefined ? ports[0] : ports.find((p) => p.name === portName))?.port;
  if (!port) return [];
  const out: string[] = [];
  for (const ep of slice.endpoints ?? []) {
    if (ep.conditions?.ready === false) continue;
    for (const ip of ep.addresses ?? []) out.push(format(ip, port));
  }
  return out;
}

export function mergeSlices(slices: Iterable<EndpointSlice>, portName?: string): string[] {
  const all = new Set<string>();
  for (const s of slices) for (const a of sliceAddresses(s, portName)) all.add(a);
  return [...all].sort();
}
