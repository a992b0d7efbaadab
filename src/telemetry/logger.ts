// A small structured logger: one JSON object per line, no dependencies.
//
//   {"ts":"2025-01-01T00:00:00.000Z","level":"warn","msg":"redis unavailable","component":"state","suppressed":12}
//
// - Levels debug < info < warn < error; lines below the threshold are dropped. The threshold comes
//   from the `level` option, else SEMROUTE_LOG_LEVEL, else `info`.
// - Sensitive keys are redacted wherever they appear in the fields (nested objects, arrays, and
//   `{ key|name: 'authorization', value|raw_value: … }` header pairs).
// - `rateLimited(key, intervalMs)` gives a logger that writes at most one line per interval for that
//   key (state shared by the whole logger tree) and reports how many it swallowed on the next line.
//   A fault that stops repeating leaves its last count unreported; that is the price of no timers.
// - Logging never throws: a failing stream or an unserializable field is swallowed.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger that adds these fields to every line (call fields win on a clash). */
  child(fields: Record<string, unknown>): Logger;
  /** A logger that emits at most one line per `intervalMs` for `key`, counting the rest. */
  rateLimited(key: string, intervalMs: number): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  stream?: { write(s: string): unknown };
  fields?: Record<string, unknown>;
  now?: () => number;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function isLogLevel(v: unknown): v is LogLevel {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(LEVELS, v);
}

// ---- redaction ---------------------------------------------------------------------------------

export const REDACTED = '[redacted]';

/** Normalized (lowercase, kebab) key names whose values never reach a log line. */
const SENSITIVE_KEYS = new Set([
  'authorization',
  'proxy-authorization',
  'api-key',
  'apikey',
  'x-api-key',
  'cookie',
  'set-cookie',
  'password',
  'passwd',
  'token',
  'secret',
  'client-secret',
  'private-key',
]);
/** Suffixes that make a compound key sensitive: `redis_password`, `bearerToken`, `openai-api-key`. */
const SENSITIVE_SUFFIXES = ['-password', '-token', '-secret', '-api-key', '-apikey', '-authorization', '-cookie'];

function normalizeKey(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[_\s.]+/g, '-');
}

/**
 * Whether a field name is sensitive. Matching is on whole words so that counters such as
 * `max_tokens` or `prompt_tokens` stay visible.
 */
export function isSensitiveKey(key: string): boolean {
  const k = normalizeKey(key);
  if (SENSITIVE_KEYS.has(k)) return true;
  return SENSITIVE_SUFFIXES.some((s) => k.endsWith(s));
}

const MAX_DEPTH = 8;
const MAX_STRING = 8_192;
const MAX_ARRAY = 100;
const BEARER = /^(bearer|basic)\s+\S+/i;

function sanitizeString(s: string): string {
  if (BEARER.test(s)) return `${s.split(/\s/, 1)[0]} ${REDACTED}`;
  return s.length > MAX_STRING ? `${s.slice(0, MAX_STRING)}…[${s.length - MAX_STRING} more chars]` : s;
}

/** A JSON-safe, redacted copy of `value`. */
function sanitize(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  switch (typeof value) {
    case 'string':
      return sanitizeString(value);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
      return undefined;
    case 'symbol':
      return value.toString();
    case 'function':
      return `[function ${value.name || 'anonymous'}]`;
    case 'object':
      break;
  }
  if (value === null) return null;
  const obj = value;
  if (seen.has(obj)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[depth limit]';
  if (Buffer.isBuffer(obj) || obj instanceof Uint8Array) return `[${obj.byteLength} bytes]`;
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
  seen.add(obj);
  try {
    if (obj instanceof Error) {
      const out: Record<string, unknown> = { name: obj.name, message: sanitizeString(obj.message) };
      const code = (obj as { code?: unknown }).code;
      if (code !== undefined) out.code = sanitize(code, depth + 1, seen);
      if (obj.stack) out.stack = obj.stack;
      if (obj.cause !== undefined) out.cause = sanitize(obj.cause, depth + 1, seen);
      return out;
    }
    if (Array.isArray(obj)) {
      const out = obj.slice(0, MAX_ARRAY).map((v) => sanitize(v, depth + 1, seen));
      if (obj.length > MAX_ARRAY) out.push(`[${obj.length - MAX_ARRAY} more items]`);
      return out;
    }
    if (obj instanceof Map) {
      return sanitizeRecord(Object.fromEntries(obj as Map<unknown, unknown>) as Record<string, unknown>, depth, seen);
    }
    if (obj instanceof Set) {
      return sanitize([...obj], depth, seen);
    }
    return sanitizeRecord(obj as Record<string, unknown>, depth, seen);
  } finally {
    seen.delete(obj);
  }
}

function sanitizeRecord(rec: Record<string, unknown>, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // A header pair such as { key: 'authorization', raw_value: <bytes> }: the name is fine, the value is not.
  const pairName = typeof rec.key === 'string' ? rec.key : typeof rec.name === 'string' ? rec.name : undefined;
  const sensitivePair = pairName !== undefined && isSensitiveKey(pairName);
  for (const [k, v] of Object.entries(rec)) {
    if (isSensitiveKey(k) || (sensitivePair && (k === 'value' || k === 'raw_value' || k === 'values'))) {
      out[k] = REDACTED;
    } else {
      const s = sanitize(v, depth + 1, seen);
      if (s !== undefined) out[k] = s;
    }
  }
  return out;
}

/** Redacted, JSON-safe copy of a field bag (exported for tests and for the admin config view). */
export function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  return sanitizeRecord(fields, 0, new WeakSet());
}

