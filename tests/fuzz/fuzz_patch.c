/*
 * libFuzzer target for the unified-patch parser and the files-API diff
 * builder (include/gatehouse/model/diff.h).  The whole input is parsed as one
 * file's patch; then a PR whose files carry the input's NUL-separated parts
 * as patches (plus one withheld patch) goes through gth_diff_from_files.
 * Aborts when a line points outside the arena or holds a newline, a file's
 * lines are not its own contiguous slice, the counted additions/deletions
 * disagree with the lines, line numbers claim a side an added or removed
 * line does not have, word-highlight partners are not mutual, or highlight
 * ranges leave their lines.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/model/diff.h"
#include "gatehouse/model/pr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RANGES 16

static void
check_ranges(const struct gth_diff_range *r, size_t n, size_t len)
{
	size_t i;

	if (n > MAX_RANGES)
		abort();
	for (i = 0; i < n; i++)
		if (r[i].start > r[i].end || r[i].end > len)
			abort();
}

static void
check_lines(const struct gth_diff *d)
{
	size_t i;

	if (d->n_lines > d->cap_lines || d->arena_len > d->arena_cap ||
	    (d->n_lines > 0 && d->lines == NULL))
		abort();
	for (i = 0; i < d->n_lines; i++) {
		const struct gth_diff_line *l = &d->lines[i];
		long p;

		if (l->off > d->arena_len || l->len > d->arena_len - l->off ||
		    l->kind > GTH_DIFF_META)
			abort();
		if (memchr(gth_diff_line_text(d, l), '\n', l->len) != NULL)
			abort();
		if ((l->kind == GTH_DIFF_ADD && l->old_no != 0) ||
		    (l->kind == GTH_DIFF_DEL && l->new_no != 0))
			abort();
		p = gth_diff_line_partner(d, i);
		if (p >= 0) {
			const struct gth_diff_line *o = &d->lines[p];
			struct gth_diff_range ra[MAX_RANGES], rb[MAX_RANGES];
			size_t na = 0, nb = 0;

			if ((size_t)p >= d->n_lines || gth_diff_line_partner(d, (size_t)p) != (long)i)
				abort();
			if (!((l->kind == GTH_DIFF_DEL && o->kind == GTH_DIFF_ADD) ||
			      (l->kind == GTH_DIFF_ADD && o->kind == GTH_DIFF_DEL)))
				abort();
			if (gth_diff_intraline(gth_diff_line_text(d, l), l->len,
				gth_diff_line_text(d, o), o->len, ra, &na, rb, &nb,
				MAX_RANGES) == 0) {
				check_ranges(ra, na, l->len);
				check_ranges(rb, nb, o->len);
			}
		}
	}
}

/* f's lines are d->lines[first_line, first_line + n_lines); counts are of those lines. */
static void
check_file(const struct gth_diff *d, const struct gth_diff_file *f, bool counted)
{
	const struct gth_diff_line *lines;
	long adds = 0, dels = 0;
	size_t n = 0, i;

	if (!f->loaded || f->first_line > d->n_lines || f->n_lines > d->n_lines - f->first_line)
		abort();
	lines = gth_diff_file_lines(d, f, &n);
	if (n != f->n_lines || (n > 0 && lines != d->lines + f->first_line))
		abort();
	for (i = 0; i < n; i++) {
		adds += lines[i].kind == GTH_DIFF_ADD;
		dels += lines[i].kind == GTH_DIFF_DEL;
	}
	if (counted && (adds != f->additions || dels != f->deletions))
		abort();
}

static void
fuzz_parse(const char *text, size_t len)
{
	struct gth_diff *d = gth_diff_new();
	struct gth_diff_file *f = gth_diff_add_file(d);
	int rc;

	f->new_path = xstrdup("src/a.c");
	f->old_path = xstrdup("src/a.c");
	rc = gth_diff_parse_patch(d, f, text, len);
	if (rc != 0 && rc != -GTH_E_PARSE)
		abort();
	if (f->first_line != 0 || f->n_lines != d->n_lines)
		abort();
	check_lines(d);
	check_file(d, f, true);
	gth_diff_compute_stats(d);
	if (d->additions != f->additions || d->deletions != f->deletions)
		abort();
	gth_diff_free(d);
}

static void
fuzz_from_files(const char *text, size_t len)
{
	static const char *paths[] = { "src/a.c", "docs/b.md", "assets/logo.png" };
	static const char *statuses[] = { "modified", "renamed", "added" };
	struct gth_pr *pr = gth_pr_new();
	struct gth_diff *d = NULL;
	const char *nul = memchr(text, '\0', len);
	size_t first = nul != NULL ? (size_t)(nul - text) : len, i, next = 0;

	pr->details_loaded = true;
	pr->head_sha = xstrdup("0e5cc79430e65b57b871cc41f7a36fba182df876");
	for (i = 0; i < 3; i++) {
		struct gth_file_change *c = gth_pr_add_file(pr);

		c->path = xstrdup(paths[i]);
		c->old_path = i == 1 ? xstrdup("doc/b.md") : NULL;
		c->status = xstrdup(statuses[i]);
		c->additions = (long)i + 3;
		c->deletions = (long)i;
	}
	/* Patches are NUL-terminated text on the model; the last file's is withheld. */
	pr->files[0].patch = xmalloc(first + 1);
	memcpy(pr->files[0].patch, text, first);
	pr->files[0].patch[first] = '\0';
	if (nul != NULL) {
		const char *rest = nul + 1;
		size_t rlen = len - first - 1;
		const char *end = memchr(rest, '\0', rlen);

		next = end != NULL ? (size_t)(end - rest) : rlen;
		pr->files[1].patch = xmalloc(next + 1);
		memcpy(pr->files[1].patch, rest, next);
		pr->files[1].patch[next] = '\0';
	}
	if (gth_diff_from_files(pr, &d) != 0 || d == NULL)
		abort();
	if (!d->partial || d->n_files != 3 || !d->files[2].patch_missing ||
	    d->additions != 3 + 4 + 5 || d->deletions != 0 + 1 + 2 ||
	    strcmp(d->head_sha, pr->head_sha) != 0)
		abort();
	check_lines(d);
	for (i = 0; i < d->n_files; i++) {
		check_file(d, &d->files[i], false);
		if (strcmp(d->files[i].new_path, paths[i]) != 0 ||
		    (i > 0 && d->files[i].first_line !=
		     d->files[i - 1].first_line + d->files[i - 1].n_lines))
			abort();
		/* The forge's counts, not the patch's, are what the file says. */
		if (d->files[i].additions != (long)i + 3 || d->files[i].deletions != (long)i)
			abort();
	}
	if (d->files[2].first_line + d->files[2].n_lines != d->n_lines)
		abort();
	gth_diff_free(d);
	gth_pr_free(pr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse((const char *)data, size);
	fuzz_from_files((const char *)data, size);
	return 0;
}
