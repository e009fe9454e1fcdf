/*
 * allowed_signers parsing and trust checks, after OpenSSH sshsig.c
 * (sshsigopt_parse, check_allowed_keys_line) and match.c.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/sign/allowed.h"
#include "gatehouse/sign/sshsig.h"

#define LINE_MAX_LEN 16384

/* Glob with '*' and '?' (match.c match_pattern). */
static bool
match_pattern(const char *s, const char *pat, size_t plen)
{
	size_t i;

	for (i = 0; i < plen; i++) {
		if (pat[i] == '*') {
			for (; *s != '\0'; s++)
				if (match_pattern(s, pat + i + 1, plen - i - 1))
					return true;
			return match_pattern(s, pat + i + 1, plen - i - 1);
		}
		if (*s == '\0')
			return false;
		if (pat[i] != '?' && pat[i] != *s)
			return false;
		s++;
	}
	return *s == '\0';
}

bool
gth_allowed_match_list(const char *name, const char *patterns)
{
	const char *p = patterns;
	bool got = false;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		bool neg = *p == '!';
		const char *q = neg ? p + 1 : p;
		size_t qn = neg ? n - 1 : n;

		if (n > 0 && match_pattern(name, q, qn)) {
			if (neg)
				return false;	/* a negated match wins */
			got = true;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return got;
}

/* YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z] (sshsig.c parse_absolute_time). */
static int
parse_time(const char *s, time_t *out)
{
	struct tm tm;
	size_t n = strlen(s), i;
	bool utc = n > 0 && s[n - 1] == 'Z';
	int v[6] = { 0, 0, 0, 0, 0, 0 };
	time_t t;

	if (utc)
		n--;
	if (n != 8 && n != 12 && n != 14)
		return -GTH_E_PARSE;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return -GTH_E_PARSE;
	v[0] = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	for (i = 1; i * 2 + 4 <= n && i < 6; i++)
		v[i] = (s[2 + 2 * i] - '0') * 10 + (s[3 + 2 * i] - '0');
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	tm.tm_isdst = -1;
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60)
		return -GTH_E_PARSE;
	t = utc ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1)
		return -GTH_E_PARSE;
	*out = t;
	return 0;
}

/* A token up to whitespace outside double quotes; *p is advanced. */
static char *
token(const char **p)
{
	const char *s = *p, *e = s;
	bool q = false;

	while (*e != '\0' && (q || (*e != ' ' && *e != '\t'))) {
		if (*e == '"')
			q = !q;
		e++;
	}
	if (q || e == s)
		return NULL;
	*p = e + strspn(e, " \t");
	return xstrndup(s, (size_t)(e - s));
}

static char *
unquote(const char *s, size_t n)
{
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
		return xstrndup(s + 1, n - 2);
	return xstrndup(s, n);
}

static int
parse_options(const char *opts, struct gth_allowed_entry *e, const char **why)
{
	const char *p = opts;

	while (*p != '\0') {
		const char *s = p;
		bool q = false;
		size_t n;
		const char *eq;
		char *val;
		time_t t;

		while (*p != '\0' && (q || *p != ',')) {
			if (*p == '"')
				q = !q;
			p++;
		}
		n = (size_t)(p - s);
		if (*p == ',')
			p++;
		eq = memchr(s, '=', n);
		if (eq == NULL) {
			if (n == 14 && strncasecmp(s, "cert-authority", 14) == 0) {
				e->cert_authority = true;
				continue;
			}
			*why = "unknown option";
			return -GTH_E_PARSE;
		}
		val = unquote(eq + 1, n - (size_t)(eq + 1 - s));
		if ((size_t)(eq - s) == 10 && strncasecmp(s, "namespaces", 10) == 0) {
			if (e->namespaces != NULL) {
				*why = "namespaces given twice";
				free(val);
				return -GTH_E_PARSE;
			}
			e->namespaces = val;
			continue;
		}
		if (parse_time(val, &t) != 0) {
			*why = "bad time";
			free(val);
			return -GTH_E_PARSE;
		}
		free(val);
		if ((size_t)(eq - s) == 11 && strncasecmp(s, "valid-after", 11) == 0 &&
		    e->valid_after == 0)
			e->valid_after = t;
		else if ((size_t)(eq - s) == 12 && strncasecmp(s, "valid-before", 12) == 0 &&
			 e->valid_before == 0)
			e->valid_before = t;
		else {
			*why = "unknown or repeated option";
			return -GTH_E_PARSE;
		}
	}
	if (e->valid_after != 0 && e->valid_before != 0 && e->valid_before < e->valid_after) {
		*why = "valid-before is earlier than valid-after";
		return -GTH_E_PARSE;
	}
	return 0;
}

static void
entry_release(struct gth_allowed_entry *e)
{
	free(e->principals);
	free(e->namespaces);
	free(e->key);
}

