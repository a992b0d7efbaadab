// Where a model's endpoints come from. A source reports the whole current set each time it changes;
// endpoints that disappear are dropped (their scrapes and prefix entries go), new ones join.
export interface EndpointSource {
  readonly kind: string;
  /** Begins reporting; the first report may come before start returns. */
  start(onChange: (endpoints: readonly string[]) => void): void;
  stop(): void;
}
