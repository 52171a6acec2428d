#!/usr/bin/env bash
# Builds the Python virtual environment the JARVICE-client conformance suite drives
# (test/conformance/): Debian's python3 + venv, jarviceclient3 from PyPI, unchanged.
# The venv lives in a version-keyed cache outside the work tree, so a warm run only
# checks a stamp file. Prints progress, and the venv directory on its last line.
#
#   scripts/conformance-venv.sh            build it if missing
#   scripts/conformance-venv.sh --check    exit 1 if it is not built
#
# Cache: ${PADDOCK_CONFORMANCE_CACHE:-$HOME/.cache/paddock-conformance}/jarviceclient3-<version>
set -euo pipefail

CLIENT=jarviceclient3
VERSION=1.0.7
PYTHON=/usr/bin/python3

CACHE_ROOT="${PADDOCK_CONFORMANCE_CACHE:-$HOME/.cache/paddock-conformance}"
DIR="$CACHE_ROOT/$CLIENT-$VERSION"
STAMP="$DIR/.paddock-complete"

start=$(date +%s%N)
step() { printf '[conformance venv %5.1fs] %s\n' "$(( ($(date +%s%N) - start) / 1000000 ))e-3" "$*"; }

if [ -f "$STAMP" ] && [ -x "$DIR/bin/python" ] && [ -f "$DIR/bin/jarvice_cli" ]; then
  [ "${1:-}" = "--check" ] || step "$CLIENT $VERSION present (warm cache: $DIR)"
  echo "$DIR"; exit 0
fi
if [ "${1:-}" = "--check" ]; then echo "conformance venv: $DIR is not built" >&2; exit 1; fi

[ -x "$PYTHON" ] || { echo "conformance venv: $PYTHON is missing (apt-get install -y python3 python3-venv)" >&2; exit 1; }
"$PYTHON" -c 'import ensurepip, venv' 2>/dev/null \
  || { echo "conformance venv: $PYTHON has no venv/ensurepip module (apt-get install -y python3-venv)" >&2; exit 1; }

mkdir -p "$CACHE_ROOT"
# one builder at a time (two suites or two checkouts may start together)
exec 9>"$CACHE_ROOT/.lock"
flock 9
if [ -f "$STAMP" ]; then step "built by a concurrent run: $DIR"; echo "$DIR"; exit 0; fi

# a directory without the stamp is a half-built venv: start over
rm -rf "$DIR"
step "creating the venv with $("$PYTHON" --version 2>&1) in $DIR"
"$PYTHON" -m venv "$DIR"
step "installing $CLIENT==$VERSION and its dependencies from PyPI"
"$DIR/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off \
  "$CLIENT==$VERSION" 2>&1 | sed -u 's/^/    /'
"$DIR/bin/python" -c 'import jarviceclient.JarviceAPI, jarviceclient.utils' \
  || { echo "conformance venv: $CLIENT does not import" >&2; exit 1; }
"$DIR/bin/python" -m pip freeze --disable-pip-version-check > "$DIR/.paddock-freeze.txt"
step "installed: $(tr '\n' ' ' < "$DIR/.paddock-freeze.txt")"
touch "$STAMP"
step "done"
echo "$DIR"
