#!/bin/sh
# Mirrors whose blobs sit in delta chains, for test_pack (fixed dates: the
# same SHAs every run).
#
#	mkpacked.sh DIR
#
# A repository where six files change over twelve commits, then three bare
# mirrors of it under DIR/cache/git/example.com/acme/:
#	ofs.git		one pack, deltas by offset (git's default)
#	ref.git		one pack, deltas by base id (repack.useDeltaBaseOffset=false)
#	mixed.git	ofs.git's pack plus the PR's last commit fetched loose
#	corrupt.git	ofs.git with one byte of the head's file1.txt flipped
#	swapped.git	ofs.git whose index sends the head's file1.txt and file2.txt
#			each to the other's bytes (the same size): no zlib checksum sees it
#	orphan.git	ofs.git with a second index, whose pack is not there (yet)
#	badidx.git	ofs.git whose index does not start as an index
#	big.git		a 24 MiB file changed in one line, packed: one side a delta of
#			the other (DIR/big-base and DIR/big-head hold its two commits);
#			then, fetched loose, another 24 MiB file added (DIR/big-added),
#			then the first cut to a line (DIR/big-cut)
# DIR/base and DIR/head hold the base and PR head SHAs.
set -eu

dir=$1
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
work=$dir/work
mirrors=$dir/cache/git/example.com/acme
HOME=$dir/home
GIT_CONFIG_NOSYSTEM=1
GIT_AUTHOR_NAME=Agent
GIT_AUTHOR_EMAIL=agent@example.com
GIT_COMMITTER_NAME=Agent
GIT_COMMITTER_EMAIL=agent@example.com
export HOME GIT_CONFIG_NOSYSTEM GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME \
	GIT_COMMITTER_EMAIL
mkdir -p "$HOME" "$mirrors"

rm -rf "$work"
git init -q "$work"
cd "$work"
git checkout -q -b main

tick=1700000000
commit() {
	tick=$((tick + 60))
	git add -A
	GIT_AUTHOR_DATE="@$tick +0000" GIT_COMMITTER_DATE="@$tick +0000" git commit -q -m "$1"
}

# Version v of file f: 300 lines, ten of them rewritten per version, so each
# version is a small delta from the one before.
write() {
	awk -v f="$1" -v v="$2" 'BEGIN {
		for (i = 0; i < 300; i++) {
			r = (i % 30 < v) ? v : 0
			printf "line %03d of file %d, revision %d: the quick brown fox\n", i, f, r
		}
	}' > "file$1.txt"
}

v=0
while [ $v -lt 12 ]; do
	for f in 1 2 3 4 5 6; do
		write $f $v
	done
	# A binary file, and one empty at the base and not at the head.
	printf 'PNG\000\001\002 version %d\000' $v > image.bin
	if [ $v -lt 8 ]; then : > empty.txt; else echo "no longer empty" > empty.txt; fi
	commit "version $v"
	v=$((v + 1))
	[ $v -eq 6 ] && git branch base
done
git branch pr HEAD~1
git rev-parse base > "$dir/base"

rm -rf "$mirrors/ofs.git" "$mirrors/ref.git" "$mirrors/mixed.git" "$mirrors/corrupt.git" \
	"$mirrors/swapped.git"
git clone -q --bare --no-local "$work" "$mirrors/ofs.git"
git -C "$mirrors/ofs.git" repack -adfq --depth=50 --window=50
git clone -q --bare --no-local "$work" "$mirrors/ref.git"
git -C "$mirrors/ref.git" -c repack.useDeltaBaseOffset=false repack -adfq --depth=50 --window=50

# mixed.git: packed up to pr, then the last commit fetched as loose objects.
git clone -q --bare --no-local --single-branch --branch pr "$work" "$mirrors/mixed.git"
git -C "$mirrors/mixed.git" repack -adfq --depth=50 --window=50
git -C "$mirrors/mixed.git" -c fetch.unpackLimit=1000 fetch -q "$work" main:main
git rev-parse main > "$dir/head"

