#!/usr/bin/env bash
# Builds rio's libFuzzer targets (tests/fuzz) with clang, ASan and UBSan in their own build tree,
# then replays each target's regression inputs and fuzzes it for a bounded time from a fresh
# copy of its committed seeds. Exits 1 when a target crashes, hangs, leaks or breaks a checked promise, and prints the
# input that did it. docs/fuzzing.md describes the targets.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/fuzz.sh [options]

Builds the fuzz targets in build/fuzz (clang, -fsanitize=fuzzer,address,undefined). For each
target it runs every input of tests/fuzz/regressions/<target>/ once, then fuzzes for a bounded
time from a fresh copy of tests/fuzz/seeds/<target>/.
Exit status 1 if any target failed; the input that made it fail is printed (new ones are kept
under build/fuzz/artifacts/<target>/).

Options:
  --seconds N        run each target for N seconds (default 20)
  --only T[,T...]    run only these targets (default: all)
  --list             list the targets and exit
  --build-dir DIR    build tree (default: build/fuzz)
  --keep-corpus      reuse the corpus grown by the previous run instead of starting again
                     from the committed seeds (useful for long local sessions)
  --jobs N           fuzz N targets at a time, one core each (default: the number of cores)
  --no-build         run the targets already built
  --build-only       configure and build, run nothing
  -h, --help         show this help

Targets: inventory install_body known_hosts vault_envelope status_manifest detect_report

Needs (Debian 12): clang-14 libclang-rt-14-dev cmake ninja-build, and rio's build dependencies.
Environment: CC/CXX pick another clang; FUZZ_ARGS adds libFuzzer flags (e.g. "-jobs=2").

Reproduce a failure:
  LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp build/fuzz/bin/fuzz_<target> <input file>
EOF
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
all_targets=(inventory install_body known_hosts vault_envelope status_manifest detect_report)
seconds=20
only=""
build_dir="$root/build/fuzz"
keep_corpus=0
build=1
run=1
jobs="$(nproc 2>/dev/null || echo 1)"

