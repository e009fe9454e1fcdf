/*
 * Files the reviewer marked viewed, kept across sessions.
 *
 * One small file per PR: <state_dir>/viewed/<forge>/<repo>/<number>, where
 * forge and repo are percent-encoded into one path component each, replaced
 * atomically (tmp, fsync, rename, fsync dir) on every change.  Each mark
 * remembers the head it was made on and the file's blob there: on a new
 * head a mark holds while the file's blob is unchanged (GitHub keeps such
 * marks too) and lapses for files the push changed.  Paths are
 * percent-encoded in the file, so any byte (a newline too) round-trips.
 * At most GTH_VIEWED_MAX marks are kept per PR; the oldest go first.
 */
#ifndef GATEHOUSE_DECIDE_VIEWED_H
#define GATEHOUSE_DECIDE_VIEWED_H

#include <stdbool.h>
#include <stddef.h>

#include "gatehouse/base/err.h"

#define GTH_VIEWED_MAX 4096

struct gth_viewed_mark {
	char *path;		/* owned; the file's path on the head side */
	char head[41];		/* the head SHA the mark was made on */
	char blob[41];		/* the file's blob at that head; "" when unknown */
};

struct gth_viewed {
	struct gth_viewed_mark *v;	/* oldest first */
	size_t n;
};

/*
 * Load the marks of one PR into *out (released by the caller with
 * gth_viewed_release, also on error).  No file yet = no marks, 0.
 * -GTH_E_INVAL for an empty forge or repo or a number <= 0; -GTH_E_PARSE
 * for a damaged file (the lines before the damage are kept).
 */
int gth_viewed_load(const char *state_dir, const char *forge, const char *repo, long number,
	struct gth_viewed *out, struct gth_err *err);

/*
 * Mark path viewed (viewed = true) at head with blob (NULL or "" = unknown),
 * or clear every mark of path (viewed = false), and save durably.  head and
 * blob must be hex object ids (or blob empty); -GTH_E_INVAL otherwise.
 */
int gth_viewed_set(const char *state_dir, const char *forge, const char *repo, long number,
	const char *path, const char *head, const char *blob, bool viewed, struct gth_err *err);

/*
 * True when some mark of path still holds at head, where the file's blob is
 * blob (NULL or "" = unknown): it was made on that head, or on another head
 * where the file had the same known blob.
 */
bool gth_viewed_holds(const struct gth_viewed *v, const char *path, const char *head,
	const char *blob);

void gth_viewed_release(struct gth_viewed *v);

#endif
