// Which block hashes each endpoint served recently: a Map per endpoint used as an LRU (a hit moves
// the hash to the end; past `capacity` the oldest go). Per replica by design (README: each replica
// learns from the requests it routed; a shared index would cost a Redis round trip per pick).
export class PrefixIndex {
  private readonly byEndpoint = new Map<string, Map<number, true>>();

  constructor(private readonly capacity: number) {}

  /** The number of leading blocks of `hashes` that `endpoint` holds (chained hashes: stop at the first miss). */
  matched(endpoint: string, hashes: readonly number[]): number {
    const lru = this.byEndpoint.get(endpoint);
    if (!lru) return 0;
    let n = 0;
    while (n < hashes.length && lru.has(hashes[n]!)) n++;
    return n;
  }

  /** Remembers that `endpoint` now holds these blocks (it was sent the prompt). */
  record(endpoint: string, hashes: readonly number[]): void {
    if (hashes.length === 0) return;
    let lru = this.byEndpoint.get(endpoint);
    if (!lru) this.byEndpoint.set(endpoint, (lru = new Map<number, true>()));
    for (const h of hashes) {
      lru.delete(h);
      lru.set(h, true);
    }
    while (lru.size > this.capacity) lru.delete(lru.keys().next().value!);
  }

  /** Forgets endpoints no longer discovered. */
  retain(live: ReadonlySet<string>): void {
    for (const ep of this.byEndpoint.keys()) if (!live.has(ep)) this.byEndpoint.delete(ep);
  }

  size(endpoint: string): number {
    return this.byEndpoint.get(endpoint)?.size ?? 0;
  }
}
