/*
 * The diff model: one PR's change, merge-base(base, head)..head.
 *
 * All text lives in one arena; every diff line is a fixed-size record that
 * points into it, so line i of any file is O(1) and memory stays near the
 * size of the diff text.  git/ builds it (gth_git_diff_*); ui/ and policy/
 * only read it.  Paths and line text are untrusted: sanitize when shown.
 */
#ifndef GATEHOUSE_MODEL_DIFF_H
#define GATEHOUSE_MODEL_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gth_diff_line_kind {
	GTH_DIFF_CONTEXT,	/* " " */
	GTH_DIFF_ADD,		/* "+" */
	GTH_DIFF_DEL,		/* "-" */
	GTH_DIFF_HUNK,		/* the "@@ -a,b +c,d @@ section" header line */
	GTH_DIFF_NO_EOL,	/* "\ No newline at end of file" (applies to the line before) */
	GTH_DIFF_META,		/* a note: "Binary file, 12 KB -> 14 KB", "mode 100644 -> 100755" */
};

/* Line flags (one bit). */
#define GTH_DIFF_LINE_CRLF	0x01	/* the line ended in \r\n; the \r is not in the text */

/*
 * A line record is 16 bytes.  The arena holds at most GTH_DIFF_ARENA_MAX
 * bytes so that an offset fits in 32 bits, and a line at most
 * GTH_DIFF_LINE_MAX; text past either is cut.  The git layer keeps far
 * below both: larger blobs are shown as binary, and it stops adding files at
 * its size cap (1 GiB by default).
 */
#define GTH_DIFF_ARENA_MAX ((size_t)UINT32_MAX)
#define GTH_DIFF_LINE_MAX (((size_t)1 << 28) - 1)

struct gth_diff_line {
	uint32_t off;		/* into diff->arena */
	uint32_t len : 28;	/* bytes, without the line ending */
	uint32_t kind : 3;	/* enum gth_diff_line_kind */
	uint32_t flags : 1;	/* GTH_DIFF_LINE_* */
	uint32_t old_no;	/* 0 when the line has no old side */
	uint32_t new_no;	/* 0 when the line has no new side */
};

enum gth_diff_status {
	GTH_DIFF_ADDED,
	GTH_DIFF_DELETED,
	GTH_DIFF_MODIFIED,
	GTH_DIFF_RENAMED,
	GTH_DIFF_COPIED,
	GTH_DIFF_TYPECHANGE,
};

/* "added", "deleted", "modified", "renamed", "copied", "typechange". */
const char *gth_diff_status_name(enum gth_diff_status s);

struct gth_diff_file {
	char *old_path;		/* owned; equal to new_path unless renamed/copied/added */
	char *new_path;		/* owned */
	enum gth_diff_status status;
	uint32_t old_mode;	/* 0 when absent; 0100644, 0100755, 0120000 (symlink), 0160000 (submodule) */
	uint32_t new_mode;
	int similarity;		/* renames and copies, 0-100 */
	bool binary;
	bool submodule;
	int64_t old_size;	/* blob sizes, -1 when absent */
	int64_t new_size;
	char old_oid[41];	/* blob (or submodule commit) ids, "" when absent */
	char new_oid[41];
	long additions;
	long deletions;
	bool patch_missing;	/* files-API fallback: the forge withheld this file's patch */
	size_t first_line;	/* index of the file's first line in diff->lines */
	size_t n_lines;		/* lines of this file; valid when loaded */
	bool loaded;		/* hunks have been built */
};

/* Additions/deletions under one top-level directory (for the side panel and policy). */
struct gth_diff_dirstat {
	char *dir;		/* "src", "docs"; "" for files at the top level */
	long files;
	long additions;
	long deletions;
};

struct gth_diff {
	char *arena;
	size_t arena_len, arena_cap;
	struct gth_diff_line *lines;
	size_t n_lines, cap_lines;
	struct gth_diff_file *files;
	size_t n_files, cap_files;

	char base_sha[41];	/* what the caller asked for */
	char head_sha[41];
	char merge_base[41];	/* the old side of every file */
	bool ignore_whitespace;
	bool partial;		/* built from the forge's files API: some patches may be missing */

	long additions;
	long deletions;
	struct gth_diff_dirstat *dirs;
	size_t n_dirs, cap_dirs;

