import { describe, expect, it } from '@jest/globals';
import { healthyFilter } from '../../../src/endpoints/filters/healthy.js';
import { saturatedFilter } from '../../../src/endpoints/filters/saturated.js';
import { subsetFilter } from '../../../src/endpoints/filters/subset.js';
import { maxScorePicker } from '../../../src/endpoints/pickers/max-score.js';
import { powerOfTwoPicker } from '../../../src/endpoints/pickers/power-of-two.js';
import { roundRobinPicker } from '../../../src/endpoints/pickers/round-robin.js';
import { PrefixIndex } from '../../../src/endpoints/prefix/prefix-index.js';
import { EndpointScheduler } from '../../../src/endpoints/scheduler.js';
import { inflightScorer } from '../../../src/endpoints/scorers/inflight.js';
import { kvCacheScorer } from '../../../src/endpoints/scorers/kv-cache.js';
import { loraScorer } from '../../../src/endpoints/scorers/lora.js';
import { prefixScorer } from '../../../src/endpoints/scorers/prefix.js';
import { queueScorer } from '../../../src/endpoints/scorers/queue.js';
import { runningScorer } from '../../../src/endpoints/scorers/running.js';
import { sessionScorer } from '../../../src/endpoints/scorers/session.js';
import type { Candidate, EndpointMetrics, PickRequest } from '../../../src/endpoints/types.js';

function m(over: Partial<EndpointMetrics> = {}): EndpointMetrics {
  return { waiting: 0, running: 0, kvUsage: 0, runningAdapters: [], waitingAdapters: [], ...over };
}
function c(address: string, metrics: EndpointMetrics | undefined, inflight = 0): Candidate {
  return { address, metrics, inflight };
}
const REQ: PickRequest = { model: 'llama', blockHashes: [], sheddable: false };

