#!/usr/bin/env bash
# Idempotent set-up for twincast on Debian 12.
#
#   scripts/setup.sh [PROFILE]      PROFILE: test (default) | demo | bench
#
# 1. apt packages, only those missing (apt-get update runs once, only if something must be installed)
# 2. .venv with Python 3.11
# 3. pip install -c constraints.txt -e '.[test]' and --no-deps -r requirements-nodeps.txt, skipped
#    while the stamp .venv/.installed-<sha256(pyproject.toml + constraints.txt + requirements-nodeps.txt)> is present.
#
# Runs as root (CI) or through sudo when available. Set TWINCAST_SKIP_APT=1 to skip step 1.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PROFILE="${1:-test}"

# Every Debian package the project needs, in one list. Later features add theirs here
# (e.g. nginx libnginx-mod-rtmp libnginx-mod-stream chromium ngircd).
APT_PACKAGES="ffmpeg espeak-ng sox fonts-wqy-microhei flite nginx libnginx-mod-rtmp libnginx-mod-stream openssl"

case "$PROFILE" in
    test|demo) ;;
    # A recorded voice no setting was tuned on, for bench_voice.py --unseen (evaluation only).
    bench) APT_PACKAGES="$APT_PACKAGES asterisk-core-sounds-en-g722" ;;
    *) echo "setup.sh: unknown profile '$PROFILE' (use test, demo or bench)" >&2; exit 2 ;;
esac

VENV=.venv
PIP_SPEC='.[test]'

log() { echo "[setup] $*"; }

# Serialise concurrent runs in the same checkout (two `make test` at once would race on .venv).
# Lock a read descriptor of this script itself, so no lock file is left behind.
if command -v flock >/dev/null 2>&1; then
    exec 9<"${BASH_SOURCE[0]}"
    flock 9
fi

# ---------------------------------------------------------------------------
# Python 3.11 interpreter (pyenv's python3.11 here; /usr/bin/python3.11 on Debian 12)
# ---------------------------------------------------------------------------
PYTHON=""
for cand in python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1 &&
       "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
        PYTHON="$cand"; break
    fi
done

# Only needed when the venv must be (re)created.
venv_ok() {
    [ -x "$VENV/bin/python" ] &&
        "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null
}

need_apt="$APT_PACKAGES"
if ! venv_ok; then
    if [ -z "$PYTHON" ]; then
        need_apt="$need_apt python3 python3-venv"      # Debian 12's python3 is 3.11
    elif ! "$PYTHON" -c 'import ensurepip' 2>/dev/null; then
        need_apt="$need_apt python3-venv"              # Debian splits ensurepip out of python3.11
    fi
fi

# ---------------------------------------------------------------------------
# 1. apt packages
# ---------------------------------------------------------------------------
missing=()
for pkg in $need_apt; do
    status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)"
    [ "${status:0:2}" = "ii" ] || missing+=("$pkg")
done

if [ "${#missing[@]}" -gt 0 ]; then
    if [ "${TWINCAST_SKIP_APT:-0}" = "1" ]; then
        log "TWINCAST_SKIP_APT=1: not installing missing apt packages: ${missing[*]}"
    else
        if [ "$(id -u)" -eq 0 ]; then
            SUDO=()
        elif command -v sudo >/dev/null 2>&1; then
            SUDO=(sudo)
        else
            echo "setup.sh: missing apt packages: ${missing[*]}" >&2
            echo "setup.sh: not root and no sudo; install them as root and rerun." >&2
            exit 1
        fi
        log "installing apt packages: ${missing[*]}"
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y --no-install-recommends "${missing[@]}"
    fi
fi

# Re-detect after a possible python3 install.
if [ -z "$PYTHON" ] && command -v python3 >/dev/null 2>&1 &&
   python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
    PYTHON=python3
fi

# ---------------------------------------------------------------------------
# 2. virtual environment
# ---------------------------------------------------------------------------
if ! venv_ok; then
    if [ -z "$PYTHON" ]; then
        echo "setup.sh: no Python 3.11 found (need python3.11 on PATH)" >&2
        exit 1
    fi
    [ -e "$VENV" ] && { log "removing broken $VENV"; rm -rf "$VENV"; }
    log "creating $VENV with $(command -v "$PYTHON")"
    "$PYTHON" -m venv "$VENV"
fi

# ---------------------------------------------------------------------------
# 3. Python packages, skipped when the stamp is current
# ---------------------------------------------------------------------------
hash="$(cat pyproject.toml constraints.txt requirements-nodeps.txt | sha256sum | cut -c1-16)"
stamp="$VENV/.installed-$hash"
if [ -f "$stamp" ]; then
    log "python packages up to date ($stamp)"
else
    log "installing python packages (-c constraints.txt -e '$PIP_SPEC')"
    "$VENV/bin/python" -m pip install --no-input --disable-pip-version-check \
        -c constraints.txt -e "$PIP_SPEC"
    "$VENV/bin/python" -m pip install --no-input --disable-pip-version-check \
        --no-deps -r requirements-nodeps.txt
    rm -f "$VENV"/.installed-*
    touch "$stamp"
fi
