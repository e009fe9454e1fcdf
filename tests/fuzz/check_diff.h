/*
 * The diff model's invariants (include/gatehouse/model/diff.h), shared by
 * the fuzz targets of the patch parser and of the git diff builder.  Each
 * check aborts when its invariant breaks.
 */
#ifndef GATEHOUSE_TESTS_CHECK_DIFF_H
#define GATEHOUSE_TESTS_CHECK_DIFF_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/model/diff.h"

#define CHECK_DIFF_RANGES 16

/* Highlight ranges stay inside their line. */
static inline void
check_ranges(const struct gth_diff_range *r, size_t n, size_t len)
{
	size_t i;

	if (n > CHECK_DIFF_RANGES)
		abort();
	for (i = 0; i < n; i++)
		if (r[i].start > r[i].end || r[i].end > len)
			abort();
}

/* Word highlights of removed line a and its added partner b stay inside them. */
static inline void
check_pair(const struct gth_diff *d, const struct gth_diff_line *a, const struct gth_diff_line *b)
{
	struct gth_diff_range ra[CHECK_DIFF_RANGES], rb[CHECK_DIFF_RANGES];
	size_t na = 0, nb = 0;

	if (gth_diff_intraline(gth_diff_line_text(d, a), a->len, gth_diff_line_text(d, b),
		b->len, ra, &na, rb, &nb, CHECK_DIFF_RANGES) == 0) {
		check_ranges(ra, na, a->len);
		check_ranges(rb, nb, b->len);
	}
}

/*
 * Every line record (referenced by a file or not) lies inside the arena and
 * holds no newline (META notes may quote a path that has one); added and
 * removed lines claim no number on the side they lack.  Word-highlight
 * partners are the k-th removed and k-th added line of a run of removed
 * lines followed directly by added ones, counted here in one pass; since
 * gth_diff_line_partner() costs the length of the runs, it is asked about
 * the first and last lines of each run only.
 */
static inline void
check_lines(const struct gth_diff *d)
{
	size_t i, j, del, add, n_del, n_add;
	bool ask;
	long want;

	if (d->n_lines > d->cap_lines || d->arena_len > d->arena_cap ||
	    (d->n_lines > 0 && d->lines == NULL))
		abort();
	for (i = 0; i < d->n_lines; i++) {
		const struct gth_diff_line *l = &d->lines[i];

		if (l->off > d->arena_len || l->len > d->arena_len - l->off ||
		    l->kind > GTH_DIFF_META)
			abort();
		if (l->kind != GTH_DIFF_META &&
		    memchr(gth_diff_line_text(d, l), '\n', l->len) != NULL)
			abort();
		if ((l->kind == GTH_DIFF_ADD && l->old_no != 0) ||
		    (l->kind == GTH_DIFF_DEL && l->new_no != 0))
			abort();
	}
	for (i = 0; i < d->n_lines;) {
		if (d->lines[i].kind != GTH_DIFF_DEL && d->lines[i].kind != GTH_DIFF_ADD) {
			if (gth_diff_line_partner(d, i) != -1)
				abort();
			i++;
			continue;
		}
		for (del = i; i < d->n_lines && d->lines[i].kind == GTH_DIFF_DEL;)
			i++;
		for (add = i; i < d->n_lines && d->lines[i].kind == GTH_DIFF_ADD;)
			i++;
		n_del = add - del;
		n_add = i - add;
		for (j = 0; j < n_del + n_add; j++) {
			if (j < n_del) {
				want = j < n_add ? (long)(add + j) : -1;
				ask = j < 4 || j + 4 >= n_del;
			} else {
				want = j - n_del < n_del ? (long)(del + j - n_del) : -1;
				ask = j - n_del < 4 || j + 4 >= n_del + n_add;
			}
			if (ask && gth_diff_line_partner(d, del + j) != want)
				abort();
			if (j < n_del && want >= 0)
				check_pair(d, &d->lines[del + j], &d->lines[want]);
		}
	}
}

/*
 * f's lines are d->lines[first_line, first_line + n_lines); when counted,
 * its additions and deletions are the counts of those lines.
 */
static inline void
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

#endif
