#!/bin/bash
# `make bench-term`: bytes written to the terminal per keystroke at 160x48 on
# the 310,000-line diff of `make bench-diff` (the same generated PR), for the
# console's diff view beside tig's diff view and less on the same run.
# Not a test: it prints figures beside their references and the targets.
#
#	bench_term.sh [WORKDIR]      (default /tmp/gatehouse-bench-diff, shared
#	                              with bench_diff.sh, which generates the PR)
#
# Each program runs in its own tmux server; once it has settled, tmux
# `pipe-pane -o` appends everything it writes to its terminal to a file, and
# each key's cost is the growth of that file until it is quiet again.
# Measured: a one-line scroll (j, once the cursor is on the bottom row of a
# view that has one), a page (<Space>; PgDown in tig) and 2 s
# without a key.  Targets: <= 100 bytes per line, <= 1.1x less per page,
# nothing when idle.
#
# Environment: top_srcdir, top_builddir, GATEHOUSE, PYTHON3 (as the tests);
# BENCH_LINES (j presses, 20), BENCH_PAGES (<Space> presses, 10).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
GATEHOUSE=${GATEHOUSE:-$top_builddir/gatehouse}
PYTHON3=${PYTHON3:-python3}
work=${1:-${TMPDIR:-/tmp}/gatehouse-bench-diff}
gitroot=$work/cache/git/bench.example
repo=$gitroot/acme/big.git
cols=160
rows=48
n_lines=${BENCH_LINES:-20}
n_pages=${BENCH_PAGES:-10}

for t in tmux ssh-agent ssh-keygen git; do
	command -v "$t" >/dev/null 2>&1 || { echo "bench-term: FAILED to start: $t is not installed"; exit 1; }
done
[ -x "$GATEHOUSE" ] || { echo "bench-term: FAILED to start: no gatehouse binary at $GATEHOUSE"; exit 1; }
for t in tig less; do
	command -v "$t" >/dev/null 2>&1 ||
		echo "bench-term: $t is not installed, its reference is left out (apt-get install $t)"
done

# The PR: bench_diff.sh generates it (a no-op program in place of its own).
if ! git -C "$repo" rev-parse -q --verify refs/pull/1/head >/dev/null 2>&1; then
	sh "$top_srcdir/tests/bench/bench_diff.sh" true "$work" >/dev/null 2>&1
	git -C "$repo" rev-parse -q --verify refs/pull/1/head >/dev/null 2>&1 ||
		{ echo "bench-term: FAILED to start: could not generate the PR in $repo"; exit 1; }
fi
base=$(git -C "$repo" rev-parse refs/heads/main)
head=$(git -C "$repo" rev-parse refs/pull/1/head)

. "$top_srcdir/tests/e2e/lib.sh"
E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/gth-bench-term-XXXXXX")
sockets=""
bench_cleanup() {
	local s
	for s in $sockets; do tmux -S "$s" kill-server >/dev/null 2>&1 || true; done
	e2e_cleanup
}
trap bench_cleanup EXIT

