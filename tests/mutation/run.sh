#!/bin/bash
# Mutation run: each patch in tests/mutation/mutants/ plants one bug that a
# real bug could look like; the suites named in its "Suites:" line must then
# fail (the mutant is killed). A mutant they pass survives: a test is missing.
#
#   tests/mutation/run.sh                 every mutant
#   tests/mutation/run.sh NAME...         the named mutants (file names without .patch)
#   tests/mutation/run.sh --check         only check that every patch still applies
#
# The mutants are applied one at a time to a copy of the tree in
# $SIO_MUTATION_DIR (default build-mutation/, kept between runs so that a run
# recompiles only what the mutants touch), which has its own ASan+UBSan build.
# Before the mutants, the named suites run once on the unchanged copy: a suite
# that fails there would kill every mutant and prove nothing
# (SIO_MUTATION_BASELINE=0 skips this).
#
# Suite names: interop/NAME and badinput/NAME (tests/<dir>/NAME.test.mjs
# against the copy's sio_test_server), client/NAME (tests/client/NAME.test.mjs
# with the copy's client programs), unit/NAME (the copy's C unit test NAME).
#
# Ends with "N passed, N failed": a killed mutant passes; a surviving one, one
# that no longer applies or does not build fails. Exits non-zero on a failure.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MUTANTS="$ROOT/tests/mutation/mutants"
JOBS=$(nproc 2>/dev/null || echo 2)
SUITE_TIMEOUT=${SIO_MUTATION_SUITE_TIMEOUT:-300}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

PASSED=0
FAILED=0
REPORT=()

# result NAME VERDICT DETAIL: VERDICT "killed" or "ok" passes, anything else fails.
result() {
  if [ "$2" = killed ] || [ "$2" = ok ]; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
  REPORT+=("$(printf '%-36s %-9s %s' "$1" "$2" "$3")")
  printf '%-36s %-9s %s\n' "$1" "$2" "$3"
}

finish() {
  printf '\n==== mutation summary ====\n'
  printf '%s\n' "${REPORT[@]}"
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
  exit
}

# header PATCH FIELD: the value of a "Field: value" line above the diff.
header() {
  sed -n "/^diff --git/q; s/^$2: *//p" "$1" | head -1
}

