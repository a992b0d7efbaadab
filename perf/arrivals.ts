// Open-loop arrival schedules: when each request is due, in ms from the start of the run.

export type ArrivalProcess = 'poisson' | 'uniform';

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Send times for `rate` requests/s over `seconds`: evenly spaced (uniform) or with exponential gaps
 * (Poisson). Ascending, all below seconds·1000.
 */
export function arrivalOffsets(rate: number, seconds: number, process: ArrivalProcess, rand: () => number): Float64Array {
  if (rate <= 0 || seconds <= 0) return new Float64Array(0);
  const end = seconds * 1000;
  const gap = 1000 / rate;
  const out: number[] = [];
  if (process === 'uniform') {
    for (let t = 0; t < end; t += gap) out.push(t);
  } else {
    for (let t = -Math.log(1 - rand()) * gap; t < end; t += -Math.log(1 - rand()) * gap) out.push(t);
  }
  return Float64Array.from(out);
}
