// Requests in flight per model, counted by this replica from routing to the end of the stream: the
// load the least_loaded strategy reads. Per replica by design: a shared counter would cost a Redis
// round trip per request, and with N replicas behind one balancer each sees ~1/N of the load.
export class InflightTracker {
  private readonly counts = new Map<string, number>();

  /** Counts one request on `model`; call the returned function once when it ends. */
  begin(model: string): () => void {
    this.counts.set(model, (this.counts.get(model) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.counts.get(model) ?? 1) - 1;
      if (n <= 0) this.counts.delete(model);
      else this.counts.set(model, n);
    };
  }

  get(model: string): number {
    return this.counts.get(model) ?? 0;
  }
}
