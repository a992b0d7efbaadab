# semroute — make targets. `make run` and `make test` set everything up themselves.
SHELL := /bin/bash
NODE_MODULES_STAMP := node_modules/.package-lock.json
DEV_CONFIG ?= deploy/local/semroute.yaml

.PHONY: install build run test test-unit lint typecheck clean bench bench-quick bench-soak bench-cache bench-cache-guard models docs fuzz bench-chaos bench-protocols bench-models bench-tls image image-cuda bench-fleet bench-fleet-stack

# Dependencies (npm ci when package-lock.json changed) and redis-server (apt, when missing).
install: $(NODE_MODULES_STAMP)
	@./scripts/ensure-redis.sh

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: install
	npx tsc -p tsconfig.json

# The router + local gateway (Envoy stand-in) + two fake vLLM upstreams, with the demo config.
run: build
	node dist/src/cli/main.js dev --config $(DEV_CONFIG) --fake-upstreams

typecheck: install
	npx tsc -p tsconfig.json --noEmit

lint: install
	npx eslint .

# Type check, lint, then every jest project (unit, integration, e2e). The runner's JSON report
# goes to reports/jest.json (read by .ci/run).
test: build lint
	@mkdir -p reports
	node --experimental-vm-modules node_modules/jest/bin/jest.js --json --outputFile=reports/jest.json $(JEST_ARGS)

test-unit: install
	node --experimental-vm-modules node_modules/jest/bin/jest.js --selectProjects unit $(JEST_ARGS)

# The ext_proc fuzz harness (test/fuzz/): 100,000 seeded sequences against a real semroute, with
# wrong orders, hostile bodies and every way a stream ends; fails on any wrong answer, hang or
# leaked stream (a few minutes). A 2,000-sequence run is part of `make test`.
FUZZ_ARGS ?= --sequences 100000 --seed 1
fuzz: build
	node dist/test/fuzz/main.js $(FUZZ_ARGS)

clean:
	rm -rf dist reports

# ext_proc overhead against a no-op ext_proc server on the same stack, measured in the same run
# (perf/README.md). bench-quick: under a minute, prints only; bench: ~8 minutes, writes
# perf/results/ and the README section; bench-soak: 30 minutes at a fixed rate (RSS, handles).
bench-quick: build
	node dist/perf/suite.js --quick

bench: build
	node dist/perf/suite.js
	node dist/perf/inference-bench.js --seconds 3 --rounds 2
	node dist/perf/worker-pool-bench.js --seconds 3 --rounds 2
	node dist/perf/decision-bench.js
	node dist/perf/pipeline-bench.js
	node dist/perf/embedding-bench.js --seconds 3 --rounds 3
	node dist/perf/large-body-bench.js
	node dist/perf/protocol-bench.js
	node dist/perf/tracing-bench.js

bench-soak: build
	node dist/perf/suite.js --soak 30

# OpenAI Responses and Anthropic Messages, native and translated to chat completions: translator CPU
# against SseParser / JSON.parse, and through the local gateway against chat and the floor (~5 min).
bench-protocols: build
	node dist/perf/protocol-bench.js

# mTLS on the ext_proc listener against plaintext, same run (perf/README.md).
bench-tls: build
	node dist/perf/tls-bench.js

# Endpoint picking on a simulated vLLM fleet (perf/fleet/, virtual time: deterministic, ~1 minute):
# round robin vs least in flight vs routing.endpoint_picker at 50/80/100% of capacity, then the
# picker's real cost per request at 1,000 req/s. Writes perf/results/fleet.json (perf/README.md).
bench-fleet: build
	node dist/perf/fleet/main.js $(FLEET_ARGS)

# The same comparison through the real path in real time (fake vLLMs scraped over HTTP, semroute
# over gRPC, the local gateway, streamed requests; ~1 minute): perf/README.md.
bench-fleet-stack: build
	node dist/perf/fleet/stack.js --engines 8 --seconds 12

# 500 req/s for 60 s through the local gateway with the cache and affinity on Redis while Redis is
# paused, killed and restarted and the config is rewritten every 4 s; fails on any failed request.
bench-chaos: build
	node dist/perf/gateway-chaos.js --rate 500 --seconds 60 --out perf/results/gateway-chaos.json

# The Redis cache index alone: lookup latency at 10k, 100k and 1M entries (~3 minutes), then the
# cache guard's cost per semantic lookup against the lookup without it (~1 minute).
bench-cache: build
	node dist/perf/cache-bench.js --entries 10000,100000,1000000
	node dist/perf/cache-guard-bench.js --entries 100000 --lookups 10000 --datasets $(DATASETS)

bench-cache-guard: build
	node dist/perf/cache-guard-bench.js --entries 100000 --lookups 10000 --datasets $(DATASETS)

# Retrain the default models (models/*) from ../shared/datasets (deterministic; needs the datasets).
DATASETS ?= ../shared/datasets
# Transformer-shaped graphs with random weights (MiniLM-L6, BERT-base, ModernBERT-base; fp32 and
# int8; Optimum, transformers.js and sentence-transformers layouts; ~4 GB) for the inference
# benchmarks, in BENCH_MODELS_DIR (outside git). For speed and loading only, never accuracy.
BENCH_MODELS_DIR ?= $(HOME)/.cache/semroute/bench-models
bench-models: build
	node dist/tools/models/bench-models.js --out $(BENCH_MODELS_DIR)

models: build
	node dist/tools/models/build.js --datasets $(DATASETS) --out models

# The config reference and JSON Schema, generated from the zod schema (a test keeps them current).
docs: build
	node dist/src/cli/main.js schema --format markdown > docs/config.md
	node dist/src/cli/main.js schema --format json > docs/semroute.schema.json

# Container images (needs a Docker engine): tagged with package.json's version, the commit and the
# build date go in as build args (semroute version --json, semroute_build_info). IMAGE=registry/name.
IMAGE ?= semroute
VERSION := $(shell node -p 'require("./package.json").version')
IMAGE_ARGS = --build-arg GIT_COMMIT=$$(git rev-parse --short=12 HEAD) --build-arg BUILD_DATE=$$(date -u +%Y-%m-%dT%H:%M:%SZ)
image:
	docker build -f deploy/docker/Dockerfile $(IMAGE_ARGS) -t $(IMAGE):$(VERSION) .
image-cuda:
	docker build -f deploy/docker/Dockerfile.cuda $(IMAGE_ARGS) -t $(IMAGE):$(VERSION)-cuda .
