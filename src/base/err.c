/* Error code table and struct gth_err helpers. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gatehouse/base/err.h"

static const char *const messages[] = {
#define GTH_ERR_MSG(name, msg) msg,
	GTH_ERR_TABLE(GTH_ERR_MSG)
#undef GTH_ERR_MSG
};

static const char *const names[] = {
#define GTH_ERR_NAME(name, msg) #name,
	GTH_ERR_TABLE(GTH_ERR_NAME)
#undef GTH_ERR_NAME
};

static int
index_of(int code)
{
	if (code < 0)
		code = -code;
	if (code >= GTH_E_COUNT_)
		return GTH_E_INTERNAL;
	return code;
}

const char *
gth_strerror(int code)
{
	return messages[index_of(code)];
}

const char *
gth_errname(int code)
{
	return names[index_of(code)];
}

int
gth_err_set(struct gth_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	size_t i;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* Details often quote forge or repository text: keep them inert. */
	for (i = 0; err->msg[i] != '\0'; i++) {
		unsigned char c = (unsigned char)err->msg[i];

		if (c < 0x20 || c == 0x7f)
			err->msg[i] = '?';
	}
	return code;
}

void
gth_err_clear(struct gth_err *err)
{
	if (err == NULL)
		return;
	err->code = 0;
	err->status = 0;
	err->msg[0] = '\0';
}

const char *
gth_err_text(const struct gth_err *err, int code)
{
	if (err != NULL && err->msg[0] != '\0')
		return err->msg;
	return gth_strerror(code);
}
