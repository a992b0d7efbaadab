// decisions: rule trees over signals, the candidate models, and the plugins that shape the request.
import { z } from 'zod';
import { name, probability } from './common.js';
import { MAX_BODY_BYTES_LIMIT } from './security.js';

/** 256 Ki characters: ~64k tokens of English, scanned in ~5 ms; an operator may trade more CPU for longer prompts. */
export const PII_MAX_SCAN_CHARS = 256 * 1024;

/** A rule tree: a signal name, or any (OR) / all (AND) / not (NOT) over nested rules. */
export type RuleNode = string | { any: RuleNode[] } | { all: RuleNode[] } | { not: RuleNode[] };
export const ruleSchema: z.ZodType<RuleNode> = z.lazy(() =>
  z.union([
    name,
    z.strictObject({ any: z.array(ruleSchema) }),
    z.strictObject({ all: z.array(ruleSchema) }),
    z.strictObject({ not: z.array(ruleSchema).length(1, 'not takes exactly one rule') }),
  ]),
).meta({ id: 'Rule', description: 'A signal name, or { any: [...] } (OR), { all: [...] } (AND), { not: [one rule] } (NOT).' });

export const candidateSchema = z.strictObject({
  model: name.describe('A name from models.'),
  weight: z.number().positive().default(1).describe('Share of traffic under the weighted strategy.'),
  reasoning: z.enum(['on', 'off', 'default']).default('default').describe('Switch thinking on or off for this model (its reasoning_family says how).'),
  reasoning_effort: z.enum(['low', 'medium', 'high']).optional().describe('Effort for gpt-oss style models when reasoning is on.'),
});

const pluginsSchema = z
  .strictObject({
    block: z
      .strictObject({
        status: z.number().int().min(400).max(599).default(403).describe('HTTP status of the refusal.'),
        message: z.string().min(1).default('This request was blocked by policy.').describe('Message in the OpenAI-shaped error body.'),
        code: z.string().regex(/^[a-z_]+$/).default('blocked_by_policy').describe('error.code in the body.'),
      })
      .optional()
      .describe('Answer the request with an error instead of forwarding it.'),
    system_prompt: z
      .strictObject({
        mode: z.enum(['insert', 'replace']).default('insert').describe('insert: before any system prompt; replace: instead of it.'),
        text: z.string().min(1).describe('The system prompt text.'),
      })
      .optional()
      .describe('Add or replace the system prompt in the forwarded body.'),
    headers: z
      .strictObject({
        set: z
          .record(z.string().regex(/^[a-z0-9!#$%&'*+.^_`|~-]+$/, 'a lower-case HTTP header name'), z.string())
          .default({})
          .describe('Headers set (overwritten) on the upstream request.'),
        remove: z.array(z.string().min(1)).default([]).describe('Headers removed from the upstream request.'),
      })
      .optional()
      .describe('Headers set on or removed from the request to the upstream.'),
    pii: z
      .strictObject({
        action: z.enum(['block', 'redact', 'route']).describe('block: refuse; redact: mask PII in the forwarded body; route: send to route_model.'),
        types: z.array(z.string().min(1)).default([]).describe('PII types this policy covers; empty: any.'),
        route_model: name.optional().describe('The model (e.g. an on-premises one) for action route.'),
        redact_style: z.enum(['type', 'mask', 'hash']).default('type').describe('[EMAIL_ADDRESS], ****, or a short stable hash.'),
        max_scan_chars: z
          .number()
          .int()
          .positive()
          .max(MAX_BODY_BYTES_LIMIT)
          .default(PII_MAX_SCAN_CHARS)
          .describe(
            'Most characters of text (all messages together) the policy scans per request; the built-in rules cost ~20 ns per character on the event loop (the default: ~5 ms). A request with more is never forwarded unscanned: block and redact refuse it (413 pii_scan_limit), route sends it to route_model.',
          ),
      })
      .optional()
      .describe('What to do when the request carries PII.'),
    cache: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Look up and store answers for this decision.'),
        similarity: probability.optional().describe('Lowest cosine similarity for a semantic hit (default: cache.similarity).'),
        ttl_seconds: z.number().int().positive().optional().describe('Overrides cache.ttl_seconds.'),
      })
      .optional()
      .describe('Semantic response cache for this decision.'),
  })
  .default({});

export const PLUGIN_NAMES = Object.keys(pluginsSchema.unwrap().shape);

export const decisionSchema = z.strictObject({
  name: name.describe('Unique decision name; the value of x-semroute-decision.'),
  description: z.string().optional().describe('What the decision is for (shown by explain).'),
  priority: z.number().int().default(0).describe('Higher priority decisions are evaluated first.'),
  rules: ruleSchema.describe('When the decision applies: { all: [] } always matches.'),
  models: z.array(candidateSchema).default([]).describe('Candidate models; a decision without a block plugin needs at least one.'),
  strategy: z
    .enum(['first', 'weighted', 'cheapest', 'least_loaded'])
    .default('first')
    .describe('How a candidate is chosen: first listed, weighted random, cheapest that fits, or least loaded.'),
  require_tags: z
    .array(z.string().min(1))
    .default([])
    .describe('Tags a candidate model must carry (models[].tags); candidates without them are skipped by every strategy.'),
  plugins: pluginsSchema.describe('Request shaping for this decision.'),
});

export type DecisionConfig = z.infer<typeof decisionSchema>;
export type CandidateConfig = z.infer<typeof candidateSchema>;
export type PluginsConfig = DecisionConfig['plugins'];
