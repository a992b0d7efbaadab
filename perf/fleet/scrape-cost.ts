// What a scrape costs the event loop: parseMetrics (line filter + parser) on a vLLM-like /metrics
// page (the five gauges the picker reads among 40 histograms of 30 buckets, ~110 KB).
import { performance } from 'node:perf_hooks';
import { ENGINES } from '../../src/endpoints/metrics/engines.js';
import { parseMetrics } from '../../src/endpoints/metrics/parse.js';

export function vllmPage(): string {
  let page = [
    'vllm:num_requests_running{model_name="m"} 3',
    'vllm:num_requests_waiting{model_name="m"} 1',
    'vllm:kv_cache_usage_perc{model_name="m"} 0.4',
    'vllm:cache_config_info{block_size="16"} 1',
    'vllm:lora_requests_info{max_lora="4",running_lora_adapters="a",waiting_lora_adapters=""} 1',
    '',
  ].join('\n');
  for (let h = 0; h < 40; h++) {
    page += `# HELP vllm:hist_${h} a histogram\n# TYPE vllm:hist_${h} histogram\n`;
    for (let b = 0; b < 30; b++) page += `vllm:hist_${h}_bucket{engine="0",le="${b * 0.5}",model_name="meta-llama/Llama-3.1-8B-Instruct"} ${b * 17}\n`;
    page += `vllm:hist_${h}_sum{model_name="m"} 1\nvllm:hist_${h}_count{model_name="m"} 3\n`;
  }
  return page;
}

export function scrapeCost(iterations: number): { pageBytes: number; usPerParse: number } {
  const page = vllmPage();
  for (let i = 0; i < 200; i++) parseMetrics(page, ENGINES.vllm);
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) {
    const r = parseMetrics(page, ENGINES.vllm);
    if (!r.ok) throw new Error(r.error);
  }
  return { pageBytes: page.length, usPerParse: ((performance.now() - t0) / iterations) * 1000 };
}
