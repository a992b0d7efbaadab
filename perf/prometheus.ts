// Reads one value from a Prometheus text exposition (semroute's admin /metrics).

/** The first sample of `name` (any labels), or undefined. */
export function promValue(text: string, name: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const v = Number(rest.slice(rest.lastIndexOf(rest.includes('}') ? '}' : ' ') + 1).trim().split(' ')[0]);
    if (Number.isFinite(v)) return v;
  }
  return undefined;
}

export async function scrape(adminUrl: string, name: string): Promise<number | undefined> {
  const res = await fetch(`${adminUrl}/metrics`);
  return promValue(await res.text(), name);
}
