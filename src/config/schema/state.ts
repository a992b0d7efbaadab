// state, affinity and cache: what replicas share through Redis.
import { z } from 'zod';
import { defaulted, endpoint, probability } from './common.js';

const tlsSchema = z.strictObject({
  enabled: z.boolean().default(false).describe('Connect with TLS (also implied by a rediss:// url).'),
  ca_file: z.string().optional().describe('PEM bundle to verify the server with.'),
  cert_file: z.string().optional().describe('Client certificate (mutual TLS).'),
  key_file: z.string().optional().describe('Client key (mutual TLS).'),
  servername: z.string().optional().describe('SNI and certificate name, when it differs from the host.'),
  insecure_skip_verify: z.boolean().default(false).describe('Do not verify the server certificate (tests only).'),
});

export const redisSchema = z.strictObject({
  mode: z.enum(['standalone', 'sentinel', 'cluster']).default('standalone').describe('One server (url), Sentinel-managed failover, or Redis Cluster.'),
  url: z.string().regex(/^rediss?:\/\//, 'redis:// or rediss:// URL').optional().describe('Standalone server, e.g. redis://redis:6379/0.'),
  sentinels: z.array(endpoint).default([]).describe('Sentinel endpoints (mode sentinel).'),
  master_name: z.string().optional().describe('Sentinel master group name (mode sentinel).'),
  nodes: z.array(endpoint).default([]).describe('Seed nodes (mode cluster).'),
  username: z.string().optional().describe('ACL user (Redis 6+).'),
  password: z.string().optional().describe('Prefer password_file or ${ENV} substitution over a literal.'),
  password_file: z.string().optional().describe('File holding the password (e.g. a mounted Kubernetes Secret).'),
  db: z.number().int().nonnegative().default(0).describe('Database number (standalone and sentinel; Cluster has only 0).'),
  tls: tlsSchema.prefault({}).describe('TLS to the servers.'),
  key_prefix: z.string().default('semroute:').describe('Prefix of every key; keys also carry a {hash tag} per partition for Cluster.'),
  op_timeout_ms: z.number().int().positive().max(5000).default(20).describe('Budget of one Redis operation; beyond it the feature is skipped for that request.'),
  connect_timeout_ms: z.number().int().positive().default(2000).describe('Longest wait for a connection before it counts as failed.'),
  max_offline_queue: z.number().int().nonnegative().default(100).describe('Commands held while disconnected; more fail at once.'),
  breaker: z
    .strictObject({
      failures: z.number().int().positive().default(5).describe('Consecutive failures that open the breaker.'),
      open_ms: z.number().int().positive().default(2000).describe('How long it stays open before a probe.'),
      slow_ms: z
        .number()
        .int()
        .positive()
        .optional()
        .describe(
          'A successful call slower than this also counts as a failure. Off by default: under CPU saturation the measured time includes the event loop\'s own delay, which would open the breaker with Redis healthy. Timeouts always count.',
        ),
    })
    .prefault({})
    .describe('Circuit breaker: after repeated failures Redis is skipped until a probe succeeds.'),
});

export const stateSchema = z
  .strictObject({
    backend: z.enum(['memory', 'redis']).default('memory').describe('memory: one replica; redis: shared by all replicas.'),
    redis: redisSchema.optional().describe('The Redis deployment (backend redis).'),
    memory: z
      .strictObject({ max_entries: z.number().int().positive().default(100_000).describe('Bound on entries held in process.') })
      .prefault({})
      .describe('The in-process store (backend memory).'),
  })
  .prefault({});

export const affinitySchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Keep a conversation on the model of its first turn.'),
    ttl_seconds: z.number().int().positive().default(3600).describe('How long a pin lives; refreshed on use.'),
    idle_timeout_seconds: z.number().int().positive().optional().describe('A pin idle this long may switch models.'),
    switch: z
      .strictObject({
        on_higher_priority_by: z.number().int().positive().optional().describe('Switch when the new decision outranks the pinned one by this many priority points.'),
        on_context_overflow: z.boolean().default(true).describe('Switch when the pinned model cannot hold the context.'),
      })
      .prefault({})
      .describe('When a pinned conversation may move to another model. It always moves when the pinned model is no longer configured, or when a PII policy routes the turn elsewhere.'),
  })
  .prefault({});

/** One guard rule: on by default, its own parameters, and what it compares. */
const guardRule = <T extends z.core.$ZodLooseShape>(compares: string, params: T = {} as T) =>
  defaulted(z.strictObject({ enabled: z.boolean().default(true).describe('Apply this rule.'), ...params })).describe(
    `Rejects a candidate when ${compares}.`,
  );

