#!/usr/bin/env bash
# The action's one step of its own: run the gate, or with diff-base a diff
# of the handler at two refs, with the inputs, write the verdict table or
# the differences to the job summary, and exit with the runner's status. It
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

# title is the summary's heading: a diff's or a judgement's.
title() {
  if [[ -n "${INPUT_DIFF_BASE:-}" ]]; then echo "### autoconfirm diff"; else echo "### autoconfirm conformance"; fi
}

# bad_input reports an input that cannot be run as a setup error: an
# annotation, the summary and the step's status, as a run's would be.
bad_input() {
  echo "::error title=autoconfirm::$(gh_data "$1")"
  {
    echo "$(title): setup error (exit 2)"
    echo "no report: the run exited 2 before writing one; an input is wrong, and the annotation says which."
  } >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
  echo "status=2" >> "${GITHUB_OUTPUT:-/dev/null}"
  exit 2
}

runner=${AUTOCONFIRM_RUNNER:?the runner binary}
target=${INPUT_TARGET:-local}
report_dir=${INPUT_REPORT_DIR:-reports/autoconfirm}
diff_base=${INPUT_DIFF_BASE:-}
args=()
token=""
base_dir="" # the base's tree, with diff-base

add() { # add FLAG VALUE: only when VALUE is set
  if [[ -n "$2" ]]; then args+=("$1" "$2"); fi
}

