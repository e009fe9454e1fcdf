/*
 * SSH wire encoding (RFC 4251 §5): uint32 big-endian, string = uint32 length
 * + bytes.  A reader walks a borrowed byte range and fails with
 * -GTH_E_PARSE on anything short; it never allocates.  Writers append to a
 * struct gth_buf (whose cap, when set, bounds the result).
 */
#ifndef GATEHOUSE_SIGN_WIRE_H
#define GATEHOUSE_SIGN_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "gatehouse/base/buf.h"

struct gth_wire {
	const unsigned char *p;	/* borrowed */
	size_t len;		/* bytes left */
};

void gth_wire_init(struct gth_wire *w, const void *p, size_t len);
int gth_wire_u8(struct gth_wire *w, uint8_t *out);
int gth_wire_u32(struct gth_wire *w, uint32_t *out);
/* A string: *p points into the input (not NUL-terminated), *n its length. */
int gth_wire_string(struct gth_wire *w, const unsigned char **p, size_t *n);
/* A string that must equal s exactly. */
int gth_wire_expect(struct gth_wire *w, const char *s);
/* Raw bytes of fixed length. */
int gth_wire_bytes(struct gth_wire *w, size_t n, const unsigned char **p);

int gth_wire_put_u8(struct gth_buf *b, uint8_t v);
int gth_wire_put_u32(struct gth_buf *b, uint32_t v);
int gth_wire_put_string(struct gth_buf *b, const void *p, size_t n);
int gth_wire_put_cstring(struct gth_buf *b, const char *s);

/* The key type name at the start of a public key blob, newly allocated; NULL if malformed. */
char *gth_wire_key_type(const void *blob, size_t len);

/* Does the string (p, n) equal the C string s? */
int gth_wire_eq(const unsigned char *p, size_t n, const char *s);

#endif
