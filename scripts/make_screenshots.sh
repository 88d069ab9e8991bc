#!/usr/bin/env bash
# Documentation screenshots, taken from the real app under Xvfb with fresh settings.
# Needs xvfb-run (Debian: apt-get install xvfb) and the Qt xcb libraries.
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/screenshots
mkdir -p "$out"
settings=$(mktemp -d)
trap 'rm -rf "$settings"' EXIT
run() { XDG_CONFIG_HOME="$settings" xvfb-run -a -s "-screen 0 1600x1000x24" python3 -m sepconv_gui "$@"; }

# The window a new user sees: the bundled photograph, the opening 15×15 blur, all three modes.
run --frames 1 --screenshot "$out/main-window.png"
# Streaming the test pattern with the measured design (5x5 Gaussian, P = 8 outputs).
rm -rf "$settings/sepconv-gui"
run --design docs/designs/gaussian5-p8.json --source pattern:640x480@60 --frames 120 \
    --screenshot "$out/streaming.png"
echo "wrote $out/main-window.png and $out/streaming.png"
