/*
 * Reading git-config syntax through libgit2, with file:line for each entry.
 *
 * libgit2 parses (quoting, escapes, continuation lines, comments) and yields
 * entries in file order, but keeps no line numbers.  A light scan of the same
 * text finds where each key starts; the two lists are zipped by name, so the
 * scan never decides a value, only a line.  Includes are refused before
 * libgit2 sees the text: a repository's policy must not pull in host files.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/config/cfg.h"

/* A config file is written by hand; anything bigger is a mistake or an attack. */
#define CFG_MAX_BYTES (1024 * 1024)

/* Where the scan saw a key: "section[.sub].key" as libgit2 names it, and its line. */
struct scan_key {
	char *name;
	int line;
};

struct scan {
	struct scan_key *v;
	size_t n, cap;
	int include_line;	/* first line of an [include]/[includeIf] section, or 0 */
};

void
gth_cfg_init(struct gth_cfg *cfg)
{
	cfg->v = NULL;
	cfg->n = cfg->cap = 0;
}

static void
entry_release(struct gth_cfg_entry *e)
{
	free(e->section);
	free(e->subsection);
	free(e->key);
	free(e->value);
	free(e->origin);
}

void
gth_cfg_release(struct gth_cfg *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n; i++)
		entry_release(&cfg->v[i]);
	free(cfg->v);
	gth_cfg_init(cfg);
}

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

static void
scan_release(struct scan *sc)
{
	size_t i;

	for (i = 0; i < sc->n; i++)
		free(sc->v[i].name);
	free(sc->v);
}

/*
 * Parse a section header starting at p (just after '[').  Sets *name to the
 * libgit2 spelling of the prefix ("section" or "section.Sub") and returns the
 * position after ']' or NULL if the header is malformed (libgit2 reports it).
 */
static const char *
scan_header(const char *p, const char *end, char **name)
{
	struct gth_buf b = GTH_BUF_INIT;
	const char *q = p;

	*name = NULL;
	while (q < end && (isalnum((unsigned char)*q) || *q == '-' || *q == '.'))
		q++;
	gth_buf_add(&b, p, (size_t)(q - p));
	if (b.data != NULL)
		lower(b.data);
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	if (q < end && *q == '"') {
		gth_buf_addc(&b, '.');
		for (q++; q < end && *q != '"' && *q != '\n'; q++) {
			if (*q == '\\' && q + 1 < end)
				q++;
			gth_buf_addc(&b, *q);
		}
		if (q < end && *q == '"')
			q++;
	}
	if (q >= end || *q != ']') {
		gth_buf_release(&b);
		return NULL;
	}
	*name = gth_buf_take(&b, NULL);
	return q + 1;
}

/* Skip a value (quotes, escapes, backslash-newline continuations, comments); returns the end. */
static const char *
skip_value(const char *p, const char *end, int *line)
{
	int quoted = 0;

	while (p < end && *p != '\n') {
		if (*p == '\\' && p + 1 < end) {
			if (p[1] == '\n')
				(*line)++;
			p += 2;
			continue;
		}
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && (*p == '#' || *p == ';')) {
			while (p < end && *p != '\n')
				p++;
			break;
		}
		p++;
	}
	return p;
}

/* Record where each key starts.  Never fails: on anything odd, libgit2 has the last word. */
static void
scan_text(const char *text, size_t len, struct scan *sc)
{
	const char *p = text, *end = text + len;
	char *section = NULL;
	int line = 1;

	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p < end && *p == '[') {
			char *name = NULL;
			const char *q = scan_header(p + 1, end, &name);

			if (q == NULL)
				goto next_line;
			free(section);
			section = name;
			if (sc->include_line == 0 && (strcmp(section, "include") == 0 ||
			    gth_str_has_prefix(section, "include.") ||
			    gth_str_has_prefix(section, "includeif")))
				sc->include_line = line;
			p = q;
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
		}
		if (p < end && isalpha((unsigned char)*p) && section != NULL) {
			const char *k = p;
			struct scan_key *sk;
			char *key;

			while (p < end && (isalnum((unsigned char)*p) || *p == '-'))
				p++;
			key = xstrndup(k, (size_t)(p - k));
			lower(key);
			sk = &GTH_PUSH(sc->v, sc->n, sc->cap);
			sk->name = xasprintf("%s.%s", section, key);
			sk->line = line;
			free(key);
			p = skip_value(p, end, &line);
		}
