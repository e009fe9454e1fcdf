/*
 * Durable file operations for the outbox, the audit log and drafts.
 *
 * The rules (security.md §5): check every write; fsync the file, then
 * rename, then fsync the directory, since rename alone is atomic but not
 * durable; a failed fsync is not retried on the same file (the kernel may
 * have dropped the dirty pages), the operation fails.
 */
#ifndef GATEHOUSE_DECIDE_FSUTIL_H
#define GATEHOUSE_DECIDE_FSUTIL_H

#include <stddef.h>

#include "gatehouse/base/err.h"

int gth_fs_write_all(int fd, const void *p, size_t n, struct gth_err *err);
/* fsync the directory at path. */
int gth_fs_fsync_dir(const char *path, struct gth_err *err);
/* mkdir -p with mode 0700 for the directories we create. */
int gth_fs_mkdirs(const char *path, struct gth_err *err);
/*
 * Replace path with data durably: write "<path>.tmp.<pid>", fsync, rename,
 * fsync the directory.
 */
int gth_fs_write_atomic(const char *path, const void *data, size_t n, struct gth_err *err);
/* rename + fsync of both directories (one when they are the same). */
int gth_fs_rename_durable(const char *from, const char *to, struct gth_err *err);
/* Read a whole regular file (no symlinks) of at most max bytes; *out NUL-terminated. */
int gth_fs_read_file(const char *path, size_t max, char **out, size_t *len,
	struct gth_err *err);


/* Test hook: when set, called with a step name before each durable step (kill -9 tests). */
extern void (*gth_fs_step_hook)(const char *step);

#endif
