/*
 * The diff model: arena and line records, per-file and per-PR stats, word
 * highlights, and the files-API fallback that parses the forge's patches.
 *
 * The arena and the line array grow by doubling.  Past BIG bytes they live
 * in their own anonymous mappings grown with mremap: no copy on growth, and
 * the untouched tail of the capacity costs no resident memory.  (Through
 * malloc they would not: glibc's dynamic mmap threshold moves them onto the
 * heap once the process has freed a few large blocks, and every doubling
 * then copies and briefly holds both.)
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/model/diff.h"
#include "gatehouse/model/pr.h"

const char *
gth_diff_status_name(enum gth_diff_status s)
{
	switch (s) {
	case GTH_DIFF_ADDED: return "added";
	case GTH_DIFF_DELETED: return "deleted";
	case GTH_DIFF_MODIFIED: return "modified";
	case GTH_DIFF_RENAMED: return "renamed";
	case GTH_DIFF_COPIED: return "copied";
	case GTH_DIFF_TYPECHANGE: return "typechange";
	}
	return "modified";
}

#define BIG ((size_t)64 << 10)

static void *
map_bytes(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Grow *pp (capacity *cap elements of elsize bytes) to hold need elements. */
static void
big_grow(void *pp, size_t *cap, size_t need, size_t elsize)
{
	void **p = pp;
	size_t ncap = *cap ? *cap : 64, old_bytes = *cap * elsize, bytes;
	void *q;

	if (need <= *cap)
		return;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elsize)
			abort();
		ncap *= 2;
	}
	bytes = ncap * elsize;
	if (bytes < BIG) {
		*p = xreallocarray(*p, ncap, elsize);
		*cap = ncap;
		return;
	}
#ifdef MREMAP_MAYMOVE
	if (old_bytes >= BIG) {
		q = mremap(*p, old_bytes, bytes, MREMAP_MAYMOVE);
		if (q == MAP_FAILED)
			q = NULL;
	} else
#endif
	{
		q = map_bytes(bytes);
		if (q != NULL && old_bytes > 0) {
			memcpy(q, *p, old_bytes);
			if (old_bytes >= BIG)
				munmap(*p, old_bytes);
			else
				free(*p);
		}
	}
	if (q == NULL)
		q = xmalloc(SIZE_MAX);	/* the out-of-memory path, with its fatal hook */
	*p = q;
	*cap = ncap;
}

/*
 * Before bytes [from, to) of a mapped array are first written, fault in the
 * PREFAULT-sized chunks they reach with one madvise: a page fault per 4 KiB
 * costs more than the copy itself, most of all on virtual machines.  At most
 * one chunk past what is written becomes resident early.
 */
#define PREFAULT ((size_t)64 << 10)

static void
prefault(void *base, size_t cap_bytes, size_t from, size_t to)
{
#ifdef MADV_POPULATE_WRITE
	size_t start = (from / PREFAULT + 1) * PREFAULT, end = (to / PREFAULT + 1) * PREFAULT;

	if (cap_bytes < BIG || from / PREFAULT == to / PREFAULT)
		return;
	if (end > cap_bytes)
		end = cap_bytes;
	/* Older kernels say EINVAL: the pages then fault in one by one, as before. */
	if (start < end)
		(void)madvise((char *)base + start, end - start, MADV_POPULATE_WRITE);
#else
	(void)base;
	(void)cap_bytes;
	(void)from;
	(void)to;
#endif
}

static void
big_free(void *p, size_t cap, size_t elsize)
{
	if (p == NULL)
		return;
	if (cap * elsize >= BIG)
		munmap(p, cap * elsize);
	else
		free(p);
}

struct gth_diff *
gth_diff_new(void)
{
	return xcalloc(1, sizeof(struct gth_diff));
}

void
gth_diff_free(struct gth_diff *d)
{
	size_t i;

	if (d == NULL)
		return;
	if (d->priv != NULL && d->priv_free != NULL)
		d->priv_free(d->priv);
	for (i = 0; i < d->n_files; i++) {
		free(d->files[i].old_path);
		free(d->files[i].new_path);
	}
	for (i = 0; i < d->n_dirs; i++)
		free(d->dirs[i].dir);
	free(d->files);
	free(d->dirs);
	big_free(d->lines, d->cap_lines, sizeof(*d->lines));
	big_free(d->arena, d->arena_cap, 1);
	free(d);
}

