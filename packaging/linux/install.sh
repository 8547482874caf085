#!/usr/bin/env bash
# Install (or --uninstall) Model Designer's desktop integration: launcher entry, AppStream metainfo,
# the project-file MIME type and the icons, for one user (default) or system-wide (--datadir /usr/local/share).
#
#   packaging/linux/install.sh [--datadir DIR] [--exec PATH] [--uninstall]
#
# --exec is the model-designer program the launcher starts; by default the bundle's program next to this
# folder (dist/model-designer/linux/install.sh), else the model-designer found on PATH.
# Icons come from ./icons (the bundle ships them); in a checkout they are rendered from the one SVG by
# packaging/make_icons.py with $PYTHON (default python3), which needs PySide6.
set -euo pipefail

APP_ID=io.github.modeldesigner.ModelDesigner
here="$(cd "$(dirname "$0")" && pwd)"
datadir="${XDG_DATA_HOME:-$HOME/.local/share}"
exec_path=""
uninstall=0

die() { echo "install.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --datadir) [ $# -ge 2 ] || die "--datadir needs a folder"; datadir="$2"; shift 2 ;;
        --exec) [ $# -ge 2 ] || die "--exec needs the path of the model-designer program"; exec_path="$2"; shift 2 ;;
        --uninstall) uninstall=1; shift ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

installed_files() {
    echo "$datadir/applications/$APP_ID.desktop"
    echo "$datadir/metainfo/$APP_ID.metainfo.xml"
    echo "$datadir/mime/packages/$APP_ID.xml"
    echo "$datadir/icons/hicolor/scalable/apps/$APP_ID.svg"
    for size in 16 22 24 32 48 64 128 256 512; do
        echo "$datadir/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
    done
}

# Let the desktop notice the change; each tool is optional, as not every desktop has all three.
refresh_caches() {
    if command -v update-mime-database >/dev/null 2>&1; then update-mime-database "$datadir/mime"; fi
    if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q "$datadir/applications"; fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$datadir/icons/hicolor/index.theme" ]; then
        gtk-update-icon-cache -q -t -f "$datadir/icons/hicolor"
    fi
}

if [ "$uninstall" = 1 ]; then
    installed_files | while IFS= read -r file; do rm -f "$file"; done
    mkdir -p "$datadir/mime/packages" "$datadir/applications"
    refresh_caches
    echo "Removed Model Designer's desktop integration from $datadir"
    exit 0
fi

if [ -z "$exec_path" ]; then
    if [ -x "$here/../model-designer" ]; then
        exec_path="$(cd "$here/.." && pwd)/model-designer"
    elif command -v model-designer >/dev/null 2>&1; then
        exec_path="$(command -v model-designer)"
    else
        die "model-designer is not on PATH; pass --exec /path/to/model-designer"
    fi
fi
case "$exec_path" in
    /*) ;;
    *) die "--exec must be an absolute path, got $exec_path" ;;
esac
case "$exec_path" in
    *[\"\`\$\\]*) die "the program path may not contain \", \`, \$ or \\: $exec_path" ;;
esac

icons="$here/icons"
if [ ! -d "$icons/hicolor" ]; then
    icons="$(mktemp -d)"
    trap 'rm -rf "$icons"' EXIT
    "${PYTHON:-python3}" "$here/../make_icons.py" "$icons" >/dev/null \
        || die "cannot render the icons; set PYTHON to a Python that has PySide6"
fi

mkdir -p "$datadir/applications" "$datadir/metainfo" "$datadir/mime/packages"
# The desktop entry's Exec and TryExec name the chosen program, quoted so spaces in its path are safe.
while IFS= read -r line; do
    case "$line" in
        Exec=*) echo "Exec=\"$exec_path\" %f" ;;
        TryExec=*) echo "TryExec=$exec_path" ;;
        *) echo "$line" ;;
    esac
done <"$here/$APP_ID.desktop" >"$datadir/applications/$APP_ID.desktop"
cp "$here/$APP_ID.metainfo.xml" "$datadir/metainfo/"
cp "$here/$APP_ID.xml" "$datadir/mime/packages/"
(cd "$icons" && find hicolor -type f -name "$APP_ID.*") | while IFS= read -r icon; do
    mkdir -p "$datadir/icons/$(dirname "$icon")"
    cp "$icons/$icon" "$datadir/icons/$icon"
done
refresh_caches
echo "Installed Model Designer's desktop integration into $datadir (launcher runs $exec_path)"
