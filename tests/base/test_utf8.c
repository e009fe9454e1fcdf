/*
 * The strict UTF-8 decoder: every length boundary, the surrogate and
 * U+10FFFF edges, overlongs, truncation and stray bytes.  Anything it lets
 * through reaches the screen, so what it refuses matters as much as what it
 * accepts.
 */
#include "config.h"

#include <string.h>

#include "gatehouse/base/sanitize.h"
#include "../fuzz/check_sanitized.h"
#include "tap.h"

struct dcase {
	const char *what;
	const char *in;
	size_t len;
	int n;			/* bytes consumed, -1 invalid */
	uint32_t cp;
};

static const struct dcase cases[] = {
	{ "U+0000", "\0", 1, 1, 0x0 },
	{ "U+007F", "\x7f", 1, 1, 0x7f },
	{ "U+0080", "\xc2\x80", 2, 2, 0x80 },
	{ "U+07FF", "\xdf\xbf", 2, 2, 0x7ff },
	{ "U+0800", "\xe0\xa0\x80", 3, 3, 0x800 },
	{ "U+D7FF", "\xed\x9f\xbf", 3, 3, 0xd7ff },
	{ "U+E000", "\xee\x80\x80", 3, 3, 0xe000 },
	{ "U+FFFD", "\xef\xbf\xbd", 3, 3, 0xfffd },
	{ "U+FFFF", "\xef\xbf\xbf", 3, 3, 0xffff },
	{ "U+10000", "\xf0\x90\x80\x80", 4, 4, 0x10000 },
	{ "U+10FFFF", "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff },
	{ "U+E0041 tag", "\xf3\xa0\x81\x81", 4, 4, 0xe0041 },
	{ "decodes only the first code point", "ab", 2, 1, 'a' },
	{ "2-byte followed by more", "\xc3\xa9z", 3, 2, 0xe9 },
	/* Refused. */
	{ "U+D800 surrogate", "\xed\xa0\x80", 3, -1, 0 },
	{ "U+DFFF surrogate", "\xed\xbf\xbf", 3, -1, 0 },
	{ "U+110000", "\xf4\x90\x80\x80", 4, -1, 0 },
	{ "F5 lead byte", "\xf5\x80\x80\x80", 4, -1, 0 },
	{ "FF byte", "\xff", 1, -1, 0 },
	{ "FE byte", "\xfe", 1, -1, 0 },
	{ "C0 lead (overlong)", "\xc0\xaf", 2, -1, 0 },
	{ "C1 lead (overlong)", "\xc1\xbf", 2, -1, 0 },
	{ "overlong U+007F in 3 bytes", "\xe0\x81\xbf", 3, -1, 0 },
	{ "overlong U+07FF in 3 bytes", "\xe0\x9f\xbf", 3, -1, 0 },
	{ "overlong U+FFFF in 4 bytes", "\xf0\x8f\xbf\xbf", 4, -1, 0 },
	{ "overlong NUL in 4 bytes", "\xf0\x80\x80\x80", 4, -1, 0 },
	{ "lone continuation 80", "\x80", 1, -1, 0 },
	{ "lone continuation BF", "\xbf", 1, -1, 0 },
	{ "2-byte truncated", "\xc3", 1, -1, 0 },
	{ "3-byte truncated", "\xe2\x82", 2, -1, 0 },
	{ "4-byte truncated", "\xf0\x9f\x98", 3, -1, 0 },
	{ "continuation replaced by ASCII", "\xe2\x28\xa1", 3, -1, 0 },
	{ "continuation replaced by lead", "\xc3\xc3", 2, -1, 0 },
	{ "length shorter than sequence", "\xe2\x82\xac", 2, -1, 0 },
	{ "empty input", "", 0, -1, 0 },
};

int
main(void)
{
	size_t i;
	uint32_t cp, bad = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n;

		cp = 0xdeadbeef;
		n = gth_utf8_decode(cases[i].in, cases[i].len, &cp);
		is_int(n, cases[i].n, "%s: length", cases[i].what);
		if (cases[i].n > 0)
			is_int(cp, cases[i].cp, "%s: code point", cases[i].what);
	}

	/* Round trip of every scalar value through a reference encoder. */
	for (cp = 0; cp <= 0x10ffff; cp++) {
		char b[4];
		uint32_t got = 0;
		int n, want;

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		want = (int)utf8_encode(cp, b);
		n = gth_utf8_decode(b, (size_t)want, &got);
		if (n != want || got != cp)
			bad++;
		/* One byte short is always refused. */
		if (want > 1 && gth_utf8_decode(b, (size_t)want - 1, &got) != -1)
			bad++;
	}
	is_int(bad, 0, "every scalar value decodes, and none decodes when cut short");

	/* Every two-byte sequence: accepted exactly when it is C2-DF then 80-BF. */
	bad = 0;
	for (i = 0; i < 0x10000; i++) {
		unsigned char b[2] = { (unsigned char)(i >> 8), (unsigned char)i };
		int n = gth_utf8_decode((const char *)b, 2, &cp);
		int want = -1;

		if (b[0] < 0x80)
			want = 1;
		else if (b[0] >= 0xc2 && b[0] <= 0xdf && (b[1] & 0xc0) == 0x80)
			want = 2;

		if (n != want)
			bad++;
	}
	is_int(bad, 0, "two-byte sequences: only C2..DF + continuation decode");
	return done_testing();
}