uint32_t
gth_diff_arena_add(struct gth_diff *d, const char *p, size_t n, size_t *added)
{
	uint32_t off = (uint32_t)d->arena_len;

	if (n > GTH_DIFF_ARENA_MAX - d->arena_len)
		n = GTH_DIFF_ARENA_MAX - d->arena_len;
	if (added != NULL)
		*added = n;
	if (n == 0)
		return off;
	big_grow(&d->arena, &d->arena_cap, d->arena_len + n, 1);
	prefault(d->arena, d->arena_cap, d->arena_len, d->arena_len + n);
	memcpy(d->arena + d->arena_len, p, n);
	d->arena_len += n;
	return off;
}

struct gth_diff_line *
gth_diff_add_line(struct gth_diff *d, enum gth_diff_line_kind kind, const char *text, size_t len,
	uint32_t old_no, uint32_t new_no)
{
	struct gth_diff_line *l;

	big_grow(&d->lines, &d->cap_lines, d->n_lines + 1, sizeof(*d->lines));
	prefault(d->lines, d->cap_lines * sizeof(*d->lines), d->n_lines * sizeof(*d->lines),
	    (d->n_lines + 1) * sizeof(*d->lines));
	l = &d->lines[d->n_lines++];
	/* Text past the record's limits is cut: the record stays honest about what it holds. */
	if (len > GTH_DIFF_LINE_MAX)
		len = GTH_DIFF_LINE_MAX;
	l->off = gth_diff_arena_add(d, text, len, &len);
	l->len = (uint32_t)len & GTH_DIFF_LINE_MAX;
	l->old_no = old_no;
	l->new_no = new_no;
	l->kind = (uint32_t)kind & 7;
	l->flags = 0;
	return l;
}

struct gth_diff_line *
gth_diff_add_text_line(struct gth_diff *d, enum gth_diff_line_kind kind, const char *text,
	size_t len, uint32_t old_no, uint32_t new_no)
{
	struct gth_diff_line *l;
	int crlf = 0;

	if (len > 0 && text[len - 1] == '\n') {
		len--;
		if (len > 0 && text[len - 1] == '\r') {
			len--;
			crlf = 1;
		}
	}
	l = gth_diff_add_line(d, kind, text, len, old_no, new_no);
	if (crlf)
		l->flags |= GTH_DIFF_LINE_CRLF;
	return l;
}

struct gth_diff_line *
gth_diff_add_meta(struct gth_diff *d, const char *fmt, ...)
{
	struct gth_diff_line *l;
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	l = gth_diff_add_line(d, GTH_DIFF_META, s, strlen(s), 0, 0);
	free(s);
	return l;
}

void
gth_diff_append(struct gth_diff *d, const struct gth_diff *src)
{
	uint32_t base = (uint32_t)d->arena_len;
	size_t i, added = src->arena_len;

	if (src->arena_len > 0)
		base = gth_diff_arena_add(d, src->arena, src->arena_len, &added);
	big_grow(&d->lines, &d->cap_lines, d->n_lines + src->n_lines, sizeof(*d->lines));
	prefault(d->lines, d->cap_lines * sizeof(*d->lines), d->n_lines * sizeof(*d->lines),
	    (d->n_lines + src->n_lines) * sizeof(*d->lines));
	for (i = 0; i < src->n_lines; i++) {
		struct gth_diff_line *l = &d->lines[d->n_lines];

		*l = src->lines[i];
		/* What did not fit (past 4 GiB) is cut, as gth_diff_add_line cuts. */
		if (l->off > added)
			l->off = (uint32_t)added;
		if (l->len > added - l->off)
			l->len = (uint32_t)(added - l->off) & GTH_DIFF_LINE_MAX;
		l->off += base;
		d->n_lines++;
	}
}

struct gth_diff_file *
gth_diff_add_file(struct gth_diff *d)
{
	struct gth_diff_file *f = &GTH_PUSH(d->files, d->n_files, d->cap_files);

	memset(f, 0, sizeof(*f));
	f->old_size = -1;
	f->new_size = -1;
	f->status = GTH_DIFF_MODIFIED;
	return f;
}

const struct gth_diff_line *
gth_diff_file_lines(const struct gth_diff *d, const struct gth_diff_file *f, size_t *n)
{
	*n = 0;
	if (!f->loaded || f->n_lines == 0)
		return NULL;
	*n = f->n_lines;
	return d->lines + f->first_line;
}

/* ---- stats ---- */

static const char *
file_path(const struct gth_diff_file *f)
{
	if (f->new_path != NULL && f->status != GTH_DIFF_DELETED)
		return f->new_path;
	return f->old_path != NULL ? f->old_path : "";
}

