#!/usr/bin/env bash
# Unpacks Debian's Vulkan loader (libvulkan1) into perf/gpu/vendor/ for perf/gpu/run.sh on a GPU
# machine that has the NVIDIA driver but no loader and no network. Run where apt can download.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download libvulkan1)
rm -rf vendor
dpkg-deb -x "$tmp"/libvulkan1_*.deb vendor
ls -l vendor/usr/lib/x86_64-linux-gnu/libvulkan.so.1*
