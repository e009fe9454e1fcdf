#!/bin/bash
# make bench-queue: a queue of 1,000 PRs over 50 repositories from the test
# forge with 50 ms injected latency per request.  Prints requests, bytes and
# wall time for a cold refresh, a warm refresh (nothing changed) and the naive
# REST approach (search list + pull, check runs and status per PR) as the
# reference.  Targets: cold <= 25 requests and <= 3 s; warm served by 304s in <= 1 s.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bld=${top_builddir:-$(pwd)}
cli=$bld/tests/forge/forgecli
prs=${BENCH_PRS:-1000}
repos=${BENCH_REPOS:-50}
latency=${BENCH_LATENCY_MS:-50}
work=$(mktemp -d "${TMPDIR:-/tmp}/gth-bench-queue.XXXXXX")
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

echo "generating $prs PRs over $repos repositories..."
python3 "$top/tests/fakeforge/genscenario.py" --prs "$prs" --repos "$repos" --out "$work/scenario.json" >/dev/null || exit 1
mkfifo "$work/out"
python3 "$top/tests/fakeforge/fakeforge.py" --scenario "$work/scenario.json" --state-dir "$work/state" \
	--latency-ms "$latency" --warm >"$work/out" 2>"$work/err" &
pid=$!
read -r -t 120 line <"$work/out" || { echo "forge did not start"; cat "$work/err"; exit 1; }
U=${line#listening }
GH_TOKEN=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(next(t for t,u in s["tokens"].items() if u==s["default_user"]))' "$work/scenario.json")
export GH_TOKEN

run() {	# run LABEL ARGS...
	local label=$1 out stats
	shift
	out=$("$cli" --api "$U" --web "$U" --cache "$work/cache" --stats "$@" 2>&1 >"$work/stdout")
	stats=$(grep '^stats' <<<"$out")
	if [ -z "$stats" ] || grep -q '^error' <<<"$out"; then
		echo "$label: FAILED: $out"
		return 1
	fi
	printf '%-26s %s  %s\n' "$label" "$(tail -1 "$work/stdout")" "${stats#stats }"
}
echo "latency ${latency} ms per request; default queue queries (label:needs-checkpoint, review-requested:@me)"
run "cold refresh" queue
run "warm refresh (no change)" queue
run "refresh, cache disabled" --max-age -1 queue
run "naive REST (1 + 3N)" naive
