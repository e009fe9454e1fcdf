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
#include "check_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
