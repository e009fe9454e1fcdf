/* Growable, optionally capped byte buffer. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/err.h"
#include "gatehouse/base/xalloc.h"

void
gth_buf_init(struct gth_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
gth_buf_release(struct gth_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
gth_buf_release_secret(struct gth_buf *b)
{
	gth_freezero(b->data, b->cap);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
gth_buf_reset(struct gth_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static int
reserve(struct gth_buf *b, size_t extra)
{
	size_t need;

	if (extra > (size_t)-1 - b->len - 1)
		return -GTH_E_TOOBIG;
	if (b->max > 0 && b->len + extra > b->max)
		return -GTH_E_TOOBIG;
	need = b->len + extra + 1;
	if (need > b->cap)
		gth_grow(&b->data, &b->cap, need, 1);
	return 0;
}

int
gth_buf_add(struct gth_buf *b, const void *p, size_t n)
{
	int r;

	if ((r = reserve(b, n)) != 0)
		return r;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
gth_buf_adds(struct gth_buf *b, const char *s)
{
	return gth_buf_add(b, s, strlen(s));
}

int
gth_buf_addc(struct gth_buf *b, char c)
{
	return gth_buf_add(b, &c, 1);
}

int
gth_buf_vaddf(struct gth_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, r;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return -GTH_E_INVAL;
	if ((r = reserve(b, (size_t)n)) != 0)
		return r;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
gth_buf_addf(struct gth_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = gth_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

char *
gth_buf_take(struct gth_buf *b, size_t *len)
{
	char *s;

	if (b->data == NULL)
		s = xstrdup("");
	else
		s = b->data;
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

const char *
gth_buf_str(const struct gth_buf *b)
{
	return b->data != NULL ? b->data : "";
}
