#!/usr/bin/env bash
# The action's one step of its own: run the gate with the inputs, write the
# verdict table to the job summary, and exit with the runner's status. It
# reads INPUT_* and GITHUB_* as action.yml sets them, so a test can run it
# with a fake GitHub environment.
set -uo pipefail

# gh_data escapes a workflow command's data as GitHub's toolkit does, so that
# an input with a newline cannot start a command of its own (rules §15).
gh_data() {
  local s=${1//%/%25}
  s=${s//$'\r'/%0D}
  printf '%s' "${s//$'\n'/%0A}"
}

# bad_input reports an input that cannot be run as a setup error: an
# annotation, the summary and the step's status, as a run's would be.
bad_input() {
  echo "::error title=autoconfirm::$(gh_data "$1")"
  {
    echo "### autoconfirm conformance: setup error (exit 2)"
    echo "no report: the run exited 2 before writing one; an input is wrong, and the annotation says which."
  } >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
  echo "status=2" >> "${GITHUB_OUTPUT:-/dev/null}"
  exit 2
}

runner=${AUTOCONFIRM_RUNNER:?the runner binary}
target=${INPUT_TARGET:-local}
report_dir=${INPUT_REPORT_DIR:-reports/autoconfirm}
args=()

add() { # add FLAG VALUE: only when VALUE is set
  if [[ -n "$2" ]]; then args+=("$1" "$2"); fi
}

# sandbox_setup lets local give the handler its sandbox on a GitHub-hosted
# runner, where the step has sudo: Ubuntu 24.04 restricts unprivileged user
# namespaces through AppArmor, which bubblewrap needs, and the image may lack
# bubblewrap. Elsewhere it changes nothing; local says "not sandboxed", and
# why, when it cannot have one. AUTOCONFIRM_USERNS_SYSCTL is for tests.
sandbox_setup() {
  [[ "${RUNNER_ENVIRONMENT:-}" == github-hosted ]] || return 0
  local knob=${AUTOCONFIRM_USERNS_SYSCTL:-/proc/sys/kernel/apparmor_restrict_unprivileged_userns}
  if [[ -e "$knob" && "$(cat "$knob")" != 0 ]]; then
    echo "lifting AppArmor's restriction on unprivileged user namespaces, so that the handler runs in a sandbox"
    sudo -n sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 ||
      echo "::warning title=autoconfirm::could not lift AppArmor's restriction on user namespaces; the handler runs not sandboxed"
  fi
  if ! command -v bwrap >/dev/null; then
    echo "installing bubblewrap, the handler's sandbox"
    { sudo -n apt-get update -qq && sudo -n apt-get install -y -qq bubblewrap; } >/dev/null ||
      echo "::warning title=autoconfirm::could not install bubblewrap; the handler runs not sandboxed"
  fi
}

case "$target" in
  local)
    if [[ -z "${INPUT_RUNTIME:-}" || -z "${INPUT_CODE:-}" ]]; then
      bad_input "target local needs the inputs runtime and code"
    fi
    sandbox_setup
    args+=(local --runtime "$INPUT_RUNTIME" --code "$INPUT_CODE")
    add --handler "${INPUT_HANDLER:-}"
    while IFS= read -r line; do
      line=${line%$'\r'}
      if [[ -n "${line// /}" ]]; then args+=(--env "$line"); fi
    done <<< "${INPUT_ENV:-}"
    ;;
  lambda | pool)
    args+=(--target "$target" --format progress)
    add --function "${INPUT_FUNCTION:-}"
    add --pool-id "${INPUT_POOL_ID:-}"
    add --client-id "${INPUT_CLIENT_ID:-}"
    add --expect-code "${INPUT_EXPECT_CODE:-}"
    add --expect-function "${INPUT_EXPECT_FUNCTION:-}"
    ;;
  *)
    bad_input "target must be local, lambda or pool, not $target"
    ;;
esac
add --profile "${INPUT_PROFILE:-}"
add --features "${INPUT_FEATURES:-}"
add --fixtures "${INPUT_FIXTURES:-}"
args+=(--report-dir "$report_dir")

# From here on the log shows what inputs, the handler, its features and its
# fixtures wrote: GitHub acts on no workflow command in it until the token,
# which nothing else knows, resumes them (rules §15).
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
resume() { printf '\n::%s::\n' "$token"; }
echo "::stop-commands::$token"
trap resume EXIT

echo "autoconfirm-conformance ${args[*]}"
"$runner" "${args[@]}"
status=$?

# The summary comes only from this run's record: run.json must record the
# status the runner exited with, or it is an earlier run's.
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
md=$(mktemp)
if [[ -f "$report_dir/run.json" ]] && "$runner" report --markdown "$md" --expect-status "$status" "$report_dir"; then
  cat "$md" >> "$summary"
else
  case $status in
    2) echo "### autoconfirm conformance: setup error (exit 2)" ;;
    130) echo "### autoconfirm conformance: interrupted (exit 130)" ;;
    *) echo "### autoconfirm conformance: exit $status, and no verdict was recorded" ;;
  esac >> "$summary"
  echo "no report: the run exited $status before writing one. No verdict is shown: the log of the step \"Judge the handler\" says what to fix." >> "$summary"
fi
rm -f "$md"
resume
trap - EXIT
echo "status=$status" >> "${GITHUB_OUTPUT:-/dev/null}"
exit "$status"