/** A seeded generator (mulberry32), so random tie breaks are repeatable. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('scorers', () => {
  const fleet = [c('a:1', m({ waiting: 0, running: 10, kvUsage: 0.9 }), 5), c('b:1', m({ waiting: 8, running: 2, kvUsage: 0.1 }), 1), c('c:1', m({ waiting: 4, running: 6, kvUsage: 0.5 }), 3), c('d:1', undefined, 0)];
  it('queue: fewer waiting is better; unknown is as loaded as the worst', () => {
    expect(queueScorer().score(REQ, fleet)).toEqual([1, 0, 0.5, 0]);
  });
  it('running: fewer running is better', () => {
    expect(runningScorer().score(REQ, fleet)).toEqual([0, 1, 0.5, 0]);
  });
  it('kv_cache: free cache; unknown scores 0, never 1', () => {
    expect(kvCacheScorer().score(REQ, fleet).map((x) => Number(x.toFixed(2)))).toEqual([0.1, 0.9, 0.5, 0]);
  });
  it('inflight: this replica\'s count, known for every endpoint', () => {
    expect(inflightScorer().score(REQ, fleet)).toEqual([0, 0.8, 0.4, 1]);
  });
  it('an idle fleet scores all equal', () => {
    expect(queueScorer().score(REQ, [c('a:1', m()), c('b:1', m())])).toEqual([1, 1]);
  });
  it('session: the pinned endpoint only', () => {
    expect(sessionScorer().score({ ...REQ, pinned: 'c:1' }, fleet)).toEqual([0, 0, 1, 0]);
    expect(sessionScorer().score(REQ, fleet)).toEqual([0, 0, 0, 0]);
  });
  it('lora: running, then queued, then room to load, then full or unknown', () => {
    const cs = [
      c('run:1', m({ runningAdapters: ['sql'] })),
      c('wait:1', m({ waitingAdapters: ['sql'] })),
      c('room:1', m({ runningAdapters: ['x'], maxLora: 2 })),
      c('full:1', m({ runningAdapters: ['x', 'y'], maxLora: 2 })),
      c('unknown:1', undefined),
    ];
    expect(loraScorer().score({ ...REQ, adapter: 'sql' }, cs)).toEqual([1, 0.9, 0.8, 0, 0]);
    expect(loraScorer().score(REQ, cs)).toEqual([0, 0, 0, 0, 0]);
  });
  it('prefix: the longest cached leading run, as a share of the prompt', () => {
    const index = new PrefixIndex(100);
    index.record('a:1', [1, 2, 3, 4]);
    index.record('b:1', [1, 2]);
    index.record('c:1', [2, 3, 4]); // not a prefix: block 0 missing
    const s = prefixScorer(index).score({ ...REQ, blockHashes: [1, 2, 3, 4] }, fleet);
    expect(s).toEqual([1, 0.5, 0, 0]);
    expect(prefixScorer(index).score(REQ, fleet)).toEqual([0, 0, 0, 0]);
  });
});

describe('prefix index', () => {
  it('is LRU-bounded per endpoint: the oldest hashes go, a re-sent prefix stays', () => {
    const index = new PrefixIndex(4);
    index.record('a:1', [1, 2, 3]);
    index.record('a:1', [1]); // touched: now newest
    index.record('a:1', [7, 8]);
    expect(index.size('a:1')).toBe(4);
    expect(index.matched('a:1', [1])).toBe(1);
    expect(index.matched('a:1', [2])).toBe(0);
    expect(index.matched('b:1', [1])).toBe(0);
  });
  it('forgets endpoints that are no longer discovered', () => {
    const index = new PrefixIndex(4);
    index.record('a:1', [1]);
    index.record('b:1', [1]);
    index.retain(new Set(['b:1']));
    expect(index.size('a:1')).toBe(0);
    expect(index.size('b:1')).toBe(1);
  });
});

describe('filters', () => {
  const fleet = [c('a:1', m({ waiting: 20 })), c('b:1', m({ kvUsage: 0.99 })), c('c:1', m({ waiting: 1 })), c('d:1', undefined)];
  it('healthy drops unknown endpoints, but keeps all when all are unknown', () => {
    expect(healthyFilter().filter(REQ, fleet)).toEqual({ kind: 'kept', candidates: fleet.slice(0, 3) });
    const allStale = [c('a:1', undefined), c('b:1', undefined)];
    expect(healthyFilter().filter(REQ, allStale)).toEqual({ kind: 'kept', candidates: allStale });
  });
  it('saturated drops full queues and full caches; unknown is not judged', () => {
    const r = saturatedFilter({ maxWaiting: 8, maxKvUsage: 0.95 }).filter(REQ, fleet);
    expect(r.kind === 'kept' && r.candidates.map((x) => x.address)).toEqual(['c:1', 'd:1']);
  });
  it('saturated everywhere: a sheddable request is shed, any other keeps them all', () => {
    const full = fleet.slice(0, 2);
    const f = saturatedFilter({ maxWaiting: 8, maxKvUsage: 0.95 });
    expect(f.filter({ ...REQ, sheddable: true }, full)).toMatchObject({ kind: 'refused', outcome: 'shed' });
    expect(f.filter(REQ, full)).toEqual({ kind: 'kept', candidates: full });
  });
  it('subset keeps the hinted endpoints; none of them known is none_eligible', () => {
    const r = subsetFilter().filter({ ...REQ, subset: new Set(['c:1', 'z:9']) }, fleet);
    expect(r.kind === 'kept' && r.candidates.map((x) => x.address)).toEqual(['c:1']);
    expect(subsetFilter().filter({ ...REQ, subset: new Set(['z:9']) }, fleet)).toMatchObject({ kind: 'refused', outcome: 'none_eligible' });
    expect(subsetFilter().filter({ ...REQ, subset: new Set() }, fleet)).toMatchObject({ kind: 'refused', outcome: 'none_eligible' });
    expect(subsetFilter().filter(REQ, fleet)).toEqual({ kind: 'kept', candidates: fleet });
  });
});

describe('pickers', () => {
  const scored = [
    { candidate: c('a:1', m()), score: 0.2 },
    { candidate: c('b:1', m()), score: 0.9 },
    { candidate: c('c:1', m()), score: 0.9 },
    { candidate: c('d:1', m()), score: 0.5 },
  ];
  it('max_score: best first, ties at random, then the rest by score', () => {
    const firsts = new Set<string>();
    const rnd = seeded(1);
    for (let i = 0; i < 50; i++) {
      const order = maxScorePicker().order(scored, rnd).map((x) => x.address);
      expect(order.slice(2)).toEqual(['d:1', 'a:1']);
      firsts.add(order[0]!);
    }
    expect([...firsts].sort()).toEqual(['b:1', 'c:1']);
  });
  it('power_of_two: the better of the two drawn goes first; never the worst of four', () => {
    const rnd = seeded(2);
    const firsts = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const order = powerOfTwoPicker().order(scored, rnd).map((x) => x.address);
      expect(new Set(order).size).toBe(4);
      firsts.set(order[0]!, (firsts.get(order[0]!) ?? 0) + 1);
    }
    expect(firsts.has('a:1')).toBe(false);
    expect(firsts.get('d:1')).toBeGreaterThan(0); // drawn with a:1
  });
  it('round_robin: in turn, whatever the scores', () => {
    const p = roundRobinPicker();
    expect([0, 1, 2, 3, 4].map(() => p.order(scored, Math.random)[0]!.address)).toEqual(['a:1', 'b:1', 'c:1', 'd:1', 'a:1']);
  });
});

describe('scheduler', () => {
  const fleet = [c('a:1', m({ waiting: 6, kvUsage: 0.5 })), c('b:1', m({ waiting: 0, kvUsage: 0.2 })), c('c:1', m({ waiting: 3, kvUsage: 0.9 }))];
  const make = (fallbacks = 2) =>
    new EndpointScheduler([healthyFilter(), subsetFilter(), saturatedFilter({ maxWaiting: 5, maxKvUsage: 0.95 })], [{ scorer: queueScorer(), weight: 2 }, { scorer: kvCacheScorer(), weight: 1 }], maxScorePicker(), fallbacks, seeded(3));
  it('filters, weighs and orders: the pick, then the fallbacks', () => {
    const r = make().schedule(REQ, fleet);
    expect(r).toMatchObject({ kind: 'picked', endpoints: ['b:1', 'c:1'] }); // a:1 saturated (6 > 5)
  });
  it('cuts the list at the configured fallbacks', () => {
    expect(make(0).schedule(REQ, fleet)).toMatchObject({ endpoints: ['b:1'] });
  });
  it('no endpoint at all is none_eligible; an empty subset too', () => {
    expect(make().schedule(REQ, [])).toMatchObject({ kind: 'refused', outcome: 'none_eligible' });
    expect(make().schedule({ ...REQ, subset: new Set(['x:1']) }, fleet)).toMatchObject({ kind: 'refused', outcome: 'none_eligible' });
  });
  it('clamps a scorer that misbehaves to [0, 1] (NaN counts 0)', () => {
    const wild = { type: 'wild', name: 'wild', score: () => [7, Number.NaN, -3] };
    const s = new EndpointScheduler([], [{ scorer: wild, weight: 1 }], maxScorePicker(), 2, seeded(4));
    expect(s.schedule(REQ, fleet)).toMatchObject({ endpoints: ['a:1', expect.any(String), expect.any(String)], scores: [1, 0, 0] });
  });
  it('all endpoints stale: still picks (scored as unknown), never fails', () => {
    const stale = [c('a:1', undefined, 3), c('b:1', undefined, 0)];
    const s = new EndpointScheduler([healthyFilter()], [{ scorer: queueScorer(), weight: 1 }, { scorer: inflightScorer(), weight: 1 }], maxScorePicker(), 1, seeded(5));
    expect(s.schedule(REQ, stale)).toMatchObject({ kind: 'picked', endpoints: ['b:1', 'a:1'] });
  });
});
