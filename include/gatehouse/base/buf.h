/*
 * Growable byte buffer.
 *
 * Always NUL-terminated after data[len] (when data is non-NULL), so text can
 * be handed to C string functions; may also hold binary data.  A buffer may
 * carry a hard cap (max > 0): appends that would pass it fail with
 * -GTH_E_TOOBIG and leave the buffer as it was.  Everything filled from the
 * network or a repository must set a cap.
 */
#ifndef GATEHOUSE_BASE_BUF_H
#define GATEHOUSE_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct gth_buf {
	char *data;		/* owned; NULL until the first append */
	size_t len;
	size_t cap;
	size_t max;		/* 0 = no cap */
};

#define GTH_BUF_INIT { NULL, 0, 0, 0 }

void gth_buf_init(struct gth_buf *b, size_t max);
/* Free the contents; the struct can be reused after gth_buf_init. */
void gth_buf_release(struct gth_buf *b);
/* Like release, zeroing the bytes first (for secrets). */
void gth_buf_release_secret(struct gth_buf *b);
/* Forget the contents but keep the allocation. */
void gth_buf_reset(struct gth_buf *b);

int gth_buf_add(struct gth_buf *b, const void *p, size_t n);
int gth_buf_adds(struct gth_buf *b, const char *s);
int gth_buf_addc(struct gth_buf *b, char c);
int gth_buf_addf(struct gth_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int gth_buf_vaddf(struct gth_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Hand the contents (NUL-terminated, never NULL) to the caller; b is left empty. */
char *gth_buf_take(struct gth_buf *b, size_t *len);

/* Contents as a C string; "" when empty.  Valid until the next change. */
const char *gth_buf_str(const struct gth_buf *b);

#endif
