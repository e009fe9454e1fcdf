/* CODEOWNERS: who owns a path, as GitHub decides it (last matching line wins). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/err.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/policy/codeowners.h"
#include "tap.h"

static char *
slurp_fixture(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/tests/policy/fixtures/%s", top != NULL ? top : ".", name);
	struct gth_buf b = GTH_BUF_INIT;
	char chunk[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		abort();
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		gth_buf_add(&b, chunk, n);
	fclose(f);
	free(path);
	return gth_buf_take(&b, len);
}

static char *
joined(const struct gth_strvec *sv)
{
	struct gth_buf b = GTH_BUF_INIT;
	size_t i;

	if (sv == NULL)
		return xstrdup("(none)");
	for (i = 0; i < sv->n; i++)
		gth_buf_addf(&b, "%s%s", i > 0 ? " " : "", sv->v[i]);
	return gth_buf_take(&b, NULL);
}

int
main(void)
{
	static const struct {
		const char *path;
		const char *owners;
	} cases[] = {
		{ "README.md", "@acme/everyone" },
		{ "docs/guide.md", "@acme/docs" },
		{ "docs/api/v1.md", "@acme/docs" },
		{ "src/docs/x.md", "@acme/everyone" },
		{ "src/auth/login.c", "@acme/security @alice" },
		{ "src/auth/README.md", "@bob" },
		{ "db/001_init.sql", "dba@example.com" },
		{ "vendor/lib/x.go", "(none)" },
	};
	static const char inline_text[] =
		"docs/*  @writers\n"
		"a\\ b.txt @spacey  # trailing comment\n"
		"[unclosed @nobody\n";
	struct gth_codeowners *co = NULL;
	struct gth_err err;
	size_t i, len, skipped = 99;
	char *text, *got;

	text = slurp_fixture("CODEOWNERS", &len);
	is_int(gth_codeowners_parse(text, len, &co, &skipped, &err), 0, "CODEOWNERS parses");
	is_int(skipped, 0, "no line skipped");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = joined(gth_codeowners_for_path(co, cases[i].path));
		is_str(got, cases[i].owners, "owners of %s", cases[i].path);
		free(got);
	}
	gth_codeowners_free(co);
	free(text);

	is_int(gth_codeowners_parse(inline_text, strlen(inline_text), &co, &skipped, &err), 0,
	    "inline CODEOWNERS parses");
	got = joined(gth_codeowners_for_path(co, "docs/a.md"));
	is_str(got, "@writers", "docs/* owns a direct child");
	free(got);
	ok(gth_codeowners_for_path(co, "docs/deep/a.md") == NULL,
	    "docs/* does not own nested files (GitHub's rule)");
	got = joined(gth_codeowners_for_path(co, "a b.txt"));
	is_str(got, "@spacey", "escaped space in a pattern, comment after owners");
	free(got);
	is_int(skipped, 0, "a bracket pattern is still a pattern");
	gth_codeowners_free(co);
	ok(gth_codeowners_for_path(NULL, "x") == NULL, "no CODEOWNERS, no owners");

	{
		size_t big = 3 * 1024 * 1024 + 1;
		char *huge = xmalloc(big);

		memset(huge, '#', big);
		is_int(gth_codeowners_parse(huge, big, &co, NULL, &err), -GTH_E_TOOBIG,
		    "CODEOWNERS above 3 MB refused, as GitHub ignores it");
		free(huge);
	}
	return done_testing();
}
