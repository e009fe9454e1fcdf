/* Viewed marks per PR, one atomically replaced file each; paths percent-encoded. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/decide/fsutil.h"
#include "gatehouse/decide/viewed.h"

#define MAGIC "gatehouse-viewed 1\n"
#define PATH_MAX_BYTES 4096
/* The file's cap: when a save would pass it, the oldest marks go. */
#define FILE_MAX ((size_t)1024 * 1024)

static const char hex[] = "0123456789abcdef";

/*
 * Encode s so it holds no space, control byte or '%': one field of a line.
 * As a name, no '/' or leading '.' either: one path component.
 */
static void
encode(struct gth_buf *b, const char *s, bool as_name)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p <= ' ' || *p >= 0x7f || *p == '%' ||
		    (as_name && (*p == '/' || (p == (const unsigned char *)s && *p == '.')))) {
			gth_buf_addc(b, '%');
			gth_buf_addc(b, hex[*p >> 4]);
			gth_buf_addc(b, hex[*p & 15]);
		} else {
			gth_buf_addc(b, (char)*p);
		}
	}
}

/* The value of a lower-case hex digit (what encode writes), or -1. */
static int
unhex(int c)
{
	const char *h = c != '\0' ? strchr(hex, c) : NULL;

	return h != NULL ? (int)(h - hex) : -1;
}

/* Decode s[0..n) into a new string; NULL when malformed or it decodes to a NUL. */
static char *
decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi = i + 2 < n ? unhex((unsigned char)s[i + 1]) : -1;
			int lo = hi >= 0 ? unhex((unsigned char)s[i + 2]) : -1;

			if (lo < 0 || (hi == 0 && lo == 0))
				goto bad;
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else if ((unsigned char)s[i] <= ' ') {
			goto bad;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static bool
is_oid(const char *s, bool may_be_empty)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0)
		return may_be_empty;
	if (n != 40)	/* SHA-1 ids: what the forges and the mirror use */
		return false;
	return strspn(s, "0123456789abcdef") == n;
}

static int
viewed_path(const char *state_dir, const char *forge, const char *repo, long number,
	char **dir, char **file, struct gth_err *err)
{
	struct gth_buf b;

	if (forge == NULL || *forge == '\0' || repo == NULL || *repo == '\0' || number <= 0 ||
	    strlen(forge) > 200 || strlen(repo) > 400)
		return gth_err_set(err, -GTH_E_INVAL, "viewed marks: bad forge, repository or number");
	gth_buf_init(&b, 0);
	gth_buf_addf(&b, "%s/viewed/", state_dir);
	encode(&b, forge, true);
	gth_buf_addc(&b, '/');
	encode(&b, repo, true);
	*dir = gth_buf_take(&b, NULL);
	*file = xasprintf("%s/%ld", *dir, number);
	return 0;
}

static void
mark_drop(struct gth_viewed *v, size_t i)
{
	free(v->v[i].path);
	memmove(&v->v[i], &v->v[i + 1], (v->n - i - 1) * sizeof(v->v[0]));
	v->n--;
}

/* One line: "<head> <blob or -> <encoded path>". */
static int
parse_line(struct gth_viewed *v, size_t *cap, const char *line, size_t len)
{
	const char *sp1 = memchr(line, ' ', len), *sp2;
	struct gth_viewed_mark m;

	memset(&m, 0, sizeof(m));
	if (sp1 == NULL || sp1 - line != 40)
		return -1;
	sp2 = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - line));
	if (sp2 == NULL || (sp2 - sp1 - 1 != 40 && sp2 - sp1 - 1 != 1))
		return -1;
	memcpy(m.head, line, 40);
	if (sp2 - sp1 - 1 == 40)
		memcpy(m.blob, sp1 + 1, 40);
	else if (sp1[1] != '-')
		return -1;
	if (!is_oid(m.head, false) || !is_oid(m.blob, true))
		return -1;
	m.path = decode(sp2 + 1, len - (size_t)(sp2 + 1 - line));
	if (m.path == NULL || *m.path == '\0' || strlen(m.path) > PATH_MAX_BYTES) {
		free(m.path);
		return -1;
	}
	if (v->n >= GTH_VIEWED_MAX)
		mark_drop(v, 0);
	GTH_PUSH(v->v, v->n, *cap) = m;
	return 0;
}

