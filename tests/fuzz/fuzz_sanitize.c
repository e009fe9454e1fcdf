/*
 * libFuzzer target for the sanitizer.  The first byte picks the flags, the
 * rest is the text.  Aborts when the output breaks the invariant of
 * sanitize.h, when sanitizing twice changes the text, when printable ASCII
 * is altered, or when gth_sanitize_str disagrees with gth_sanitize.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/sanitize.h"
#include "check_sanitized.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Reused across inputs, as the UI reuses one per screen line. */
	static struct gth_sanitized s, again;
	const char *in = (const char *)data + 1;
	unsigned flags;
	size_t len, i;
	bool ascii = true;
	char *str;

	if (size == 0)
		return 0;
	flags = data[0] & 7;
	len = size - 1;
	gth_sanitize(in, len, flags, &s);
	if (check_sanitized(&s, flags) != NULL)
		abort();
	for (i = 0; i < len; i++)
		if ((unsigned char)in[i] < 0x20 || (unsigned char)in[i] >= 0x7f)
			ascii = false;
	if (ascii && (s.len != len || memcmp(s.text, in, len) != 0 ||
	    gth_text_warnings_total(&s.warn) != 0))
		abort();
	if (gth_text_width(s.text, s.len) > s.len)
		abort();
	/* Safe text is a fixed point: tokens are printable ASCII. */
	gth_sanitize(s.text, s.len, flags, &again);
	if (again.len != s.len || memcmp(again.text, s.text, s.len) != 0)
		abort();
	str = gth_sanitize_str(in, len, flags, NULL);
	if (strlen(str) != s.len || memcmp(str, s.text, s.len) != 0)
		abort();
	free(str);
	return 0;
}
