/** A command line that cannot be run as given: exit 2 with the usage text. */
export class UsageError extends Error {}

export const USAGE = `semroute: a semantic router for vLLM fleets (Envoy ext_proc)

Usage:
  semroute serve --config FILE [--grpc-listen HOST:PORT|unix:PATH] [--grpc-socket-mode MODE] [--admin-listen HOST:PORT] [--workers N]
  semroute dev   --config FILE [--listen HOST:PORT] [--fake-upstreams]
  semroute validate FILE [--json]
  semroute schema [--format json|markdown]
  semroute explain --config FILE [--protocol chat|completions|responses|messages] [--header 'NAME: VALUE']... [--json] [BODYFILE|-]
  semroute eval --model NAME|DIR [--config FILE] --dataset FILE.jsonl [--json] [--provider cpu|cuda|webgpu]
  semroute eval --config FILE --dataset FILE.jsonl [--json] [--min-accuracy X]
  semroute eval --cache-pairs FILE.jsonl [--model DIR | --config FILE] [--max-false-hits 0.01] [--by-kind] [--json]
  semroute inject [--listen HOST:PORT] [--tls-cert FILE --tls-key FILE] [--sidecar-mode auto|native|regular]
                  [--kube-version X.Y] [--on-invalid admit|deny] [--image IMG] [--config-map NAME] ...
  semroute inject --dry-run -f POD_OR_WORKLOAD.yaml [--sidecar-mode ...] [--kube-version X.Y]
  semroute inject certs [--service semroute-inject] [--namespace semroute-system] [--out-dir DIR] [--days 365]
  semroute config migrate FILE [--to v1]
  semroute version [--json]

serve and dev watch the config file and reload it on change or SIGHUP.
explain prints how the config routes one request body (stdin by default), and whether the chosen
model serves its protocol natively or gets it translated to chat completions. Without --protocol
the body's shape decides: "input", "instructions" or "previous_response_id" -> responses; "messages"
with a top-level "system" or an Anthropic-only content block (image, document, tool_use,
tool_result, thinking...) -> messages; "prompt" without "messages" -> completions; else chat. An
Anthropic body with only text and no "system" reads as chat: give --protocol messages for it.
eval --model scores one classifier; eval --config without --model scores routing decisions on
{"text"}, {"messages"} (chat) or {"body", "protocol"?} lines (any protocol, inferred as explain does);
inject serves the Kubernetes sidecar injection webhook over HTTPS (POST /mutate; /healthz, /readyz,
/metrics) and re-reads its certificate when the files change; --dry-run prints the mutated objects.
See docs/injection.md. config migrate rewrites a config file for a newer format version.
eval --cache-pairs calibrates the semantic cache's similarity on {"a","b","same"} pairs.
`;
