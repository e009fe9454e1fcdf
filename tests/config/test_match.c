/* Policy path patterns behave as gitignore (and CODEOWNERS) patterns do. */
#include "config.h"

#include "gatehouse/base/err.h"
#include "gatehouse/config/match.h"
#include "tap.h"

int
main(void)
{
	static const struct {
		const char *pattern;
		unsigned flags;
		const char *path;
		bool want;
	} cases[] = {
		{ "*.md", 0, "README.md", true },
		{ "*.md", 0, "docs/sub/guide.md", true },
		{ "*.md", 0, "docs/guide.mdx", false },
		{ "docs/*.md", 0, "docs/a.md", true },
		{ "docs/*.md", 0, "docs/sub/a.md", false },
		{ "docs/*.md", 0, "x/docs/a.md", false },
		{ "**/auth/**", 0, "src/auth/login.c", true },
		{ "**/auth/**", 0, "auth/login.c", true },
		{ "**/auth/**", 0, "src/oauth/login.c", false },
		{ "**/auth/**", 0, "src/auth", false },
		{ ".github/workflows/**", 0, ".github/workflows/ci.yml", true },
		{ ".github/workflows/**", 0, "x/.github/workflows/ci.yml", false },
		{ "CODEOWNERS", 0, "CODEOWNERS", true },
		{ "CODEOWNERS", 0, ".github/CODEOWNERS", true },
		{ "CODEOWNERS", 0, "CODEOWNERS.bak", false },
		{ "/CODEOWNERS", 0, ".github/CODEOWNERS", false },
		{ "vendor/", 0, "vendor/x/y.go", true },
		{ "vendor/", 0, "vendor", false },
		{ "vendor", 0, "lib/vendor/x.go", true },
		{ "requirements*.txt", 0, "requirements-dev.txt", true },
		{ "requirements*.txt", 0, "py/requirements.txt", true },
		{ "a/**/b", 0, "a/b", true },
		{ "a/**/b", 0, "a/x/y/b", true },
		{ "a/**/b", 0, "a/x/y/c", false },
		{ "db/migrations", 0, "db/migrations/001.sql", true },
		{ "[Mm]akefile", 0, "src/Makefile", true },
		{ "?.c", 0, "ab.c", false },
		{ "!important", 0, "x", false },
		{ "docs/*", 0, "docs/sub/a.md", true },
		{ "docs/*", GTH_GLOB_CODEOWNERS, "docs/a.md", true },
		{ "docs/*", GTH_GLOB_CODEOWNERS, "docs/sub/a.md", false },
		{ "/build/logs/", GTH_GLOB_CODEOWNERS, "build/logs/x/y.log", true },
		{ "*.js", GTH_GLOB_CODEOWNERS, "src/app.js", true },
		{ "semgrep*", GTH_GLOB_NAME, "semgrep-oss", true },
		{ "semgrep*", GTH_GLOB_NAME, "codeql", false },
		{ "CI / test*", GTH_GLOB_NAME, "CI / test (ubuntu)", true },
		{ "codeql", GTH_GLOB_NAME, "CodeQL", false },
		{ "codeql", GTH_GLOB_NAME, "codeql", true },
	};
	static const char *const refused[] = { "", "!x", "/" };
	struct gth_glob *g;
	struct gth_err err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(gth_glob_match_once(cases[i].pattern, cases[i].flags, cases[i].path),
		    cases[i].want, "\"%s\"%s %s \"%s\"", cases[i].pattern,
		    cases[i].flags & GTH_GLOB_CODEOWNERS ? " (CODEOWNERS)" :
		    cases[i].flags & GTH_GLOB_NAME ? " (name)" : "",
		    cases[i].want ? "matches" : "does not match", cases[i].path);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		g = NULL;
		is_int(gth_glob_compile(refused[i], 0, &g, &err), -GTH_E_PARSE,
		    "pattern \"%s\" refused", refused[i]);
		ok(g == NULL, "nothing returned for \"%s\"", refused[i]);
	}
	is_int(gth_glob_compile("src/**/*.c", 0, &g, &err), 0, "compiled pattern");
	is_str(gth_glob_pattern(g), "src/**/*.c", "pattern kept as written");
	ok(gth_glob_match(g, "src/a/b/c.c") && !gth_glob_match(g, "lib/c.c"),
	    "compiled pattern reused");
	gth_glob_free(g);
	return done_testing();
}