static int
dir_cmp(const void *a, const void *b)
{
	const struct gth_diff_dirstat *x = a, *y = b;
	long cx = x->additions + x->deletions, cy = y->additions + y->deletions;

	if (cx != cy)
		return cx > cy ? -1 : 1;
	return strcmp(x->dir, y->dir);
}

/*
 * Totals and per-directory stats.  Directories are sorted by lines changed,
 * most first (what the side panel lists), ties by name.  The number of
 * top-level directories is small, so a linear search is fine.
 */
void
gth_diff_compute_stats(struct gth_diff *d)
{
	size_t i, j;

	for (i = 0; i < d->n_dirs; i++)
		free(d->dirs[i].dir);
	d->n_dirs = 0;
	d->additions = 0;
	d->deletions = 0;
	for (i = 0; i < d->n_files; i++) {
		const struct gth_diff_file *f = &d->files[i];
		const char *p = file_path(f), *slash = strchr(p, '/');
		size_t dlen = slash != NULL ? (size_t)(slash - p) : 0;
		struct gth_diff_dirstat *ds = NULL;

		d->additions += f->additions;
		d->deletions += f->deletions;
		for (j = 0; j < d->n_dirs; j++) {
			const char *name = d->dirs[j].dir;

			/* dlen 0: the top level, "" (no directory is named that). */
			if (strlen(name) == dlen && memcmp(name, p, dlen) == 0) {
				ds = &d->dirs[j];
				break;
			}
		}
		if (ds == NULL) {
			ds = &GTH_PUSH(d->dirs, d->n_dirs, d->cap_dirs);
			memset(ds, 0, sizeof(*ds));
			ds->dir = xstrndup(p, dlen);
		}
		ds->files++;
		ds->additions += f->additions;
		ds->deletions += f->deletions;
	}
	if (d->n_dirs > 1)
		qsort(d->dirs, d->n_dirs, sizeof(*d->dirs), dir_cmp);
}

/* ---- intraline ---- */

long
gth_diff_line_partner(const struct gth_diff *d, size_t i)
{
	size_t del_start, del_end, add_end, k;

	if (i >= d->n_lines)
		return -1;
	if (d->lines[i].kind == GTH_DIFF_DEL) {
		for (del_start = i; del_start > 0 && d->lines[del_start - 1].kind == GTH_DIFF_DEL;)
			del_start--;
		for (del_end = i + 1; del_end < d->n_lines && d->lines[del_end].kind == GTH_DIFF_DEL;)
			del_end++;
		k = i - del_start;
		for (add_end = del_end; add_end < d->n_lines &&
		    d->lines[add_end].kind == GTH_DIFF_ADD;)
			add_end++;
		return del_end + k < add_end ? (long)(del_end + k) : -1;
	}
	if (d->lines[i].kind == GTH_DIFF_ADD) {
		size_t add_start = i;

		while (add_start > 0 && d->lines[add_start - 1].kind == GTH_DIFF_ADD)
			add_start--;
		k = i - add_start;
		for (del_start = add_start; del_start > 0 &&
		    d->lines[del_start - 1].kind == GTH_DIFF_DEL;)
			del_start--;
		return del_start + k < add_start ? (long)(del_start + k) : -1;
	}
	return -1;
}

/* Past these, word highlights cost more than they tell. */
#define INTRA_MAX_BYTES 2000
#define INTRA_MAX_TOKENS 400

