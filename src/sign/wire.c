/* SSH wire encoding helpers (RFC 4251 §5). */
#include "config.h"

#include <string.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/sign/wire.h"

/* Key type names are short; anything longer is not a key we know. */
#define KEY_TYPE_MAX 64

void
gth_wire_init(struct gth_wire *w, const void *p, size_t len)
{
	w->p = p;
	w->len = len;
}

int
gth_wire_bytes(struct gth_wire *w, size_t n, const unsigned char **p)
{
	if (w->len < n)
		return -GTH_E_PARSE;
	*p = w->p;
	w->p += n;
	w->len -= n;
	return 0;
}

int
gth_wire_u8(struct gth_wire *w, uint8_t *out)
{
	const unsigned char *p;

	if (gth_wire_bytes(w, 1, &p) != 0)
		return -GTH_E_PARSE;
	*out = p[0];
	return 0;
}

int
gth_wire_u32(struct gth_wire *w, uint32_t *out)
{
	const unsigned char *p;

	if (gth_wire_bytes(w, 4, &p) != 0)
		return -GTH_E_PARSE;
	*out = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return 0;
}

int
gth_wire_string(struct gth_wire *w, const unsigned char **p, size_t *n)
{
	uint32_t len;
	struct gth_wire save = *w;

	if (gth_wire_u32(w, &len) != 0 || gth_wire_bytes(w, len, p) != 0) {
		*w = save;
		return -GTH_E_PARSE;
	}
	*n = len;
	return 0;
}

int
gth_wire_eq(const unsigned char *p, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(p, s, n) == 0;
}

int
gth_wire_expect(struct gth_wire *w, const char *s)
{
	const unsigned char *p;
	size_t n;

	if (gth_wire_string(w, &p, &n) != 0 || !gth_wire_eq(p, n, s))
		return -GTH_E_PARSE;
	return 0;
}

int
gth_wire_put_u8(struct gth_buf *b, uint8_t v)
{
	return gth_buf_add(b, &v, 1);
}

int
gth_wire_put_u32(struct gth_buf *b, uint32_t v)
{
	unsigned char x[4] = { v >> 24, v >> 16, v >> 8, v };

	return gth_buf_add(b, x, 4);
}

int
gth_wire_put_string(struct gth_buf *b, const void *p, size_t n)
{
	int r;

	if (n > UINT32_MAX)
		return -GTH_E_TOOBIG;
	if ((r = gth_wire_put_u32(b, (uint32_t)n)) != 0)
		return r;
	return n == 0 ? 0 : gth_buf_add(b, p, n);
}

int
gth_wire_put_cstring(struct gth_buf *b, const char *s)
{
	return gth_wire_put_string(b, s, strlen(s));
}

char *
gth_wire_key_type(const void *blob, size_t len)
{
	struct gth_wire w;
	const unsigned char *p;
	size_t n, i;

	gth_wire_init(&w, blob, len);
	if (gth_wire_string(&w, &p, &n) != 0 || n == 0 || n > KEY_TYPE_MAX)
		return NULL;
	for (i = 0; i < n; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7f)
			return NULL;
	return xstrndup((const char *)p, n);
}