# --- the three programs in tmux ------------------------------------------
term_start() {	# term_start NAME COMMAND: a tmux server of its own, COLSxROWS
	local sock=$E2E_TMP/$1.sock
	sockets="$sockets $sock"
	tmux -S "$sock" -f /dev/null new-session -d -x "$cols" -y "$rows" \
		"env TERM=xterm-256color LANG=C.UTF-8 $2; sleep 600"
}
term_screen() { tmux -S "$E2E_TMP/$1.sock" capture-pane -p; }
term_keys() { local n=$1; shift; tmux -S "$E2E_TMP/$n.sock" send-keys "$@"; }
term_wait() {	# term_wait NAME TEXT SECONDS
	for _ in $(seq 1 $(($3 * 10))); do
		term_screen "$1" | grep -qF -- "$2" && return 0
		sleep 0.1
	done
	return 1
}
size_of() { stat -c %s "$1" 2>/dev/null || echo 0; }
quiet() {	# quiet FILE QUIET_TENTHS MAX_TENTHS: wait until FILE stops growing
	local f=$1 want=$2 max=$3 last still=0 now
	last=$(size_of "$f")
	for _ in $(seq 1 "$max"); do
		sleep 0.1
		now=$(size_of "$f")
		if [ "$now" = "$last" ]; then
			still=$((still + 1))
			[ "$still" -ge "$want" ] && return 0
		else
			still=0
			last=$now
		fi
	done
	return 1
}
# measure NAME KEY COUNT OUT: mean bytes written per KEY over COUNT presses.
measure() {
	local name=$1 key=$2 count=$3 out=$4 total=0 s0 s1
	for _ in $(seq 1 "$count"); do
		s0=$(size_of "$out")
		term_keys "$name" "$key"
		quiet "$out" 5 50 || true
		s1=$(size_of "$out")
		total=$((total + s1 - s0))
	done
	echo $((total / count))
}
idle() {	# idle OUT: bytes written in 2 s without a key
	local out=$1 s0
	s0=$(size_of "$out")
	sleep 2
	echo $(($(size_of "$out") - s0))
}
# run NAME SCROLL_KEY PAGE_KEY: settle, then pipe the pane and measure.
declare -A line page still
# A fourth argument names the figures when one program is measured twice.
run() {
	local name=$1 label=${4:-$1} out=$E2E_TMP/${4:-$1}.out
	: >"$out"
	tmux -S "$E2E_TMP/$name.sock" pipe-pane
	tmux -S "$E2E_TMP/$name.sock" pipe-pane -o "cat >> '$out'"
	quiet "$out" 20 100 || echo "bench-term: $name: still writing after 10 s before the first key"
	# Bring the cursor to the bottom row first, where each j scrolls.
	for _ in $(seq 1 "$rows"); do term_keys "$name" "$2"; done
	quiet "$out" 10 100 || true
	line[$label]=$(measure "$name" "$2" "$n_lines" "$out")
	page[$label]=$(measure "$name" "$3" "$n_pages" "$out")
	still[$label]=$(idle "$out")
	term_screen "$name" >"$E2E_TMP/$label.screen"
}

# --- less and tig ---------------------------------------------------------
git -C "$repo" diff "$base...$head" >"$E2E_TMP/pr.diff"
echo "PR: $(git -C "$repo" diff --shortstat "$base...$head"), $(wc -l <"$E2E_TMP/pr.diff") lines of diff"
echo "terminal ${cols}x${rows}; $n_lines line scrolls and $n_pages pages each, after the program has settled"
reference() {	# reference NAME PAGE_KEY COMMAND READY_TEXT: start, wait for its diff view, measure
	command -v "$1" >/dev/null 2>&1 || return 0
	term_start "$1" "$3"
	if term_wait "$1" "$4" 60; then
		run "$1" j "$2"
	else
		echo "bench-term: $1: FAILED to start"; term_screen "$1" | head -5 | e2e_diag
	fi
}
reference less Space "LESS= LESSOPEN= less $E2E_TMP/pr.diff" "diff --git"
# The PR is one commit on main: tig's diff view of it is the same diff (tig
# diff takes no range outside a work tree).
reference tig PageDown "HOME=$E2E_TMP TIGRC_USER=/dev/null GIT_DIR=$repo tig show $head" "[diff]"

# --- gatehouse on the test forge ------------------------------------------
export HOME=$E2E_TMP/home
export XDG_CONFIG_HOME=$E2E_TMP/config XDG_CACHE_HOME=$E2E_TMP/xcache XDG_STATE_HOME=$E2E_TMP/state
mkdir -p "$HOME" "$XDG_CONFIG_HOME/gatehouse" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"
export GIT_CONFIG_NOSYSTEM=1
unset GH_TOKEN GITHUB_TOKEN GATEHOUSE_TRACE
"$PYTHON3" - "$E2E_TMP/scenario.json" "$gitroot" <<'PY'
import json, sys
label = {"name": "needs-checkpoint", "color": "d93f0b", "description": "Agent PR waiting for a human checkpoint"}
json.dump({
    "description": "make bench-term: one PR whose diff is the 310,000-line bench-diff PR",
    "git_root": sys.argv[2],
    "default_user": "reviewer",
    "users": [{"login": "reviewer", "type": "User", "name": "Riley Reviewer"},
              {"login": "claude[bot]", "type": "Bot", "graphql_login": "claude"}],
    "tokens": {"ghp_benchReviewer000000000000000000000001": "reviewer"},
    "repos": [{"owner": "acme", "name": "big", "git": "acme/big.git", "private": True,
               "default_branch": "main", "required_checks": [], "required_approvals": 1,
               "labels": [label]}],
    "prs": [{"repo": "acme/big", "number": 1, "author": "claude[bot]",
             "title": "Mass refactor: compute(beta) becomes compute(delta)",
             "body": "## Summary\nRenames the argument across the package.\n",
             "head": "refactor", "base": "main", "labels": ["needs-checkpoint"],
             "requested_reviewers": ["reviewer"],
             "created_at": "2025-11-20T09:00:00Z", "updated_at": "2025-11-20T09:10:00Z"}],
}, open(sys.argv[1], "w"), indent=1)
PY
FORGE_LOG=$E2E_TMP/forge.jsonl
"$PYTHON3" "$top_srcdir/tests/fakeforge/fakeforge.py" --scenario "$E2E_TMP/scenario.json" \
	--git-root "$gitroot" --port 0 --state-dir "$E2E_TMP/forge-state" --log "$FORGE_LOG" --warm \
	>"$E2E_TMP/forge.out" 2>"$E2E_TMP/forge.err" &