static int
is_word_byte(unsigned char c)
{
	return c == '_' || c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

static int
is_space_byte(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Split into words, whitespace runs and single punctuation bytes; offsets of token starts. */
static size_t
tokenize(const char *s, size_t n, uint32_t *starts, size_t max)
{
	size_t i = 0, nt = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (nt == max)
			return max + 1;
		starts[nt++] = (uint32_t)i;
		if (is_word_byte(c)) {
			while (i < n && is_word_byte((unsigned char)s[i]))
				i++;
		} else if (is_space_byte(c)) {
			while (i < n && is_space_byte((unsigned char)s[i]))
				i++;
		} else {
			i++;
		}
	}
	starts[nt] = (uint32_t)n;
	return nt;
}

static int
tok_eq(const char *a, const uint32_t *sa, size_t i, const char *b, const uint32_t *sb, size_t j)
{
	size_t la = sa[i + 1] - sa[i], lb = sb[j + 1] - sb[j];

	return la == lb && memcmp(a + sa[i], b + sb[j], la) == 0;
}

/* Add [start, end) to ranges, merging with the previous one when they touch. */
static void
range_add(struct gth_diff_range *r, size_t *n, size_t max, uint32_t start, uint32_t end,
	int *overflow)
{
	if (start >= end)
		return;
	if (*n > 0 && r[*n - 1].end == start) {
		r[*n - 1].end = end;
		return;
	}
	if (*n == max) {
		/* Out of room: widen the last range to cover the rest. */
		if (max > 0)
			r[max - 1].end = end;
		*overflow = 1;
		return;
	}
	r[*n].start = start;
	r[*n].end = end;
	(*n)++;
}

int
gth_diff_intraline(const char *a, size_t alen, const char *b, size_t blen,
	struct gth_diff_range *ra, size_t *na, struct gth_diff_range *rb, size_t *nb, size_t max)
{
	uint32_t sa[INTRA_MAX_TOKENS + 2], sb[INTRA_MAX_TOKENS + 2];
	size_t ta, tb, pre = 0, suf = 0, m, n, i, j;
	uint16_t *lcs = NULL;
	int overflow = 0;

	*na = 0;
	*nb = 0;
	if (alen > INTRA_MAX_BYTES || blen > INTRA_MAX_BYTES)
		return -GTH_E_TOOBIG;
	ta = tokenize(a, alen, sa, INTRA_MAX_TOKENS);
	tb = tokenize(b, blen, sb, INTRA_MAX_TOKENS);
	if (ta > INTRA_MAX_TOKENS || tb > INTRA_MAX_TOKENS)
		return -GTH_E_TOOBIG;

	/* Common prefix and suffix need no table. */
	while (pre < ta && pre < tb && tok_eq(a, sa, pre, b, sb, pre))
		pre++;
	while (suf < ta - pre && suf < tb - pre &&
	    tok_eq(a, sa, ta - 1 - suf, b, sb, tb - 1 - suf))
		suf++;
	m = ta - pre - suf;
	n = tb - pre - suf;
	if (m == 0 || n == 0) {
		if (m > 0)
			range_add(ra, na, max, sa[pre], sa[pre + m], &overflow);
		if (n > 0)
			range_add(rb, nb, max, sb[pre], sb[pre + n], &overflow);
		return 0;
	}

	/* LCS over the middle tokens; lcs[i][j] = LCS of a[i..] and b[j..]. */
	lcs = xcalloc((m + 1) * (n + 1), sizeof(*lcs));
#define L(i, j) lcs[(i) * (n + 1) + (j)]
	for (i = m; i-- > 0;) {
		for (j = n; j-- > 0;) {
			if (tok_eq(a, sa, pre + i, b, sb, pre + j))
				L(i, j) = (uint16_t)(L(i + 1, j + 1) + 1);
			else
				L(i, j) = L(i + 1, j) > L(i, j + 1) ? L(i + 1, j) : L(i, j + 1);
		}
	}
	i = 0;
	j = 0;
	while (i < m || j < n) {
		if (i < m && j < n && tok_eq(a, sa, pre + i, b, sb, pre + j)) {
			i++;
			j++;
		} else if (j == n || (i < m && L(i + 1, j) >= L(i, j + 1))) {
			range_add(ra, na, max, sa[pre + i], sa[pre + i + 1], &overflow);
			i++;
		} else {
			range_add(rb, nb, max, sb[pre + j], sb[pre + j + 1], &overflow);
			j++;
		}
	}
#undef L
	free(lcs);
	return 0;
}

/* ---- files-API fallback ---- */

static int
parse_num(const char **pp, const char *end, unsigned long *out)
{
	const char *p = *pp;
	unsigned long v = 0;

	if (p == end || *p < '0' || *p > '9')
		return -1;
	while (p < end && *p >= '0' && *p <= '9') {
		if (v > UINT32_MAX / 10)
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
		p++;
	}
	*pp = p;
	*out = v;
	return 0;
}

/* "@@ -a[,b] +c[,d] @@..." -> a, c.  Returns 0 or -1. */
static int
parse_hunk_header(const char *p, const char *end, unsigned long *old_start,
	unsigned long *new_start)
{
	unsigned long dummy;

	if (end - p < 4 || memcmp(p, "@@ -", 4) != 0)
		return -1;
	p += 4;
	if (parse_num(&p, end, old_start) < 0)
		return -1;
	if (p < end && *p == ',' && (p++, parse_num(&p, end, &dummy) < 0))
		return -1;
	if (end - p < 2 || p[0] != ' ' || p[1] != '+')
		return -1;
	p += 2;
	if (parse_num(&p, end, new_start) < 0)
		return -1;
	if (p < end && *p == ',' && (p++, parse_num(&p, end, &dummy) < 0))
		return -1;
	if (end - p < 3 || memcmp(p, " @@", 3) != 0)
		return -1;
	return 0;
}

int
gth_diff_parse_patch(struct gth_diff *d, struct gth_diff_file *f, const char *patch, size_t len)
{
	const char *p = patch, *end = patch + len;
	unsigned long old_no = 0, new_no = 0;
	int in_hunk = 0, rc = 0;

	f->first_line = d->n_lines;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl != NULL ? nl + 1 : end;
		size_t n = (size_t)(eol - p);

		if (*p == '@') {
			if (parse_hunk_header(p, eol, &old_no, &new_no) < 0) {
				rc = -GTH_E_PARSE;
				break;
			}
			gth_diff_add_text_line(d, GTH_DIFF_HUNK, p, n, (uint32_t)old_no,
			    (uint32_t)new_no);
			in_hunk = 1;
		} else if (!in_hunk) {
			/* "diff --git", "index", "---", "+++": the file list says it already. */
		} else if (*p == ' ' || *p == '\n' || (*p == '\r' && n <= 2)) {
			/* Some producers drop the space of an empty context line. */
			const char *t = *p == ' ' ? p + 1 : p;

			gth_diff_add_text_line(d, GTH_DIFF_CONTEXT, t, (size_t)(eol - t),
			    (uint32_t)old_no++, (uint32_t)new_no++);
		} else if (*p == '+') {
			gth_diff_add_text_line(d, GTH_DIFF_ADD, p + 1, n - 1, 0,
			    (uint32_t)new_no++);
			f->additions++;
		} else if (*p == '-') {
			gth_diff_add_text_line(d, GTH_DIFF_DEL, p + 1, n - 1, (uint32_t)old_no++, 0);
			f->deletions++;
		} else if (*p == '\\') {
			gth_diff_add_text_line(d, GTH_DIFF_NO_EOL, p, n, 0, 0);
		} else {
			rc = -GTH_E_PARSE;
			break;
		}
		p = eol;
	}
	f->n_lines = d->n_lines - f->first_line;
	f->loaded = true;
	return rc;
}

