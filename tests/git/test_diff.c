/*
 * The diff a reviewer sees, built from the fixture repository
 * (tests/git/mkfixtures.sh): every kind of change, merge-base semantics,
 * on-demand loading, whole-file context, ignore-whitespace, reads at a commit.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "gatehouse/base/err.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/git/diff.h"
#include "gatehouse/git/mirror.h"
#include "tap.h"

static struct gth_mirror *mirror;
static char base_sha[41], head_sha[41], branch_point[41];

static struct gth_diff_file *
find(struct gth_diff *d, const char *path, size_t *index)
{
	size_t i;

	for (i = 0; i < d->n_files; i++) {
		if (strcmp(d->files[i].new_path, path) == 0) {
			if (index != NULL)
				*index = i;
			return &d->files[i];
		}
	}
	return NULL;
}

/* Lines of one file as text, one per line, "<kind char><old>,<new> text". */
static char *
dump(struct gth_diff *d, const char *path)
{
	static const char kinds[] = " +-@\\#";
	struct gth_diff_file *f = find(d, path, NULL);
	const struct gth_diff_line *l;
	struct gth_err err;
	size_t n, i, o = 0, cap = 4096;
	char *s = xmalloc(cap);

	s[0] = '\0';
	if (f == NULL)
		return s;
	if (!f->loaded && gth_git_diff_load_file(d, (size_t)(f - d->files), &err) < 0)
		diag("load %s: %s", path, err.msg);
	l = gth_diff_file_lines(d, f, &n);
	for (i = 0; i < n; i++) {
		int k = snprintf(s + o, cap - o, "%c%u,%u%s %.*s\n", kinds[l[i].kind], l[i].old_no,
		    l[i].new_no, l[i].flags & GTH_DIFF_LINE_CRLF ? "^M" : "", (int)l[i].len,
		    gth_diff_line_text(d, &l[i]));

		if (k < 0 || (size_t)k >= cap - o)
			break;
		o += (size_t)k;
	}
	return s;
}

static void
is_dump(struct gth_diff *d, const char *path, const char *want, const char *what)
{
	char *got = dump(d, path);

	is_str(got, want, "%s: %s", path, what);
	free(got);
}

static void
test_file_list(struct gth_diff *d)
{
	struct gth_diff_file *f;

	is_str(d->merge_base, branch_point, "old side is the merge base, not the moved base");
	ok(find(d, "main_only.txt", NULL) == NULL, "a file added on main after branching is not "
	    "shown");
	is_int(d->n_files, 17, "seventeen files changed");
	ok((f = find(d, "added.txt", NULL)) && f->status == GTH_DIFF_ADDED && f->old_mode == 0,
	    "added.txt added");
	ok((f = find(d, "del.txt", NULL)) && f->status == GTH_DIFF_DELETED && f->new_mode == 0,
	    "del.txt deleted");
	ok((f = find(d, "new_name.c", NULL)) && f->status == GTH_DIFF_RENAMED &&
	    strcmp(f->old_path, "old_name.c") == 0 && f->similarity >= 80,
	    "old_name.c renamed to new_name.c");
	ok((f = find(d, "copy_dst.c", NULL)) && f->status == GTH_DIFF_COPIED &&
	    strcmp(f->old_path, "copy_src.c") == 0, "copy_dst.c copied from copy_src.c");
	ok((f = find(d, "script.sh", NULL)) && f->old_mode == 0100644 && f->new_mode == 0100755,
	    "script.sh made executable");
	ok((f = find(d, "vendor/lib", NULL)) && f->submodule && f->new_mode == 0160000 &&
	    strncmp(f->new_oid, "2222222", 7) == 0, "vendor/lib is a submodule");
	ok((f = find(d, "link", NULL)) && f->new_mode == 0120000, "link is a symlink");
	ok((f = find(d, "tc", NULL)) && f->status == GTH_DIFF_TYPECHANGE && f->old_mode == 0100644 &&
	    f->new_mode == 0120000, "tc turned from a file into a symlink");
	ok((f = find(d, "keep.txt", NULL)) && !f->loaded, "hunks not built before asked");
}