# env_flags adds each line of the env input that is not blank after each
# of the flags given: --env, or a diff's --a-env and --b-env.
env_flags() {
  local line f
  while IFS= read -r line; do
    line=${line%$'\r'}
    if [[ -z "${line// /}" ]]; then continue; fi
    for f in "$@"; do args+=("$f" "$line"); done
  done <<< "${INPUT_ENV:-}"
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

# local_args reads the inputs of a run of local: a template, or the runtime
# and code, which override the template's when both are given.
local_args() {
  if [[ -z "${INPUT_TEMPLATE:-}" && ( -z "${INPUT_RUNTIME:-}" || -z "${INPUT_CODE:-}" ) ]]; then
    bad_input "target local needs the input template (a SAM template), or the inputs runtime and code"
  fi
  args+=(local)
  add --template "${INPUT_TEMPLATE:-}"
  if [[ -n "${INPUT_TEMPLATE:-}" ]]; then
    add --function "${INPUT_FUNCTION:-}"
    add --parameter-overrides "${INPUT_PARAMETER_OVERRIDES:-}"
  fi
  add --runtime "${INPUT_RUNTIME:-}"
  add --code "${INPUT_CODE:-}"
  add --handler "${INPUT_HANDLER:-}"
  env_flags --env
}

# valid_ref accepts what git fetch can take as the one ref to fetch: a full
# commit id, or a name git's own rules allow, in a strict alphabet that has
# no option (a leading -), no refspec (: or +), no revision syntax (~ ^ @{)
# and nothing a shell reads (rules §19).
valid_ref() {
  local ref=$1
  [[ ${#ref} -le 255 && "$ref" =~ ^[A-Za-z0-9_][A-Za-z0-9._/-]*$ ]] || return 1
  [[ "$ref" =~ ^([0-9a-f]{40}|[0-9a-f]{64})$ ]] && return 0
  git check-ref-format --allow-onelevel "$ref"
}

# diff_args checks the inputs of a diff, before anything runs: the code is
# laid out again from the base's tree, so it must be a path in this
# repository; a Go bootstrap is a build output, not in git.
diff_args() {
  [[ "$target" == local ]] || bad_input "diff-base hosts the handler on this runner at two refs: it needs target local, not $target"
  if [[ -n "${INPUT_TEMPLATE:-}" ]]; then
    bad_input "diff-base takes the handler from the inputs runtime, code and handler: diff reads no template. Give those three (the template's Runtime, CodeUri and Handler) instead of template"
  fi
  if [[ -z "${INPUT_RUNTIME:-}" || -z "${INPUT_CODE:-}" ]]; then
    bad_input "diff-base needs the inputs runtime and code, the handler as it is at both refs"
  fi
  if [[ -n "${INPUT_PROFILE:-}${INPUT_FEATURES:-}" ]]; then
    bad_input "diff-base compares the handler at two refs on the same sign-ups and judges no profile: drop the inputs profile and features, or judge them in a step of its own without diff-base"
  fi
  valid_ref "$diff_base" >/dev/null 2>&1 ||
    bad_input "diff-base $diff_base is not a ref to fetch: give a branch or tag name (main, refs/heads/main) or a whole commit id, e.g. the pull request's base.sha"
  if [[ "$INPUT_RUNTIME" == provided* && -z "${INPUT_BUILD:-}" ]]; then
    bad_input "diff-base with runtime $INPUT_RUNTIME needs the input build: a Go bootstrap is a build output, not in git, so the handler as it was at $diff_base must be built there, e.g. build: GOOS=linux CGO_ENABLED=0 go build -tags lambda.norpc -o dist/bootstrap . with code: dist"
  fi
  if [[ "$INPUT_CODE$INPUT_RUNTIME" == *:* ]]; then
    bad_input "diff-base: the runtime $INPUT_RUNTIME or the code path $INPUT_CODE holds a colon, which a diff's handler spec cannot carry: give a runtime such as nodejs22.x, and move the code to a path without one"
  fi
  top=$(git rev-parse --show-toplevel 2>/dev/null) ||
    bad_input "diff-base needs the workspace to be a git checkout (actions/checkout), and $(pwd) is not one"
  prefix=$(git rev-parse --show-prefix)
  if [[ "$INPUT_CODE" == /* ]]; then
    [[ "$INPUT_CODE" == "$top"/* ]] || bad_input "diff-base: the code $INPUT_CODE is outside the repository $top, so it has no version at $diff_base: give a path inside it"
    base_code=${INPUT_CODE#"$top"/}
  else
    base_code=$prefix$INPUT_CODE
  fi
  args+=(diff)
  env_flags --a-env --b-env
}

# after_stop reports a setup error once commands are stopped: it resumes
# them first, so that GitHub shows the annotation.
after_stop() {
  resume
  token=""
  bad_input "$1"
}

resume() { if [[ -n "$token" ]]; then printf '\n::%s::\n' "$token"; fi; }

# on_exit resumes the commands it stopped and removes the base's tree,
# whatever the exit. The EXIT trap calls it.
# shellcheck disable=SC2317
on_exit() {
  resume
  if [[ -n "$base_dir" ]]; then
    git worktree remove --force "$base_dir/tree" >/dev/null 2>&1
    rm -rf "$base_dir"
    git worktree prune >/dev/null 2>&1
  fi
}

# fetch_base brings the base's commit here and checks it out in a tree of
# its own: actions/checkout fetches only the commit it checks out (rules
# §19). A shallow clone stays shallow; a full one is not made shallow.
fetch_base() {
  local depth=() fetch sha
  if [[ "$diff_base" =~ ^([0-9a-f]{40}|[0-9a-f]{64})$ ]] && git cat-file -e "$diff_base^{commit}" 2>/dev/null; then
    sha=$diff_base
  else
    if [[ "$(git rev-parse --is-shallow-repository)" == true ]]; then depth=(--depth=1); fi
    fetch=(git fetch --quiet --no-tags "${depth[@]}" origin -- "$diff_base")
    echo "${fetch[*]}"
    GIT_TERMINAL_PROMPT=0 "${fetch[@]}" ||
      after_stop "diff-base $diff_base could not be fetched from origin (git fetch said why, above): give a branch, tag or commit id that origin has"
    sha=$(git rev-parse --verify --quiet 'FETCH_HEAD^{commit}') ||
      after_stop "diff-base $diff_base is not a commit"
  fi
  base_dir=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/autoconfirm-base.XXXXXX") ||
    after_stop "could not make a directory for the base's tree under ${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
  git worktree add --quiet --detach "$base_dir/tree" "$sha" ||
    after_stop "could not check out $diff_base ($sha) into $base_dir/tree (git worktree said why, above)"
  echo "diff-base: $diff_base is $sha, checked out in $base_dir/tree"
}

# build runs the build input in a tree, as a bash run step runs its script.
build() { # build WHERE DIR
  [[ -n "${INPUT_BUILD:-}" ]] || return 0
  echo "build ($1), in $2: $INPUT_BUILD"
  (cd "$2" && bash --noprofile --norc -eo pipefail -c "$INPUT_BUILD") ||
    after_stop "the build failed $1 (exit $?; its log is above): the handler cannot be hosted there"
}

# no_summary is the summary when there is no record of this run to render:
# it says only what the exit status says.
no_summary() {
  if [[ -n "$diff_base" && -f "$report_dir/diff.json" && ( $status == 0 || $status == 1 ) ]]; then
    if [[ $status == 0 ]]; then echo "$(title): no difference (exit 0)"; else echo "$(title): the handler decides differently at $diff_base and here (exit 1)"; fi
    echo "This run's diff.json could not be rendered here (report --markdown said why, in the log of the step \"Judge the handler\"); that log, and diff.txt in the artefact autoconfirm-reports, have the whole report."
    return
  fi
  case $status in
    2) echo "$(title): setup error (exit 2)" ;;
    130) echo "$(title): interrupted (exit 130)" ;;
    *) echo "$(title): exit $status, and no verdict was recorded" ;;
  esac
  echo "no report: the run exited $status before writing one. No verdict is shown: the log of the step \"Judge the handler\" says what to fix."
}

case "$target" in
  local)
    if [[ -n "$diff_base" ]]; then diff_args; else local_args; fi
    sandbox_setup
    ;;
  lambda | pool)
    [[ -z "$diff_base" ]] || diff_args # which refuses it
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
if [[ -z "$diff_base" ]]; then
  add --profile "${INPUT_PROFILE:-}"
  add --features "${INPUT_FEATURES:-}"
fi
add --fixtures "${INPUT_FIXTURES:-}"
args+=(--report-dir "$report_dir")

# From here on the log shows what inputs, the handler, its build, its
# features and its fixtures wrote: GitHub acts on no workflow command in it
# until the token, which nothing else knows, resumes them (rules §15).
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
echo "::stop-commands::$token"
trap on_exit EXIT

if [[ -n "$diff_base" ]]; then
  fetch_base
  build "at $diff_base" "$base_dir/tree${prefix:+/${prefix%/}}"
  build "in the pull request" .
  handler=${INPUT_HANDLER:+:$INPUT_HANDLER}
  args+=("local:$INPUT_RUNTIME:$base_dir/tree/$base_code$handler" "local:$INPUT_RUNTIME:$INPUT_CODE$handler")
else
  build "in the workspace" .
fi

echo "autoconfirm-conformance ${args[*]}"
"$runner" "${args[@]}"
status=$?

# The summary comes only from this run's record: run.json, or a diff's
# diff.json, must record the status the runner exited with, or it is an
# earlier run's.
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
record=run.json
if [[ -n "$diff_base" ]]; then record=diff.json; fi
md=$(mktemp)
if [[ -f "$report_dir/$record" ]] && "$runner" report --markdown "$md" --expect-status "$status" "$report_dir"; then
  cat "$md" >> "$summary"
else
  no_summary >> "$summary"
fi
rm -f "$md"
resume
token=""
echo "status=$status" >> "${GITHUB_OUTPUT:-/dev/null}"
exit "$status"
