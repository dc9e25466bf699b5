#!/usr/bin/env bash
# Runs every libFuzzer target (fuzz/) for SECONDS each, one after another:
#   scripts/fuzz.sh SECONDS [TARGET...]      (TARGET: capture, filter, options, cli, analysis)
# Builds build-fuzz/ first if needed (CC=clang meson setup build-fuzz -Dfuzzing=true).
# Each target starts from its checked-in seeds (fuzz/corpus/T) and its
# dictionary (fuzz/dict/T.dict), and grows its own corpus in
# build-fuzz/fuzz-work/T/corpus, where it also runs (files an option makes
# the engine write land there). Leaks are checked (-detect_leaks=1).
# A finding is classified (fuzz/classify.py): the engine's own (the first
# frame in libwireshark/libwiretap/libwsutil) is reported and kept under
# build-fuzz/fuzz-findings/engine/ (the sanitizer runtime's own under
# runtime/), and the target goes on for the rest of its time; cshark's is
# kept under build-fuzz/fuzz-findings/ours/ and makes the script exit 1
# after the other targets ran. docs/RELIABILITY.md lists the findings. A summary line per target
# gives runs, execs/s and coverage (edges, libFuzzer's cov:).
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
seconds=${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(capture filter options cli analysis)

if [ ! -d build-fuzz ]; then
    CC=clang meson setup build-fuzz -Dfuzzing=true || exit 2
fi
ninja -C build-fuzz || exit 2

export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1:handle_abort=1:symbolize=1"
export LSAN_OPTIONS="suppressions=$repo/fuzz/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
command -v llvm-symbolizer >/dev/null && export ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer)
export WIRESHARK_LOG_LEVEL=critical

status=0
summary=()
for t in "${targets[@]}"; do
    bin=$repo/build-fuzz/fuzz/fuzz_$t
    [ -x "$bin" ] || { echo "fuzz.sh: no target $bin" >&2; exit 2; }
    work=$repo/build-fuzz/fuzz-work/$t
    mkdir -p "$work/corpus"
    extra=()
    case $t in
        capture) extra=(-max_len=16384) ;;
        cli) extra=(-close_fd_mask=2) ;;  # the CLI's own error lines; reports still show
    esac
    start=$(date +%s)
    runs=0 restarts=0 cov=? execs=?
    while :; do
        left=$(( seconds - ($(date +%s) - start) ))
        [ "$left" -gt 0 ] || break
        log=$work/run-$restarts.log
        echo "== fuzz_$t: $left s"
        (cd "$work" && "$bin" -max_total_time="$left" -detect_leaks=1 -timeout=60 \
            -rss_limit_mb=6144 -print_final_stats=1 -artifact_prefix="$work/" \
            -dict="$repo/fuzz/dict/$t.dict" "${extra[@]}" \
            corpus "$repo/fuzz/corpus/$t") >"$log" 2>&1
        rc=$?
        tail -n 3 "$log" | sed 's/^/   /'
        n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        runs=$(( runs + ${n:-0} ))
        c=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
        [ -n "$c" ] && cov=$c
        e=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
        [ -n "$e" ] && execs=$e
        [ $rc -eq 0 ] && break
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        if [ -z "$artifact" ]; then
            # No input to blame: the target failed before fuzzing (its
            # LLVMFuzzerInitialize reads fuzz/data/small.pcap) or libFuzzer
            # could not start.
            echo "fuzz.sh: fuzz_$t failed to start: $(python3 "$repo/fuzz/classify.py" "$log") (log: $log)" >&2
            status=1
            break
        fi
        if grep -q 'ERROR: LeakSanitizer' "$log" && [ -n "$artifact" ]; then
            # The stacks of the leak as they are: the fast unwinder of the
            # run loses the engine's frames (fuzz/classify.py).
            (cd "$work" && ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0" \
                "$bin" -runs=1 "$artifact") >"$log.slow" 2>&1
            grep -q 'ERROR: LeakSanitizer' "$log.slow" && cat "$log.slow" >>"$log"
            mv "$log.slow" "$log.rerun"
        fi
        verdict=$(python3 "$repo/fuzz/classify.py" "$log")
        who=${verdict%% *}
        kept=$repo/build-fuzz/fuzz-findings/$who
        mkdir -p "$kept"
        [ -n "$artifact" ] && [ -f "$artifact" ] && cp "$artifact" "$kept/${t}-$(basename "$artifact")"
        cp "$log" "$kept/${t}-$(basename "${artifact:-run-$restarts}").log"
        echo "fuzz.sh: fuzz_$t: $verdict"
        echo "         input: $kept/${t}-$(basename "${artifact:-none}") (log beside it)"
        if [ "$who" = ours ]; then
            status=1
            break
        fi
        restarts=$(( restarts + 1 ))
        if [ $restarts -ge 50 ]; then
            echo "fuzz.sh: fuzz_$t: 50 findings not ours, stopping this target"
            break
        fi
    done
    summary+=("fuzz_$t: $runs runs, $execs exec/s, cov $cov edges, $restarts finding(s) not ours")
done
printf '%s\n' "${summary[@]}"
[ $status -eq 0 ] && echo "fuzz.sh: no finding in cshark's code" || echo "fuzz.sh: FINDINGS in cshark's code (build-fuzz/fuzz-findings/ours)"
exit $status