int
gth_viewed_load(const char *state_dir, const char *forge, const char *repo, long number,
	struct gth_viewed *out, struct gth_err *err)
{
	char *dir = NULL, *file = NULL, *text = NULL;
	size_t len = 0, cap = 0;
	const char *p, *end, *nl;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = viewed_path(state_dir, forge, repo, number, &dir, &file, err)) != 0)
		return r;
	r = gth_fs_read_file(file, FILE_MAX, &text, &len, err);
	if (r == -GTH_E_NOTFOUND) {
		gth_err_clear(err);
		r = 0;
		goto out;
	}
	if (r != 0)
		goto out;
	if (len < strlen(MAGIC) || memcmp(text, MAGIC, strlen(MAGIC)) != 0) {
		r = gth_err_set(err, -GTH_E_PARSE, "%s: not a viewed-marks file", file);
		goto out;
	}
	end = text + len;
	for (p = text + strlen(MAGIC); p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL || parse_line(out, &cap, p, (size_t)(nl - p)) != 0) {
			r = gth_err_set(err, -GTH_E_PARSE, "%s: damaged after %zu marks", file, out->n);
			goto out;
		}
	}
out:
	free(text);
	free(dir);
	free(file);
	return r;
}

int
gth_viewed_set(const char *state_dir, const char *forge, const char *repo, long number,
	const char *path, const char *head, const char *blob, bool viewed, struct gth_err *err)
{
	struct gth_viewed v;
	struct gth_buf b;
	struct gth_strvec lines = GTH_STRVEC_INIT;
	char *dir = NULL, *file = NULL;
	size_t cap, used = strlen(MAGIC);
	int r;

	memset(&v, 0, sizeof(v));
	gth_buf_init(&b, 0);
	if (path == NULL || *path == '\0' || strlen(path) > PATH_MAX_BYTES ||
	    !is_oid(head, false) || !is_oid(blob, true)) {
		r = gth_err_set(err, -GTH_E_INVAL, "viewed marks: bad path, head or blob");
		goto out;
	}
	if ((r = viewed_path(state_dir, forge, repo, number, &dir, &file, err)) != 0)
		goto out;
	/* A damaged file is replaced by what could be read of it. */
	if ((r = gth_viewed_load(state_dir, forge, repo, number, &v, err)) != 0 &&
	    r != -GTH_E_PARSE)
		goto out;
	for (size_t i = v.n; i-- > 0;)
		if (strcmp(v.v[i].path, path) == 0)
			mark_drop(&v, i);
	if (viewed) {
		struct gth_viewed_mark m;

		memset(&m, 0, sizeof(m));
		m.path = xstrdup(path);
		gth_strlcpy(m.head, head, sizeof(m.head));
		gth_strlcpy(m.blob, blob != NULL ? blob : "", sizeof(m.blob));
		if (v.n >= GTH_VIEWED_MAX)
			mark_drop(&v, 0);
		cap = v.n;
		GTH_PUSH(v.v, v.n, cap) = m;
	}
	/* Newest first into lines, then as many of the newest as fit, oldest first. */
	for (size_t i = v.n; i-- > 0;) {
		struct gth_buf line;

		gth_buf_init(&line, 0);
		gth_buf_addf(&line, "%s %s ", v.v[i].head, v.v[i].blob[0] != '\0' ? v.v[i].blob : "-");
		encode(&line, v.v[i].path, false);
		gth_buf_addc(&line, '\n');
		if (used + line.len > FILE_MAX) {
			gth_buf_release(&line);
			break;
		}
		used += line.len;
		gth_strvec_push_take(&lines, gth_buf_take(&line, NULL));
	}
	gth_buf_adds(&b, MAGIC);
	for (size_t i = lines.n; i-- > 0;)
		gth_buf_adds(&b, lines.v[i]);
	if ((r = gth_fs_mkdirs(dir, err)) == 0)
		r = gth_fs_write_atomic(file, b.data, b.len, err);
out:
	gth_viewed_release(&v);
	gth_strvec_clear(&lines);
	gth_buf_release(&b);
	free(dir);
	free(file);
	return r;
}

bool
gth_viewed_holds(const struct gth_viewed *v, const char *path, const char *head,
	const char *blob)
{
	for (size_t i = 0; path != NULL && i < v->n; i++) {
		const struct gth_viewed_mark *m = &v->v[i];

		if (strcmp(m->path, path) != 0)
			continue;
		if (gth_str_eq(m->head, head))
			return true;
		if (m->blob[0] != '\0' && gth_str_eq(m->blob, blob))
			return true;
	}
	return false;
}

void
gth_viewed_release(struct gth_viewed *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i].path);
	free(v->v);
	memset(v, 0, sizeof(*v));
}
