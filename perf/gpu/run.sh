#!/usr/bin/env bash
# GPU inference benchmark, one prepared script for a machine with an NVIDIA GPU and no internet
# access. It builds nothing heavy (dist/ comes from here, the models are written in seconds),
# finishes within 10 minutes, and writes its results as JSON files under OUT_DIR:
#   environment.json               GPU, driver, Vulkan loader and ICD, onnxruntime backends
#   inference-<shape>-<provider>.json  perf/inference-bench.ts per provider and model shape
# Providers: cpu (the baseline, same run), webgpu (bundled in onnxruntime-node: Dawn over Vulkan),
# cuda (only when its provider library is installed: onnxruntime-node's install script fetches it,
# which .npmrc skips here). Models: the MiniLM-L6- and BERT-base-shaped classifiers of
# `make bench-models` (random weights: speed only).
#
# Vulkan: Dawn needs libvulkan.so.1 and the NVIDIA ICD (nvidia_icd.json, installed with the driver
# when the container has the graphics capability). A machine without the loader gets the one in
# perf/gpu/vendor/ (`perf/gpu/vendor.sh` on a machine with Debian's mirror: apt-get download
# libvulkan1, unpacked; git-ignored: carry it with dist/). The script needs node_modules
# (npm ci) and dist/ (npx tsc) from the tree it runs in; it downloads nothing.
#   perf/gpu/run.sh [OUT_DIR]      (default: $OUT, else perf/results/gpu)
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:-${OUT:-perf/results/gpu}}
mkdir -p "$out"
start=$(date +%s)
log() { echo "[gpu-bench $(( $(date +%s) - start ))s] $*" >&2; }

# 1. Vulkan loader: the system's, else the vendored one.
vendor=perf/gpu/vendor/usr/lib/x86_64-linux-gnu
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then
  if [ -f "$vendor/libvulkan.so.1" ]; then
    export LD_LIBRARY_PATH="$PWD/$vendor${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    loader="vendored $vendor/libvulkan.so.1"
  else
    loader="missing (run perf/gpu/vendor.sh where Debian's mirror is reachable)"
  fi
else
  loader="system $(ldconfig -p | grep -m1 'libvulkan.so.1' | awk '{print $NF}')"
fi
icd=$(ls /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json 2>/dev/null | head -1)
cuda_lib=$(ls node_modules/onnxruntime-node/bin/napi-v*/linux/x64/libonnxruntime_providers_cuda.so 2>/dev/null | head -1)
gpu=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)
log "gpu: ${gpu:-none}; vulkan loader: $loader; icd: ${icd:-none}; cuda provider: ${cuda_lib:-absent}"
OUT_FILE="$out/environment.json" node -e '
  const [gpu, loader, icd, cuda] = process.argv.slice(1);
  const ort = require("onnxruntime-node");
  const backends = typeof ort.listSupportedBackends === "function" ? ort.listSupportedBackends() : [];
  const env = { date: new Date().toISOString(), node: process.version, gpu, vulkanLoader: loader, vulkanIcd: icd || null, cudaProvider: cuda || null, backends };
  require("fs").writeFileSync(process.env.OUT_FILE, JSON.stringify(env, null, 2) + "\n");
' "${gpu:-}" "$loader" "${icd:-}" "${cuda_lib:-}" || log "environment.json not written"

# 2. Models (seconds): MiniLM-L6 and BERT-base shapes, into a temp folder.
models=$(mktemp -d)
trap 'rm -rf "$models"' EXIT
[ -f dist/tools/models/bench-models.js ] || npx tsc -p tsconfig.json
timeout 120 node dist/tools/models/bench-models.js --out "$models" --shapes minilm-l6,bert-base >&2 || log "model generation failed"

# 3. The benchmark per provider: cpu first (the baseline), then the GPU paths. Each run is bounded
#    so the whole script stays under 10 minutes.
providers=(cpu webgpu)
[ -n "${cuda_lib:-}" ] && providers+=(cuda)
for shape in minilm-l6 bert-base; do
  for p in "${providers[@]}"; do
    required=$([ "$p" = cpu ] && echo "" || echo "--required")
    # BERT-base at c=32 on CPU alone can take the whole budget; the GPU paths get c=32.
    levels=$([ "$p" = cpu ] && echo 1,8 || echo 1,8,32)
    log "$shape on $p"
    timeout 110 node dist/perf/inference-bench.js --models "$models/$shape-classifier" --provider "$p" $required \
      --seconds 2 --rounds 1 --concurrency "$levels" --rate 20 --out "$out/inference-$shape-$p.json" >"$out/inference-$shape-$p.txt" 2>&1 ||
      log "$shape on $p failed (rc $?): see $out/inference-$shape-$p.txt"
  done
done
log "done; results in $out"
