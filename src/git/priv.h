/* Helpers shared by git/'s modules; libgit2 types stay inside src/git/. */
#ifndef GATEHOUSE_GIT_PRIV_H
#define GATEHOUSE_GIT_PRIV_H

#include <git2.h>

#include "gatehouse/base/err.h"

/* Set err from libgit2's last error, prefixed by what; returns code. */
int gth_git_error(struct gth_err *err, int code, const char *what);
/* Parse a full 40-hex id; -GTH_E_INVAL otherwise. */
int gth_git_parse_oid(git_oid *oid, const char *hex, struct gth_err *err);
/* Copy a blob (at most max bytes) into a malloc'ed NUL-terminated buffer. */
int gth_git_blob_copy(git_repository *repo, const git_oid *oid, size_t max, char **data,
	size_t *len, struct gth_err *err);

#endif
