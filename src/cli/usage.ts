/** A command line that cannot be run as given: exit 2 with the usage text. */
export class UsageError extends Error {}

export const USAGE = `semroute: a semantic router for vLLM fleets (Envoy ext_proc)

Usage:
  semroute serve --config FILE [--grpc-listen HOST:PORT|unix:PATH] [--admin-listen HOST:PORT] [--workers N]
  semroute dev   --config FILE [--listen HOST:PORT] [--fake-upstreams]
  semroute validate FILE [--json]
  semroute schema [--format json|markdown]
  semroute explain --config FILE [--protocol chat|completions] [--header 'NAME: VALUE']... [--json] [BODYFILE|-]
  semroute eval --model NAME|DIR [--config FILE] --dataset FILE.jsonl [--json] [--provider cpu|cuda|webgpu]
  semroute eval --config FILE --dataset FILE.jsonl [--json] [--min-accuracy X]
  semroute eval --cache-pairs FILE.jsonl [--model DIR | --config FILE] [--max-false-hits 0.01] [--by-kind] [--json]
  semroute version

serve and dev watch the config file and reload it on change or SIGHUP.
explain prints how the config routes one request body (stdin by default).
eval --model scores one classifier; eval --config without --model scores routing decisions;
eval --cache-pairs calibrates the semantic cache's similarity on {"a","b","same"} pairs.
`;
