#!/usr/bin/env bash
# The live view (`scale serve --http`) in headless Chromium against `scale replay` of synthetic
# recordings (clapping, cheering, then two people hugging and shaking hands), saved as
# docs/img/live_view.png for the README. Installs Debian's chromium if it is missing.
#   bash scripts/live_view_screenshot.sh [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/img/live_view.png}
if ! command -v chromium >/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
fi
cargo build --release --quiet
scale=target/release/scale
tmp=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
# Synthetic recordings (the generator's own figures: nothing from a dataset).
$scale synth --out "$tmp/synth" --classes "clapping,cheer up,hugging other person,handshaking" \
  --per-class 1 --seed 7 >/dev/null
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
frames="tcp://127.0.0.1:$(port)"; labels="tcp://127.0.0.1:$(port)"; http="127.0.0.1:$(port)"
$scale serve --frames "$frames" --labels "$labels" --no-control --http "$http" 2>"$tmp/serve.err" &
pids+=($!)
until grep -q "live view at" "$tmp/serve.err"; do sleep 0.1; done
$scale replay "$tmp/synth" --to "$frames" --loop --gap 0.5 --no-wait 2>/dev/null &
pids+=($!)
# Let labels and events come in, then load the page and give it a few seconds of frames.
sleep 8
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1240,680 \
  --virtual-time-budget=30000 --screenshot="$out" "http://$http/" 2>"$tmp/chromium.err" || {
  cat "$tmp/chromium.err" >&2; exit 1; }
echo "wrote $out"