static void
test_hunks(struct gth_diff *d)
{
	struct gth_diff_file *f;
	size_t i;

	is_dump(d, "keep.txt",
	    "@17,17 @@ -17,7 +17,7 @@ keep line 16\n"
	    " 17,17 keep line 17\n 18,18 keep line 18\n 19,19 keep line 19\n"
	    "-20,0 keep line 20\n"
	    "+0,20 keep line twenty, changed by the agent\n"
	    " 21,21 keep line 21\n 22,22 keep line 22\n 23,23 keep line 23\n",
	    "one hunk with three lines of context, numbered on both sides");
	ok((f = find(d, "keep.txt", &i)) && f->loaded && f->additions == 1 && f->deletions == 1,
	    "keep.txt loaded on demand with its stats");
	is_dump(d, "noeol.txt",
	    "@1,1 @@ -1,3 +1,3 @@\n 1,1 first\n 2,2 second\n"
	    "-3,0 last without newline\n\\0,0 \\ No newline at end of file\n"
	    "+0,3 last changed, still no newline\n\\0,0 \\ No newline at end of file\n",
	    "no trailing newline marked on both sides");
	is_dump(d, "link",
	    "@1,1 @@ -1 +1 @@\n-1,0 target-a\n\\0,0 \\ No newline at end of file\n"
	    "+0,1 target-b\n\\0,0 \\ No newline at end of file\n",
	    "the symlink's target text change");
	is_dump(d, "crlf.txt",
	    "@1,1 @@ -1,3 +1,3 @@\n 1,1^M alpha\n-2,0^M beta\n+0,2^M BETA\n 3,3^M gamma\n",
	    "CRLF stripped and flagged");
	is_dump(d, "latin1.txt",
	    "@1,1 @@ -1,2 +1,2 @@\n 1,1 caf\351 latin-1 here\n-2,0 plain\n"
	    "+0,2 plain \377\376 bytes\n", "invalid UTF-8 kept as bytes");
	is_dump(d, "image.bin", "#0,0 Binary file, 19 -> 31 bytes\n",
	    "binary: sizes only, never the bytes");
	ok((f = find(d, "image.bin", NULL)) && f->binary && f->old_size == 19 &&
	    f->new_size == 31, "binary flag and sizes");
	is_dump(d, "vendor/lib", "#0,0 Submodule commit 1111111 -> 2222222\n",
	    "submodule shown as its two commits");
	is_dump(d, "script.sh", "#0,0 mode 100644 -> 100755\n", "mode change");
	is_dump(d, "tc",
	    "#0,0 Type change: file -> symlink\n#0,0 mode 100644 -> 120000\n"
	    "@1,1 @@ -1 +1 @@\n-1,0 a file that becomes a symlink\n+0,1 keep.txt\n"
	    "\\0,0 \\ No newline at end of file\n", "type change: both sides shown");
	is_dump(d, "new_name.c",
	    "#0,0 Renamed from old_name.c (92% similar)\n"
	    "@4,4 @@ -4,7 +4,7 @@\n 4,4 static int\n 5,5 add(int a, int b)\n"
	    " 6,6 {\n-7,0 \treturn a + b;\n+0,7 \treturn b + a;\n 8,8 }\n 9,9 \n 10,10 int\n",
	    "rename with its edit");
	is_dump(d, "added.txt", "@0,1 @@ -0,0 +1 @@\n+0,1 a new file\n", "added file");
	is_dump(d, "del.txt",
	    "@1,0 @@ -1,2 +0,0 @@\n-1,0 this file goes away\n-2,0 with two lines\n",
	    "deleted file");
}

