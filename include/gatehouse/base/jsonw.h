/*
 * Writing JSON text for `--json` output (app/ may not use jansson; DESIGN.md
 * §2 keeps it in forge/ and decide/).  Strings are escaped per RFC 8259;
 * callers sanitize untrusted text first, so the output is safe to print.
 */
#ifndef GATEHOUSE_BASE_JSONW_H
#define GATEHOUSE_BASE_JSONW_H

#include <stdbool.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/str.h"

/* Append s as a JSON string ("null" for NULL). */
void gth_jsonw_str(struct gth_buf *b, const char *s);
/* Append "key": (with a leading comma unless first). */
void gth_jsonw_key(struct gth_buf *b, bool *first, const char *key);
/* Append an array of strings. */
void gth_jsonw_strvec(struct gth_buf *b, const struct gth_strvec *sv);

#endif
