#!/usr/bin/env bash
# Set up kg in ./.venv: the package, the pkuseg model (downloaded once from PyPI into ~/.cache/kg),
# and with --test the test extras plus Debian's Chromium and CJK fonts for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

test_extras=0
[ "${1:-}" = "--test" ] && test_extras=1

python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip wheel setuptools numpy cython
if [ "$test_extras" = 1 ]; then
  .venv/bin/pip install --quiet -e ".[test]"
else
  .venv/bin/pip install --quiet -e .
fi
.venv/bin/kg fetch-model

if [ "$test_extras" = 1 ] && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
