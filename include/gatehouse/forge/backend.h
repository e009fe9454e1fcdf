/*
 * What every forge backend shares (forge.c and the backends only): the
 * instance header that gth_forge_* wrappers dispatch on.
 */
#ifndef GATEHOUSE_FORGE_BACKEND_H
#define GATEHOUSE_FORGE_BACKEND_H

#include "gatehouse/forge/forge.h"
#include "gatehouse/forge/http.h"

struct gth_forge {
	const struct gth_forge_ops *ops;
	struct gth_forge_config cfg;	/* deep copy, defaults filled in */
	char *host;			/* host[:port] of web_url */
	char *token;			/* secret; zeroed on free */
	struct gth_http *http;
};

/* Deep copy of a config (strings and lists). */
void gth_forge_config_copy(struct gth_forge_config *dst, const struct gth_forge_config *src);

#endif
