#!/bin/bash
# `make fuzz`: every libFuzzer target in tests/fuzz/ (fuzz_*.c) built with
# clang -fsanitize=fuzzer,address,undefined and run for FUZZ_SECONDS over a
# copy of its corpus.  Prints the executions per target.  A crash, leak,
# timeout or out-of-memory input is copied into tests/fuzz/corpus/<target>/
# (the regression test then replays it in `make check`) and the run fails.
#
#	run-fuzz.sh [TARGET...]     (TARGET: agent, sanitize, ...; default all)
#
# Environment: top_srcdir, top_builddir (a configured build: config.h),
# FUZZ_SECONDS (30), FUZZ_CC (clang), FUZZ_CPPFLAGS, FUZZ_LIBS (third-party
# libraries), FUZZ_WORK (default $top_builddir/tests/fuzz/work).
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bld=${top_builddir:-$(pwd)}
secs=${FUZZ_SECONDS:-30}
cc=${FUZZ_CC:-clang}
libs=${FUZZ_LIBS:--lgit2 -lcurl -ljansson -lcrypto}
work=${FUZZ_WORK:-$bld/tests/fuzz/work}
# The layers a fuzz target may reach, upper first (the link order).
layers="policy decide forge sign config git model base"
flags="-g -O1 -D_GNU_SOURCE -I$top/include -I$top/tests -I$bld ${FUZZ_CPPFLAGS:-}"

install_hint() {
	echo "fuzz: $1" >&2
	echo "fuzz: install the fuzzing toolchain with: apt-get install clang libclang-rt-14-dev" >&2
	exit 2
}

command -v "$cc" >/dev/null 2>&1 || install_hint "no $cc on PATH"
[ -f "$bld/config.h" ] || { echo "fuzz: no config.h in $bld (run configure first)" >&2; exit 2; }
mkdir -p "$work/obj" "$work/bin" "$work/run" "$work/artifacts"
probe=$work/probe.c
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' >"$probe"
"$cc" -fsanitize=fuzzer,address,undefined "$probe" -o "$work/probe" >"$work/probe.log" 2>&1 ||
	{ cat "$work/probe.log" >&2; install_hint "$cc cannot link -fsanitize=fuzzer,address,undefined"; }

# The layers' sources, instrumented, one archive per layer; the linker takes
# from each only what the target reaches.
echo "fuzz: building the instrumented layers ($layers)"
for layer in $layers; do
	mkdir -p "$work/obj/$layer"
	rm -f "$work/obj/$layer"/*.o "$work/lib$layer.a"
done
# shellcheck disable=SC2086
# (plus the sources a layer generates in an out-of-tree build directory,
# e.g. src/policy/default_policy.c).
if ! for layer in $layers; do
	for c in "$top/src/$layer"/*.c; do echo "$layer $c"; done
	[ "$bld" -ef "$top" ] || for c in "$bld/src/$layer"/*.c; do
		if [ -f "$c" ]; then echo "$layer $c"; fi
	done
done |
	xargs -P "$(nproc 2>/dev/null || echo 2)" -n 2 sh -c \
		'o='"$work"'/obj/$0/$(basename "$1" .c).o; '"$cc"' '"$flags"' -fsanitize=fuzzer-no-link,address,undefined -c "$1" -o "$o"'
then
	echo "fuzz: FAILED to compile the layers" >&2
	exit 1
fi
for layer in $layers; do
	ar rcs "$work/lib$layer.a" "$work/obj/$layer"/*.o || exit 1
done

if [ $# -gt 0 ]; then
	targets="$*"
else
	targets=$(cd "$top/tests/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')
fi

# The seed directories of TARGET: what its regression test replays (FUZZ_DIRS
# in the layer's local.mk), else its own corpus.
seed_dirs() {
	local dirs
	dirs=$(grep -h "FUZZ_DIRS=.*tests/fuzz/corpus/$1\"" "$top"/src/*/local.mk \
		"$top"/tests/fuzz/local.mk 2>/dev/null |
		sed -n "s/.*FUZZ_DIRS='\"\([^\"]*\)\"'.*/\1/p" | head -1)
	echo "${dirs:-tests/fuzz/corpus/$1}" | tr ':' ' '
}

failed=""
summary=""
for t in $targets; do
	src=$top/tests/fuzz/fuzz_$t.c
	bin=$work/bin/fuzz_$t
	if [ ! -f "$src" ]; then
		summary="$summary$(printf '%-10s NO SUCH TARGET (%s)' "$t" "$src")"$'\n'
		failed="$failed $t"
		continue
	fi
	libargs=""
	for layer in $layers; do libargs="$libargs $work/lib$layer.a"; done
	# shellcheck disable=SC2086
	if ! "$cc" $flags -fsanitize=fuzzer,address,undefined "$src" $libargs $libs -o "$bin" \
		>"$work/build-$t.log" 2>&1; then
		cat "$work/build-$t.log" >&2
		summary="$summary$(printf '%-10s BUILD FAILED (see %s)' "$t" "$work/build-$t.log")"$'\n'
		failed="$failed $t"
		continue
	fi
	run=$work/run/$t
	art=$work/artifacts/$t
	rm -rf "$run" "$art"
	mkdir -p "$run" "$art" "$top/tests/fuzz/corpus/$t"
	for d in $(seed_dirs "$t"); do
		[ -d "$top/$d" ] && cp -R "$top/$d/." "$run/"
	done
	seeds=$(find "$run" -type f | wc -l)
	echo "fuzz: $t: ${secs}s over $seeds seed inputs"
	"$bin" -max_total_time="$secs" -max_len=8192 -print_final_stats=1 \
		-artifact_prefix="$art/" "$run" >"$work/run-$t.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/run-$t.log" | tail -1)
	persec=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/run-$t.log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$work/run-$t.log" | tail -1)
	found=$(find "$art" -type f | sort)
	if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
		for f in $found; do
			cp "$f" "$top/tests/fuzz/corpus/$t/"
			echo "fuzz: $t: kept $(basename "$f") in tests/fuzz/corpus/$t/ as a regression input" >&2
		done
		grep -m1 -A25 'ERROR: \|==ERROR\|runtime error\|deadly signal' "$work/run-$t.log" >&2
		summary="$summary$(printf '%-10s FAILED (exit %d) after %s executions; log %s' \
			"$t" "$rc" "${execs:-?}" "$work/run-$t.log")"$'\n'
		failed="$failed $t"
		continue
	fi
	summary="$summary$(printf '%-10s %10s executions in %ss (%s/s), %s' \
		"$t" "${execs:-?}" "$secs" "${persec:-?}" "${cov:-cov: ?}")"$'\n'
done

echo "fuzz: results"
printf '%s' "$summary"
if [ -n "$failed" ]; then
	echo "fuzz: FAILED:$failed"
	exit 1
fi