static void
test_lines_contiguous(struct gth_diff *d)
{
	struct gth_err err;
	size_t i, total = 0;
	int bad = 0;

	is_int(gth_git_diff_load_all(d, NULL, NULL, NULL, &err), 0, "load the rest");
	for (i = 0; i < d->n_files; i++) {
		const struct gth_diff_file *f = &d->files[i];

		if (!f->loaded || f->first_line + f->n_lines > d->n_lines)
			bad++;
		total += f->n_lines;
	}
	is_int(bad, 0, "every file loaded, its lines inside the line array");
	is_int(total, d->n_lines, "every line belongs to exactly one file");
	is_int(d->additions, 13, "PR additions");
	is_int(d->deletions, 13, "PR deletions");
	ok(d->n_dirs == 4 && strcmp(d->dirs[0].dir, "") == 0 && d->dirs[0].files == 14,
	    "fourteen files at the top level");
	for (i = 0; i < d->n_dirs; i++) {
		if (strcmp(d->dirs[i].dir, "docs") == 0)
			ok(d->dirs[i].files == 1 && d->dirs[i].additions == 2 &&
			    d->dirs[i].deletions == 1, "docs: one file, +2 -1");
	}
}

static void
test_intraline(struct gth_diff *d)
{
	struct gth_diff_file *f = find(d, "keep.txt", NULL);
	const struct gth_diff_line *l, *del = NULL, *add = NULL;
	struct gth_diff_range ra[4], rb[4];
	size_t n, na, nb, i;

	l = gth_diff_file_lines(d, f, &n);
	for (i = 0; i < n; i++) {
		if (l[i].kind == GTH_DIFF_DEL)
			del = &l[i];
		if (l[i].kind == GTH_DIFF_ADD)
			add = &l[i];
	}
	if (!ok(del != NULL && add != NULL, "a removed/added pair")) {
		skip(3, "no pair");
		return;
	}
	is_int(gth_diff_intraline(gth_diff_line_text(d, del), del->len, gth_diff_line_text(d, add),
	    add->len, ra, &na, rb, &nb, 4), 0, "intraline of the pair");
	ok(na == 1 && ra[0].start == 10 && ra[0].end == 12, "\"20\" highlighted on the old side");
	ok(nb == 1 && rb[0].start == 10 && rb[0].end == add->len,
	    "\"twenty, changed by the agent\" highlighted on the new side");
}

static void
test_full_context(struct gth_diff *d)
{
	struct gth_diff_file *f;
	const struct gth_diff_line *l;
	struct gth_err err;
	size_t i, n;

	f = find(d, "keep.txt", &i);
	is_int(gth_git_diff_load_file_full(d, i, &err), 0, "whole-file context");
	l = gth_diff_file_lines(d, f, &n);
	is_int(n, 42, "one hunk header, 39 context lines, one removed, one added");
	ok(n > 0 && l[0].kind == GTH_DIFF_HUNK && l[0].len >= 17 &&
	    memcmp(gth_diff_line_text(d, &l[0]), "@@ -1,40 +1,40 @@", 17) == 0,
	    "the hunk spans the whole file");
	ok(n == 42 && l[1].old_no == 1 && l[41].new_no == 40 && l[41].old_no == 40,
	    "first and last line of the file present");
	is_int(f->additions, 1, "stats unchanged by the expansion");
	f = find(d, "image.bin", &i);
	is_int(gth_git_diff_load_file_full(d, i, &err), 0, "whole-file context of a binary file");
	l = gth_diff_file_lines(d, f, &n);
	ok(n == 1 && l[0].kind == GTH_DIFF_META, "still only its note");
}

static void
test_ignore_whitespace(void)
{
	struct gth_diff_opts o = GTH_DIFF_OPTS_INIT;
	struct gth_diff *d = NULL;
	struct gth_diff_file *f;
	struct gth_err err;

	o.ignore_whitespace = true;
	is_int(gth_git_diff_open(mirror, base_sha, head_sha, &o, &d, &err), 0,
	    "open with ignore-whitespace");
	ok(d != NULL && d->ignore_whitespace, "the diff says whitespace is ignored");
	if (d == NULL)
		return;
	is_dump(d, "ws.txt", "", "the whitespace-only change is hidden");
	ok((f = find(d, "ws.txt", NULL)) && f->additions == 0 && f->deletions == 0,
	    "and counts nothing");
	is_dump(d, "src/deep/deep.c",
	    "@1,1 @@ -1 +1 @@\n-1,0 int deep(void) { return 1; }\n"
	    "+0,1 int deep(void) { return 2; }\n", "real changes still shown");
	gth_diff_free(d);

	o.ignore_whitespace = false;
	is_int(gth_git_diff_open(mirror, base_sha, head_sha, &o, &d, &err), 0, "open again");
	is_dump(d, "ws.txt", "@1,1 @@ -1,3 +1,3 @@\n 1,1 if (x) {\n-2,0 \treturn 1;\n"
	    "+0,2         return 1;\n 3,3 }\n", "without the toggle the change is there");
	gth_diff_free(d);
}

