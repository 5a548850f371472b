#!/usr/bin/env bash
# After changing the ranges in pyproject.toml: install them and pin what got installed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
"$PY" - >/tmp/cep-requirements.in <<'PYEOF'
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(project["dependencies"] + project["optional-dependencies"]["dev"]))
PYEOF
"$PY" -m pip install -q -r /tmp/cep-requirements.in
{ echo "# Exact versions installed on every machine; regenerate with: make lock"
  "$PY" -m pip freeze --exclude-editable | grep -v '^-e'; } >requirements.lock