cp -R "$mirrors/ofs.git" "$mirrors/corrupt.git"
pack=$(ls "$mirrors/corrupt.git"/objects/pack/*.pack)
chmod u+w "$pack"
sha=$(git rev-parse main:file1.txt)
# verify-pack: id type size size-in-pack offset [depth base]; flip a byte mid-stream.
pos=$(git verify-pack -v "${pack%.pack}.idx" | awk -v s="$sha" '$1 == s { print $5 + int($4 / 2) }')
byte=$(od -An -tu1 -j "$pos" -N1 "$pack" | tr -d ' ')
# shellcheck disable=SC2059
printf "$(printf '\\%03o' $((byte ^ 255)))" | dd of="$pack" bs=1 seek="$pos" conv=notrunc 2>/dev/null

cp -R "$mirrors/ofs.git" "$mirrors/swapped.git"
idx=$(ls "$mirrors/swapped.git"/objects/pack/*.idx)
chmod u+w "$idx"
n=$(git show-index < "$idx" | wc -l)
# Index v2: header 8, fanout 1024, n ids of 20, n CRCs of 4, then n offsets of 4 (id order).
slot() {	# slot SHA: the byte where SHA's offset is
	git show-index < "$idx" | sort -k2 | awk -v s="$1" -v n="$n" \
		'$2 == s { print 8 + 1024 + n * 24 + (NR - 1) * 4 }'
}
a=$(slot "$(git rev-parse main:file1.txt)")
b=$(slot "$(git rev-parse main:file2.txt)")
dd if="$idx" of="$dir/slot-a" bs=1 skip="$a" count=4 2>/dev/null
dd if="$idx" of="$dir/slot-b" bs=1 skip="$b" count=4 2>/dev/null
dd if="$dir/slot-b" of="$idx" bs=1 seek="$a" conv=notrunc 2>/dev/null
dd if="$dir/slot-a" of="$idx" bs=1 seek="$b" conv=notrunc 2>/dev/null
rm -f "$dir/slot-a" "$dir/slot-b"
if [ "$(git -C "$mirrors/swapped.git" cat-file -p main:file1.txt | head -c 20)" = \
    "$(git -C "$mirrors/ofs.git" cat-file -p main:file1.txt | head -c 20)" ]; then
	echo "mkpacked.sh: the swap in swapped.git did not take" >&2
	exit 1
fi

rm -rf "$mirrors/orphan.git" "$mirrors/badidx.git"
cp -R "$mirrors/ofs.git" "$mirrors/orphan.git"
cp "$(ls "$mirrors/ofs.git"/objects/pack/*.idx)" \
	"$mirrors/orphan.git/objects/pack/pack-0000000000000000000000000000000000000000.idx"
cp -R "$mirrors/ofs.git" "$mirrors/badidx.git"
idx=$(ls "$mirrors/badidx.git"/objects/pack/*.idx)
chmod u+w "$idx"
printf 'XXXX' | dd of="$idx" bs=1 seek=0 conv=notrunc 2>/dev/null

# big.git: one big text file, a line of it changed.
rm -rf "$work-big" "$mirrors/big.git"
git init -q "$work-big"
(
	cd "$work-big"
	git checkout -q -b main
	yes 'one line of a large generated file, the same over and over' | head -c 25165824 > big.txt
	commit "a big file"
	git rev-parse HEAD > "$dir/big-base"
	sed 's/^one line of a large/one changed line of a large/;q' big.txt > head.tmp
	tail -c +61 big.txt >> head.tmp
	mv head.tmp big.txt
	commit "change its first line"
	git rev-parse HEAD > "$dir/big-head"
)
git clone -q --bare --no-local "$work-big" "$mirrors/big.git"
git -C "$mirrors/big.git" repack -adfq
(
	cd "$work-big"
	yes 'another large generated file, loose in the mirror' | head -c 25165824 > big2.txt
	commit "add another"
	git rev-parse HEAD > "$dir/big-added"
	echo "cut to one line" > big.txt
	commit "cut the first"
	git rev-parse HEAD > "$dir/big-cut"
)
git -C "$mirrors/big.git" -c fetch.unpackLimit=1000 fetch -q "$work-big" main:main
rm -rf "$work-big"
if [ -z "$(find "$mirrors/big.git/objects" -path '*/pack' -prune -o -type f -size +100k -print)" ]; then
	echo "mkpacked.sh: big.git's second big file is not loose" >&2
	exit 1
fi
# verify-pack: one whole blob of 24 MiB, and the other a delta of it.
if ! git verify-pack -v "$mirrors/big.git"/objects/pack/*.idx | awk '
    $2 == "blob" && NF == 5 && $3 > 25000000 { whole = 1 } $2 == "blob" && NF >= 7 { delta = 1 }
    END { exit !(whole && delta) }'; then
	echo "mkpacked.sh: big.git's big file is not a delta of the other" >&2
	exit 1
fi

# The test means nothing without chains: say so if pack-objects made none.
for m in ofs ref; do
	n=$(git verify-pack -v "$mirrors/$m.git"/objects/pack/*.idx | awk 'NF >= 7' | wc -l)
	if [ "$n" -lt 40 ]; then
		echo "mkpacked.sh: only $n deltas in $m.git" >&2
		exit 1
	fi
done
loose=$(find "$mirrors/mixed.git/objects" -path '*/pack' -prune -o -type f -name '[0-9a-f]*' \
	-print | wc -l)
if [ "$loose" -lt 7 ]; then
	echo "mkpacked.sh: mixed.git has $loose loose objects" >&2
	exit 1
fi
