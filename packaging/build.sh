#!/usr/bin/env bash
# Build the one-folder bundle dist/chainview/ (run its binary: dist/chainview/chainview).
#
#   packaging/build.sh                 # venv in build/venv, output in dist/chainview
#   PYTHON=python3.12 packaging/build.sh
#   BUILD_VENV=/tmp/v DISTPATH=/tmp/d WORKPATH=/tmp/w packaging/build.sh
#
# Needs a Python with its shared library (python.org, Debian/Ubuntu's python3 + python3-venv,
# pyenv with --enable-shared; PyInstaller says so if not) and network access to PyPI.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
venv="${BUILD_VENV:-$root/build/venv}"
dist="${DISTPATH:-$root/dist}"
work="${WORKPATH:-$root/build/pyinstaller}"

start=$(date +%s)
if [ ! -x "$venv/bin/python" ]; then
    echo "== creating $venv"
    "$python" -m venv "$venv"
fi
echo "== installing chainview and PyInstaller into $venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "$root" "pyinstaller>=6.10"
echo "== pyinstaller $("$venv/bin/pyinstaller" --version)"
"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath "$dist" --workpath "$work" "$root/packaging/chainview.spec"

echo "== smoke test (offscreen, from another folder)"
bin="$dist/chainview/chainview"
(cd / && env -u PYTHONPATH QT_QPA_PLATFORM=offscreen "$bin" trace "$root/assets/examples/default.chainview.json" >/dev/null)
echo "built $bin in $(( $(date +%s) - start )) s; $(du -sh "$dist/chainview" | cut -f1) on disk"
echo "menu entry for this user: $bin install-desktop"