next_line:
		while (p < end && *p != '\n')
			p++;
		if (p < end) {
			p++;
			line++;
		}
	}
	free(section);
}

/* Split a libgit2 name "section[.sub].key" into its parts (section and key already lower-case). */
static void
split_name(const char *name, char **section, char **sub, char **key)
{
	const char *dot1 = strchr(name, '.');
	const char *dot2 = strrchr(name, '.');

	if (dot1 == NULL) {
		*section = xstrdup(name);
		*sub = NULL;
		*key = xstrdup("");
		return;
	}
	*section = xstrndup(name, (size_t)(dot1 - name));
	*sub = dot1 == dot2 ? NULL : xstrndup(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	*key = xstrdup(dot2 + 1);
	lower(*section);
	lower(*key);
}

static void
push_entry(struct gth_cfg *cfg, const char *name, const char *value, const char *origin, int line)
{
	struct gth_cfg_entry *e = &GTH_PUSH(cfg->v, cfg->n, cfg->cap);

	split_name(name, &e->section, &e->subsection, &e->key);
	e->value = value != NULL ? xstrdup(value) : NULL;
	e->origin = xstrdup(origin);
	e->line = line;
}

/*
 * Turn libgit2's "failed to parse config file: WHAT (in PATH:LINE[, column C])"
 * into "origin:LINE: WHAT".
 */
static int
libgit2_error(struct gth_err *err, const char *origin)
{
	const git_error *ge = git_error_last();
	const char *msg = ge != NULL && ge->message != NULL ? ge->message : "unreadable config";
	const char *what = msg, *in;
	long line = 0;
	size_t wlen;

	if (gth_str_has_prefix(what, "failed to parse config file: "))
		what += strlen("failed to parse config file: ");
	in = strstr(what, " (in ");
	wlen = in != NULL ? (size_t)(in - what) : strlen(what);
	if (in != NULL) {
		const char *colon = strchr(in, ')');
		const char *q;

		/* The path may hold ':'; the line is the number after the last one before ')'. */
		for (q = colon; q != NULL && q > in && *q != ':'; q--)
			;
		if (q != NULL && q > in) {
			char *end = NULL;

			line = strtol(q + 1, &end, 10);
			if (end == q + 1)
				line = 0;
		}
	}
	if (line > 0)
		return gth_err_set(err, -GTH_E_CONFIG, "%s:%ld: %.*s", origin, line, (int)wlen,
		    what);
	return gth_err_set(err, -GTH_E_CONFIG, "%s: %.*s", origin, (int)wlen, what);
}

static void
libgit2_once(void)
{
	static int done;

	/* Reference-counted by libgit2; other layers may init too.  Never shut down. */
	if (!done) {
		git_libgit2_init();
		done = 1;
	}
}

struct collect {
	struct gth_cfg *cfg;
	const struct scan *sc;
	size_t next;		/* first scan key not yet matched */
	const char *origin;
};

static int
collect_cb(const git_config_entry *ge, void *payload)
{
	struct collect *c = payload;
	size_t j;
	int line = 0;

	/* Keys come in file order; look ahead for the matching name. */
	for (j = c->next; j < c->sc->n; j++) {
		const char *sn = c->sc->v[j].name;
		const char *d1 = strchr(sn, '.'), *d2 = strrchr(sn, '.');
		const char *g1 = strchr(ge->name, '.'), *g2 = strrchr(ge->name, '.');

		if (d1 == NULL || g1 == NULL)
			continue;
		if ((size_t)(d1 - sn) == (size_t)(g1 - ge->name) &&
		    strncasecmp(sn, ge->name, (size_t)(d1 - sn)) == 0 &&
		    strcasecmp(d2, g2) == 0 && (d2 - d1) == (g2 - g1) &&
		    strncmp(d1, g1, (size_t)(d2 - d1)) == 0) {
			line = c->sc->v[j].line;
			c->next = j + 1;
			break;
		}
	}
	push_entry(c->cfg, ge->name, ge->value, c->origin, line);
	return 0;
}

/* Parse path (whose text is text/len) and append its entries, naming them origin. */
static int
load_parsed(struct gth_cfg *cfg, const char *path, const char *text, size_t len,
	const char *origin, struct gth_err *err)
{
	struct scan sc = { NULL, 0, 0, 0 };
	git_config *gc = NULL;
	struct collect c;
	size_t n0 = cfg->n;
	int r;

	scan_text(text, len, &sc);
	if (sc.include_line != 0) {
		r = gth_err_set(err, -GTH_E_CONFIG, "%s:%d: include sections are not supported",
		    origin, sc.include_line);
		goto out;
	}
	if (memchr(text, '\0', len) != NULL) {
		r = gth_err_set(err, -GTH_E_CONFIG, "%s: contains a NUL byte", origin);
		goto out;
	}
	libgit2_once();
	if (git_config_new(&gc) < 0 ||
	    git_config_add_file_ondisk(gc, path, GIT_CONFIG_LEVEL_APP, NULL, 0) < 0) {
		r = libgit2_error(err, origin);
		goto out;
	}
	c.cfg = cfg;
	c.sc = &sc;
	c.next = 0;
	c.origin = origin;
	if (git_config_foreach(gc, collect_cb, &c) < 0) {
		r = libgit2_error(err, origin);
		goto out;
	}
	r = 0;
out:
	if (r < 0) {
		while (cfg->n > n0)
			entry_release(&cfg->v[--cfg->n]);
	}
	git_config_free(gc);
	scan_release(&sc);
	return r;
}

static int
read_capped(const char *path, struct gth_buf *b, struct gth_err *err)
{
	char chunk[8192];
	ssize_t got;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return gth_err_set(err, -GTH_E_NOTFOUND, "%s: no such file", path);
		if (errno == EACCES)
			return gth_err_set(err, -GTH_E_PERM, "%s: %s", path, strerror(errno));
		return gth_err_set(err, -GTH_E_IO, "%s: %s", path, strerror(errno));
	}
	for (;;) {
		got = read(fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = gth_err_set(err, -GTH_E_IO, "%s: %s", path, strerror(errno));
			break;
		}
		if (got == 0)
			break;
		if (gth_buf_add(b, chunk, (size_t)got) < 0) {
			r = gth_err_set(err, -GTH_E_TOOBIG, "%s: larger than %d bytes", path,
			    CFG_MAX_BYTES);
			break;
		}
	}
	close(fd);
	return r;
}

