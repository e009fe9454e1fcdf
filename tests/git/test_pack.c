/*
 * load_all reads blobs from the packs itself (src/git/pack.c); loading one
 * file reads them through libgit2.  Over mirrors whose blobs sit in delta
 * chains (tests/git/mkpacked.sh: deltas by offset, by base id, packed and
 * loose mixed), both must give the reviewer the same diff, byte for byte;
 * over a corrupt pack, both must say so; an index that sends a blob to
 * another blob's bytes (which no zlib checksum sees) must be refused; a
 * blob over the text cap must be shown by its size, never read whole.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "fixture.h"
#include "gatehouse/base/err.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/git/diff.h"
#include "gatehouse/git/mirror.h"
#include "tap.h"

static char base_sha[41], head_sha[41];

/* Every line of file i, with its kind, numbers and flags, and the file's figures. */
static char *
dump(struct gth_diff *d, size_t i)
{
	const struct gth_diff_file *f = &d->files[i];
	const struct gth_diff_line *l;
	size_t n, j, o, cap;
	char *s;
	int k;

	l = gth_diff_file_lines(d, f, &n);
	cap = 256 + n * 128;
	s = xmalloc(cap);
	o = (size_t)snprintf(s, cap, "%s %s binary=%d sizes=%lld,%lld +%ld -%ld\n", f->old_path,
	    f->new_path, f->binary, (long long)f->old_size, (long long)f->new_size, f->additions,
	    f->deletions);
	for (j = 0; j < n && o < cap; j++) {
		k = snprintf(s + o, cap - o, "%d %u,%u %d %.*s\n", l[j].kind, l[j].old_no,
		    l[j].new_no, l[j].flags, (int)l[j].len, gth_diff_line_text(d, &l[j]));
		if (k < 0)
			break;
		o += (size_t)k;
	}
	return s;
}

static int
open_diff(struct gth_mirror *m, const struct gth_diff_opts *o, struct gth_diff **d)
{
	struct gth_err err;

	if (gth_git_diff_open(m, base_sha, head_sha, o, d, &err) < 0) {
		diag("open: %s", err.msg);
		return -1;
	}
	return 0;
}

/* One mirror: file by file through libgit2, then load_all on one thread and on three. */
static void
check_mirror(const char *cache, const char *name, const struct gth_diff_opts *o,
	const char *what)
{
	struct gth_mirror *m = NULL;
	struct gth_diff *one = NULL, *all = NULL, *threads = NULL;
	struct gth_err err;
	char *repo = xasprintf("acme/%s", name);
	size_t i, same = 0, same_threads = 0;
	long additions = 0;

	if (gth_mirror_open(cache, "example.com", repo, &m, &err) < 0 ||
	    open_diff(m, o, &one) < 0 || open_diff(m, o, &all) < 0 ||
	    open_diff(m, o, &threads) < 0) {
		ok(0, "%s: open the mirror and the diffs", what);
		goto out;
	}
	for (i = 0; i < one->n_files; i++) {
		if (gth_git_diff_load_file(one, i, &err) < 0)
			diag("load %zu: %s", i, err.msg);
	}
	setenv("GATEHOUSE_DIFF_WORKERS", "0", 1);
	is_int(gth_git_diff_load_all(all, NULL, NULL, NULL, &err), 0, "%s: load all", what);
	setenv("GATEHOUSE_DIFF_WORKERS", "3", 1);
	is_int(gth_git_diff_load_all(threads, NULL, NULL, NULL, &err), 0,
	    "%s: load all on four threads", what);
	unsetenv("GATEHOUSE_DIFF_WORKERS");
	for (i = 0; i < one->n_files; i++) {
		char *a = dump(one, i), *b = dump(all, i), *c = dump(threads, i);

		if (strcmp(a, b) == 0)
			same++;
		else
			diag("%s differs:\n%s--- load_all:\n%s", one->files[i].new_path, a, b);
		same_threads += strcmp(a, c) == 0;
		additions += one->files[i].additions;
		free(a);
		free(b);
		free(c);
	}
	is_int(one->n_files, 8, "%s: eight files changed", what);
	is_int(same, one->n_files, "%s: load_all gives every file as loading it alone does", what);
	is_int(same_threads, one->n_files, "%s: so do four threads", what);
	ok(additions > 0 && all->additions == additions, "%s: the PR's additions add up", what);
out:
	gth_diff_free(one);
	gth_diff_free(all);
	gth_diff_free(threads);
	gth_mirror_free(m);
	free(repo);
}

