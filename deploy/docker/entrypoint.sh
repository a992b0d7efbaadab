#!/bin/sh
# The image's entrypoint: `semroute <command> ...` for every command (serve, inject, dev, validate,
# version ...). Arguments that start with "-" are serve flags, for Deployments that only add flags
# (deploy/kubernetes/base: args: ["--shutdown-grace-ms", "10000"]):
#   semroute serve --config "$SEMROUTE_CONFIG" <flags>
# SEMROUTE_UMASK: set by the injector when semroute listens on a Unix socket that Envoy, running
# under another uid, must be able to open (the socket lives in an emptyDir private to the pod).
set -eu
APP_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
: "${SEMROUTE_CONFIG:=/etc/semroute/semroute.yaml}"
if [ -n "${SEMROUTE_UMASK:-}" ]; then umask "$SEMROUTE_UMASK"; fi
if [ "$#" -eq 0 ]; then
  set -- serve --config "$SEMROUTE_CONFIG"
elif [ "${1#-}" != "$1" ] && [ "$1" != "--help" ] && [ "$1" != "--version" ] && [ "$1" != "-h" ]; then
  set -- serve --config "$SEMROUTE_CONFIG" "$@"
fi
# exec: node is PID 1 and gets SIGTERM itself (semroute drains on it).
exec node "$APP_DIR/dist/src/cli/main.js" "$@"