mutant_files() {
  local name
  if [ $# -eq 0 ]; then
    ls "$MUTANTS"/*.patch
  else
    for name in "$@"; do echo "$MUTANTS/${name%.patch}.patch"; done
  fi
}

# Each patch applies to the tree as it is and names what it breaks.
check_patches() {
  local patch name
  for patch in "$@"; do
    name=$(basename "$patch" .patch)
    if [ ! -f "$patch" ]; then
      result "$name" error "no such mutant"
    elif [ -z "$(header "$patch" Mutant)" ] || [ -z "$(header "$patch" Suites)" ]; then
      result "$name" error "no Mutant: or Suites: line"
    elif ! git -C "$ROOT" apply --check "$patch" 2>/dev/null; then
      result "$name" error "does not apply: remake it against the current code"
    else
      result "$name" ok "applies"
    fi
  done
}

# ---- the scratch copy ---------------------------------------------------------

SCRATCH=${SIO_MUTATION_DIR:-$ROOT/build-mutation}
TREE="$SCRATCH/tree"
BUILD="$TREE/build-asan"

# git in the copy must not find the checkout's repository above it: git apply
# would then read the patch's paths from the checkout's root.
export GIT_CEILING_DIRECTORIES="$SCRATCH"

# Copies the checkout's files into the copy. Only files that differ are
# written, with a new modification time, so that make rebuilds exactly them
# (and whatever a previous run left mutated).
sync_tree() {
  mkdir -p "$TREE"
  local f
  while IFS= read -r -d '' f; do
    [ -f "$ROOT/$f" ] || continue
    if ! cmp -s "$ROOT/$f" "$TREE/$f"; then
      mkdir -p "$TREE/$(dirname "$f")"
      cp "$ROOT/$f" "$TREE/$f" || return 1
    fi
  done < <(git -C "$ROOT" ls-files -z --cached --others --exclude-standard)
  # Sources the checkout no longer has (moved or deleted) leave the copy
  # too: CMake globs core/ and abi/, so a stale one would still be built.
  (cd "$TREE" && find core abi -type f) | sort >"$SCRATCH/copied"
  git -C "$ROOT" ls-files --cached --others --exclude-standard -- core abi | sort >"$SCRATCH/listed"
  comm -23 "$SCRATCH/copied" "$SCRATCH/listed" | while IFS= read -r f; do rm -f "$TREE/$f"; done
  local sub
  for sub in tests/interop tests/client; do
    # -f: a link left dangling by an earlier run (its target gone) is
    # replaced, where a test with -e would miss it and ln would then fail.
    ln -sfn "$ROOT/$sub/node_modules" "$TREE/$sub/node_modules"
  done
}

# The build targets the suites need.
targets_for() {
  local suite targets=(sio_test_server)
  for suite in "$@"; do
    case "$suite" in
      client/*) targets+=(client_driver eio_harness) ;;
      unit/*) targets+=("${suite#unit/}") ;;
    esac
  done
  printf '%s\n' "${targets[@]}" | sort -u
}

build_targets() {
  local log="$SCRATCH/build.log"
  # shellcheck disable=SC2046
  cmake --build "$BUILD" -j "$JOBS" --target $(targets_for "$@") >"$log" 2>&1
}

# run_suite SUITE LOG: 0 when the suite passes.
run_suite() {
  local suite=$1 log=$2 name=${1#*/}
  case "$suite" in
    interop/* | badinput/*)
      (cd "$TREE/tests/interop" &&
        SIO_TEST_SERVER="$BUILD/examples/sio_test_server" \
          timeout "$SUITE_TIMEOUT" node --test "$TREE/tests/${suite%%/*}/$name.test.mjs") ;;
    client/*)
      (cd "$TREE/tests/client" &&
        EIO_HARNESS="$BUILD/tests/client/eio_harness" \
          CLIENT_DRIVER="$BUILD/tests/client/client_driver" \
          SIO_TEST_SERVER_BIN="$BUILD/examples/sio_test_server" \
          timeout "$SUITE_TIMEOUT" node --test "$TREE/tests/client/$name.test.mjs") ;;
    unit/*)
      (cd "$BUILD/tests" && timeout "$SUITE_TIMEOUT" "./$name") ;;
    *)
      echo "unknown suite $suite"
      return 2 ;;
  esac >"$log" 2>&1
}

# run_mutant PATCH
run_mutant() {
  local patch=$1 name suites suite log
  name=$(basename "$patch" .patch)
  if [ ! -f "$patch" ]; then
    result "$name" error "no such mutant"
    return
  fi
  read -ra suites <<<"$(header "$patch" Suites)"
  printf '\n==== %s: %s\n' "$name" "$(header "$patch" Mutant)"
  if [ ${#suites[@]} -eq 0 ]; then
    result "$name" error "no Suites: line"
    return
  fi
  if ! (cd "$TREE" && git apply "$patch"); then
    result "$name" error "does not apply: remake it against the current code"
    return
  fi
  if ! build_targets "${suites[@]}"; then
    result "$name" error "does not build (see $SCRATCH/build.log)"
  else
    local killer=""
    for suite in "${suites[@]}"; do
      log="$SCRATCH/logs/$name-$(tr / - <<<"$suite").log"
      if ! run_suite "$suite" "$log"; then
        killer=$suite
        break
      fi
    done
    if [ -n "$killer" ]; then
      result "$name" killed "by $killer"
    else
      result "$name" SURVIVED "${suites[*]} all pass"
    fi
  fi
  (cd "$TREE" && git apply -R "$patch") || {
    echo "cannot revert $name: the copy is left broken"
    finish
  }
}

if [ "${1:-}" = --check ]; then
  mapfile -t PATCHES < <(mutant_files)
  check_patches "${PATCHES[@]}"
  finish
fi
mapfile -t PATCHES < <(mutant_files "$@")

mkdir -p "$SCRATCH/logs"
sync_tree || { echo "cannot copy the tree into $TREE"; exit 1; }
# Configured every time: a new test file needs a new target.
cmake -S "$TREE" -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug -DSIO_SANITIZE=address,undefined \
  >"$SCRATCH/configure.log" 2>&1 || { echo "configure failed: $SCRATCH/configure.log"; exit 1; }

ALL_SUITES=()
for patch in "${PATCHES[@]}"; do
  [ -f "$patch" ] || continue
  read -ra s <<<"$(header "$patch" Suites)"
  ALL_SUITES+=("${s[@]}")
done
mapfile -t ALL_SUITES < <(printf '%s\n' "${ALL_SUITES[@]}" | sort -u | grep .)

build_targets "${ALL_SUITES[@]}" || { echo "the unchanged copy does not build: $SCRATCH/build.log"; exit 1; }
if [ "${SIO_MUTATION_BASELINE:-1}" != 0 ]; then
  printf '==== baseline: %s\n' "${ALL_SUITES[*]}"
  for suite in "${ALL_SUITES[@]}"; do
    log="$SCRATCH/logs/baseline-$(tr / - <<<"$suite").log"
    # A timing-sensitive test may fail once on a loaded machine: once more.
    if ! run_suite "$suite" "$log" && ! run_suite "$suite" "$log"; then
      echo "$suite fails without any mutant (see $log): fix it first"
      exit 1
    fi
  done
fi

for patch in "${PATCHES[@]}"; do run_mutant "$patch"; done
finish
