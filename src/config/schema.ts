// The semroute v1 config contract. Every other module receives the parsed, typed result.
// Unknown keys are rejected (strict) so that a typo fails validation instead of being ignored.
import { z } from 'zod';

const name = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/:]*$/, 'letters, digits and . _ - / : only');

const listenAddress = z
  .string()
  .describe('HOST:PORT, [IPv6]:PORT or unix:/path/to.sock');

export const listenersSchema = z
  .strictObject({
    grpc: z
      .strictObject({ address: listenAddress.default('0.0.0.0:50051') })
      .default({ address: '0.0.0.0:50051' })
      .describe('The ext_proc gRPC listener Envoy connects to.'),
    admin: z
      .strictObject({ address: listenAddress.default('127.0.0.1:9190') })
      .default({ address: '127.0.0.1:9190' })
      .describe('HTTP admin listener: /healthz, /readyz, /metrics.'),
  })
  .default({ grpc: { address: '0.0.0.0:50051' }, admin: { address: '127.0.0.1:9190' } });

export const modelSchema = z.strictObject({
  name: name.describe('What clients and decisions call the model; the value of x-semroute-model.'),
  served_name: z
    .string()
    .min(1)
    .optional()
    .describe("The model name the backend (vLLM --served-model-name) expects in the body's \"model\". Defaults to name."),
  cluster: z.string().min(1).optional().describe('The Envoy cluster serving this model (documentation and config rendering).'),
  endpoints: z
    .array(z.string().regex(/^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'expected host:port'))
    .default([])
    .describe('Backend endpoints host:port (endpoint mode, and the local gateway in `semroute dev`).'),
  max_context_tokens: z.number().int().positive().optional().describe('Largest context the model accepts.'),
  tags: z.array(z.string()).default([]).describe('Free-form tags used by selection constraints.'),
});

export const keywordSignalSchema = z
  .strictObject({
    name,
    any: z.array(z.string().min(1)).default([]).describe('Matches when any of these keywords occurs.'),
    all: z.array(z.string().min(1)).default([]).describe('Matches when all of these keywords occur.'),
    whole_words: z.boolean().default(true).describe('Match keywords only at word boundaries.'),
    case_sensitive: z.boolean().default(false),
  })
  .refine((s) => s.any.length > 0 || s.all.length > 0, { message: 'a keyword signal needs "any" or "all"' });

export const signalsSchema = z
  .strictObject({
    keyword: z.array(keywordSignalSchema).default([]),
  })
  .default({ keyword: [] });

/** A rule tree: a signal name, or any (OR) / all (AND) / not (NOT) over nested rules. */
export type RuleNode = string | { any: RuleNode[] } | { all: RuleNode[] } | { not: RuleNode[] };
export const ruleSchema: z.ZodType<RuleNode> = z.lazy(() =>
  z.union([
    name,
    z.strictObject({ any: z.array(ruleSchema) }),
    z.strictObject({ all: z.array(ruleSchema) }),
    z.strictObject({ not: z.array(ruleSchema).length(1, 'not takes exactly one rule') }),
  ]),
);

export const decisionSchema = z.strictObject({
  name,
  priority: z.number().int().default(0).describe('Higher priority decisions are evaluated first.'),
  rules: ruleSchema.describe('When the decision applies: { all: [] } always matches.'),
  models: z
    .array(z.strictObject({ model: name, weight: z.number().positive().default(1) }))
    .min(1)
    .describe('Candidate models; the first is chosen.'),
});

export const configSchema = z.strictObject({
  version: z.literal('v1').describe('Config format version.'),
  listeners: listenersSchema,
  routing: z
    .strictObject({
      auto_model_names: z
        .array(z.string().min(1))
        .default(['auto'])
        .describe('Request model names that mean "route it"; any configured model name passes through.'),
      default_decision: name.optional().describe('Decision used when no decision matches.'),
      default_model: name.optional().describe('Model used when no decision matches and no default_decision is set.'),
    })
    .default({ auto_model_names: ['auto'] }),
  models: z.array(modelSchema).min(1),
  signals: signalsSchema,
  decisions: z.array(decisionSchema).default([]),
  security: z
    .strictObject({
      max_body_bytes: z
        .number()
        .int()
        .positive()
        .max(64 * 1024 * 1024)
        .default(4 * 1024 * 1024)
        .describe('Largest request body accepted; larger ones get 413.'),
      max_json_depth: z.number().int().min(4).max(1000).default(64).describe('Deepest JSON nesting accepted.'),
      max_messages: z.number().int().positive().default(2048).describe('Most messages in one chat request.'),
      max_inflight_body_bytes: z
        .number()
        .int()
        .positive()
        .default(256 * 1024 * 1024)
        .describe('Request-body bytes all open streams may hold together; beyond it requests get 429.'),
    })
    .default({
      max_body_bytes: 4 * 1024 * 1024,
      max_json_depth: 64,
      max_messages: 2048,
      max_inflight_body_bytes: 256 * 1024 * 1024,
    }),
});

export type Config = z.infer<typeof configSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type DecisionConfig = z.infer<typeof decisionSchema>;
export type KeywordSignalConfig = z.infer<typeof keywordSignalSchema>;
