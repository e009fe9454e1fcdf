/* String helpers and string lists. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"

bool
gth_str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
gth_str_has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

bool
gth_str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

size_t
gth_strlcpy(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);

	if (n > 0) {
		size_t c = len < n - 1 ? len : n - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return len;
}

int
gth_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -GTH_E_PARSE;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -GTH_E_PARSE;
	*out = v;
	return 0;
}

int
gth_parse_duration_ms(const char *s, long *out)
{
	char *end;
	long v, mul;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -GTH_E_PARSE;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0)
		return -GTH_E_PARSE;
	if (*end == '\0' || strcmp(end, "s") == 0)
		mul = 1000;
	else if (strcmp(end, "ms") == 0)
		mul = 1;
	else if (strcmp(end, "m") == 0)
		mul = 60 * 1000;
	else if (strcmp(end, "h") == 0)
		mul = 3600 * 1000;
	else
		return -GTH_E_PARSE;
	if (v > 1000L * 1000 * 1000 / mul * 1000)
		return -GTH_E_PARSE;
	*out = v * mul;
	return 0;
}

int
gth_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	if (s == NULL)
		return -GTH_E_PARSE;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -GTH_E_PARSE;
}

char *
gth_str_dup_nul_visible(const char *s, size_t len)
{
	size_t i, n = 0, nuls = 0;
	char *out;

	for (i = 0; i < len; i++)
		nuls += s[i] == '\0';
	out = xmalloc(len + nuls + 1);
	for (i = 0; i < len; i++) {
		if (s[i] == '\0') {
			out[n++] = '^';
			out[n++] = '@';
		} else {
			out[n++] = s[i];
		}
	}
	out[n] = '\0';
	return out;
}

int
gth_parse_pr_ref(const char *s, char **repo, long *number)
{
	const char *hash = strrchr(s, '#');
	const char *slash = strchr(s, '/');
	long n;

	*repo = NULL;
	if (hash == NULL || slash == NULL || slash > hash || slash == s || slash + 1 == hash)
		return -GTH_E_PARSE;
	if (gth_parse_long(hash + 1, 1, 1L << 40, &n) != 0)
		return -GTH_E_PARSE;
	*repo = xstrndup(s, (size_t)(hash - s));
	*number = n;
	return 0;
}

void
gth_strvec_push(struct gth_strvec *sv, const char *s)
{
	GTH_PUSH(sv->v, sv->n, sv->cap) = xstrdup(s);
}

void
gth_strvec_push_take(struct gth_strvec *sv, char *s)
{
	GTH_PUSH(sv->v, sv->n, sv->cap) = s;
}

bool
gth_strvec_has(const struct gth_strvec *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

void
gth_strvec_clear(struct gth_strvec *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

void
gth_strvec_extend(struct gth_strvec *dst, const struct gth_strvec *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		gth_strvec_push(dst, src->v[i]);
}