while (($#)); do
  case "$1" in
    --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    --only) only="${2:?--only needs target names}"; shift 2 ;;
    --only=*) only="${1#*=}"; shift ;;
    --build-dir) build_dir="${2:?--build-dir needs a directory}"; shift 2 ;;
    --build-dir=*) build_dir="${1#*=}"; shift ;;
    --keep-corpus) keep_corpus=1; shift ;;
    --jobs) jobs="${2:?--jobs needs a number}"; shift 2 ;;
    --jobs=*) jobs="${1#*=}"; shift ;;
    --no-build) build=0; shift ;;
    --build-only) run=0; shift ;;
    --list) printf '%s\n' "${all_targets[@]}"; exit 0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "fuzz.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --seconds must be a positive whole number" >&2; exit 2; }
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --jobs must be a positive whole number" >&2; exit 2; }
[[ "$build_dir" = /* ]] || build_dir="$PWD/$build_dir"

targets=("${all_targets[@]}")
if [[ -n "$only" ]]; then
  IFS=',' read -r -a targets <<<"$only"
  for t in "${targets[@]}"; do
    [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target '$t' (see --list)" >&2; exit 2; }
  done
fi

# clang: $CXX if set, else clang++-14 (Debian 12's), else clang++.
pick() { for c in "$@"; do if command -v "$c" >/dev/null 2>&1; then echo "$c"; return; fi; done; }
cxx="${CXX:-$(pick clang++-14 clang++)}"
cc="${CC:-$(pick clang-14 clang)}"
if [[ -z "$cxx" || -z "$cc" ]] || ! "$cxx" --version 2>/dev/null | grep -q clang; then
  echo "fuzz.sh: needs clang (Debian 12: apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 2
fi
fuzzer_rt="$("$cxx" -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a"
if [[ ! -f "$fuzzer_rt" ]]; then
  echo "fuzz.sh: $cxx has no libFuzzer runtime ($fuzzer_rt); Debian 12: apt-get install libclang-rt-14-dev" >&2
  exit 2
fi

if ((build)); then
  start=$SECONDS
  generator=()
  if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
  if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
    echo "== configure $build_dir ($cxx)"
    cmake -S "$root" -B "$build_dir" "${generator[@]}" \
      -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
      -DCMAKE_CXX_EXTENSIONS=OFF -DRIO_FUZZ=ON -DRIO_BUILD_TESTS=OFF -DRIO_BUILD_BENCH=OFF >/dev/null
  fi
  echo "== build (target rio_fuzz only)"
  cmake --build "$build_dir" --target rio_fuzz
  echo "== built in $((SECONDS - start)) s"
fi
((run)) || exit 0

bin="$build_dir/bin"
export TMPDIR="$build_dir/tmp"
mkdir -p "$TMPDIR" "$build_dir/logs"
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/tests/fuzz/lsan.supp:print_suppressions=0}"
if [[ -z "${ASAN_SYMBOLIZER_PATH:-}" ]]; then
  sym="$(pick llvm-symbolizer-14 llvm-symbolizer)"
  if [[ -n "$sym" ]]; then
    ASAN_SYMBOLIZER_PATH="$(command -v "$sym")"
    export ASAN_SYMBOLIZER_PATH
  fi
fi

# -timeout: one input may take 25 s at most (a hang is a failure; the slowest legitimate input,
# a range of 100000 hosts, takes ~4 s under the sanitizers); -rss_limit_mb: a parser that lets a
# small file allocate gigabytes fails too.
limits=(-timeout=25 -rss_limit_mb=2048)
failed=()
summary=()

# Each target runs in its own process; its verdict goes to <logs>/<target>.verdict ("ok <line>"
# or "FAILED <line>"), and what it prints is kept in <logs>/<target>.out, shown once it ends.
# report <target> <exit status> <log> <input or empty>
report() {
  echo "!! fuzz_$1 FAILED (exit $2); log: $3"
  grep -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|rio fuzz: broken promise|SUMMARY:' "$3" |
    head -5 | sed 's/^/   /'
  echo "   input: ${4:-(none written; see the log)}"
  [[ -n "$4" ]] && echo "   reproduce: LSAN_OPTIONS=suppressions=$root/tests/fuzz/lsan.supp $bin/fuzz_$1 $4"
  printf 'FAILED %-16s FAILED  %s\n' "$1" "${4:-see $3}" >"$build_dir/logs/$1.verdict"
}

# fuzz_one <target>: its regression inputs once, then fuzzing from the seeds for $seconds.
fuzz_one() {
  local t=$1 exe="$bin/fuzz_$1" corpus="$build_dir/corpus/$1" artifacts="$build_dir/artifacts/$1"
  local log="$build_dir/logs/$1.log" status regressions=() dict=()
  mkdir -p "$artifacts"

  # Regression inputs first, each run once: a fixed bug that comes back fails at once, whatever
  # the fuzzing below happens to try.
  if [[ -d "$root/tests/fuzz/regressions/$t" ]]; then
    mapfile -t regressions < <(find "$root/tests/fuzz/regressions/$t" -maxdepth 1 -type f ! -name '.*' | sort)
  fi
  if ((${#regressions[@]})); then
    echo "== fuzz_$t: ${#regressions[@]} regression inputs"
    status=0
    "$exe" "${limits[@]}" "${regressions[@]}" >"$log.regressions" 2>&1 || status=$?
    if ((status != 0)); then
      report "$t" "$status" "$log.regressions" "$(sed -n 's/^Running: //p' "$log.regressions" | tail -1)"
      return
    fi
  fi

  # Fuzzing starts from the seeds only: a regression input sits in the corner of a fixed bug,
  # often a slow one (inventory's are seconds each), and every mutation made from it would be.
  ((keep_corpus)) || rm -rf "$corpus"
  mkdir -p "$corpus"
  if [[ -d "$root/tests/fuzz/seeds/$t" ]]; then
    find "$root/tests/fuzz/seeds/$t" -maxdepth 1 -type f ! -name '.*' -exec cp -f {} "$corpus/" \;
  fi
  [[ -f "$root/tests/fuzz/dicts/$t.dict" ]] && dict=("-dict=$root/tests/fuzz/dicts/$t.dict")
  echo "== fuzz_$t for ${seconds} s ($(find "$corpus" -type f | wc -l) inputs to start)"
  status=0
  # shellcheck disable=SC2086
  "$exe" "$corpus" "${dict[@]}" "${limits[@]}" -max_total_time="$seconds" -artifact_prefix="$artifacts/" \
    -print_final_stats=1 ${FUZZ_ARGS:-} >"$log" 2>&1 || status=$?
  if ((status != 0)); then
    report "$t" "$status" "$log" "$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log" | tail -1)"
    return
  fi
  local done_line execs rate cov
  done_line="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)"
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  cov="$(sed -nE 's/.*cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+)\/([0-9a-zA-Z]+).*/cov \1, ft \2, corpus \3 (\4)/p' <<<"$done_line")"
  printf 'ok %-16s ok      %s execs, %s/s, %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" >"$build_dir/logs/$t.verdict"
}

for t in "${targets[@]}"; do
  [[ -x "$bin/fuzz_$t" ]] || { echo "fuzz.sh: $bin/fuzz_$t is not built (drop --no-build)" >&2; exit 2; }
  rm -f "$build_dir/logs/$t.verdict"
done
# Targets run $jobs at a time: each libFuzzer process uses one core.
running=0
for t in "${targets[@]}"; do
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
  fuzz_one "$t" >"$build_dir/logs/$t.out" 2>&1 &
  running=$((running + 1))
done
wait || true
for t in "${targets[@]}"; do
  cat "$build_dir/logs/$t.out"
  verdict="$(cat "$build_dir/logs/$t.verdict" 2>/dev/null || echo "FAILED $(printf '%-16s' "$t") FAILED  no verdict (see $build_dir/logs/$t.out)")"
  summary+=("${verdict#* }")
  [[ "$verdict" == ok* ]] || failed+=("$t")
done

echo "== summary (${seconds} s per target)"
printf '  %s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "fuzz.sh: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  echo "Keep a fixed input as tests/fuzz/regressions/<target>/<name> (docs/fuzzing.md)." >&2
  exit 1
fi
