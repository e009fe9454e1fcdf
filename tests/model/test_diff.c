/* The diff model: arena records, stats by directory, word highlights, files-API fallback. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/model/diff.h"
#include "gatehouse/model/pr.h"
#include "tap.h"

static char *
line_str(const struct gth_diff *d, const struct gth_diff_line *l)
{
	return xstrndup(gth_diff_line_text(d, l), l->len);
}

static void
check_line(const struct gth_diff *d, size_t i, int kind, const char *text, unsigned old_no,
	unsigned new_no)
{
	const struct gth_diff_line *l = &d->lines[i];
	char *s = line_str(d, l);

	is_int(l->kind, kind, "line %zu kind", i);
	is_str(s, text, "line %zu text", i);
	is_int(l->old_no, old_no, "line %zu old number", i);
	is_int(l->new_no, new_no, "line %zu new number", i);
	free(s);
}

/* Text of the highlighted ranges, joined by '|'. */
static char *
ranges_str(const char *s, const struct gth_diff_range *r, size_t n)
{
	char buf[512];
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%.*s", i ? "|" : "",
		    (int)(r[i].end - r[i].start), s + r[i].start);
	return xstrdup(buf);
}

static void
test_arena(void)
{
	struct gth_diff *d = gth_diff_new();
	struct gth_diff_line *l;
	size_t i;
	char buf[32];

	l = gth_diff_add_text_line(d, GTH_DIFF_ADD, "crlf\r\n", 6, 0, 1);
	is_int(l->len, 4, "CRLF: the \\r is not part of the text");
	ok(l->flags & GTH_DIFF_LINE_CRLF, "CRLF flagged");
	l = gth_diff_add_text_line(d, GTH_DIFF_ADD, "bad \xff\xfe", 6, 0, 2);
	ok(l->len == 6 && memcmp(gth_diff_line_text(d, l), "bad \xff\xfe", 6) == 0,
	    "invalid UTF-8 kept as bytes");
	ok(!(l->flags & GTH_DIFF_LINE_CRLF), "no CRLF flag on a line without \\r");
	/* Many lines: any line is still where it was put after the arena grew. */
	for (i = 0; i < 100000; i++) {
		int n = snprintf(buf, sizeof(buf), "line %zu\n", i);

		gth_diff_add_text_line(d, GTH_DIFF_CONTEXT, buf, (size_t)n, (uint32_t)i + 1,
		    (uint32_t)i + 1);
	}
	check_line(d, 2 + 77777, GTH_DIFF_CONTEXT, "line 77777", 77778, 77778);
	/* Every kind and the flag survive the packed record, beside the largest numbers. */
	l = gth_diff_add_text_line(d, GTH_DIFF_META, "m\r\n", 3, UINT32_MAX, UINT32_MAX);
	ok(l->kind == GTH_DIFF_META && (l->flags & GTH_DIFF_LINE_CRLF) && l->len == 1 &&
	    l->old_no == UINT32_MAX && l->new_no == UINT32_MAX,
	    "the packed record keeps kind, flag, length and line numbers apart");
	is_int((long)sizeof(struct gth_diff_line), 16,
	    "a line record is 16 bytes (310,000 lines cost 4.7 MiB beside their text)");
	gth_diff_free(d);
}

