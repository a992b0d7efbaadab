import { afterEach, describe, expect, it } from '@jest/globals';
import {
  createLogger,
  isSensitiveKey,
  REDACTED,
  silentLogger,
  type LogLevel,
  type LoggerOptions,
} from '../../../src/telemetry/logger.js';

function capture(opts: Omit<LoggerOptions, 'stream'> = {}) {
  const lines: string[] = [];
  let t = opts.now ? undefined : Date.UTC(2025, 0, 1);
  const clock = { advance: (ms: number) => (t = (t ?? 0) + ms) };
  const logger = createLogger({
    now: () => t ?? 0,
    ...opts,
    stream: { write: (s: string) => lines.push(s) },
  });
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, records, clock };
}

describe('logger', () => {
  const savedEnv = process.env.SEMROUTE_LOG_LEVEL;
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.SEMROUTE_LOG_LEVEL;
    else process.env.SEMROUTE_LOG_LEVEL = savedEnv;
  });

  it('writes one JSON object per line with ts, level, msg first, then fields', () => {
    const { logger, lines } = capture();
    logger.info('hello', { a: 1, b: 'two' });
    expect(lines).toEqual(['{"ts":"2025-01-01T00:00:00.000Z","level":"info","msg":"hello","a":1,"b":"two"}\n']);
  });

  const levels: LogLevel[] = ['debug', 'info', 'warn', 'error'];
  it.each<[LogLevel, LogLevel[]]>([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ])('threshold %s emits %j', (level, expected) => {
    const { logger, records } = capture({ level });
    for (const l of levels) logger[l](`m-${l}`);
    expect(records().map((r) => r.level)).toEqual(expected);
    expect(records().map((r) => r.msg)).toEqual(expected.map((l) => `m-${l}`));
  });

  it.each<[string | undefined, LogLevel | undefined, number]>([
    ['debug', undefined, 4],
    ['WARN', undefined, 2],
    ['bogus', undefined, 3], // falls back to info
    [undefined, undefined, 3],
    ['error', 'debug', 4], // the option wins over the environment
  ])('SEMROUTE_LOG_LEVEL=%s with option %s emits %d of 4', (env, level, n) => {
    if (env === undefined) delete process.env.SEMROUTE_LOG_LEVEL;
    else process.env.SEMROUTE_LOG_LEVEL = env;
    const { logger, lines } = capture(level ? { level } : {});
    for (const l of levels) logger[l]('x');
    expect(lines).toHaveLength(n);
  });

  it('redacts sensitive keys anywhere, keeping token counts visible', () => {
    const { logger, records } = capture();
    logger.warn('upstream call', {
      headers: { Authorization: 'Bearer abc', 'x-api-key': 'k', cookie: 'c=1', accept: 'json' },
      config: { redis: { url: 'redis://r:6379', password: 'p', nested: [{ client_secret: 's', keep: 1 }] } },
      apiKey: 'sk-1',
      bearerToken: 't',
      token: 't2',
      secret: 's2',
      usage: { prompt_tokens: 10, max_tokens: 100 },
      // header lists as ext_proc carries them
      list: [
        { key: 'authorization', raw_value: Buffer.from('Bearer x') },
        { key: 'x-semroute-model', value: 'qwen' },
      ],
      note: 'Bearer leaked-in-a-string',
    });
    const [r] = records();
    expect(r).toMatchObject({
      headers: { Authorization: REDACTED, 'x-api-key': REDACTED, cookie: REDACTED, accept: 'json' },
      config: {
        redis: { url: 'redis://r:6379', password: REDACTED, nested: [{ client_secret: REDACTED, keep: 1 }] },
      },
      apiKey: REDACTED,
      bearerToken: REDACTED,
      token: REDACTED,
      secret: REDACTED,
      usage: { prompt_tokens: 10, max_tokens: 100 },
      list: [
        { key: 'authorization', raw_value: REDACTED },
        { key: 'x-semroute-model', value: 'qwen' },
      ],
      note: `Bearer ${REDACTED}`,
    });
    expect(JSON.stringify(r)).not.toMatch(/abc|sk-1|"p"|leaked/);
  });

  it.each<[string, boolean]>([
    ['authorization', true],
    ['Proxy-Authorization', true],
    ['api-key', true],
    ['api_key', true],
    ['X-API-Key', true],
    ['set-cookie', true],
    ['redisPassword', true],
    ['ACCESS_TOKEN', true],
    ['max_tokens', false],
    ['tokenizer', false],
    ['cache_key', false],
    ['model', false],
  ])('isSensitiveKey(%j) = %s', (key, expected) => {
    expect(isSensitiveKey(key)).toBe(expected);
  });

  it('child loggers add fields, call fields win, and reserved keys are not overwritten', () => {
    const { logger, records } = capture({ fields: { service: 'semroute' } });
    const child = logger.child({ component: 'state', backend: 'redis' });
    child.child({ op: 'get' }).info('slow', { backend: 'memory', level: 'oops', ms: 12 });
    logger.info('root');
    expect(records()).toEqual([
      {
        ts: '2025-01-01T00:00:00.000Z',
        level: 'info',
        msg: 'slow',
        service: 'semroute',
        component: 'state',
        backend: 'memory',
        op: 'get',
        field_level: 'oops',
        ms: 12,
      },
      { ts: '2025-01-01T00:00:00.000Z', level: 'info', msg: 'root', service: 'semroute' },
    ]);
  });

  it('serializes errors, cycles, bigints and buffers without throwing', () => {
    const { logger, records } = capture();
    const cyclic: Record<string, unknown> = { name: 'c' };
    cyclic.self = cyclic;
    const err = Object.assign(new Error('boom'), { code: 'ECONNREFUSED' });
    logger.error('failed', { err, cyclic, big: 10n, buf: Buffer.alloc(3), when: new Date(0), nan: NaN });
    const [r] = records();
    expect(r).toMatchObject({
      err: { name: 'Error', message: 'boom', code: 'ECONNREFUSED' },
      cyclic: { name: 'c', self: '[circular]' },
      big: '10',
      buf: '[3 bytes]',
      when: '1970-01-01T00:00:00.000Z',
      nan: 'NaN',
    });
    expect(typeof (r?.err as { stack?: unknown }).stack).toBe('string');
  });

  it('never throws when the stream does', () => {
    const logger = createLogger({
      stream: {
        write() {
          throw new Error('EPIPE');
        },
      },
    });
    expect(() => logger.error('x')).not.toThrow();
  });

  it('rate limits per key with an injected clock and reports the suppressed count', () => {
    const { logger, records, clock } = capture();
    const redisDown = () => logger.rateLimited('redis-down', 10_000).warn('redis unavailable', { attempt: 1 });
    redisDown(); // emitted
    clock.advance(1_000);
    redisDown(); // suppressed
    redisDown(); // suppressed
    logger.rateLimited('model-timeout', 10_000).warn('model timed out'); // other key: emitted
    logger.warn('plain lines are never limited');
    clock.advance(9_000); // 10 s after the first line
    redisDown(); // emitted with suppressed: 2
    clock.advance(9_999);
    redisDown(); // suppressed
    clock.advance(1);
    redisDown(); // emitted with suppressed: 1
    clock.advance(10_000);
    redisDown(); // emitted, nothing suppressed in between

    expect(records().map((r) => [r.msg, r.suppressed])).toEqual([
      ['redis unavailable', undefined],
      ['model timed out', undefined],
      ['plain lines are never limited', undefined],
      ['redis unavailable', 2],
      ['redis unavailable', 1],
      ['redis unavailable', undefined],
    ]);
  });

  it('shares rate limit state across children and does not count lines below the threshold', () => {
    const { logger, records, clock } = capture({ level: 'info' });
    const a = logger.child({ component: 'a' }).rateLimited('k', 1_000);
    const b = logger.child({ component: 'b' }).rateLimited('k', 1_000);
    a.info('first');
    b.info('second'); // same key: suppressed
    b.debug('below threshold'); // neither emitted nor counted
    a.child({ extra: true }).info('third'); // children keep the limiter: suppressed
    clock.advance(1_000);
    b.info('fourth');
    expect(records().map((r) => [r.msg, r.component, r.suppressed])).toEqual([
      ['first', 'a', undefined],
      ['fourth', 'b', 2],
    ]);
  });

  it('silentLogger swallows everything', () => {
    expect(() => {
      silentLogger.error('x', { a: 1 });
      silentLogger.child({ a: 1 }).rateLimited('k', 1).warn('y');
    }).not.toThrow();
  });
});
