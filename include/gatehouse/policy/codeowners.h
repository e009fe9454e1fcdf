/*
 * CODEOWNERS, as GitHub reads it: one "pattern owner..." per line, '#'
 * comments, gitignore-style patterns (with CODEOWNERS' own rule for a final lone star),
 * and the LAST matching line wins (a line with no owners un-owns the path).
 * The text comes from the base commit of a PR; it is untrusted and capped.
 */
#ifndef GATEHOUSE_POLICY_CODEOWNERS_H
#define GATEHOUSE_POLICY_CODEOWNERS_H

#include <stddef.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/str.h"

struct gth_codeowners;

/*
 * Parse text (len bytes; need not be NUL-terminated).  Lines with a pattern
 * that cannot be compiled are skipped, as GitHub skips them; *skipped (may
 * be NULL) receives their count.  *out is freed with gth_codeowners_free.
 * -GTH_E_TOOBIG above 3 MB (GitHub's own limit).
 */
int gth_codeowners_parse(const char *text, size_t len, struct gth_codeowners **out,
	size_t *skipped, struct gth_err *err);
void gth_codeowners_free(struct gth_codeowners *co);

/*
 * Owners of path ("@user", "@org/team", or an e-mail address, as written) from
 * the last matching line, or NULL when no line matches or it lists nobody.
 * Valid while co lives.
 */
const struct gth_strvec *gth_codeowners_for_path(const struct gth_codeowners *co,
	const char *path);

#endif
