/*
 * Building the diff model (model/diff.h) from a mirror with libgit2.
 *
 * The diff is merge-base(base, head)..head, as the forge shows it, with
 * rename and copy detection (copies from files the PR also modifies, as
 * `git diff -C`), mode and type changes, binary files (sizes only, never the
 * bytes), submodules (the two commits), symlinks (their target text), files
 * without a trailing newline (a NO_EOL line), CRLF (stripped, flagged) and
 * invalid UTF-8 (kept as bytes: the UI sanitizes).  Where libgit2's rename
 * detection would drop or misplace a change (it can, around type changes),
 * the file list is the one without renames.
 *
 * File list first, hunks on demand: gth_git_diff_open() fills d->files
 * (paths, status, modes, ids); a file's lines, its additions/deletions and
 * its blob sizes are valid once file->loaded is set, by
 * gth_git_diff_load_file() or gth_git_diff_load_all().  The lines of one file
 * are contiguous in d->lines; files are loaded in whatever order the caller
 * asks, so file i's lines are not necessarily before file i+1's.
 *
 * Threads: a struct gth_diff keeps its own libgit2 repository handle in
 * d->priv, so it does not share state with the mirror it came from; one
 * thread at a time may call into one diff (a worker may build it, then hand
 * it over).  The mirror may be freed once the diff is open.
 *
 * Toggling ignore-whitespace means opening the diff again with the other
 * option: the file list costs a tree comparison only.
 */
#ifndef GATEHOUSE_GIT_DIFF_H
#define GATEHOUSE_GIT_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "gatehouse/base/err.h"
#include "gatehouse/model/diff.h"

struct gth_mirror;

struct gth_diff_opts {
	bool ignore_whitespace;		/* hide whitespace-only changes (git diff -w) */
	int context_lines;		/* < 0: default 3 */
	int rename_threshold;		/* similarity percent for renames/copies; 0: 50 */
	bool no_renames;		/* turn rename and copy detection off */
	size_t max_text_size;		/* larger blobs are shown as binary; 0: 64 MiB */
	/*
	 * Hard cap on the diff text kept in memory; 0: 1 GiB.  Files loaded
	 * past it carry a note instead of their lines, patch_missing, and the
	 * diff is marked partial.
	 */
	size_t max_diff_bytes;
};

#define GTH_DIFF_OPTS_INIT { false, -1, 0, false, 0, 0 }

/*
 * Open the diff of merge-base(base_sha, head_sha)..head_sha in mirror m and
 * build its file list.  o may be NULL (defaults).  *out is owned by the
 * caller (gth_diff_free).  Returns 0, -GTH_E_NOTFOUND (a commit is missing
 * from the mirror: fetch first), -GTH_E_INVAL (bad SHA), -GTH_E_GIT.
 */
int gth_git_diff_open(struct gth_mirror *m, const char *base_sha, const char *head_sha,
	const struct gth_diff_opts *o, struct gth_diff **out, struct gth_err *err);

/*
 * Build the hunks of file i (no-op when already loaded), appending its lines
 * to the diff and setting first_line, n_lines, additions, deletions, sizes,
 * binary and loaded.  Returns 0, -GTH_E_INVAL (index), -GTH_E_GIT.
 */
int gth_git_diff_load_file(struct gth_diff *d, size_t file_index, struct gth_err *err);

/*
 * Load every file not yet loaded, then compute the per-PR stats
 * (gth_diff_compute_stats).  Blobs come from the mirror's packs directly
 * (libgit2 reads what that reader cannot), files in the order of their
 * blobs' delta chains, so that each is usually one delta from a blob just
 * read.  The work runs on the calling thread plus one worker thread per CPU
 * beyond two, leaving one to the caller's other threads (at most 3;
 * $GATEHOUSE_DIFF_WORKERS sets the number, 0 for none).  Only the calling
 * thread writes to d, and callbacks run on it.  progress (may be NULL) is
 * called after each file with (files built by this call, files in the
 * diff); cancel (may be NULL) is checked between files.  Returns 0,
 * -GTH_E_CANCEL (files loaded so far stay loaded), -GTH_E_GIT.
 */
int gth_git_diff_load_all(struct gth_diff *d, void (*progress)(size_t done, size_t total, void *arg),
	void *arg, volatile int *cancel, struct gth_err *err);

/*
 * Whole-file context: rebuild file i's lines with the entire old and new file
 * as context, so the reader can scroll around any hunk.  The file's previous
 * lines stay in the arena, unreferenced, until the diff is freed.  Binary
 * files and submodules are left as they are.  Returns as
 * gth_git_diff_load_file(), or -GTH_E_TOOBIG when the diff is at its size
 * cap (the file keeps the lines it had).
 */
int gth_git_diff_load_file_full(struct gth_diff *d, size_t file_index, struct gth_err *err);

#endif
