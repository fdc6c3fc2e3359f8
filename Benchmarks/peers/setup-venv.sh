#!/usr/bin/env bash
# setup-venv.sh VENV_DIR
# Creates (or recreates) a Python venv at VENV_DIR with requirements.txt installed.
# Idempotent: does nothing when VENV_DIR already holds a venv built from the same
# requirements.txt with the same Python (a hash is kept in VENV_DIR/.peers-requirements.sha256).
# Python: $PYTHON if set, else python3 (3.10 or newer). Quiet on success; on failure one line on stderr, exit 1.
set -uo pipefail

me=setup-venv.sh
die() { echo "$me: error: $*" >&2; exit 1; }

[ $# -eq 1 ] && [ -n "$1" ] || die "usage: $me VENV_DIR"
venv=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || die "cannot find the script's directory"
req=$here/requirements.txt
[ -r "$req" ] || die "missing $req"
py=${PYTHON:-python3}
command -v "$py" >/dev/null 2>&1 || die "$py not found (set PYTHON)"
pyver=$("$py" -c 'import sys; assert sys.version_info >= (3, 10); print(sys.version)' 2>/dev/null) \
    || die "$py is not Python 3.10 or newer"

want=$( { cat "$req"; echo "$pyver"; } | sha256sum | cut -d' ' -f1)
stamp=$venv/.peers-requirements.sha256

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi

# Recreate from scratch, but never wipe a directory that is not an empty dir or a venv.
if [ -e "$venv" ]; then
    [ -d "$venv" ] || die "$venv exists and is not a directory"
    if [ -n "$(ls -A "$venv" 2>/dev/null)" ] && [ ! -f "$venv/pyvenv.cfg" ]; then
        die "$venv exists, is not empty and is not a venv; refusing to overwrite it"
    fi
fi

log=$(mktemp "${TMPDIR:-/tmp}/peers-setup-venv.XXXXXX") || die "mktemp failed"
trap 'rm -f "$log"' EXIT

# The most telling line of pip's output, as one line.
lastline() {
    local l
    l=$(grep -iE 'error|could not|no matching' "$log" | tail -n 1)
    [ -n "$l" ] || l=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
    printf '%s' "$l" | tr -s ' \t' ' ' | cut -c1-300
}

"$py" -m venv --clear "$venv" >"$log" 2>&1 \
    || die "python -m venv failed: $(tail -n 1 "$log")"
rm -f "$stamp"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$req" >"$log" 2>&1 \
    || die "pip install -r requirements.txt failed: $(lastline)"
echo "$want" >"$stamp" || die "cannot write $stamp"
