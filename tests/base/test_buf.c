/* Buffer behaviour callers rely on: NUL termination, caps, take. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/err.h"
#include "tap.h"

int
main(void)
{
	struct gth_buf b;
	char *s;
	size_t len;
	int i, r = 0;

	gth_buf_init(&b, 0);
	is_str(gth_buf_str(&b), "", "an empty buffer reads as the empty string");
	gth_buf_adds(&b, "head ");
	gth_buf_addf(&b, "%s=%d", "sha", 42);
	gth_buf_addc(&b, '!');
	is_str(b.data, "head sha=42!", "appends concatenate and stay NUL-terminated");
	for (i = 0; i < 10000; i++)
		r |= gth_buf_adds(&b, "0123456789");
	is_int(r, 0, "growing to 100 KB succeeds");
	is_int(b.len, 12 + 100000, "length counts every byte appended");
	s = gth_buf_take(&b, &len);
	is_int(len, 100012, "take hands over the length");
	ok(b.data == NULL && b.len == 0, "take leaves the buffer empty");
	free(s);

	gth_buf_init(&b, 8);
	is_int(gth_buf_adds(&b, "12345678"), 0, "a capped buffer accepts up to its cap");
	is_int(gth_buf_adds(&b, "9"), -GTH_E_TOOBIG, "one byte past the cap is refused");
	is_str(b.data, "12345678", "a refused append leaves the contents alone");
	is_int(gth_buf_addf(&b, "%d", 1), -GTH_E_TOOBIG, "formatted appends honour the cap too");
	gth_buf_release(&b);

	gth_buf_init(&b, 0);
	gth_buf_add(&b, "a\0b", 3);
	is_int(b.len, 3, "binary data with NUL bytes keeps its length");
	ok(memcmp(b.data, "a\0b", 4) == 0, "binary data is stored as given, then NUL-terminated");
	gth_buf_release_secret(&b);
	return done_testing();
}