// ---- the logger ----------------------------------------------------------------------------------

const RESERVED = new Set(['ts', 'level', 'msg']);
const MAX_LIMITER_KEYS = 1_000;

interface Limit {
  last: number;
  suppressed: number;
}

/** Shared by a root logger and all its children. */
interface Core {
  threshold: number;
  write(line: string): void;
  now(): number;
  limits: Map<string, Limit>;
}

interface Limiter {
  key: string;
  intervalMs: number;
}

function levelFromEnv(): LogLevel | undefined {
  const v = process.env.SEMROUTE_LOG_LEVEL?.trim().toLowerCase();
  return isLogLevel(v) ? v : undefined;
}

class JsonLogger implements Logger {
  constructor(
    private readonly core: Core,
    private readonly fields: Record<string, unknown>,
    private readonly limiter?: Limiter,
  ) {}

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.log('error', msg, fields);
  }

  child(fields: Record<string, unknown>): Logger {
    return new JsonLogger(this.core, { ...this.fields, ...fields }, this.limiter);
  }

  rateLimited(key: string, intervalMs: number): Logger {
    return new JsonLogger(this.core, this.fields, { key, intervalMs: Math.max(0, intervalMs) });
  }

  private log(level: LogLevel, msg: string, fields: Record<string, unknown> | undefined): void {
    if (LEVELS[level] < this.core.threshold) return;
    try {
      const now = this.core.now();
      let suppressed = 0;
      if (this.limiter) {
        const limits = this.core.limits;
        const lim = limits.get(this.limiter.key);
        if (lim && now - lim.last < this.limiter.intervalMs) {
          lim.suppressed++;
          return;
        }
        suppressed = lim?.suppressed ?? 0;
        if (!lim && limits.size >= MAX_LIMITER_KEYS) {
          // Keys are code constants, so this only trips on misuse; forget the oldest.
          const oldest = limits.keys().next().value;
          if (oldest !== undefined) limits.delete(oldest);
        }
        limits.set(this.limiter.key, { last: now, suppressed: 0 });
      }
      const record: Record<string, unknown> = { ts: new Date(now).toISOString(), level, msg };
      const merged = fields ? { ...this.fields, ...fields } : this.fields;
      for (const [k, v] of Object.entries(redactFields(merged))) {
        record[RESERVED.has(k) ? `field_${k}` : k] = v;
      }
      if (suppressed > 0) record.suppressed = suppressed;
      this.core.write(`${JSON.stringify(record)}\n`);
    } catch {
      // A logger must never take the process down.
    }
  }
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? levelFromEnv() ?? 'info';
  const stream = opts.stream ?? process.stderr;
  const core: Core = {
    threshold: LEVELS[level],
    write(line) {
      try {
        stream.write(line);
      } catch {
        // EPIPE and friends: drop the line.
      }
    },
    now: opts.now ?? Date.now,
    limits: new Map(),
  };
  return new JsonLogger(core, { ...(opts.fields ?? {}) });
}

const noop = (): void => {};
export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
  rateLimited: () => silentLogger,
};