/* A flipped byte in a blob the diff needs: an error naming git, whichever reader met it. */
static void
check_corrupt(const char *cache)
{
	struct gth_mirror *m = NULL;
	struct gth_diff *all = NULL, *one = NULL;
	struct gth_err err;
	size_t i;
	int rc = 0;

	if (gth_mirror_open(cache, "example.com", "acme/corrupt", &m, &err) < 0 ||
	    open_diff(m, NULL, &all) < 0 || open_diff(m, NULL, &one) < 0) {
		ok(0, "corrupt pack: open the mirror and the diffs");
		goto out;
	}
	is_int(gth_git_diff_load_all(all, NULL, NULL, NULL, &err), -GTH_E_GIT,
	    "corrupt pack: load all fails with a git error");
	for (i = 0; i < one->n_files && rc == 0; i++)
		rc = gth_git_diff_load_file(one, i, &err);
	is_int(rc, -GTH_E_GIT, "corrupt pack: so does loading the files one by one");
out:
	gth_diff_free(all);
	gth_diff_free(one);
	gth_mirror_free(m);
}

/* Open the PR's diff in mirror acme/NAME: gth_git_diff_open's result; *d freed. */
static int
open_in(const char *cache, const char *name, struct gth_err *err)
{
	struct gth_mirror *m = NULL;
	struct gth_diff *d = NULL;
	char *repo = xasprintf("acme/%s", name);
	int rc = gth_mirror_open(cache, "example.com", repo, &m, err);

	if (rc == 0)
		rc = gth_git_diff_open(m, base_sha, head_sha, NULL, &d, err);
	if (rc < 0)
		diag("%s: %s", name, err->msg);
	gth_diff_free(d);
	gth_mirror_free(m);
	free(repo);
	return rc;
}

/*
 * The head's file1.txt and file2.txt swapped in the index (no zlib checksum
 * sees it): the diff is refused before either text can be shown as the
 * other's, and the message says what is damaged and what to do.  An index
 * with no pack beside it (a fetch may be moving one in) is not used, as
 * libgit2 does not use it: the diff opens.  An index beside its pack that is
 * not an index is damaged: refused, naming it.
 */
static void
check_indexes(const char *cache)
{
	struct gth_err err;
	int rc;

	rc = open_in(cache, "swapped", &err);
	is_int(rc, -GTH_E_GIT, "swapped index: opening the diff fails with a git error");
	ok(rc < 0 && strstr(err.msg, "pack index pack-") != NULL &&
	    strstr(err.msg, "is damaged") != NULL && strstr(err.msg, "swapped.git") != NULL,
	    "swapped index: which names the damaged index and the mirror to remove");
	is_int(open_in(cache, "orphan", &err), 0,
	    "an index whose pack is not there yet: the diff opens");
	rc = open_in(cache, "badidx", &err);
	ok(rc == -GTH_E_GIT && strstr(err.msg, ".idx is damaged") != NULL,
	    "an index that does not start as one: the diff is refused, the index named");
}

static int read_sha(const char *dir, const char *name, char sha[41]);

