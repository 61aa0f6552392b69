#!/usr/bin/env bash
# scripts/action-local.sh — the GitHub Action's steps (action.yml, via scripts/action-run.sh) run here without GitHub or
# act: the bundled lab on 127.0.0.1, the runner's files in a work folder, the Actions cache and artifacts as folders.
#
#   scripts/action-local.sh [--runs N] [--work DIR] [--variant baseline|candidate] [--no-install]
#
# Runs the steps N times (default 2) against one lab, like N workflow runs of one branch: each run gets its own
# RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and workspace; only the cache folder is shared, so the second run
# finds the first one's scan as `last-passing`. Inputs are the action's, as VOUCH_IN_* variables (defaults below:
# baseline last-passing, the lab's vouch.yaml, two quick checks). Leaves in DIR: lab.log, cache/<key>/ and per run
# run-<i>/{output,summary.md,workspace/,temp/,artifacts/<name>/}.
# Exit 0 when every run's verdict step passed, else 1; 2 on a setup error.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=2
work=""
variant=baseline
install=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --variant) variant="$2"; shift 2 ;;
    --no-install) install=0; shift ;;
    *) echo "action-local.sh: unknown argument $1 (see the header of this script)" >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "action-local.sh: --runs needs a positive number, got $runs" >&2; exit 2; }
[ -n "$work" ] || work="$(mktemp -d "${TMPDIR:-/tmp}/vouch-action-local.XXXXXX")"
mkdir -p "$work/cache"
work="$(cd "$work" && pwd)"
if [ ! -f "$root/dist/src/cli/main.js" ] && [ "$install" = 0 ]; then
  echo "action-local.sh: dist/ is missing; run without --no-install (or build it)" >&2
  exit 2
fi

# The lab, on a free port of 127.0.0.1, for all runs (one target name, so one history key).
node "$root/bin/vouch.js" lab --variant "$variant" --port 0 --host 127.0.0.1 > "$work/lab.log" 2>&1 &
lab_pid=$!
trap 'kill "$lab_pid" 2>/dev/null || true; wait "$lab_pid" 2>/dev/null || true' EXIT
url=""
for _ in $(seq 1 120); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/lab.log" | head -1 || true)"
  [ -n "$url" ] && break
  kill -0 "$lab_pid" 2>/dev/null || { echo "action-local.sh: the lab did not start:" >&2; cat "$work/lab.log" >&2; exit 2; }
  sleep 0.5
done
[ -n "$url" ] || { echo "action-local.sh: the lab printed no URL within 60 s" >&2; exit 2; }
echo "lab ($variant) at $url; work folder $work"

export VOUCH_IN_CANDIDATE="${VOUCH_IN_CANDIDATE:-$url}"
export VOUCH_IN_BASELINE="${VOUCH_IN_BASELINE-last-passing}"
export VOUCH_IN_CONFIG="${VOUCH_IN_CONFIG:-$root/lab/vouch.yaml}"
export VOUCH_IN_CHECKS="${VOUCH_IN_CHECKS-security-headers,status-code-conformance}"
export VOUCH_IN_OUT="${VOUCH_IN_OUT:-vouch-reports}"
export VOUCH_IN_FAIL_ON_VERDICT="${VOUCH_IN_FAIL_ON_VERDICT:-true}"
export GITHUB_ACTION_PATH="$root" GITHUB_JOB="${GITHUB_JOB:-vouch}" GITHUB_REF_NAME="${GITHUB_REF_NAME:-local}"

# A step's output from GITHUB_OUTPUT (the last value written wins, as on GitHub).
output() { grep "^$1=" "$GITHUB_OUTPUT" | tail -1 | cut -d= -f2-; }

# actions/cache/restore: the exact key, else the newest entry under the first restore prefix (in order) that has one.
restore() {
  local dir="$1" key="$2" hit="" p
  shift 2
  if [ -d "$work/cache/$key" ]; then hit="$key"; else
    for p in "$@"; do
      hit="$(cd "$work/cache" && ls -1t | grep -F -- "$p" | grep -- "^$p" | head -1 || true)"
      [ -n "$hit" ] && break
    done
  fi
  mkdir -p "$dir"
  if [ -z "$hit" ]; then echo "  no history in the cache"; return; fi
  cp -a "$work/cache/$hit/." "$dir/"
  echo "  history restored from cache $hit"
}

failed=0
for i in $(seq 1 "$runs"); do
  run="$work/run-$i"
  rm -rf "$run"
  mkdir -p "$run/temp" "$run/workspace"
  export RUNNER_TEMP="$run/temp" GITHUB_OUTPUT="$run/output" GITHUB_STEP_SUMMARY="$run/summary.md"
  export GITHUB_WORKSPACE="$run/workspace" GITHUB_RUN_ID="$i" GITHUB_RUN_ATTEMPT=1
  : > "$GITHUB_OUTPUT"
  : > "$GITHUB_STEP_SUMMARY"
  echo "run $i:"
  set +e
  (
    set -e
    cd "$GITHUB_WORKSPACE"
    bash "$root/scripts/action-run.sh" prepare
    # Restore node modules: here they are already installed; the install step checks them against the lock file.
    if [ "$install" = 1 ]; then bash "$root/scripts/action-run.sh" install; fi
    restore "$(output history-dir)" "$(output history-key)" "$(output history-restore-leg)" \
      "$(output history-restore-branch)" "$(output history-restore-any)"
    VOUCH_IN_HISTORY_DIR="$(output history-dir)" bash "$root/scripts/action-run.sh" gate
    # Save the history: a cache entry is never overwritten (its key names the run).
    key="$(output history-key)"
    [ -e "$work/cache/$key" ] || cp -a "$(output history-dir)" "$work/cache/$key"
    echo "  SARIF upload skipped (no GitHub here): $VOUCH_IN_OUT/report.sarif"
    # Keep the reports: upload-artifact refuses a name already used in the workflow run.
    name="$(output artifact-name)"
    if [ -e "$run/artifacts/$name" ]; then echo "  artifact $name already exists" >&2; exit 1; fi
    mkdir -p "$run/artifacts"
    if [ -d "$VOUCH_IN_OUT" ]; then cp -a "$VOUCH_IN_OUT" "$run/artifacts/$name"; fi
    echo "  verdict $(output verdict), exit code $(output exit-code), baseline $(output baseline), artifact $name"
    VOUCH_IN_EXIT_CODE="$(output exit-code)" VOUCH_IN_VERDICT="$(output verdict)" bash "$root/scripts/action-run.sh" verdict
  )
  [ $? = 0 ] || failed=1
  set -e
done
exit "$failed"
