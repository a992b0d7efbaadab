import { describe, expect, it } from '@jest/globals';
import { ENGINES } from '../../../src/endpoints/metrics/engines.js';
import { parseMetrics, relevantLines } from '../../../src/endpoints/metrics/parse.js';

const VLLM = `# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="llama"} 7.0
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{engine="0",model_name="llama"} 3.0
# TYPE vllm:kv_cache_usage_perc gauge
vllm:kv_cache_usage_perc{engine="0",model_name="llama"} 0.42
# TYPE vllm:lora_requests_info gauge
vllm:lora_requests_info{max_lora="2",running_lora_adapters="",waiting_lora_adapters=""} 1.7e9
vllm:lora_requests_info{max_lora="2",running_lora_adapters="sql-lora,chat",waiting_lora_adapters="math"} 1.8e9
# TYPE vllm:cache_config_info gauge
vllm:cache_config_info{block_size="32",cache_dtype="auto",num_gpu_blocks="4096"} 1.0
# TYPE vllm:time_to_first_token_seconds histogram
vllm:time_to_first_token_seconds_bucket{le="0.001",model_name="llama"} 0.0
vllm:time_to_first_token_seconds_bucket{le="+Inf",model_name="llama"} 12.0
vllm:time_to_first_token_seconds_sum{model_name="llama"} 3.2
`;

describe('parseMetrics', () => {
  const cases: { name: string; text: string; engine: keyof typeof ENGINES; want: Record<string, unknown> | string }[] = [
    {
      name: 'vLLM: every signal, the newest LoRA series, the block size',
      text: VLLM,
      engine: 'vllm',
      want: { waiting: 3, running: 7, kvUsage: 0.42, runningAdapters: ['sql-lora', 'chat'], waitingAdapters: ['math'], maxLora: 2, blockSize: 32 },
    },
    {
      name: 'vLLM before the rename: gpu_cache_usage_perc',
      text: 'vllm:num_requests_running 1\nvllm:num_requests_waiting 0\nvllm:gpu_cache_usage_perc 0.5\n',
      engine: 'vllm',
      want: { waiting: 0, running: 1, kvUsage: 0.5, runningAdapters: [], waitingAdapters: [] },
    },
    {
      name: 'two model_name series are summed (counts) and maxed (fractions)',
      text: 'vllm:num_requests_running{model_name="a"} 1\nvllm:num_requests_running{model_name="b"} 2\nvllm:num_requests_waiting 4\nvllm:kv_cache_usage_perc{model_name="a"} 0.2\nvllm:kv_cache_usage_perc{model_name="b"} 0.7\n',
      engine: 'vllm',
      want: { waiting: 4, running: 3, kvUsage: 0.7 },
    },
    {
      name: 'SGLang names',
      text: '# TYPE sglang:num_queue_reqs gauge\nsglang:num_queue_reqs{model_name="q"} 5\nsglang:num_running_reqs{model_name="q"} 9\nsglang:token_usage{model_name="q"} 0.81\n',
      engine: 'sglang',
      want: { waiting: 5, running: 9, kvUsage: 0.81 },
    },
    {
      name: 'TensorRT-LLM: signals told apart by label',
      text: 'nv_trt_llm_request_metrics{model="m",request_type="waiting"} 2\nnv_trt_llm_request_metrics{model="m",request_type="scheduled"} 6\nnv_trt_llm_request_metrics{model="m",request_type="context"} 100\nnv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="fraction"} 0.3\nnv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="used"} 77\n',
      engine: 'trtllm',
      want: { waiting: 2, running: 6, kvUsage: 0.3 },
    },
    { name: 'partial scrape: no KV-cache gauge', text: 'vllm:num_requests_running 1\nvllm:num_requests_waiting 0\n', engine: 'vllm', want: 'no vllm:kv_cache_usage_perc or vllm:gpu_cache_usage_perc' },
    { name: 'partial scrape: cut mid-page', text: VLLM.slice(0, VLLM.indexOf('vllm:num_requests_waiting{')), engine: 'vllm', want: 'no vllm:num_requests_waiting' },
    { name: 'malformed value', text: 'vllm:num_requests_running abc\nvllm:num_requests_waiting 0\nvllm:kv_cache_usage_perc 0.1\n', engine: 'vllm', want: 'vllm:num_requests_running has the value' },
    { name: 'NaN is not a load', text: 'vllm:num_requests_running NaN\nvllm:num_requests_waiting 0\nvllm:kv_cache_usage_perc 0.1\n', engine: 'vllm', want: 'has the value "NaN"' },
    { name: 'an HTML error page', text: '<html><body>502 Bad Gateway</body></html>', engine: 'vllm', want: 'no vllm:num_requests_waiting' },
    { name: 'the wrong engine', text: VLLM, engine: 'sglang', want: 'no sglang:num_queue_reqs' },
    { name: 'empty', text: '', engine: 'vllm', want: 'no vllm:num_requests_waiting' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = parseMetrics(c.text, ENGINES[c.engine]);
      if (typeof c.want === 'string') {
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error).toContain(c.want);
      } else {
        expect(r.ok).toBe(true);
        if (r.ok) expect(r.metrics).toMatchObject(c.want);
      }
    });
  }

  it('clamps out-of-range values (a negative queue, a KV fraction over 1)', () => {
    const r = parseMetrics('vllm:num_requests_running -1\nvllm:num_requests_waiting 2\nvllm:kv_cache_usage_perc 1.3\n', ENGINES.vllm);
    expect(r.ok && r.metrics).toMatchObject({ running: 0, waiting: 2, kvUsage: 1 });
  });

  it('hands the parser only the lines of the metrics it reads', () => {
    const kept = relevantLines(VLLM, new Set(['vllm:num_requests_waiting']));
    expect(kept.trimEnd().split('\n')).toEqual([
      '# HELP vllm:num_requests_waiting Number of requests waiting to be processed.',
      '# TYPE vllm:num_requests_waiting gauge',
      'vllm:num_requests_waiting{engine="0",model_name="llama"} 3.0',
    ]);
  });
});
