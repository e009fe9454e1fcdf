/* CODEOWNERS parsing and lookup, GitHub's reading: the last matching line wins. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/xalloc.h"
#include "gatehouse/config/match.h"
#include "gatehouse/policy/codeowners.h"

/* GitHub ignores CODEOWNERS files above 3 MB. */
#define CODEOWNERS_MAX (3 * 1024 * 1024)

struct co_line {
	struct gth_glob *glob;
	struct gth_strvec owners;
};

struct gth_codeowners {
	struct co_line *v;
	size_t n, cap;
};

void
gth_codeowners_free(struct gth_codeowners *co)
{
	size_t i;

	if (co == NULL)
		return;
	for (i = 0; i < co->n; i++) {
		gth_glob_free(co->v[i].glob);
		gth_strvec_clear(&co->v[i].owners);
	}
	free(co->v);
	free(co);
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Next whitespace-separated word of [*p, end), honouring "\ " and "\#" escapes; NULL at end. */
static char *
next_word(const char **p, const char *end)
{
	const char *q = *p;
	char *w, *o;

	while (q < end && is_space(*q))
		q++;
	if (q >= end || *q == '#') {
		*p = end;
		return NULL;
	}
	w = o = xmalloc((size_t)(end - q) + 1);
	while (q < end && !is_space(*q)) {
		if (*q == '\\' && q + 1 < end && (is_space(q[1]) || q[1] == '#')) {
			*o++ = q[1];
			q += 2;
			continue;
		}
		*o++ = *q++;
	}
	*o = '\0';
	*p = q;
	return w;
}

static void
parse_line(struct gth_codeowners *co, const char *p, const char *end, size_t *skipped)
{
	struct gth_glob *g = NULL;
	struct co_line *l;
	char *pattern = next_word(&p, end), *owner;

	if (pattern == NULL)
		return;
	if (gth_glob_compile(pattern, GTH_GLOB_CODEOWNERS, &g, NULL) < 0) {
		(*skipped)++;
		free(pattern);
		return;
	}
	free(pattern);
	l = &GTH_PUSH(co->v, co->n, co->cap);
	l->glob = g;
	l->owners.v = NULL;
	l->owners.n = l->owners.cap = 0;
	while ((owner = next_word(&p, end)) != NULL)
		gth_strvec_push_take(&l->owners, owner);
}

int
gth_codeowners_parse(const char *text, size_t len, struct gth_codeowners **out,
	size_t *skipped, struct gth_err *err)
{
	struct gth_codeowners *co;
	const char *p = text, *end = text + len;
	size_t nskip = 0;

	*out = NULL;
	if (len > CODEOWNERS_MAX)
		return gth_err_set(err, -GTH_E_TOOBIG, "CODEOWNERS is larger than 3 MB");
	co = xcalloc(1, sizeof(*co));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl != NULL ? nl : end;

		parse_line(co, p, eol, &nskip);
		p = nl != NULL ? nl + 1 : end;
	}
	if (skipped != NULL)
		*skipped = nskip;
	*out = co;
	return 0;
}

const struct gth_strvec *
gth_codeowners_for_path(const struct gth_codeowners *co, const char *path)
{
	size_t i;

	if (co == NULL)
		return NULL;
	for (i = co->n; i-- > 0;) {
		if (gth_glob_match(co->v[i].glob, path))
			return co->v[i].owners.n > 0 ? &co->v[i].owners : NULL;
	}
	return NULL;
}