	void *priv;		/* git/'s state for on-demand loading; opaque to everyone else */
	void (*priv_free)(void *priv);
};

struct gth_diff *gth_diff_new(void);
/* Frees everything, including priv through priv_free. NULL is fine. */
void gth_diff_free(struct gth_diff *d);

/* Text of a line; not NUL-terminated, use line->len. */
static inline const char *
gth_diff_line_text(const struct gth_diff *d, const struct gth_diff_line *l)
{
	return d->arena + l->off;
}

/*
 * Append text to the arena (growing it) and return its offset; n is cut to
 * what fits under GTH_DIFF_ARENA_MAX, and *added (may be NULL) says how much
 * went in.
 */
uint32_t gth_diff_arena_add(struct gth_diff *d, const char *p, size_t n, size_t *added);
/* Append a line record; returns it. */
struct gth_diff_line *gth_diff_add_line(struct gth_diff *d, enum gth_diff_line_kind kind,
	const char *text, size_t len, uint32_t old_no, uint32_t new_no);
struct gth_diff_file *gth_diff_add_file(struct gth_diff *d);

/* Recompute totals and per-directory stats from the files. */
void gth_diff_compute_stats(struct gth_diff *d);

/*
 * Intraline (word-level) highlights for a removed line a and its paired added
 * line b: byte ranges [start, end) of each side that differ.  Writes at most
 * max ranges per side; returns 0 or -GTH_E_TOOBIG when the lines are too
 * long to be worth it (the caller then highlights nothing).
 */
/*
 * The line paired with line i for word highlights: in a run of removed lines
 * followed directly by a run of added lines, the k-th removed line pairs
 * with the k-th added line (as git's --word-diff and most review tools do).
 * Returns the partner's index in d->lines, or -1 (a context line, or no
 * partner in the other run).  Costs the length of the two runs.
 */
long gth_diff_line_partner(const struct gth_diff *d, size_t i);

struct gth_diff_range {
	uint32_t start;
	uint32_t end;
};
int gth_diff_intraline(const char *a, size_t alen, const char *b, size_t blen,
	struct gth_diff_range *ra, size_t *na, struct gth_diff_range *rb, size_t *nb, size_t max);

/*
 * Append a META note (printf-style) to the current end of the lines; used
 * for "Binary file, 12,345 -> 14,001 bytes" and the like.
 */
struct gth_diff_line *gth_diff_add_meta(struct gth_diff *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Append one line of diff text as a record of kind, with line-ending
 * handling: a trailing "\n" is dropped, a "\r" before it is dropped too and
 * flagged GTH_DIFF_LINE_CRLF.  Other bytes are kept as they are.
 */
struct gth_diff_line *gth_diff_add_text_line(struct gth_diff *d, enum gth_diff_line_kind kind,
	const char *text, size_t len, uint32_t old_no, uint32_t new_no);

/*
 * Append all of src's lines (and their text) after d's, as they are: file
 * records are not copied.  The builder uses it to merge files built apart.
 */
void gth_diff_append(struct gth_diff *d, const struct gth_diff *src);

/* The file's lines (NULL when not loaded or empty); *n receives the count. */
const struct gth_diff_line *gth_diff_file_lines(const struct gth_diff *d,
	const struct gth_diff_file *f, size_t *n);

/*
 * Parse the hunks of a unified patch (as GitHub's files API sends it: "@@"
 * headers, then " ", "+", "-", "\\" lines; file headers are skipped) and
 * append them as file f's lines, counting f's additions and deletions.
 * Returns 0 or -GTH_E_PARSE (what was parsed before the bad line is kept).
 */
int gth_diff_parse_patch(struct gth_diff *d, struct gth_diff_file *f, const char *patch,
	size_t len);

/*
 * Files-API fallback, when the mirror cannot be fetched: a diff built from
 * pr->files.  d->partial is set; files whose patch the forge withheld get
 * patch_missing and a META line saying so; additions/deletions are the
 * forge's.  *out is owned by the caller.  Returns 0 or -GTH_E_INVAL (no
 * files loaded).
 */
struct gth_pr;
int gth_diff_from_files(const struct gth_pr *pr, struct gth_diff **out);

#endif
