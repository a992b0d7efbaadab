// A virtual clock for the fleet simulator: events run in time order (ties in insertion order),
// so a run is deterministic and independent of how busy the machine is.
import type { EngineTimer } from '../../src/dev/vllm-engine.js';

interface Ev {
  t: number;
  seq: number;
  f: () => void;
}

export class VirtualClock {
  now = 0;
  private heap: Ev[] = [];
  private seq = 0;

  at(t: number, f: () => void): void {
    const e = { t: Math.max(t, this.now), seq: this.seq++, f };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(h[p]!, e)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  after(ms: number, f: () => void): void {
    this.at(this.now + ms, f);
  }

  timer(): EngineTimer {
    return { after: (ms, f) => this.after(ms, f), clear: () => undefined };
  }

  /** Runs events until none is left or the clock passes `until`. */
  run(until = Infinity): void {
    while (this.heap.length > 0 && this.heap[0]!.t <= until) {
      const e = this.pop();
      this.now = e.t;
      e.f();
    }
  }

  private less(a: Ev, b: Ev): boolean {
    return a.t < b.t || (a.t === b.t && a.seq < b.seq);
  }

  private pop(): Ev {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = -1;
        let best = last;
        if (l < h.length && this.less(h[l]!, best)) {
          m = l;
          best = h[l]!;
        }
        if (r < h.length && this.less(h[r]!, best)) {
          m = r;
          best = h[r]!;
        }
        if (m < 0) break;
        h[i] = best;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}
