#!/bin/sh
# Build the fixture repository for the git/ tests, with fixed dates so that
# every SHA is the same on every run.
#
#	mkfixtures.sh DIR
#
# Leaves DIR/work (the working repository) and DIR/served/acme/widget.git (a
# bare copy, as a forge would serve it).  Refs in both:
#	refs/heads/main		the base branch, advanced after the PR branched
#	refs/pull/1/head	the PR head (GitLab's name: refs/merge-requests/1/head)
#	refs/heads/branch-point	where the PR branched (the merge base)
#
# The PR touches one file per case the diff must show honestly: add, delete,
# modify, rename, copy, mode change, binary, submodule, symlink, a file turned
# into a symlink, no trailing
# newline, CRLF, invalid UTF-8, a whitespace-only change, nested directories.
set -eu

dir=$1
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
work=$dir/work

# Nothing from the user's or the system's git configuration.
HOME=$dir/home
GIT_CONFIG_NOSYSTEM=1
GIT_AUTHOR_NAME="Agent Smith"
GIT_AUTHOR_EMAIL="agent@example.com"
GIT_COMMITTER_NAME="Agent Smith"
GIT_COMMITTER_EMAIL="agent@example.com"
export HOME GIT_CONFIG_NOSYSTEM GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME \
	GIT_COMMITTER_EMAIL
mkdir -p "$HOME"

tick=1700000000
commit() {
	tick=$((tick + 60))
	GIT_AUTHOR_DATE="@$tick +0000" GIT_COMMITTER_DATE="@$tick +0000" \
		git -C "$work" commit -q -m "$1"
}

rm -rf "$work"
git init -q -b main "$work"
git -C "$work" config core.autocrlf false
git -C "$work" config core.symlinks true
cd "$work"

# ---- base ----
i=1
: > keep.txt
while [ $i -le 40 ]; do
	echo "keep line $i" >> keep.txt
	i=$((i + 1))
done
printf 'this file goes away\nwith two lines\n' > del.txt
cat > old_name.c <<'EOF'
#include <stdio.h>

/* A function that an agent will move to another file name. */
static int
add(int a, int b)
{
	return a + b;
}

int
main(void)
{
	printf("%d\n", add(2, 3));
	return 0;
}
EOF
cat > copy_src.c <<'EOF'
/* Checksum helpers, copied by the agent into a second file. */
unsigned
checksum(const unsigned char *p, unsigned n)
{
	unsigned sum = 0;

	while (n-- > 0)
		sum = sum * 31 + *p++;
	return sum;
}

unsigned
checksum_twice(const unsigned char *p, unsigned n)
{
	return checksum(p, n) ^ checksum(p, n / 2);
}
EOF
printf '#!/bin/sh\necho deploy\n' > script.sh
printf 'PNG\000\001\002\003binary\000data\n' > image.bin
ln -s target-a link
printf 'a file that becomes a symlink\n' > tc
printf 'first\nsecond\nlast without newline' > noeol.txt
printf 'alpha\r\nbeta\r\ngamma\r\n' > crlf.txt
printf 'caf\351 latin-1 here\nplain\n' > latin1.txt
printf 'if (x) {\n\treturn 1;\n}\n' > ws.txt
mkdir -p docs src/deep
printf '# Guide\n\nOld words.\n' > docs/guide.md
printf 'int deep(void) { return 1; }\n' > src/deep/deep.c
git add -A
git update-index --add --cacheinfo 160000,1111111111111111111111111111111111111111,vendor/lib
commit "base"
git branch branch-point

# ---- the PR branch ----
git checkout -q -b pr
sed 's/^keep line 20$/keep line twenty, changed by the agent/' keep.txt > keep.tmp
mv keep.tmp keep.txt
git rm -q del.txt
git mv old_name.c new_name.c
sed 's/return a + b;/return b + a;/' new_name.c > new_name.tmp
mv new_name.tmp new_name.c
cp copy_src.c copy_dst.c
sed 's/sum \* 31/sum * 33/' copy_src.c > copy_src.tmp
mv copy_src.tmp copy_src.c
chmod 755 script.sh
printf 'PNG\000\001\002\003binary\000data, now longer\n' > image.bin
rm link
ln -s target-b link
rm tc
ln -s keep.txt tc
printf 'first\nsecond\nlast changed, still no newline' > noeol.txt
printf 'alpha\r\nBETA\r\ngamma\r\n' > crlf.txt
printf 'caf\351 latin-1 here\nplain \377\376 bytes\n' > latin1.txt
printf 'if (x) {\n        return 1;\n}\n' > ws.txt
printf '# Guide\n\nNew words.\nMore words.\n' > docs/guide.md
printf 'int deep(void) { return 2; }\n' > src/deep/deep.c
printf 'a new file\n' > added.txt
git add -A
git update-index --add --cacheinfo 160000,2222222222222222222222222222222222222222,vendor/lib
commit "The agent's change"
git update-ref refs/pull/1/head HEAD
git update-ref refs/merge-requests/1/head HEAD

# ---- the base branch moves on after the PR branched ----
git checkout -q main
printf 'only on main\n' > main_only.txt
sed 's/^keep line 1$/keep line one, changed on main/' keep.txt > keep.tmp
mv keep.tmp keep.txt
git add -A
commit "main moves on"

# The forge's side: a bare repository holding the same refs.
served=$dir/served/acme/widget.git
rm -rf "$served"
mkdir -p "$dir/served/acme"
git clone -q --bare "$work" "$served"
git -C "$served" fetch -q "$work" 'refs/pull/*:refs/pull/*' 'refs/heads/*:refs/heads/*' \
	'refs/merge-requests/*:refs/merge-requests/*'
git -C "$served" config http.receivepack false
