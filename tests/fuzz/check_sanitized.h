/*
 * The sanitizer's output invariant, shared by the unit test and the fuzz
 * targets: valid UTF-8; no byte below 0x20 except '\n' / '\t' when the flags
 * keep them; no DEL, no ESC, no C1 code point; runs in order, covering the
 * text exactly, none empty.  Returns NULL when it holds, else what broke.
 */
#ifndef GATEHOUSE_TESTS_CHECK_SANITIZED_H
#define GATEHOUSE_TESTS_CHECK_SANITIZED_H

#include <string.h>

#include "gatehouse/base/sanitize.h"

static inline const char *
check_sanitized(const struct gth_sanitized *s, unsigned flags)
{
	size_t i = 0, r, off = 0;

	if (s->text == NULL || s->text[s->len] != '\0')
		return "text not NUL-terminated";
	while (i < s->len) {
		unsigned char c = (unsigned char)s->text[i];
		uint32_t cp;
		int n;

		if (c < 0x20) {
			if (!((c == '\n' && (flags & GTH_SAN_KEEP_NEWLINES)) ||
			      (c == '\t' && (flags & GTH_SAN_KEEP_TABS))))
				return "control byte in output";
		}
		if (c == 0x7f)
			return "DEL in output";
		n = gth_utf8_decode(s->text + i, s->len - i, &cp);
		if (n < 0)
			return "invalid UTF-8 in output";
		if (cp >= 0x80 && cp <= 0x9f)
			return "C1 control in output";
		i += (size_t)n;
	}
	for (r = 0; r < s->n_runs; r++) {
		if (s->runs[r].off != off || s->runs[r].len == 0)
			return "runs not contiguous";
		if ((unsigned)s->runs[r].cls >= GTH_TEXT__COUNT)
			return "bad run class";
		off += s->runs[r].len;
	}
	if (off != s->len)
		return "runs do not cover the text";
	return NULL;
}

/* Reference encoder for the tests: cp must be a scalar value. */
static inline size_t
utf8_encode(uint32_t cp, char *b)
{
	if (cp < 0x80) {
		b[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (char)(0xf0 | (cp >> 18));
	b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	b[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

#endif
