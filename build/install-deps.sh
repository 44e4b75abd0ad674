#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK. Idempotent: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# python3: the snapshot-format test reads snapshots with a standard-library Python reader.
# util-linux: flock(1) holds a world lock from another process in the store tests.
# chromium: the web page's end-to-end test drives it with Playwright (tests/WorldCluster.Silo.Tests/Browser).
# python3-yaml, python3-jsonschema: deploy/validate.sh checks the manifests and the chart.
# python3-torch, python3-numpy: tools/export-torchscript-fixture.py re-exports the TorchScript test package (torch 1.13).
# python3-onnx: tools/export-onnx-fixture.py checks the ONNX test package's graphs (onnx 1.12).
# python3-numpy: also the Python client (src/clients/python) and its tests against a real silo.
# ffmpeg: the gateway encodes VP8/VP9 session streams with it (libvpx), recordings (GET /api/worlds/{id}/recording) are
# encoded to MP4 with it (libx264); their tests decode with ffmpeg/ffprobe.
apt_packages=(python3 python3-yaml python3-jsonschema python3-torch python3-onnx python3-numpy util-linux chromium ffmpeg)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Azurite (Azure Storage emulator): the Azure Blob store's tests run against it. Pinned by build/azurite/package-lock.json.
# Node.js and npm come with the machine; Debian's nodejs is the fallback where they do not.
if [ ! -x build/azurite/node_modules/.bin/azurite-blob ]; then
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm
  fi
  npm ci --prefix build/azurite --no-audit --no-fund --loglevel=error
fi
