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
# A classroom projector, 1280×720: presentation mode (F5) and a guided lesson step.
run_720() { XDG_CONFIG_HOME="$settings" xvfb-run -a -s "-screen 0 1280x720x24" python3 -m sepconv_gui "$@"; }
rm -rf "$settings/sepconv-gui"
# No window manager under Xvfb: full screen is the window size given.
run_720 --window-size 1280x720 --presentation --frames 3 --screenshot "$out/presentation.png"
rm -rf "$settings/sepconv-gui"
run_720 --window-size 1280x720 --lesson 2 --frames 3 --screenshot "$out/lesson-step2.png"
# Why measured differs from theory: per-stage verdicts and roofline plots, laptop size.
rm -rf "$settings/sepconv-gui"
XDG_CONFIG_HOME="$settings" xvfb-run -a -s "-screen 0 1280x720x24" \
    python3 scripts/dock_screenshot.py roofline "$out/roofline.png" 1280x720
# The window at the two laptop/desktop sizes the layout promises to fit.
for size in 1280x720 1920x1080; do
    rm -rf "$settings/sepconv-gui"
    XDG_CONFIG_HOME="$settings" xvfb-run -a -s "-screen 0 ${size}x24" python3 -m sepconv_gui \
        --window-size "$size" --frames 3 --screenshot "$out/main-window-$size.png"
done
echo "wrote $out/main-window.png, main-window-1280x720.png, main-window-1920x1080.png, streaming.png, presentation.png, lesson-step2.png, roofline.png"