/**
 * The cache guard: rules every semantic candidate must pass before it is served, whatever the
 * embedding model (src/state/cache-guard/). A rejected candidate is a miss, never an answer.
 */
export const cacheGuardSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Check every semantic candidate: the answer-changing features of the two requests must agree. Off: any candidate above the similarity is served.'),
    max_candidates: z
      .number()
      .int()
      .min(1)
      .max(8)
      .default(3)
      .describe('Semantic candidates above the similarity fetched per lookup (in the same round trip), tried best first until one passes.'),
    max_text_chars: z
      .number()
      .int()
      .positive()
      .max(65_536)
      .default(8192)
      .describe('Longer request texts are matched exactly only (no embedding, no semantic entry): the guard needs the text stored with the entry, and this bounds it.'),
    language: guardRule('the two requests are in different scripts, or in different languages by their stop words'),
    numbers: guardRule('the numbers with their units differ, as a multiset ("10 km" = "10km" = "ten kilometres", "5%" = "5 percent"; "10 km" is not "10 miles")', {
      number_words: z.boolean().default(true).describe('Read number words ("ten", "twenty-one", "two hundred", "third") as numbers.'),
    }),
    negation: guardRule('the number of negations differs (not, no, never, without, except, -n\'t, nicht, pas ...)', {
      prefixes: z.boolean().default(true).describe('Also when a word of one request is a negating prefix (un-, in-, im-, il-, ir-, dis-, non-) plus a word of the other ("unsafe" / "safe").'),
    }),
    direction: guardRule('one request says more / less, to / from, before / after, above / below, increase / decrease, buy / sell (and other listed opposites) where the other says the opposite'),
    entities: guardRule('a name in one request (a capitalised word not at a sentence start, an acronym, iPhone, H100) is not a word of the other', {
      sentence_start: z.boolean().default(true).describe('Also treat a capitalised first word that is not a common word ("Paris is ...", "Lyon is ...") as a name.'),
    }),
    quotes: guardRule('the quoted strings differ ("...", \'...\', “...”, «...»; case and spacing ignored)'),
    identifiers: guardRule('a code identifier of one request (snake_case, camelCase, dotted.name, `backticked`, --flag, /path, URL) is missing from the other'),
    order: guardRule('the words both requests share come in a different order ("10 divided by 2" / "2 divided by 10")', {
      min_overlap: probability.default(0.5).describe('Lowest bigram overlap (Dice) of the shared words, each request in its own order.'),
      min_shared_words: z.number().int().min(2).default(3).describe('With fewer shared words than this, word order is not judged.'),
    }),
  })
  .prefault({});

export const cacheSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Master switch; decisions opt in with the cache plugin.'),
    ttl_seconds: z.number().int().positive().default(3600).describe('How long a cached answer lives.'),
    max_entries_per_partition: z.number().int().positive().default(100_000).describe('Bound per (tenant, decision, model, ...) partition; oldest evicted.'),
    similarity: probability.default(0.965).describe('Default lowest similarity for a semantic hit.'),
    embedding_model: z.string().default('embedding').describe('The inference model (task embedding) used for semantic lookups.'),
    cache_tool_calls: z.boolean().default(false).describe('Also store answers that call tools.'),
    max_entry_bytes: z.number().int().positive().default(256 * 1024).describe('Larger answers are not stored.'),
    near: z
      .strictObject({
        max_entries: z.number().int().nonnegative().default(10_000).describe('Answers held in process; 0 turns the near cache off.'),
        max_bytes: z.number().int().positive().default(64 * 1024 * 1024).describe('Bound on the bytes those answers take.'),
        ttl_seconds: z
          .number()
          .positive()
          .default(10)
          .describe('How long an answer is served from process memory; an entry evicted or expired in Redis may be served this much longer.'),
      })
      .prefault({})
      .describe('With the Redis backend: recently hit or stored answers kept in process, so a hot repeat costs no round trip.'),
    guard: cacheGuardSchema.describe(
      'Rules every semantic candidate must pass before it is served (numbers, negation, direction, names, quotes, code identifiers, language, word order). A rejected candidate is a miss; the next candidate above the similarity is tried.',
    ),
  })
  .prefault({});

export type StateConfig = z.infer<typeof stateSchema>;
export type AffinityConfig = z.infer<typeof affinitySchema>;
export type CacheConfig = z.infer<typeof cacheSchema>;
export type CacheGuardSettings = z.infer<typeof cacheGuardSchema>;
export type RedisConfig = z.infer<typeof redisSchema>;
