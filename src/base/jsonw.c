/* Minimal JSON text writer for --json output. */
#include "config.h"

#include "gatehouse/base/jsonw.h"

void
gth_jsonw_str(struct gth_buf *b, const char *s)
{
	if (s == NULL) {
		gth_buf_adds(b, "null");
		return;
	}
	gth_buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"':
			gth_buf_adds(b, "\\\"");
			break;
		case '\\':
			gth_buf_adds(b, "\\\\");
			break;
		case '\n':
			gth_buf_adds(b, "\\n");
			break;
		case '\t':
			gth_buf_adds(b, "\\t");
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				gth_buf_addf(b, "\\u%04x", c);
			else
				gth_buf_addc(b, (char)c);
		}
	}
	gth_buf_addc(b, '"');
}

void
gth_jsonw_key(struct gth_buf *b, bool *first, const char *key)
{
	if (!*first)
		gth_buf_addc(b, ',');
	*first = false;
	gth_jsonw_str(b, key);
	gth_buf_addc(b, ':');
}

void
gth_jsonw_strvec(struct gth_buf *b, const struct gth_strvec *sv)
{
	size_t i;

	gth_buf_addc(b, '[');
	for (i = 0; i < sv->n; i++) {
		if (i > 0)
			gth_buf_addc(b, ',');
		gth_jsonw_str(b, sv->v[i]);
	}
	gth_buf_addc(b, ']');
}
