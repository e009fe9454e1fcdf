/*
 * gitignore-style path patterns over libgit2's wildmatch.
 *
 * git_pathspec alone has git pathspec semantics: '*' crosses '/', and a
 * leading double-star segment needs a directory before the name.  That is
 * not what a policy author means.  So patterns are split on '/', double-star
 * segments are handled
 * here, and each other segment is matched against one path component by a
 * single-pattern git_pathspec (a component has no '/', so the difference
 * disappears).  Literal segments are compared directly.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/config/match.h"

enum seg_kind { SEG_LITERAL, SEG_GLOB, SEG_ANY };

struct seg {
	enum seg_kind kind;
	char *text;
	git_pathspec *ps;
};

struct gth_glob {
	char *pattern;
	unsigned flags;
	struct seg *segs;
	size_t n, cap;
	bool dir_only;		/* trailing '/' */
	bool no_prefix;		/* CODEOWNERS: a final lone star, direct children only */
	git_pathspec *whole;	/* GTH_GLOB_NAME */
};

static bool
has_glob(const char *s)
{
	return strpbrk(s, "*?[\\") != NULL;
}

static int initialized;

static int
new_pathspec(const char *pattern, git_pathspec **out, struct gth_err *err)
{
	/* A leading '!' or '#' would mean negation or comment to libgit2: make it literal. */
	char *p = (pattern[0] == '!' || pattern[0] == '#') ? xasprintf("\\%s", pattern) :
	    xstrdup(pattern);
	char *arr[1] = { p };
	git_strarray sa = { arr, 1 };
	int r = 0;

	if (!initialized) {
		/* Reference-counted by libgit2; never shut down while patterns live. */
		git_libgit2_init();
		initialized = 1;
	}
	if (git_pathspec_new(out, &sa) < 0) {
		const git_error *ge = git_error_last();

		r = gth_err_set(err, -GTH_E_PARSE, "pattern \"%s\": %s", pattern,
		    ge != NULL ? ge->message : "invalid");
	}
	free(p);
	return r;
}

void
gth_glob_free(struct gth_glob *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->n; i++) {
		free(g->segs[i].text);
		git_pathspec_free(g->segs[i].ps);
	}
	free(g->segs);
	git_pathspec_free(g->whole);
	free(g->pattern);
	free(g);
}

static int
add_seg(struct gth_glob *g, const char *text, size_t len, struct gth_err *err)
{
	struct seg *s = &GTH_PUSH(g->segs, g->n, g->cap);

	s->text = xstrndup(text, len);
	s->ps = NULL;
	if (strcmp(s->text, "**") == 0) {
		s->kind = SEG_ANY;
		return 0;
	}
	if (!has_glob(s->text)) {
		s->kind = SEG_LITERAL;
		return 0;
	}
	s->kind = SEG_GLOB;
	return new_pathspec(s->text, &s->ps, err);
}

int
gth_glob_compile(const char *pattern, unsigned flags, struct gth_glob **out, struct gth_err *err)
{
	struct gth_glob *g = NULL;
	const char *p, *end;
	size_t len;
	int r;

	*out = NULL;
	if (pattern == NULL || *pattern == '\0')
		return gth_err_set(err, -GTH_E_PARSE, "empty pattern");
	if (pattern[0] == '!')
		return gth_err_set(err, -GTH_E_PARSE, "pattern \"%s\": negation is not supported",
		    pattern);
	g = xcalloc(1, sizeof(*g));
	g->pattern = xstrdup(pattern);
	g->flags = flags;
	if (flags & GTH_GLOB_NAME) {
		if (has_glob(pattern) && (r = new_pathspec(pattern, &g->whole, err)) < 0)
			goto out;
		r = 0;
		goto out;
	}
	p = pattern;
	len = strlen(p);
	if (len > 1 && p[len - 1] == '/') {
		g->dir_only = true;
		len--;
	}
	end = p + len;
	/* Slashless patterns match at any depth: as if prefixed with a "**" segment. */
	if (memchr(p, '/', len) == NULL) {
		if ((r = add_seg(g, "**", 2, err)) < 0)
			goto out;
	} else if (*p == '/') {
		p++;
	}
	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		const char *segend = slash != NULL ? slash : end;

		/* "a//b" collapses, as git does. */
		if (segend > p && (r = add_seg(g, p, (size_t)(segend - p), err)) < 0)
			goto out;
		p = slash != NULL ? slash + 1 : end;
	}
	if (g->n == 0) {
		r = gth_err_set(err, -GTH_E_PARSE, "pattern \"%s\" matches nothing", pattern);
		goto out;
	}
	g->no_prefix = (flags & GTH_GLOB_CODEOWNERS) && !g->dir_only &&
	    strcmp(g->segs[g->n - 1].text, "*") == 0;
	r = 0;
out:
	if (r < 0)
		gth_glob_free(g);
	else
		*out = g;
	return r;
}

static bool
seg_match(const struct seg *s, const char *comp)
{
	if (s->kind == SEG_LITERAL)
		return strcmp(s->text, comp) == 0;
	return git_pathspec_matches_path(s->ps, 0, comp) == 1;
}

static bool
match_from(const struct gth_glob *g, size_t pi, char **comp, size_t ci, size_t nc)
{
	while (pi < g->n) {
		const struct seg *s = &g->segs[pi];

		if (s->kind == SEG_ANY) {
			size_t k;

			/* A trailing "**" matches everything inside, not the directory itself. */
			if (pi + 1 == g->n)
				return ci < nc;
			for (k = ci; k <= nc; k++)
				if (match_from(g, pi + 1, comp, k, nc))
					return true;
			return false;
		}
		if (ci >= nc || !seg_match(s, comp[ci]))
			return false;
		pi++;
		ci++;
	}
	/* The pattern is used up: it named this path, or a directory above it. */
	if (g->dir_only)
		return ci < nc;
	return ci == nc || !g->no_prefix;
}

bool
gth_glob_match(const struct gth_glob *g, const char *path)
{
	char *copy, **comp = NULL, *p;
	size_t nc = 0, cap = 0;
	bool m;

	if (g == NULL || path == NULL)
		return false;
	if (g->flags & GTH_GLOB_NAME) {
		if (g->whole == NULL)
			return strcmp(g->pattern, path) == 0;
		return git_pathspec_matches_path(g->whole, 0, path) == 1;
	}
	copy = xstrdup(path);
	for (p = copy; *p != '\0';) {
		char *slash = strchr(p, '/');

		if (slash != NULL)
			*slash = '\0';
		if (*p != '\0')
			GTH_PUSH(comp, nc, cap) = p;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	m = nc > 0 && match_from(g, 0, comp, 0, nc);
	free(comp);
	free(copy);
	return m;
}

const char *
gth_glob_pattern(const struct gth_glob *g)
{
	return g->pattern;
}

bool
gth_glob_match_once(const char *pattern, unsigned flags, const char *path)
{
	struct gth_glob *g = NULL;
	bool m;

	if (gth_glob_compile(pattern, flags, &g, NULL) < 0)
		return false;
	m = gth_glob_match(g, path);
	gth_glob_free(g);
	return m;
}
