// Small hand-written fakes for the telemetry seams: they record what they were given.
import type { Logger } from '../../src/telemetry/logger.js';
import type { RouterMetrics } from '../../src/telemetry/metrics.js';
import type { GenAiObservation } from '../../src/telemetry/genai-metrics.js';

export class RecordingMetrics implements RouterMetrics {
  requests: Array<{ decision: string; model: string; outcome: string }> = [];
  latencies: number[] = [];
  errors: Array<{ code: string; status: number }> = [];
  streams = 0;
  /** Streams ever opened (streams is the number still open). */
  opened = 0;
  reloads: string[] = [];
  recordRequest(l: { decision: string; model: string; outcome: any }): void {
    this.requests.push(l);
  }
  recordRoutingLatency(seconds: number): void {
    this.latencies.push(seconds);
  }
  recordError(l: { code: string; status: number }): void {
    this.errors.push(l);
  }
  streamOpened(): void {
    this.streams++;
    this.opened++;
  }
  streamClosed(): void {
    this.streams--;
  }
  reaped = 0;
  recordStreamsReaped(count: number): void {
    this.reaped += count;
  }
  tokens: Array<{ model: string; decision: string; input: number; output: number; cached: number }> = [];
  recordTokens(labels: { model: string; decision: string }, usage: { input: number; output: number; cached: number }): void {
    this.tokens.push({ ...labels, ...usage });
  }
  genAi: GenAiObservation[] = [];
  recordGenAi(o: GenAiObservation): void {
    this.genAi.push(o);
  }
  traceExports: Array<{ result: string; spans: number }> = [];
  recordTraceExport(result: 'ok' | 'failed', spans: number): void {
    this.traceExports.push({ result, spans });
  }
  observeCertificates(): void {}
  rotations = 0;
  recordConnectionRotated(): void {
    this.rotations++;
  }
  signals: Array<{ signal: string; kind: string; outcome: string }> = [];
  recordSignal(l: { signal: string; kind: string; outcome: string }): void {
    this.signals.push(l);
  }
  recordReload(result: 'success' | 'rejected'): void {
    this.reloads.push(result);
  }
  /** Affinity, cache and state events as "kind:result[:reason]". */
  state: string[] = [];
  stateAvailable = true;
  recordAffinity(result: string, reason?: string): void {
    this.state.push(`affinity:${result}${reason ? `:${reason}` : ''}`);
  }
  recordCacheLookup(result: string): void {
    this.state.push(`cache:${result}`);
  }
  recordCacheStore(result: string): void {
    this.state.push(`store:${result}`);
  }
  recordCacheGuardRejection(rule: string): void {
    this.state.push(`guard:${rule}`);
  }
  recordCacheSemanticSkip(reason: string): void {
    this.state.push(`semantic_skip:${reason}`);
  }
  recordStateError(op: string, reason: string): void {
    this.state.push(`error:${op}:${reason}`);
  }
  setStateAvailable(available: boolean): void {
    this.stateAvailable = available;
  }
  render(): Promise<string> {
    return Promise.resolve('');
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export class RecordingLogger implements Logger {
  lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  debug(msg: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'debug', msg, ...(fields ? { fields } : {}) });
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', msg, ...(fields ? { fields } : {}) });
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', msg, ...(fields ? { fields } : {}) });
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', msg, ...(fields ? { fields } : {}) });
  }
  child(): Logger {
    return this;
  }
  rateLimited(): Logger {
    return this;
  }
}
