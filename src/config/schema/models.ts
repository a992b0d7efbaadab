// models: the backends semroute routes to.
import { z } from 'zod';
import { endpoint, name } from './common.js';
import { discoverySchema } from './endpoint-picker.js';

export const REASONING_FAMILIES = ['qwen3', 'deepseek', 'gpt-oss', 'none'] as const;

export const modelSchema = z.strictObject({
  name: name.describe('What clients and decisions call the model; the value of x-semroute-model.'),
  served_name: z
    .string()
    .min(1)
    .optional()
    .describe('The model name the backend (vLLM --served-model-name) expects in the body\'s "model". Defaults to name.'),
  cluster: z
    .string()
    .min(1)
    .optional()
    .describe('The Envoy cluster serving this model; Envoy routes on the x-semroute-model header to it.'),
  endpoints: z
    .array(endpoint)
    .default([])
    .describe('Backend endpoints (routing.mode endpoint, and the local gateway of `semroute dev`).'),
  discovery: discoverySchema
    .optional()
    .describe('Where the endpoint picker (routing.endpoint_picker) finds this model\'s endpoints: static (endpoints, the default) or dns.'),
  engine: z
    .enum(['vllm', 'sglang', 'trtllm'])
    .optional()
    .describe('The serving engine, for the metric names the endpoint picker scrapes (vllm:*, sglang:*, nv_trt_llm_*); default vllm.'),
  metrics_path: z.string().startsWith('/').optional().describe('Where each endpoint serves Prometheus metrics; default /metrics.'),
  lora_adapter: z
    .string()
    .min(1)
    .optional()
    .describe('The LoRA adapter this model is (vLLM serves adapters as model names): the lora scorer prefers endpoints that have it loaded.'),
  api: z
    .array(z.enum(['chat', 'completions', 'responses', 'messages']))
    .min(1)
    .default(['chat', 'completions'])
    .refine((apis) => apis.includes('chat'), 'must include chat: requests in a protocol the backend does not serve are translated to chat completions')
    .describe(
      'The APIs the backend serves natively: chat (/v1/chat/completions), completions (/v1/completions), responses (/v1/responses), messages (Anthropic /v1/messages). vLLM >= 0.11 serves all four. A Responses or Anthropic request to a model without its API is translated to chat completions and its answer translated back; a completions request to a model without completions is refused.',
    ),
  reasoning_family: z
    .enum(REASONING_FAMILIES)
    .default('none')
    .describe(
      'How thinking is switched on: qwen3 → chat_template_kwargs.enable_thinking, deepseek → chat_template_kwargs.thinking, gpt-oss → reasoning_effort.',
    ),
  cost_per_million_tokens: z
    .strictObject({
      input: z.number().nonnegative().describe('Price of 1M prompt tokens.'),
      output: z.number().nonnegative().describe('Price of 1M completion tokens.'),
    })
    .optional()
    .describe('Used by the "cheapest" selection strategy and for the cost of each answer (semroute_request_cost).'),
  max_context_tokens: z.number().int().positive().optional().describe('Largest context the model accepts.'),
  tags: z.array(z.string().min(1)).default([]).describe('Free-form tags used by selection constraints.'),
});

export type ModelConfig = z.infer<typeof modelSchema>;
