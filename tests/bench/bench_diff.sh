#!/bin/sh
# `make bench-diff`: the diff model on a generated PR of 2,000 files and
# 200,000 changed lines, beside `git diff` of the same range on the same run.
# Not a test: it prints figures and their references, it asserts nothing.
#
#	bench_diff.sh PATH/TO/bench_diff [WORKDIR]
#
# The repository is generated once with git fast-import (fixed dates, so the
# same every time) and kept in WORKDIR (default /tmp/gatehouse-bench-diff).
set -eu

prog=$1
work=${2:-${TMPDIR:-/tmp}/gatehouse-bench-diff}
repo=$work/cache/git/bench.example/acme/big.git
HOME=$work/home
GIT_CONFIG_NOSYSTEM=1
export HOME GIT_CONFIG_NOSYSTEM
mkdir -p "$HOME"

if ! git -C "$repo" rev-parse -q --verify refs/pull/1/head >/dev/null 2>&1; then
	echo "generating the PR repository in $repo ..."
	rm -rf "$repo"
	git init -q --bare "$repo"
	python3 - <<'EOF' | git -C "$repo" fast-import --quiet
# 2,000 files of 200 lines; the PR rewrites 50 lines of each in 7 hunks, two
# of them with an unchanged line inside: 100,000 removed + 100,000 added
# lines, 155 lines of `git diff` per file, 310,000 in all, about 15 MB.
import sys
out = sys.stdout.buffer
FILES, LINES = 2000, 200
HUNKS = [(8 + 28 * h, 8 if h == 0 else 7) for h in range(7)]

def base_line(f, i):
    return "    value_%04d_%03d = compute(a_%d, beta)  # n%d\n" % (f, i, i % 7, f % 13)

def head_line(f, i):
    return "    value_%04d_%03d = compute(a_%d, delta)  # r%d\n" % (f, i, i % 7, f % 11)

def path(f):
    return "pkg%02d/mod%02d/file_%04d.py" % (f % 20, (f // 20) % 10, f)

def blob(data):
    data = data.encode()
    out.write(b"data %d\n" % len(data))
    out.write(data)
    out.write(b"\n")

def commit(ref, when, msg, files, parent=None):
    out.write(b"commit %s\n" % ref.encode())
    out.write(b"author Bench <bench@example.com> %d +0000\n" % when)
    out.write(b"committer Bench <bench@example.com> %d +0000\n" % when)
    blob(msg)
    if parent:
        out.write(b"from %s\n" % parent.encode())
    for f, text in files:
        out.write(b"M 100644 inline %s\n" % path(f).encode())
        blob(text)
    out.write(b"\n")

changed = set()
for h, (start, n) in enumerate(HUNKS):
    if h < 2:
        changed.update(x for x in range(start, start + n + 1) if x != start + n // 2)
    else:
        changed.update(range(start, start + n))
commit("refs/heads/main", 1700000000, "base",
       ((f, "".join(base_line(f, i) for i in range(LINES))) for f in range(FILES)))
commit("refs/pull/1/head", 1700000600, "the agent's mass refactor",
       ((f, "".join(head_line(f, i) if i in changed else base_line(f, i) for i in range(LINES)))
        for f in range(FILES)), parent="refs/heads/main")
EOF
	git -C "$repo" repack -adq
fi

base=$(git -C "$repo" rev-parse refs/heads/main)
head=$(git -C "$repo" rev-parse refs/pull/1/head)
# Warm the page cache the way a fetched mirror is warm.
git -C "$repo" diff "$base...$head" > /dev/null
bytes=$(git -C "$repo" diff "$base...$head" | wc -c)
lines=$(git -C "$repo" diff "$base...$head" | wc -l)
echo "PR: $(git -C "$repo" diff --shortstat "$base...$head")"
echo "diff text: $lines lines, $bytes bytes"
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