static void
count_progress(size_t done, size_t total, void *arg)
{
	size_t *calls = arg;

	if (done <= total)
		(*calls)++;
}

static void
test_progress_cancel(void)
{
	struct gth_diff *d = NULL;
	struct gth_err err;
	volatile int cancel = 1;
	size_t calls = 0, loaded = 0, i;

	setenv("GATEHOUSE_DIFF_WORKERS", "2", 1);
	gth_git_diff_open(mirror, base_sha, head_sha, NULL, &d, &err);
	is_int(gth_git_diff_load_all(d, count_progress, &calls, &cancel, &err), -GTH_E_CANCEL,
	    "a cancelled load says so");
	for (i = 0; i < d->n_files; i++)
		loaded += d->files[i].loaded;
	ok(loaded < d->n_files, "and stops early (%zu of %zu files)", loaded, d->n_files);
	cancel = 0;
	calls = 0;
	is_int(gth_git_diff_load_all(d, count_progress, &calls, &cancel, &err), 0,
	    "loading again finishes the job");
	is_int(calls + loaded, d->n_files, "progress counted each file built");
	unsetenv("GATEHOUSE_DIFF_WORKERS");
	gth_diff_free(d);
}

/* Built by the calling thread alone or with workers, every file reads the same. */
static void
test_workers(void)
{
	struct gth_diff *a = NULL, *b = NULL;
	struct gth_err err;
	size_t i, same = 0;

	setenv("GATEHOUSE_DIFF_WORKERS", "0", 1);
	is_int(gth_git_diff_open(mirror, base_sha, head_sha, NULL, &a, &err), 0, "open (one thread)");
	is_int(gth_git_diff_load_all(a, NULL, NULL, NULL, &err), 0, "load all on one thread");
	setenv("GATEHOUSE_DIFF_WORKERS", "3", 1);
	is_int(gth_git_diff_open(mirror, base_sha, head_sha, NULL, &b, &err), 0, "open (workers)");
	is_int(gth_git_diff_load_file(b, 3, &err), 0, "one file loaded first, on demand");
	is_int(gth_git_diff_load_all(b, NULL, NULL, NULL, &err), 0, "load the rest with workers");
	unsetenv("GATEHOUSE_DIFF_WORKERS");
	for (i = 0; a != NULL && b != NULL && i < a->n_files; i++) {
		char *x = dump(a, a->files[i].new_path), *y = dump(b, b->files[i].new_path);

		if (strcmp(x, y) == 0 && a->files[i].additions == b->files[i].additions &&
		    a->files[i].binary == b->files[i].binary)
			same++;
		free(x);
		free(y);
	}
	is_int(same, 17, "all seventeen files identical either way");
	ok(a != NULL && b != NULL && a->n_lines == b->n_lines && a->arena_len == b->arena_len,
	    "same number of lines and bytes of text");
	gth_diff_free(a);
	gth_diff_free(b);
}

