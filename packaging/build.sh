#!/usr/bin/env bash
# Build the one-folder bundle dist/sepconv-gui/ from a clean virtual environment, print its
# size, and run its self-test. Usage: packaging/build.sh [OUT_DIR]   (default: build/bundle)
# PYTHON picks the interpreter (default python3). Needs network access to the package index
# unless pip is set up with a local one.
set -euo pipefail
# The build must see only the clean venv: a PYTHONPATH into a checkout would make PyInstaller
# bundle the work tree's package, which has no resources/ folder inside it.
unset PYTHONPATH PYTHONHOME
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/build/bundle}" && cd "${1:-$root/build/bundle}" && pwd)
python=${PYTHON:-python3}
start=$SECONDS

rm -rf "$out/venv" "$out/work" "$out/dist"
"$python" -m venv "$out/venv"
# A copy of the tree, so the build never writes into the checkout (egg-info, build/).
rm -rf "$out/src" && mkdir -p "$out/src"
cp -r "$root/pyproject.toml" "$root/README.md" "$root/sepconv_gui" "$root/resources" "$out/src/"
"$out/venv/bin/pip" install -q "$out/src[models,bundle]"
"$out/venv/bin/pyinstaller" --noconfirm --log-level WARN \
    --workpath "$out/work" --distpath "$out/dist" "$root/packaging/sepconv-gui.spec"

bundle="$out/dist/sepconv-gui"
echo "bundle: $bundle"
echo "size: $(du -sm "$bundle" | cut -f1) MB in $(find "$bundle" -type f | wc -l) files"
echo "build time: $((SECONDS - start)) s"
QT_QPA_PLATFORM=offscreen "$bundle/sepconv-gui" --self-test
