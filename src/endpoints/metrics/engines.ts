// The metric names each serving engine exports for the signals the picker reads. A reference may
// name labels that the series must carry (TensorRT-LLM puts several signals under one name);
// several references for one signal are tried in order (vLLM renamed gpu_ to kv_cache_usage_perc).
export type Engine = 'vllm' | 'sglang' | 'trtllm';

export interface MetricRef {
  name: string;
  labels?: Readonly<Record<string, string>>;
}

export interface EngineMetrics {
  waiting: readonly MetricRef[];
  running: readonly MetricRef[];
  /** KV-cache use as a fraction in [0, 1]. */
  kvUsage: readonly MetricRef[];
  /** vLLM's info gauge with running_lora_adapters / waiting_lora_adapters / max_lora labels. */
  lora?: string;
  /** vLLM's info gauge with a block_size label. */
  cacheConfig?: string;
}

export const ENGINES: Readonly<Record<Engine, EngineMetrics>> = {
  vllm: {
    waiting: [{ name: 'vllm:num_requests_waiting' }],
    running: [{ name: 'vllm:num_requests_running' }],
    kvUsage: [{ name: 'vllm:kv_cache_usage_perc' }, { name: 'vllm:gpu_cache_usage_perc' }],
    lora: 'vllm:lora_requests_info',
    cacheConfig: 'vllm:cache_config_info',
  },
  sglang: {
    waiting: [{ name: 'sglang:num_queue_reqs' }],
    running: [{ name: 'sglang:num_running_reqs' }],
    kvUsage: [{ name: 'sglang:token_usage' }],
  },
  // trtllm-serve / Triton's TensorRT-LLM backend (the names GIE's model-server protocol uses).
  trtllm: {
    waiting: [{ name: 'nv_trt_llm_request_metrics', labels: { request_type: 'waiting' } }],
    running: [{ name: 'nv_trt_llm_request_metrics', labels: { request_type: 'scheduled' } }],
    kvUsage: [{ name: 'nv_trt_llm_kv_cache_block_metrics', labels: { kv_cache_block_type: 'fraction' } }],
  },
};

/** Every metric name an engine's signals use (the scrape keeps only these lines). */
export function metricNames(e: EngineMetrics): Set<string> {
  const names = new Set<string>();
  for (const r of [...e.waiting, ...e.running, ...e.kvUsage]) names.add(r.name);
  if (e.lora) names.add(e.lora);
  if (e.cacheConfig) names.add(e.cacheConfig);
  return names;
}