static bool
looks_like_keytype(const char *s)
{
	return gth_str_has_prefix(s, "ssh-") || gth_str_has_prefix(s, "ecdsa-") ||
	       gth_str_has_prefix(s, "sk-") || gth_str_has_prefix(s, "webauthn-");
}

static void
parse_line(struct gth_allowed *a, const char *line, long lineno, const char *name)
{
	struct gth_allowed_entry e;
	const char *p = line + strspn(line, " \t"), *why = "malformed line";
	char *tok = NULL, *opts = NULL;

	if (*p == '\0' || *p == '#')
		return;
	memset(&e, 0, sizeof(e));
	e.line = lineno;
	if ((tok = token(&p)) == NULL)
		goto bad;
	e.principals = unquote(tok, strlen(tok));
	free(tok);
	if (*e.principals == '\0')
		goto bad;
	if (!looks_like_keytype(p)) {
		if ((opts = token(&p)) == NULL || parse_options(opts, &e, &why) != 0)
			goto bad;
	}
	if (gth_sshkey_parse_line(p, &e.key, &e.keylen, NULL, NULL) != 0) {
		why = "bad public key";
		goto bad;
	}
	if (e.cert_authority)
		gth_strvec_push_take(&a->notes, xasprintf("%s:%ld: cert-authority is not "
			"supported; certificates signed by this key will not be accepted", name,
			lineno));
	free(opts);
	GTH_PUSH(a->v, a->n, a->cap) = e;
	return;
bad:
	gth_strvec_push_take(&a->notes, xasprintf("%s:%ld: %s, line skipped", name, lineno, why));
	free(opts);
	entry_release(&e);
}

struct gth_allowed *
gth_allowed_parse(const char *text, size_t len, const char *name)
{
	struct gth_allowed *a = xcalloc(1, sizeof(*a));
	const char *p = text, *end = text + len;
	long lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line;

		lineno++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > LINE_MAX_LEN || memchr(p, '\0', n) != NULL) {
			gth_strvec_push_take(&a->notes, xasprintf("%s:%ld: line too long or "
				"binary, skipped", name, lineno));
		} else {
			line = xstrndup(p, n);
			parse_line(a, line, lineno, name);
			free(line);
		}
		p = nl ? nl + 1 : end;
	}
	return a;
}

int
gth_allowed_load(const char *path, struct gth_allowed **out, struct gth_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	*out = NULL;
	r = gth_sshkey_read_file(path, GTH_ALLOWED_FILE_MAX, "allowed signers file", &text, &len,
		err);
	if (r != 0)
		return r;
	*out = gth_allowed_parse(text, len, path);
	free(text);
	return 0;
}

void
gth_allowed_free(struct gth_allowed *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++)
		entry_release(&a->v[i]);
	free(a->v);
	gth_strvec_clear(&a->notes);
	free(a);
}

const struct gth_allowed_entry *
gth_allowed_find(const struct gth_allowed *a, const void *key, size_t keylen, const char *ns,
	const char *principal, time_t when)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		const struct gth_allowed_entry *e = &a->v[i];

		if (e->cert_authority || e->keylen != keylen || memcmp(e->key, key, keylen) != 0)
			continue;
		if (e->namespaces != NULL && !gth_allowed_match_list(ns, e->namespaces))
			continue;
		if (e->valid_after != 0 && when < e->valid_after)
			continue;
		if (e->valid_before != 0 && when > e->valid_before)
			continue;
		if (principal != NULL && !gth_allowed_match_list(principal, e->principals))
			continue;
		return e;
	}
	return NULL;
}

int
gth_allowed_verify(const struct gth_allowed *a, const char *armored, size_t armored_len,
	const void *msg, size_t len, const char *ns, const char *principal, time_t when,
	char **principals_out, char fp[GTH_SSHKEY_FP_MAX], struct gth_err *err)
{
	struct gth_sshsig *sig = NULL;
	const struct gth_allowed_entry *e;
	int r;

	if (principals_out != NULL)
		*principals_out = NULL;
	fp[0] = '\0';
	if ((r = gth_sshsig_parse(armored, armored_len, &sig, err)) != 0)
		return r;
	memcpy(fp, sig->fp, GTH_SSHKEY_FP_MAX);
	if ((r = gth_sshsig_verify(sig, ns, msg, len, NULL, err)) != 0)
		goto out;
	e = gth_allowed_find(a, sig->pubkey, sig->pubkey_len, ns, principal, when);
	if (e == NULL) {
		r = gth_err_set(err, -GTH_E_VERIFY, "key %s is not allowed to sign \"%s\"%s%s in "
			"allowed_signers", sig->fp, ns, principal ? " for " : "",
			principal ? principal : "");
		goto out;
	}
	if (principals_out != NULL)
		*principals_out = xstrdup(e->principals);
out:
	gth_sshsig_free(sig);
	return r;
}
