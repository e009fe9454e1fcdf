#!/bin/sh
# `make bench-diff`: the diff model on a generated PR of 2,000 files and
# 200,000 changed lines, beside `git diff` of the same range on the same run.
# Not a test: it prints figures and their references, it asserts nothing.
#
#	bench_diff.sh PATH/TO/bench_diff [WORKDIR]
#
# The repository is generated once by mkbigpr.py with git fast-import (fixed
# dates, so the same every time) and kept in WORKDIR (default
# /tmp/gatehouse-bench-diff).
set -eu

prog=$1
work=${2:-${TMPDIR:-/tmp}/gatehouse-bench-diff}
repo=$work/cache/git/bench.example/acme/big.git
HOME=$work/home
GIT_CONFIG_NOSYSTEM=1
export HOME GIT_CONFIG_NOSYSTEM
mkdir -p "$HOME"

# 2,000 files of 200 lines; the PR rewrites 50 lines of each (tests/bench/mkbigpr.py).
python3 "$(dirname "$0")/mkbigpr.py" "$repo"

base=$(git -C "$repo" rev-parse refs/heads/main)
head=$(git -C "$repo" rev-parse refs/pull/1/head)
# Warm the page cache the way a fetched mirror is warm.
git -C "$repo" diff "$base...$head" > /dev/null
bytes=$(git -C "$repo" diff "$base...$head" | wc -c)
lines=$(git -C "$repo" diff "$base...$head" | wc -l)
echo "PR: $(git -C "$repo" diff --shortstat "$base...$head")"
echo "diff text: $lines lines, $bytes bytes"
# tig's peak memory on the same diff text, read from a file in a terminal
# tmux gives it: tig reads its input to the end at once, and its peak stays.
GTH_BENCH_TIG_KB=
if command -v tig >/dev/null 2>&1 && command -v tmux >/dev/null 2>&1; then
	git -C "$repo" diff "$base...$head" > "$work/diff.txt"
	rm -f "$work/tig.pid"
	tmux -L "gth-bench-diff-$$" -f /dev/null new-session -d -x 160 -y 48 \
		"echo \$\$ > '$work/tig.pid'; exec env TIGRC_USER=/dev/null tig < '$work/diff.txt'"
	last= same=0 i=0
	while [ $i -lt 150 ] && [ $same -lt 8 ]; do
		sleep 0.2
		i=$((i + 1))
		pid=$(cat "$work/tig.pid" 2>/dev/null) || continue
		kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || continue
		if [ -n "$kb" ] && [ "$kb" = "$last" ]; then same=$((same + 1)); else same=0; fi
		last=$kb
	done
	[ $same -ge 8 ] && GTH_BENCH_TIG_KB=$last ||
		echo "bench-diff: tig's peak memory could not be read" >&2
	tmux -L "gth-bench-diff-$$" kill-server 2>/dev/null || :
	rm -f "$work/diff.txt" "$work/tig.pid"
fi
export GTH_BENCH_TIG_KB
"$prog" "$work/cache" bench.example acme/big "$base" "$head" "$bytes"
# The model must say what git says: its hunks, printed back, against git diff's.
a=$(GTH_BENCH_ONLY=dump "$prog" "$work/cache" bench.example acme/big "$base" "$head" "$bytes" \
	2>/dev/null | cksum)
b=$(git -C "$repo" diff "$base...$head" | grep -v '^diff --git \|^index \|^--- \|^+++ ' | cksum)
if [ "$a" = "$b" ]; then
	echo "model hunks identical to git diff's: yes"
else
	echo "model hunks identical to git diff's: NO"
fi
