#!/usr/bin/env bash
# Run driftcheck for the action: annotations, job summary, outputs, exit code.
# Every input arrives as an INPUT_* variable and is only ever passed as an argument.
set -euo pipefail
driftcheck="${RUNNER_TEMP:?}/driftcheck-venv/bin/driftcheck"
report="$RUNNER_TEMP/driftcheck-report.json"

args=()
[[ -n "${INPUT_LOCKFILE:-}" ]] && args+=(--lockfile "$INPUT_LOCKFILE")
[[ -n "${INPUT_PYTHON:-}" ]] && args+=(--python "$INPUT_PYTHON")
read -r -a words <<<"${INPUT_EXTRAS//,/ }"
for word in "${words[@]}"; do args+=(--extra "$word"); done
read -r -a words <<<"${INPUT_GROUPS//,/ }"
for word in "${words[@]}"; do args+=(--group "$word"); done
read -r -a words <<<"${INPUT_ALLOW//,/ }"
for word in "${words[@]}"; do args+=(--allow "$word"); done
read -r -a words <<<"${INPUT_ARGS:-}"
args+=("${words[@]}")

status=0
"$driftcheck" "${args[@]}" --output-format json --output "$report" --exit-zero || status=$?
if [[ $status -ne 0 ]]; then
  # An input error (exit 2): say it as an annotation too, and fail whatever fail-on-drift says.
  message=$("$driftcheck" "${args[@]}" 2>&1 >/dev/null || true)
  message=${message//'%'/'%25'}
  message=${message//$'\r'/'%0D'}
  message=${message//$'\n'/'%0A'}
  echo "::error title=driftcheck::$message"
  exit "$status"
fi

"$driftcheck" "${args[@]}" --output-format github --exit-zero
if [[ "${INPUT_SUMMARY:-true}" == "true" && -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  "$driftcheck" "${args[@]}" --output-format markdown --exit-zero >>"$GITHUB_STEP_SUMMARY"
fi

"$RUNNER_TEMP/driftcheck-venv/bin/python" - "$report" >>"${GITHUB_OUTPUT:?}" <<'PY'
import json
import sys

data = json.load(open(sys.argv[1], encoding="utf-8"))
print(f"drift={'true' if data['drift'] else 'false'}")
for kind in ("missing", "extraneous", "mismatched"):
    print(f"{kind}={data['summary'][kind]}")
print(f"report={sys.argv[1]}")
PY

drift=$("$RUNNER_TEMP/driftcheck-venv/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["drift"])' "$report")
if [[ "$drift" == "True" && "${INPUT_FAIL_ON_DRIFT:-true}" == "true" ]]; then
  exit 1
fi