static void
test_stats(void)
{
	struct gth_diff *d = gth_diff_new();
	struct gth_diff_file *f;
	static const struct { const char *path; long add, del; } files[] = {
		{ "src/a.c", 10, 2 }, { "src/b.c", 5, 5 }, { "docs/x.md", 1, 0 },
		{ "README", 3, 1 }, { "src/sub/c.c", 1, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		f = gth_diff_add_file(d);
		f->old_path = xstrdup(files[i].path);
		f->new_path = xstrdup(files[i].path);
		f->additions = files[i].add;
		f->deletions = files[i].del;
	}
	gth_diff_compute_stats(d);
	is_int(d->additions, 20, "PR additions");
	is_int(d->deletions, 9, "PR deletions");
	is_int(d->n_dirs, 3, "three top-level directories");
	is_str(d->dirs[0].dir, "src", "most changed directory first");
	is_int(d->dirs[0].files, 3, "src has three files (subdirectories fold in)");
	is_int(d->dirs[0].additions, 16, "src additions");
	is_str(d->dirs[1].dir, "", "top-level files count under \"\" (no directory has that name)");
	is_str(d->dirs[2].dir, "docs", "docs last");
	gth_diff_compute_stats(d);
	is_int(d->n_dirs, 3, "recomputing does not duplicate");
	/* A directory that happens to be called "(root)" is a directory like any other. */
	f = gth_diff_add_file(d);
	f->old_path = xstrdup("(root)/y");
	f->new_path = xstrdup("(root)/y");
	f->additions = 2;
	gth_diff_compute_stats(d);
	ok(d->n_dirs == 4 && strcmp(d->dirs[1].dir, "") == 0 && d->dirs[1].files == 1 &&
	    strcmp(d->dirs[2].dir, "(root)") == 0 && d->dirs[2].files == 1,
	    "a directory named (root) is not mixed up with the top level");
	gth_diff_free(d);
}

static void
intra(const char *a, const char *b, const char *want_a, const char *want_b, const char *what)
{
	struct gth_diff_range ra[8], rb[8];
	size_t na, nb;
	char *sa, *sb;
	int rc;

	rc = gth_diff_intraline(a, strlen(a), b, strlen(b), ra, &na, rb, &nb, 8);
	is_int(rc, 0, "%s: highlighted", what);
	sa = ranges_str(a, ra, na);
	sb = ranges_str(b, rb, nb);
	is_str(sa, want_a, "%s: removed side", what);
	is_str(sb, want_b, "%s: added side", what);
	free(sa);
	free(sb);
}

static void
test_intraline(void)
{
	struct gth_diff_range ra[2], rb[2];
	size_t na, nb;
	char *big;

	intra("\treturn foo(a, b);", "\treturn foo(a, c);", "b", "c", "one argument changed");
	intra("int count = 0;", "long count = 0;", "int", "long", "a type changed");
	intra("x = compute(alpha, beta)", "x = compute(alpha, gamma, beta)", "",
	    "gamma, ", "an argument inserted");
	intra("if (a && b)", "if (a || b)", "&&", "||", "operators are tokens");
	intra("same", "same", "", "", "identical lines");
	big = xmalloc(5001);
	memset(big, 'x', 5000);
	big[5000] = '\0';
	is_int(gth_diff_intraline(big, 5000, "x", 1, ra, &na, rb, &nb, 2), -GTH_E_TOOBIG,
	    "overlong lines are refused");
	is_int(na + nb, 0, "and nothing is highlighted");
	free(big);
	/* Many small changes with room for two ranges: the last one widens to cover the rest. */
	is_int(gth_diff_intraline("a b c d e", 9, "A b C d E", 9, ra, &na, rb, &nb, 2), 0,
	    "more changes than ranges");
	is_int(na, 2, "capped at max ranges");
	is_int(ra[1].end, 9, "the last range reaches the last change");
}

static void
test_partner(void)
{
	static const char patch[] =
		"@@ -1,6 +1,5 @@\n"
		" keep\n"
		"-old one\n"
		"-old two\n"
		"-old three\n"
		"+new one\n"
		"+new two\n"
		" keep\n"
		"+only added\n";
	struct gth_diff *d = gth_diff_new();

	gth_diff_parse_patch(d, gth_diff_add_file(d), patch, sizeof(patch) - 1);
	is_int(gth_diff_line_partner(d, 2), 5, "first removed pairs with first added");
	is_int(gth_diff_line_partner(d, 3), 6, "second with second");
	is_int(gth_diff_line_partner(d, 4), -1, "a third removed line has no partner");
	is_int(gth_diff_line_partner(d, 5), 2, "pairing works from the added side");
	is_int(gth_diff_line_partner(d, 6), 3, "second added to second removed");
	is_int(gth_diff_line_partner(d, 1), -1, "context lines have no partner");
	is_int(gth_diff_line_partner(d, 8), -1, "an added line after context has none");
	is_int(gth_diff_line_partner(d, 99), -1, "out of range");
	gth_diff_free(d);
}

static const char patch_text[] =
	"@@ -1,3 +1,3 @@ int main()\n"
	" one\n"
	"-two\n"
	"+TWO\r\n"
	" three\n"
	"@@ -10,2 +10,3 @@\n"
	" ten\n"
	"+ten and a half\n"
	" eleven\n"
	"\\ No newline at end of file\n";

static void
test_from_files(void)
{
	struct gth_pr *pr = gth_pr_new();
	struct gth_file_change *c;
	struct gth_diff *d = NULL;
	const struct gth_diff_line *l;
	size_t n;

	pr->head_sha = xstrdup("1111111111111111111111111111111111111111");
	pr->details_loaded = true;
	c = gth_pr_add_file(pr);
	c->path = xstrdup("src/main.c");
	c->status = xstrdup("modified");
	c->additions = 2;
	c->deletions = 1;
	c->patch = xstrdup(patch_text);
	c = gth_pr_add_file(pr);
	c->path = xstrdup("assets/logo.png");
	c->status = xstrdup("added");
	c->additions = 0;
	c->deletions = 0;
	c = gth_pr_add_file(pr);
	c->path = xstrdup("lib/new.c");
	c->old_path = xstrdup("lib/old.c");
	c->status = xstrdup("renamed");
	c->patch = xstrdup("@@ -1 +1 @@\n-a\n+b\n");
	c->additions = 1;
	c->deletions = 1;

	is_int(gth_diff_from_files(pr, &d), 0, "diff built from the files API");
	ok(d->partial, "marked partial");
	is_int(d->n_files, 3, "three files");
	is_str(d->head_sha, pr->head_sha, "head SHA carried over");
	l = gth_diff_file_lines(d, &d->files[0], &n);
	is_int(n, 10, "src/main.c: two hunks, eight lines");
	check_line(d, l - d->lines + 0, GTH_DIFF_HUNK, "@@ -1,3 +1,3 @@ int main()", 1, 1);
	check_line(d, l - d->lines + 2, GTH_DIFF_DEL, "two", 2, 0);
	check_line(d, l - d->lines + 3, GTH_DIFF_ADD, "TWO", 0, 2);
	ok(l[3].flags & GTH_DIFF_LINE_CRLF, "CRLF in a forge patch flagged");
	check_line(d, l - d->lines + 7, GTH_DIFF_ADD, "ten and a half", 0, 11);
	check_line(d, l - d->lines + 8, GTH_DIFF_CONTEXT, "eleven", 11, 12);
	is_int(l[9].kind, GTH_DIFF_NO_EOL, "no-newline marker kept");
	ok(!d->files[0].patch_missing, "patch present for main.c");
	ok(d->files[1].patch_missing, "logo.png's patch was withheld");
	is_int(d->files[1].status, GTH_DIFF_ADDED, "logo.png added");
	l = gth_diff_file_lines(d, &d->files[1], &n);
	ok(n == 1 && l[0].kind == GTH_DIFF_META, "a note says the patch is missing");
	is_int(d->files[2].status, GTH_DIFF_RENAMED, "rename status");
	is_str(d->files[2].old_path, "lib/old.c", "rename keeps the old path");
	is_int(d->additions, 3, "PR additions are the forge's");
	is_str(gth_diff_status_name(d->files[2].status), "renamed", "status name");
	gth_diff_free(d);

	/* A malformed hunk header is reported, what came before is kept. */
	d = gth_diff_new();
	is_int(gth_diff_parse_patch(d, gth_diff_add_file(d), "@@ -1 +1 @@\n-a\n@@ bogus\n+b\n",
	    27), -GTH_E_PARSE, "malformed hunk header refused");
	is_int(d->files[0].n_lines, 2, "lines before it kept");
	gth_diff_free(d);
	gth_pr_free(pr);
}

int
main(void)
{
	test_arena();
	test_stats();
	test_intraline();
	test_from_files();
	test_partner();
	return done_testing();
}