static long
peak_kib(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

/* A file over the text cap, and the sizes it must show. */
struct big_file {
	const char *path;
	int64_t old_size, new_size;
};

/*
 * The diff between commits DIR/from and DIR/to of big.git under a 1 MiB
 * text cap: each file in want binary with its sizes, by either reader, and
 * the same from both.
 */
static void
check_big_diff(struct gth_mirror *m, const char *dir, const char *from, const char *to,
	const struct big_file *want, size_t n_want, const char *what)
{
	struct gth_diff_opts o = GTH_DIFF_OPTS_INIT;
	struct gth_diff *one = NULL, *all = NULL;
	struct gth_err err;
	char base[41], head[41];
	size_t i, k, same = 0, right = 0;
	int rc = 0;

	o.max_text_size = (size_t)1 << 20;
	if (read_sha(dir, from, base) < 0 || read_sha(dir, to, head) < 0 ||
	    gth_git_diff_open(m, base, head, &o, &one, &err) < 0 ||
	    gth_git_diff_open(m, base, head, &o, &all, &err) < 0) {
		ok(0, "%s: open the diffs", what);
		goto out;
	}
	for (i = 0; i < one->n_files && rc == 0; i++)
		rc = gth_git_diff_load_file(one, i, &err);
	is_int(rc, 0, "%s: the files load one by one", what);
	is_int(gth_git_diff_load_all(all, NULL, NULL, NULL, &err), 0, "%s: and all at once", what);
	for (i = 0; i < one->n_files; i++) {
		char *a = dump(one, i), *b = dump(all, i);

		same += strcmp(a, b) == 0;
		for (k = 0; k < n_want; k++) {
			const struct gth_diff_file *f = &one->files[i];

			if (strcmp(f->new_path, want[k].path) == 0)
				right += f->binary && f->old_size == want[k].old_size &&
				    f->new_size == want[k].new_size;
		}
		free(a);
		free(b);
	}
	is_int(same, one->n_files, "%s: the same from both", what);
	is_int(right, n_want, "%s: binary, with the sizes of both sides", what);
out:
	gth_diff_free(one);
	gth_diff_free(all);
}

/*
 * Files over the text cap are shown by their size, and neither reader reads
 * them whole to learn it (the pack's headers, a delta or a loose object's
 * header say it): over three diffs of 24 MiB files, packed whole, as a
 * delta and loose, the process's peak memory does not grow by anything like
 * them.  (Rename and copy detection reads files it compares, big or not, as
 * git does: no diff here pairs two big files.)
 */
static void
check_big(const char *cache, const char *dir)
{
	static const struct big_file packed[] = { { "big.txt", 25165824, 25165831 } };
	static const struct big_file added[] = { { "big2.txt", -1, 25165824 } };
	static const struct big_file cut[] = { { "big.txt", 25165831, 16 } };
	struct gth_mirror *m = NULL;
	struct gth_err err;
	long before = peak_kib(), grew;

	if (gth_mirror_open(cache, "example.com", "acme/big", &m, &err) < 0) {
		ok(0, "big files: open the mirror");
		return;
	}
	check_big_diff(m, dir, "big-base", "big-head", packed, 1, "a big file changed, packed");
	check_big_diff(m, dir, "big-head", "big-added", added, 1, "a big file added, loose");
	check_big_diff(m, dir, "big-added", "big-cut", cut, 1, "a big packed file cut to a line");
	grew = peak_kib() - before;
	ok(grew < 8 * 1024, "big files: peak memory grew by %ld KiB, not by their 24 MiB", grew);
	gth_mirror_free(m);
}

static int
read_sha(const char *dir, const char *name, char sha[41])
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	int rc = f != NULL && fscanf(f, "%40s", sha) == 1 && strlen(sha) == 40 ? 0 : -1;

	if (f != NULL)
		fclose(f);
	free(path);
	return rc;
}

int
main(void)
{
	struct gth_diff_opts small = GTH_DIFF_OPTS_INIT;
	char *dir = xasprintf("%s/packed", tap_tmpdir());
	char *cache = xasprintf("%s/cache", dir);
	char *script = xasprintf("%s/tests/git/mkpacked.sh", fx_srcdir());
	const char *argv[] = { "sh", script, dir, NULL };
	const char *version[] = { "sh", "-c", "git --version >/dev/null", NULL };

	if (fx_run(version) != 0)
		skip_all("git is missing");
	/* The script checks the chains exist: without them this test would prove nothing. */
	if (!ok(fx_run(argv) == 0 && read_sha(dir, "base", base_sha) == 0 &&
	    read_sha(dir, "head", head_sha) == 0, "build mirrors with delta chains"))
		return done_testing();
	gth_git_init(NULL, NULL, NULL);

	/* First, while this process's peak memory is still low. */
	check_big(cache, dir);

	check_mirror(cache, "ofs", NULL, "deltas by offset");
	check_mirror(cache, "ref", NULL, "deltas by base id");
	check_mirror(cache, "mixed", NULL, "packed and loose");
	/* Blobs over the text cap are libgit2's to read (and shown as binary, by size). */
	small.max_text_size = 4096;
	check_mirror(cache, "ofs", &small, "blobs over max_text_size");
	check_corrupt(cache);
	check_indexes(cache);

	gth_git_shutdown();
	free(dir);
	free(cache);
	free(script);
	return done_testing();
}