static void
test_cap(void)
{
	struct gth_diff_opts o = GTH_DIFF_OPTS_INIT;
	struct gth_diff *d = NULL;
	struct gth_err err;
	size_t i, missing = 0;

	o.max_diff_bytes = 200;
	is_int(gth_git_diff_open(mirror, base_sha, head_sha, &o, &d, &err), 0, "open with a cap");
	is_int(gth_git_diff_load_all(d, NULL, NULL, NULL, &err), 0, "load all under the cap");
	for (i = 0; i < d->n_files; i++)
		missing += d->files[i].patch_missing;
	ok(d->arena_len < 200 + 4096, "the text stays near the cap (%zu bytes)", d->arena_len);
	ok(missing > 0 && missing < d->n_files, "files past the cap are marked (%zu)", missing);
	ok(d->partial, "and the diff says it is partial");
	for (i = 0; i < d->n_files && (d->files[i].patch_missing || d->files[i].binary ||
	    d->files[i].submodule); i++)
		;
	if (i < d->n_files) {
		size_t n = d->files[i].n_lines;

		is_int(gth_git_diff_load_file_full(d, i, &err), -GTH_E_TOOBIG,
		    "whole-file context past the cap is refused");
		ok(d->files[i].n_lines == n && !d->files[i].patch_missing,
		    "and the file keeps its hunks");
	}
	gth_diff_free(d);
}

static void
test_read_at(void)
{
	struct gth_err err;
	char *data = NULL;
	size_t len;

	is_int(gth_git_read_file_at(mirror, base_sha, "docs/guide.md", 4096, &data, &len, &err), 0,
	    "read docs/guide.md at the base");
	is_str(data, "# Guide\n\nOld words.\n", "the base's content, not the PR's");
	free(data);
	is_int(gth_git_read_file_at(mirror, base_sha, ".gatehouse/policy", 4096, &data, &len, &err),
	    -GTH_E_NOTFOUND, "a missing file is NOTFOUND");
	ok(data == NULL, "and no data");
	is_int(gth_git_read_file_at(mirror, base_sha, "vendor/lib", 4096, &data, &len, &err),
	    -GTH_E_NOTFOUND, "a submodule is not a file");
	is_int(gth_git_read_file_at(mirror, base_sha, "keep.txt", 100, &data, &len, &err),
	    -GTH_E_TOOBIG, "the cap holds");
	is_int(gth_git_read_blob(mirror, "zz", 100, &data, &len, &err), -GTH_E_INVAL,
	    "a malformed blob id is refused");
}

/*
 * A blob that cannot be read (gone from the object store) fails its file
 * and leaves nothing half-built: the file is not loaded, and once the blob
 * is back, asking again builds it.
 */
static void
test_unreadable_blob(void)
{
	char *copy = xasprintf("%s/unpacked/git/example.com/acme/widget.git", tap_tmpdir());
	char *cache = xasprintf("%s/unpacked", tap_tmpdir());
	char *script = xasprintf("set -e; mkdir -p \"$(dirname '%s')\"; "
	    "git clone -q --mirror --no-local '%s' '%s'; cd '%s'; "
	    "for p in objects/pack/*.pack; do mv \"$p\" ../p.pack; rm -f objects/pack/*; "
	    "git unpack-objects -q < ../p.pack; done", copy, gth_mirror_path(mirror), copy, copy);
	const char *sh[] = { "sh", "-c", script, NULL };
	struct gth_mirror *m = NULL;
	struct gth_diff *d = NULL;
	struct gth_err err;
	char *obj = NULL, *aside = NULL;
	size_t i, lines;
	int rc;

	if (fx_run(sh) != 0 || gth_mirror_open(cache, "example.com", "acme/widget", &m, &err) < 0 ||
	    gth_git_diff_open(m, base_sha, head_sha, NULL, &d, &err) < 0) {
		skip(4, "cannot make an unpacked copy of the mirror");
		goto out;
	}
	for (i = 0; i < d->n_files; i++)
		if (d->files[i].status == GTH_DIFF_MODIFIED && !d->files[i].binary &&
		    d->files[i].old_oid[0] != '\0')
			break;
	if (i == d->n_files) {
		skip(4, "no modified text file in the fixture");
		goto out;
	}
	obj = xasprintf("%s/objects/%.2s/%s", copy, d->files[i].old_oid, d->files[i].old_oid + 2);
	aside = xasprintf("%s.aside", obj);
	if (rename(obj, aside) != 0) {
		skip(4, "the blob is not a loose object");
		goto out;
	}
	lines = d->n_lines;
	rc = gth_git_diff_load_file(d, i, &err);
	ok(rc < 0, "a file whose old blob is gone fails to load: %s", err.msg);
	ok(!d->files[i].loaded && d->n_lines == lines, "and nothing of it stays: not loaded, "
	    "no lines added (%zu, was %zu)", d->n_lines, lines);
	rename(aside, obj);
	is_int(gth_git_diff_load_file(d, i, &err), 0, "with the blob back, asking again loads it");
	ok(d->files[i].loaded && d->files[i].n_lines > 0, "with its lines (%zu)", d->files[i].n_lines);
out:
	free(obj);
	free(aside);
	gth_diff_free(d);
	gth_mirror_free(m);
	free(script);
	free(copy);
	free(cache);
}

