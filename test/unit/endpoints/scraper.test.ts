// The scrape loop against real HTTP servers on loopback: fresh results, staleness on a controlled
// clock, failures making the endpoint unknown at once, the concurrency bound, dropped endpoints.
import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ENGINES } from '../../../src/endpoints/metrics/engines.js';
import { MetricsScraper, type ScraperOptions } from '../../../src/endpoints/metrics/scraper.js';

const servers: Server[] = [];
const scrapers: MetricsScraper[] = [];
afterEach(async () => {
  await Promise.all(scrapers.splice(0).map((s) => s.stop()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
});

/** A /metrics server whose answer the test sets; `hold` keeps requests open until released. */
async function metricsServer(): Promise<{ address: string; body: { text: string; status: number }; open: () => number; hold: boolean; release: () => void }> {
  const state = { text: 'vllm:num_requests_waiting 1\nvllm:num_requests_running 2\nvllm:kv_cache_usage_perc 0.25\n', status: 200 };
  let open = 0;
  const held: (() => void)[] = [];
  const ctl = { hold: false };
  const srv = createServer((_req, res) => {
    open++;
    const answer = () => {
      open--;
      res.writeHead(state.status, { 'content-type': 'text/plain' });
      res.end(state.text);
    };
    if (ctl.hold) held.push(answer);
    else answer();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  servers.push(srv);
  const port = (srv.address() as AddressInfo).port;
  return {
    address: `127.0.0.1:${port}`,
    body: state,
    open: () => open,
    get hold() { return ctl.hold; },
    set hold(v: boolean) { ctl.hold = v; },
    release: () => held.splice(0).forEach((f) => f()),
  };
}

function scraper(over: Partial<ScraperOptions> = {}): MetricsScraper {
  const s = new MetricsScraper({ engine: ENGINES.vllm, path: '/metrics', intervalMs: 50, stalenessMs: 2000, timeoutMs: 1000, concurrency: 4, maxBytes: 1 << 20, ...over });
  scrapers.push(s);
  return s;
}

describe('MetricsScraper', () => {
  it('reads an endpoint, then calls it unknown once the result is older than the staleness bound', async () => {
    const srv = await metricsServer();
    let now = 1000;
    const s = scraper({ now: () => now, stalenessMs: 2000 });
    s.setEndpoints([srv.address]);
    expect(s.get(srv.address)).toBeUndefined(); // never scraped: unknown
    await s.scrape(srv.address);
    expect(s.get(srv.address)).toMatchObject({ waiting: 1, running: 2, kvUsage: 0.25 });
    now += 2000;
    expect(s.get(srv.address)).toBeDefined();
    now += 1;
    expect(s.get(srv.address)).toBeUndefined();
  });

  it('a failed scrape makes the endpoint unknown at once (error status, malformed page, unreachable)', async () => {
    const srv = await metricsServer();
    const s = scraper();
    s.setEndpoints([srv.address, '127.0.0.1:1']);
    await s.scrape(srv.address);
    expect(s.get(srv.address)).toBeDefined();
    srv.body.status = 500;
    await s.scrape(srv.address);
    expect(s.get(srv.address)).toBeUndefined();
    srv.body.status = 200;
    srv.body.text = 'vllm:num_requests_waiting 1\n'; // partial
    await s.scrape(srv.address);
    expect(s.get(srv.address)).toBeUndefined();
    expect(s.stats().find((x) => x.endpoint === srv.address)?.error).toContain('no vllm:num_requests_running');
    await s.scrape('127.0.0.1:1');
    expect(s.get('127.0.0.1:1')).toBeUndefined();
    expect(s.stats().find((x) => x.endpoint === '127.0.0.1:1')?.failures).toBe(1);
  });

  it('an answer over max_bytes is an error', async () => {
    const srv = await metricsServer();
    srv.body.text = `${srv.body.text}${'# padding\n'.repeat(500)}`;
    const s = scraper({ maxBytes: 1024 });
    s.setEndpoints([srv.address]);
    await s.scrape(srv.address);
    expect(s.get(srv.address)).toBeUndefined();
    expect(s.stats()[0]?.error).toContain('larger than 1024');
  });

  it('never has more than `concurrency` scrapes in flight, nor two on one endpoint', async () => {
    const srvs = await Promise.all([1, 2, 3, 4, 5].map(() => metricsServer()));
    for (const x of srvs) x.hold = true;
    const s = scraper({ concurrency: 2 });
    s.setEndpoints(srvs.map((x) => x.address));
    s.tick();
    s.tick(); // a second round while the first is held: nothing more starts
    const { until } = await import('../../helpers/until.js');
    await until(() => srvs.reduce((n, x) => n + x.open(), 0) === 2, 5000, 'two scrapes open');
    s.tick();
    expect(srvs.reduce((n, x) => n + x.open(), 0)).toBe(2);
    for (const x of srvs) x.hold = false;
    srvs.forEach((x) => x.release());
    await until(() => srvs.every((x) => s.get(x.address) !== undefined), 5000, 'all five scraped');
    expect(Math.max(...srvs.map((x) => x.open()))).toBe(0);
  });

  it('drops endpoints that disappear and scrapes the ones that join', async () => {
    const [a, b] = await Promise.all([metricsServer(), metricsServer()]);
    const s = scraper();
    s.setEndpoints([a.address]);
    await s.scrape(a.address);
    s.setEndpoints([b.address]);
    expect(s.endpoints()).toEqual([b.address]);
    expect(s.get(a.address)).toBeUndefined();
    s.start();
    const { until } = await import('../../helpers/until.js');
    await until(() => s.get(b.address) !== undefined, 5000, 'b scraped by the loop');
  });
});
