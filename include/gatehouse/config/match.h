/*
 * Path and name patterns, matched by libgit2.
 *
 * Path patterns follow gitignore rules: a pattern without a slash matches a
 * name at any depth ("CODEOWNERS", "*.lock"); one with a slash is anchored at
 * the repository root (a leading '/' is dropped); '*' and '?' stay within one
 * path segment; a "**" segment matches any number of segments (so
 * "a/ ** /b", without the spaces, also matches "a/b"); a trailing '/' matches
 * directories only; a
 * pattern that matches a directory matches everything under it.  Negation
 * ('!') is refused: a policy states what matches, never exceptions.
 * Segment-level globbing is libgit2's wildmatch (through git_pathspec); this
 * module only splits on '/' and handles "**".
 *
 * GTH_GLOB_CODEOWNERS follows GitHub's CODEOWNERS difference: a pattern
 * ending in a lone '*' segment matches direct children only.
 * GTH_GLOB_NAME matches a whole name such as a check run name ("semgrep*",
 * "CI / build*"): '*' crosses '/'.
 */
#ifndef GATEHOUSE_CONFIG_MATCH_H
#define GATEHOUSE_CONFIG_MATCH_H

#include <stdbool.h>

#include "gatehouse/base/err.h"

#define GTH_GLOB_CODEOWNERS	0x1
#define GTH_GLOB_NAME		0x2

struct gth_glob;

/* Compile pattern; *out is freed with gth_glob_free.  -GTH_E_PARSE (detail in err) if refused. */
int gth_glob_compile(const char *pattern, unsigned flags, struct gth_glob **out,
	struct gth_err *err);
/* Does path (relative, '/'-separated, no leading '/') or name match? */
bool gth_glob_match(const struct gth_glob *g, const char *path);
/* The pattern as written. */
const char *gth_glob_pattern(const struct gth_glob *g);
void gth_glob_free(struct gth_glob *g);

/* One-shot convenience: compile, match, free.  A bad pattern never matches. */
bool gth_glob_match_once(const char *pattern, unsigned flags, const char *path);

#endif