e2e_pids="$e2e_pids $!"
FORGE_URL=""
for _ in $(seq 1 1200); do
	FORGE_URL=$(sed -n 's/^listening \(http[^ ]*\).*/\1/p' "$E2E_TMP/forge.out" 2>/dev/null)
	[ -n "$FORGE_URL" ] && break
	sleep 0.1
done
if [ -z "$FORGE_URL" ]; then
	echo "bench-term: gatehouse: FAILED to start: the test forge did not start"
	e2e_diag <"$E2E_TMP/forge.err"
else
	export FORGE_URL GATEHOUSE_TEST_TOKEN=ghp_benchReviewer000000000000000000000001
	ssh-keygen -q -t ed25519 -N '' -C reviewer@gatehouse-bench -f "$E2E_TMP/id_ed25519"
	eval "$(ssh-agent -s -a "$E2E_TMP/agent.sock")" >/dev/null
	e2e_pids="$e2e_pids $SSH_AGENT_PID"
	ssh-add -q "$E2E_TMP/id_ed25519" 2>/dev/null
	printf 'reviewer %s\n' "$(cat "$E2E_TMP/id_ed25519.pub")" >"$E2E_TMP/allowed_signers"
	e2e_write_config
	term_start gatehouse "$GATEHOUSE"
	if term_wait gatehouse "acme/big" 60; then
		term_keys gatehouse Enter
		# Loaded once the first file's hunks are on screen.
		if term_wait gatehouse "value_0000_" 180; then
			term_keys gatehouse 1
			run gatehouse j Space
			# Again with the panels as tabs (z), the diff full width.
			term_keys gatehouse z g
			run gatehouse j Space tabs
		else
			echo "bench-term: gatehouse: FAILED: the PR's diff did not show within 180 s"
			term_screen gatehouse | e2e_diag
		fi
	else
		echo "bench-term: gatehouse: FAILED to start: the queue did not show the PR"
		term_screen gatehouse | e2e_diag
	fi
fi

# --- figures --------------------------------------------------------------
# gatehouse twice: panels beside the diff (the default from 140 columns) and
# as tabs (z), where the diff is full width and the terminal can scroll it.
fig() { [ -n "${1:-}" ] && printf '%s' "$1" || printf 'n/a'; }
row() {	# row TITLE ARRAY TARGET
	local -n a=$2
	printf '%-22s %12s %12s %10s %10s   %s\n' "$1" "$(fig "${a[gatehouse]:-}")" \
		"$(fig "${a[tabs]:-}")" "$(fig "${a[tig]:-}")" "$(fig "${a[less]:-}")" "$3"
}
echo
printf '%-22s %12s %12s %10s %10s   %s\n' "bytes written" "gatehouse" "tabs (z)" tig less target
pt=""
[ -n "${page[less]:-}" ] && pt=$((page[less] * 11 / 10))
row "per line scroll (j)" line "<= 100"
row "per page (Space/PgDn)" page "<= 1.1x less${pt:+ = $pt}"
row "idle 2 s" still "0"
echo "(earlier on this machine: tig ~6,800 per j and ~8,300 per page; less 57 per line and ~2,300 per page)"
echo "(beside the panels no terminal region can scroll: tmux, like most emulators, has no left/right margins)"
if [ -n "${line[gatehouse]:-}" ] && [ -n "${line[tabs]:-}" ]; then
	verdict() { if [ "$2" = yes ]; then echo "$1: meets target"; else echo "$1: OVER TARGET"; fi; }
	for l in gatehouse tabs; do
		verdict "$l: line scroll" "$([ "${line[$l]}" -le 100 ] && echo yes)"
		[ -n "$pt" ] && verdict "$l: page" "$([ "${page[$l]}" -le "$pt" ] && echo yes)"
		verdict "$l: idle" "$([ "${still[$l]}" -eq 0 ] && echo yes)"
	done
	exit 0
fi
exit 1