static void
test_errors(void)
{
	static const char *const bad[] = { "../etc", "acme/..", "acme", "/abs/x", "acme//x",
		"acme/x\n", "acme/-x", "" };
	struct gth_mirror *m = NULL;
	struct gth_diff *d = NULL;
	struct gth_err err;
	char sha[41];
	size_t i;
	int refused = 0;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (gth_mirror_open(tap_tmpdir(), "example.com", bad[i], &m, &err) == -GTH_E_INVAL)
			refused++;
		gth_mirror_free(m);
		m = NULL;
	}
	is_int(refused, (long long)(sizeof(bad) / sizeof(bad[0])),
	    "unsafe repository names from the forge are refused");
	is_int(gth_mirror_open(tap_tmpdir(), "..", "acme/widget", &m, &err), -GTH_E_INVAL,
	    "unsafe host refused");
	is_int(gth_git_diff_open(mirror, base_sha, "0123456789012345678901234567890123456789", NULL,
	    &d, &err), -GTH_E_NOTFOUND, "a head commit not fetched yet is NOTFOUND");
	ok(d == NULL, "and no diff");
	is_int(gth_mirror_resolve(mirror, "refs/pull/2/head", sha, &err), -GTH_E_NOTFOUND,
	    "an unknown ref is NOTFOUND");
}

int
main(void)
{
	struct gth_diff *d = NULL;
	struct gth_err err;
	char *fx = xasprintf("%s/fx", tap_tmpdir());
	char *cache = xasprintf("%s/cache", tap_tmpdir());
	char *served = xasprintf("%s/served/acme/widget.git", fx);
	char *mpath = xasprintf("%s/git/example.com/acme/widget.git", cache);
	const char *clone[] = { "git", "clone", "-q", "--mirror", served, mpath, NULL };

	if (fx_make(fx) != 0 || fx_run(clone) != 0)
		skip_all("cannot build the fixture repository (git missing?)");
	gth_git_init(NULL, NULL, NULL);
	if (gth_mirror_open(cache, "example.com", "acme/widget", &mirror, &err) < 0)
		skip_all("cannot open the mirror");
	is_str(gth_mirror_path(mirror), mpath, "mirror under <cache>/git/<host>/<owner>/<repo>.git");
	is_int(gth_mirror_resolve(mirror, "refs/heads/main", base_sha, &err), 0, "resolve main");
	is_int(gth_mirror_resolve(mirror, "refs/pull/1/head", head_sha, &err), 0, "resolve head");
	is_int(gth_mirror_resolve(mirror, "refs/heads/branch-point", branch_point, &err), 0,
	    "resolve the branch point");

	is_int(gth_git_diff_open(mirror, base_sha, head_sha, NULL, &d, &err), 0, "open the diff");
	if (d == NULL)
		return done_testing();
	test_file_list(d);
	test_hunks(d);
	test_lines_contiguous(d);
	test_intraline(d);
	test_full_context(d);
	gth_diff_free(d);
	test_ignore_whitespace();
	test_workers();
	test_unreadable_blob();
	test_progress_cancel();
	test_cap();
	test_read_at();
	test_errors();

	gth_mirror_free(mirror);
	gth_git_shutdown();
	free(fx);
	free(cache);
	free(served);
	free(mpath);
	return done_testing();
}