int
gth_cfg_load_file(struct gth_cfg *cfg, const char *path, struct gth_err *err)
{
	struct gth_buf b;
	struct stat st;
	int r;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return gth_err_set(err, -GTH_E_CONFIG, "%s: is a directory", path);
	gth_buf_init(&b, CFG_MAX_BYTES);
	r = read_capped(path, &b, err);
	if (r == 0)
		r = load_parsed(cfg, path, gth_buf_str(&b), b.len, path, err);
	gth_buf_release(&b);
	return r;
}

int
gth_cfg_load_string(struct gth_cfg *cfg, const char *text, size_t len, const char *origin,
	struct gth_err *err)
{
	const char *tmpdir = getenv("TMPDIR");
	char *path = NULL;
	size_t off = 0;
	int fd = -1, created = 0, r;

	if (len > CFG_MAX_BYTES)
		return gth_err_set(err, -GTH_E_TOOBIG, "%s: larger than %d bytes", origin,
		    CFG_MAX_BYTES);
	/* libgit2 1.5 parses files only: stage the text in a private file. */
	if (tmpdir == NULL || *tmpdir != '/')
		tmpdir = "/tmp";
	path = xasprintf("%s/gatehouse-cfg-XXXXXX", tmpdir);
	fd = mkstemp(path);
	if (fd < 0) {
		r = gth_err_set(err, -GTH_E_IO, "%s: temporary file in %s: %s", origin, tmpdir,
		    strerror(errno));
		goto out;
	}
	created = 1;
	fchmod(fd, 0600);
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r = gth_err_set(err, -GTH_E_IO, "%s: temporary file: %s", origin,
			    strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = gth_err_set(err, -GTH_E_IO, "%s: temporary file: %s", origin, strerror(errno));
		goto out;
	}
	fd = -1;
	r = load_parsed(cfg, path, text, len, origin, err);
out:
	if (fd >= 0)
		close(fd);
	if (created)
		unlink(path);
	free(path);
	return r;
}

