#!/usr/bin/env bash
# Build the standalone one-folder app with PyInstaller (see packaging/README.md).
#
#   packaging/build_bundle.sh [--with-torch]
#
# Uses $PYTHON (default python3), which needs the app's dependencies (pip install -e . is fine) and
# pyinstaller; the package itself is staged from this checkout by a plain pip install. Writes dist/model-designer/ (Linux, Windows) or "dist/Model Designer.app" (macOS);
# on Linux the bundle also gets linux/ with the desktop integration and its install.sh.
# --with-torch puts torch inside the bundle (about 1 GB more); without it the app designs, explains
# and exports, and says how to add torch where a feature needs it.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
with_torch=0
case "${1:-}" in
    "") ;;
    --with-torch) with_torch=1 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build_bundle.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
esac

if ! "$python" -c "import PySide6, networkx, PyInstaller" 2>/dev/null; then
    echo "build_bundle.sh: $python needs the app's dependencies and pyinstaller: $python -m pip install -e . pyinstaller" >&2
    exit 2
fi

work="$root/build/bundle"
rm -rf "$work"
mkdir -p "$work"
# A plain install (pyproject.toml maps resources/ to designer.resources), so PyInstaller sees real folders.
# setuptools builds in build/lib and never deletes there, so a module removed from the source would linger.
rm -rf "$root/build/lib"
"$python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --target "$work/site" "$root"
"$python" "$root/packaging/make_icons.py" "$work/icons"
MODEL_DESIGNER_SITE="$work/site" MODEL_DESIGNER_ICONS="$work/icons" MODEL_DESIGNER_WITH_TORCH="$with_torch" \
    "$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$root/dist" --workpath "$work/pyinstaller" "$root/packaging/pyinstaller/model-designer.spec"

bundle="$root/dist/model-designer"
if [ "$(uname -s)" = Linux ]; then
    # Some Pythons ship libpython with debug symbols (18 MB of its 23 MB here); nothing else is stripped.
    if command -v strip >/dev/null 2>&1; then strip --strip-debug "$bundle"/_internal/libpython3*.so*; fi
    mkdir -p "$bundle/linux/icons"
    cp "$root"/packaging/linux/* "$bundle/linux/"
    cp -r "$work/icons/hicolor" "$bundle/linux/icons/"
fi
if [ -d "$root/dist/Model Designer.app" ]; then bundle="$root/dist/Model Designer.app"; fi
echo "Built $bundle ($(du -sh "$bundle" | cut -f1))"
