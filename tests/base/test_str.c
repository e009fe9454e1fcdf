/* Parsers that replace atoi & co. must refuse junk. */
#include "config.h"

#include <stdlib.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/str.h"
#include "tap.h"

int
main(void)
{
	static const struct {
		const char *in;
		int r;
		long want;
	} longs[] = {
		{ "42", 0, 42 }, { "-3", 0, -3 }, { "", -GTH_E_PARSE, 0 }, { "12x", -GTH_E_PARSE, 0 },
		{ " 1", -GTH_E_PARSE, 0 }, { "99999999999999999999", -GTH_E_PARSE, 0 },
		{ "1001", -GTH_E_PARSE, 0 },
	};
	static const struct {
		const char *in;
		int r;
		long ms;
	} durations[] = {
		{ "5", 0, 5000 }, { "250ms", 0, 250 }, { "2m", 0, 120000 }, { "1h", 0, 3600000 },
		{ "5x", -GTH_E_PARSE, 0 }, { "-1", -GTH_E_PARSE, 0 },
	};
	struct gth_strvec sv = GTH_STRVEC_INIT;
	char *repo;
	long n;
	size_t i;
	bool b;

	for (i = 0; i < sizeof(longs) / sizeof(longs[0]); i++) {
		long v = 0;
		int r = gth_parse_long(longs[i].in, -1000, 1000, &v);

		is_int(r, longs[i].r, "parse_long(\"%s\") result", longs[i].in);
		if (r == 0)
			is_int(v, longs[i].want, "parse_long(\"%s\") value", longs[i].in);
	}
	for (i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		long v = 0;
		int r = gth_parse_duration_ms(durations[i].in, &v);

		is_int(r, durations[i].r, "duration \"%s\" result", durations[i].in);
		if (r == 0)
			is_int(v, durations[i].ms, "duration \"%s\" in ms", durations[i].in);
	}
	ok(gth_parse_bool("Yes", &b) == 0 && b, "\"Yes\" is true");
	ok(gth_parse_bool("off", &b) == 0 && !b, "\"off\" is false");
	ok(gth_parse_bool("maybe", &b) != 0, "\"maybe\" is refused");

	ok(gth_parse_pr_ref("acme/api#12", &repo, &n) == 0, "owner/repo#N parses");
	is_str(repo, "acme/api", "the repository part");
	is_int(n, 12, "the number part");
	free(repo);
	ok(gth_parse_pr_ref("group/sub/proj#3", &repo, &n) == 0 && n == 3,
	    "nested GitLab paths parse");
	is_str(repo, "group/sub/proj", "nested path kept whole");
	free(repo);
	ok(gth_parse_pr_ref("acme#12", &repo, &n) != 0, "a ref without owner is refused");
	ok(gth_parse_pr_ref("acme/api#x", &repo, &n) != 0, "a non-numeric number is refused");
	ok(gth_parse_pr_ref("acme/api#0", &repo, &n) != 0, "number 0 is refused");

	gth_strvec_push(&sv, "needs-checkpoint");
	gth_strvec_push(&sv, "infra");
	ok(gth_strvec_has(&sv, "infra") && !gth_strvec_has(&sv, "inf"), "strvec membership is exact");
	gth_strvec_clear(&sv);
	is_int(sv.n, 0, "cleared strvec is empty");

	repo = gth_str_dup_nul_visible("a\0b\0", 4);
	is_str(repo, "a^@b^@", "embedded NULs become ^@ and the text after them stays");
	free(repo);
	repo = gth_str_dup_nul_visible("plain", 5);
	is_str(repo, "plain", "text without NUL is copied as is");
	free(repo);
	return done_testing();
}
