import { describe, expect, test } from '@jest/globals';
import { mulberry32 } from '../../../perf/arrivals.js';
import { DEFAULT_LSH, int8Cosine, LshHasher, maxHamming, quantize, validateLsh } from '../../../src/state/lsh.js';
import { atCosine, cosine64, randomUnit } from '../../helpers/vectors.js';

const hamming = (a: Buffer, b: Buffer) => {
  let h = 0;
  for (let i = 0; i < a.length; i++) for (let x = a[i]! ^ b[i]!; x; x &= x - 1) h++;
  return h;
};

/** Whether some table's bucket of `a` is among the buckets a lookup for `b` reads. */
const meet = (h: LshHasher, a: Float32Array, b: Float32Array) => {
  const stored = h.signature(a).probeFields.filter((_, i) => i % (h.params.probes + 1) === 0);
  const probed = new Set(h.signature(b).probeFields.map((f) => f.toString('hex')));
  return stored.some((f) => probed.has(f.toString('hex')));
};

describe('LshHasher', () => {
  test('hyperplanes and signatures are a pure function of (seed, dimension)', () => {
    const v = randomUnit(64, mulberry32(1));
    const a = new LshHasher(DEFAULT_LSH, 64);
    const b = new LshHasher(DEFAULT_LSH, 64);
    expect(Buffer.from(a.planes.buffer).equals(Buffer.from(b.planes.buffer))).toBe(true);
    expect(a.signature(v).sig.equals(b.signature(v).sig)).toBe(true);
    // A pinned fingerprint: a change here silently splits replicas of different versions.
    expect(a.planes.slice(0, 3).map((x) => Math.round(x * 1e6))).toEqual(Float64Array.from([105392, -689714, -120691]));
    const other = new LshHasher({ ...DEFAULT_LSH, seed: 7 }, 64);
    expect(other.signature(v).sig.equals(a.signature(v).sig)).toBe(false);
  });

  test('a signature has L × ceil(K/8) bytes, and one bucket plus `probes` neighbours per table', () => {
    const h = new LshHasher({ tables: 5, bits: 10, probes: 2, seed: 1 }, 32);
    const { sig, probeFields } = h.signature(randomUnit(32, mulberry32(2)));
    expect(sig.length).toBe(10);
    expect(probeFields).toHaveLength(15);
    for (let t = 0; t < 5; t++) {
      const [own, ...probes] = probeFields.slice(t * 3, t * 3 + 3);
      expect(own!.subarray(1).equals(sig.subarray(t * 2, t * 2 + 2))).toBe(true);
      for (const p of probes) {
        expect(p[0]).toBe(t);
        expect(hamming(p.subarray(1), own!.subarray(1))).toBe(1);
      }
      // Bits beyond K stay zero, so Hamming distances only count real bits.
      expect(sig[t * 2 + 1]! & 0b1111_1100).toBe(0);
    }
  });

  test('near vectors share a bucket far more often than unrelated ones', () => {
    const rand = mulberry32(3);
    const h = new LshHasher(DEFAULT_LSH, 128);
    let near = 0;
    let far = 0;
    const n = 400;
    for (let i = 0; i < n; i++) {
      const v = randomUnit(128, rand);
      if (meet(h, v, atCosine(v, 0.97, rand))) near++;
      if (meet(h, v, randomUnit(128, rand))) far++;
    }
    expect(near / n).toBeGreaterThan(0.95);
    expect(far / n).toBeLessThan(0.01);
  });

  test('maxHamming keeps near pairs and drops unrelated ones', () => {
    const rand = mulberry32(4);
    const h = new LshHasher(DEFAULT_LSH, 128);
    const limit = maxHamming(0.95, DEFAULT_LSH.tables * DEFAULT_LSH.bits);
    let nearKept = 0;
    let farKept = 0;
    for (let i = 0; i < 300; i++) {
      const v = randomUnit(128, rand);
      const sig = h.signature(v).sig;
      if (hamming(sig, h.signature(atCosine(v, 0.96, rand)).sig) <= limit) nearKept++;
      if (hamming(sig, h.signature(randomUnit(128, rand)).sig) <= limit) farKept++;
    }
    expect(nearKept).toBeGreaterThanOrEqual(298);
    expect(farKept).toBe(0);
  });

  test('rejects layouts the index cannot hold', () => {
    expect(() => validateLsh({ ...DEFAULT_LSH, bits: 25 })).toThrow(/bits/);
    expect(() => validateLsh({ ...DEFAULT_LSH, tables: 0 })).toThrow(/tables/);
    expect(() => validateLsh({ ...DEFAULT_LSH, probes: 19 })).toThrow(/probes/);
  });
});

describe('int8 quantisation', () => {
  test.each([128, 384, 768, 1024])('cosine of the int8 vectors is within 0.01 of the float cosine (d=%i)', (d) => {
    const rand = mulberry32(d);
    let worst = 0;
    for (const c of [0.99, 0.97, 0.95, 0.9, 0.7, 0.3]) {
      for (let i = 0; i < 30; i++) {
        const a = randomUnit(d, rand);
        const b = atCosine(a, c, rand);
        worst = Math.max(worst, Math.abs(int8Cosine(quantize(a), quantize(b)) - cosine64(a, b)));
      }
    }
    for (let i = 0; i < 30; i++) {
      const a = randomUnit(d, rand);
      const b = randomUnit(d, rand);
      worst = Math.max(worst, Math.abs(int8Cosine(quantize(a), quantize(b)) - cosine64(a, b)));
    }
    expect(worst).toBeLessThan(0.01);
  });

  test('scales by the largest component and survives a zero vector', () => {
    expect([...quantize(Float32Array.from([0.5, -0.3, 0]))].map((b) => (b << 24) >> 24)).toEqual([127, -76, 0]);
    expect([...quantize(new Float32Array(4))]).toEqual([0, 0, 0, 0]);
    expect(int8Cosine(quantize(new Float32Array(4)), quantize(Float32Array.from([1, 0, 0, 0])))).toBe(0);
  });
});
