#!/usr/bin/env bash
# Install driftcheck from the action's own checkout into a venv of its own.
set -euo pipefail
venv="${RUNNER_TEMP:?}/driftcheck-venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${GITHUB_ACTION_PATH:?}"