int
gth_cfg_add_override(struct gth_cfg *cfg, const char *assignment, struct gth_err *err)
{
	const char *eq = strchr(assignment, '=');
	char *name;
	const char *d1, *d2, *p;
	int r = 0;

	name = eq != NULL ? xstrndup(assignment, (size_t)(eq - assignment)) : xstrdup(assignment);
	d1 = strchr(name, '.');
	d2 = strrchr(name, '.');
	if (d1 == NULL || d1 == name || d2[1] == '\0') {
		r = gth_err_set(err, -GTH_E_CONFIG,
		    "-c %s: expected section[.subsection].key=value", name);
		goto out;
	}
	for (p = name; p < d1; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-') {
			r = gth_err_set(err, -GTH_E_CONFIG, "-c %s: invalid section name", name);
			goto out;
		}
	}
	for (p = d2 + 1; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-') {
			r = gth_err_set(err, -GTH_E_CONFIG, "-c %s: invalid key name", name);
			goto out;
		}
	}
	/* As git does, "-c x.y" without '=' sets the boolean true. */
	push_entry(cfg, name, eq != NULL ? eq + 1 : NULL, "-c", 0);
out:
	free(name);
	return r;
}

const struct gth_cfg_entry *
gth_cfg_get(const struct gth_cfg *cfg, const char *section, const char *subsection,
	const char *key)
{
	size_t i;

	for (i = cfg->n; i-- > 0;) {
		const struct gth_cfg_entry *e = &cfg->v[i];

		if (strcasecmp(e->section, section) != 0 || strcasecmp(e->key, key) != 0)
			continue;
		if (!gth_str_eq(e->subsection, subsection))
			continue;
		return e;
	}
	return NULL;
}

const char *
gth_cfg_get_str(const struct gth_cfg *cfg, const char *section, const char *subsection,
	const char *key, const char *def)
{
	const struct gth_cfg_entry *e = gth_cfg_get(cfg, section, subsection, key);

	return e != NULL && e->value != NULL ? e->value : def;
}

int
gth_cfg_error(struct gth_err *err, const struct gth_cfg_entry *e, const char *fmt, ...)
{
	char detail[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (e == NULL)
		return gth_err_set(err, -GTH_E_CONFIG, "%s", detail);
	if (e->line > 0)
		return gth_err_set(err, -GTH_E_CONFIG, "%s:%d: %s", e->origin, e->line, detail);
	if (gth_str_eq(e->origin, "-c")) {
		char *name = xasprintf("%s.%s:", e->section, e->key);
		bool named = gth_str_has_prefix(detail, name);

		free(name);
		/* The message already names the key: do not say it twice. */
		if (named)
			return gth_err_set(err, -GTH_E_CONFIG, "-c %s", detail);
		return gth_err_set(err, -GTH_E_CONFIG, "-c %s%s%s.%s: %s", e->section,
		    e->subsection != NULL ? "." : "", e->subsection != NULL ? e->subsection : "",
		    e->key, detail);
	}
	return gth_err_set(err, -GTH_E_CONFIG, "%s: %s", e->origin, detail);
}

int
gth_cfg_entry_need(const struct gth_cfg_entry *e, struct gth_err *err)
{
	if (e->value == NULL || e->value[0] == '\0')
		return gth_cfg_error(err, e, "%s.%s needs a value", e->section, e->key);
	return 0;
}

int
gth_cfg_entry_bool(const struct gth_cfg_entry *e, bool *out, struct gth_err *err)
{
	if (e->value == NULL) {
		*out = true;
		return 0;
	}
	if (gth_parse_bool(e->value, out) < 0)
		return gth_cfg_error(err, e, "%s.%s: \"%s\" is not a boolean", e->section, e->key,
		    e->value);
	return 0;
}

int
gth_cfg_entry_long(const struct gth_cfg_entry *e, long min, long max, long *out,
	struct gth_err *err)
{
	int r;

	if ((r = gth_cfg_entry_need(e, err)) < 0)
		return r;
	if (gth_parse_long(e->value, min, max, out) < 0)
		return gth_cfg_error(err, e, "%s.%s: \"%s\" is not a whole number from %ld to %ld",
		    e->section, e->key, e->value, min, max);
	return 0;
}
