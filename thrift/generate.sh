#!/usr/bin/env bash
# Regenerates the Thrift code used by rpc-breaker's tests, example and benchmark.
# Needs Debian's thrift-compiler 0.17 (`apt-get install thrift-compiler`).
#   gen-nodejs: `js:node,ts`      callback-style clients (CommonJS + .d.ts)
#   gen-es6:    `js:node,ts,es6`  Promise-style clients (CommonJS classes + .d.ts)
# The repository is "type": "module", so each folder gets a package.json marking it CommonJS.
set -euo pipefail
cd "$(dirname "$0")"
command -v thrift >/dev/null || { echo "thrift compiler not found: apt-get install thrift-compiler" >&2; exit 1; }
for style in nodejs es6; do
  out="gen-$style"
  rm -rf "$out"
  mkdir -p "$out"
  if [ "$style" = nodejs ]; then gen="js:node,ts"; else gen="js:node,ts,es6"; fi
  thrift --gen "$gen" -out "$out" catalog.thrift
  printf '{\n  "type": "commonjs"\n}\n' > "$out/package.json"
done
echo "generated: $(thrift --version) -> thrift/gen-nodejs, thrift/gen-es6"