static enum gth_diff_status
forge_status(const char *s)
{
	if (s == NULL)
		return GTH_DIFF_MODIFIED;
	if (strcmp(s, "added") == 0)
		return GTH_DIFF_ADDED;
	if (strcmp(s, "removed") == 0 || strcmp(s, "deleted") == 0)
		return GTH_DIFF_DELETED;
	if (strcmp(s, "renamed") == 0)
		return GTH_DIFF_RENAMED;
	if (strcmp(s, "copied") == 0)
		return GTH_DIFF_COPIED;
	return GTH_DIFF_MODIFIED;
}

static void
copy_sha(char dst[41], const char *src)
{
	snprintf(dst, 41, "%s", src != NULL ? src : "");
}

int
gth_diff_from_files(const struct gth_pr *pr, struct gth_diff **out)
{
	struct gth_diff *d;
	size_t i;

	*out = NULL;
	if (pr == NULL || !pr->details_loaded)
		return -GTH_E_INVAL;
	d = gth_diff_new();
	d->partial = true;
	copy_sha(d->base_sha, pr->base_sha);
	copy_sha(d->head_sha, pr->head_sha);
	for (i = 0; i < pr->n_files; i++) {
		const struct gth_file_change *c = &pr->files[i];
		struct gth_diff_file *f = gth_diff_add_file(d);

		f->status = forge_status(c->status);
		f->new_path = xstrdup(c->path != NULL ? c->path : "");
		f->old_path = xstrdup(c->old_path != NULL ? c->old_path : f->new_path);
		if (c->patch == NULL) {
			f->patch_missing = true;
			f->first_line = d->n_lines;
			gth_diff_add_meta(d, "The forge did not send this file's patch "
			    "(binary or too large); fetch the repository to see it");
			f->n_lines = 1;
			f->loaded = true;
		} else if (gth_diff_parse_patch(d, f, c->patch, strlen(c->patch)) < 0) {
			gth_diff_add_meta(d, "The rest of this patch could not be read");
			f->n_lines++;
		}
		/* The forge's counts hold even where the patch is withheld. */
		f->additions = c->additions;
		f->deletions = c->deletions;
	}
	gth_diff_compute_stats(d);
	*out = d;
	return 0;
}
