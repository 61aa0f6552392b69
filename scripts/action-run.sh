#!/usr/bin/env bash
# scripts/action-run.sh — the shell of the GitHub Action (action.yml), one subcommand per step, also run by
# scripts/action-local.sh: prepare (names, keys), install (one install), gate (vouch gate, outputs, job summary), verdict.
#
# Inputs come as VOUCH_IN_* environment variables (action.yml maps `inputs.*` to them); the runner's files and names
# as GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_ACTION_PATH, RUNNER_TEMP, GITHUB_JOB, GITHUB_RUN_ID,
# GITHUB_RUN_ATTEMPT, GITHUB_REF_NAME / GITHUB_HEAD_REF. Exit codes of `gate`: always 0 (the verdict step decides);
# of `verdict`: 1 when the job must fail (FAIL with fail-on-verdict, INCOMPLETE, or a tool error), else 0.
set -euo pipefail

step="${1:-}"
action_path="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set (the folder holding action.yml)}"

say() { printf 'vouch action: %s\n' "$*" >&2; }
out() { printf '%s=%s\n' "$1" "$2" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"; }
sha256() { if command -v sha256sum > /dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }
hash8() { printf '%s' "$1" | sha256 | cut -c1-8; }
# Letters, digits, dot, dash and underscore only (cache keys refuse commas; artifact names refuse : " < > | * ? \ /).
clean() { printf '%s' "$1" | tr -c 'A-Za-z0-9._-' '_' | cut -c1-60; }

case "$step" in
  prepare)
    # Names and keys every later step uses; nothing is installed yet (node is whatever setup-node gave).
    candidate="${VOUCH_IN_CANDIDATE:?the candidate input is required}"
    host="$(printf '%s' "$candidate" | sed -E 's#^[a-zA-Z]+://##; s#[/?\#].*$##')"
    target="$(clean "$host")-$(hash8 "$candidate")"
    branch="$(clean "${GITHUB_HEAD_REF:-${GITHUB_REF_NAME:-local}}")"
    job="$(clean "${GITHUB_JOB:-job}")"
    # The inputs that tell two legs of a matrix apart, unless artifact-name says otherwise.
    legs="$candidate|${VOUCH_IN_BASELINE:-}|${VOUCH_IN_CONFIG:-}|${VOUCH_IN_SPEC:-}|${VOUCH_IN_CHECKS:-}"
    legs="$(hash8 "$legs|${VOUCH_IN_ENVIRONMENT:-}|${VOUCH_IN_OUT:-}")"
    artifact="${VOUCH_IN_ARTIFACT_NAME:-}"
    [ -n "$artifact" ] || artifact="vouch-reports-$job-$legs-attempt${GITHUB_RUN_ATTEMPT:-1}"
    prefix="vouch-history-v1-$target-"
    out lock-hash "$(sha256 "$action_path/package-lock.json" | cut -c1-16)"
    out node-abi "$(node -p 'process.platform + "-" + process.arch + "-abi" + process.versions.modules')"
    out history-dir "${RUNNER_TEMP:?RUNNER_TEMP is not set}/vouch-history"
    # Restored from the newest entry of this job and leg on this branch, else of this branch, else of the target.
    out history-key "$prefix$branch-$job-$legs-${GITHUB_RUN_ID:-0}-${GITHUB_RUN_ATTEMPT:-1}"
    out history-restore-leg "$prefix$branch-$job-$legs-"
    out history-restore-branch "$prefix$branch-"
    out history-restore-any "$prefix"
    out artifact-name "$artifact"
    ;;

  install)
    # One install: setup.mjs runs `npm ci` only when node_modules/.vouch-lock-hash differs from the lock file (a
    # cache hit restores both), regenerates the check registry, builds dist/ and looks for Chromium.
    cd "$action_path"
    node scripts/setup.mjs
    ;;

  gate)
    outdir="${VOUCH_IN_OUT:-vouch-reports}"
    history_dir="${VOUCH_IN_HISTORY_DIR:-${RUNNER_TEMP:?RUNNER_TEMP is not set}/vouch-history}"
    mkdir -p "$history_dir"
    chmod 700 "$history_dir"
    export VOUCH_HISTORY="$history_dir/history.db"
    base_args=(gate --candidate "${VOUCH_IN_CANDIDATE:?the candidate input is required}" --out "$outdir")
    base_args+=(--format json,sarif,junit,markdown,html)
    [ -n "${VOUCH_IN_CONFIG:-}" ] && base_args+=(--config "$VOUCH_IN_CONFIG")
    [ -n "${VOUCH_IN_SPEC:-}" ] && base_args+=(--spec "$VOUCH_IN_SPEC")
    [ -n "${VOUCH_IN_CHECKS:-}" ] && base_args+=(--check "$VOUCH_IN_CHECKS")
    [ -n "${VOUCH_IN_COMMITS:-}" ] && base_args+=(--commits "$VOUCH_IN_COMMITS")
    [ -n "${VOUCH_IN_EXPECT_VERSION:-}" ] && base_args+=(--expect-version "$VOUCH_IN_EXPECT_VERSION")
    [ -n "${VOUCH_IN_ENVIRONMENT:-}" ] && base_args+=(--environment "$VOUCH_IN_ENVIRONMENT")
    [ "${VOUCH_IN_AI:-false}" = "true" ] && base_args+=(--ai-influenced)
    baseline="${VOUCH_IN_BASELINE:-}"
    errlog="$(mktemp)"
    run_gate() {
      local args=("${base_args[@]}")
      [ -n "$1" ] && args+=(--baseline "$1")
      rm -f "$outdir/report.json"
      set +e
      # stderr is shown as it comes and kept, to tell "no passing scan yet" from other errors; stdout goes by fd 3.
      { node "$action_path/bin/vouch.js" "${args[@]}" 2>&1 1>&3 3>&- | tee "$errlog" >&2; } 3>&1
      code=${PIPESTATUS[0]}
      set -e
    }
    run_gate "$baseline"
    note=""
    # The first run of a target (or the first after the history was lost) has no passing scan to compare with: scan
    # the candidate alone; its scan, when it passes, is the last-passing baseline of the next run.
    if [ "$baseline" = "last-passing" ] && [ "$code" = "2" ] && [ ! -f "$outdir/report.json" ] \
      && grep -q -- '--baseline last-passing: no complete, passing scan' "$errlog"; then
      say "no passing scan of this target in the history yet: scanning the candidate alone"
      note="No passing scan of this target in the history yet (first run, or the history cache was lost): the"
      note="$note candidate was scanned alone; from the next run on it is compared with the last passing scan."
      run_gate ""
      baseline="(none: no passing scan yet)"
    fi
    rm -f "$errlog"
    out exit-code "$code"
    verdict=error
    case "$code" in 0) verdict=pass ;; 1) verdict=fail ;; esac
    # Exit 2 with a report whose verdict is incomplete: vouch ran but could not establish enough to pass.
    incomplete='const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      process.exit(r.verdict && r.verdict.status === "incomplete" ? 0 : 1)'
    if [ "$code" = "2" ] && [ -f "$outdir/report.json" ] && node -e "$incomplete" "$outdir/report.json"; then
      verdict=incomplete
    fi
    out verdict "$verdict"
    out baseline "${baseline:-(none)}"
    summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
    if [ -f "$outdir/summary.md" ]; then
      cat "$outdir/summary.md" >> "$summary"
    else
      echo "vouch stopped before writing a summary (exit $code); see the log." >> "$summary"
    fi
    [ -z "$note" ] || printf '\n> %s\n' "$note" >> "$summary"
    ;;

  verdict)
    code="${VOUCH_IN_EXIT_CODE:-}"
    verdict="${VOUCH_IN_VERDICT:-error}"
    fail() { echo "::error title=vouch::$1"; exit 1; }
    if [ "$code" = "1" ] && [ "${VOUCH_IN_FAIL_ON_VERDICT:-true}" = "true" ]; then fail "verdict FAIL (see the job summary)"; fi
    if [ "$verdict" = "incomplete" ]; then
      fail "verdict INCOMPLETE: vouch could not establish enough to pass (see the job summary)"
    fi
    if [ "$code" != "0" ] && [ "$code" != "1" ]; then fail "vouch could not finish (exit ${code:-none}); see the log"; fi
    echo "vouch verdict: $verdict"
    ;;

  *)
    echo "usage: action-run.sh prepare|install|gate|verdict (the steps of action.yml; inputs as VOUCH_IN_* variables)" >&2
    exit 2
    ;;
esac
