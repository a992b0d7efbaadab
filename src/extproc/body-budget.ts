// A process-wide bound on request-body bytes held by open streams. Each stream may hold up to
// max_body_bytes while it accumulates and routes; a burst of large bodies is shed with 429
// instead of growing the heap until the process dies.
export class BodyBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.used;
  }

  tryTake(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}
