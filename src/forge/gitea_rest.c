/*
 * REST plumbing shared by the Gitea and GitLab backends: construction
 * (defaults, the plain-http refusal, token resolution), requests, Link
 * pagination and the jansson accessors their decoders use.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/log.h"
#include "gatehouse/base/sanitize.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/forge/auth.h"
#include "gatehouse/forge/gitea.h"

/* ---- JSON accessors -------------------------------------------------------------------------- */

json_t *
gth_rjson_parse(const char *json, size_t len, bool want_array, const char *what,
	struct gth_err *err)
{
	json_error_t je;
	json_t *root;

	if (json == NULL || len == 0) {
		gth_err_set(err, -GTH_E_PARSE, "the forge sent an empty body for %s", what);
		return NULL;
	}
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (root == NULL) {
		gth_err_set(err, -GTH_E_PARSE, "the forge sent malformed JSON for %s (line %d column "
		    "%d: %s)", what, je.line, je.column, je.text);
		return NULL;
	}
	if (want_array ? !json_is_array(root) : !json_is_object(root)) {
		json_decref(root);
		gth_err_set(err, -GTH_E_PARSE, "the forge's answer for %s is not %s", what,
		    want_array ? "a list" : "an object");
		return NULL;
	}
	return root;
}

const char *
gth_rjson_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

char *
gth_rjson_dup(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ?
	    gth_str_dup_nul_visible(json_string_value(v), json_string_length(v)) : NULL;
}

long long
gth_rjson_int(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

time_t
gth_rjson_time(const json_t *o, const char *key)
{
	const char *s = gth_rjson_str(o, key);
	struct tm tm;
	int y, mo, d, h, mi, se;

	if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se) != 6)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	return timegm(&tm);
}

const char *
gth_rjson_str2(const json_t *o, const char *a, const char *b)
{
	return gth_rjson_str(json_object_get(o, a), b);
}

void
gth_rjson_strings(const json_t *arr, const char *key, struct gth_strvec *sv)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		const char *s = key != NULL ? gth_rjson_str(v, key) : json_string_value(v);

		if (s != NULL)
			gth_strvec_push(sv, s);
	}
}

int
gth_rest_check_repo(const char *repo, int max_depth, struct gth_err *err)
{
	const char *p;
	int slashes = 0;
	bool ok = repo != NULL && *repo != '\0' && *repo != '/' && *repo != '.';

	for (p = repo; ok && *p != '\0'; p++) {
		if (*p == '/')
			slashes++;
		else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			ok = false;
	}
	if (ok)
		ok = slashes >= 1 && slashes < max_depth && p[-1] != '/' &&
		    strstr(repo, "/.") == NULL && strstr(repo, "//") == NULL;
	if (!ok)
		return gth_err_set(err, -GTH_E_INVAL, "not a repository path: \"%.200s\"",
		    repo != NULL ? repo : "");
	return 0;
}

/* ---- details ----------------------------------------------------------------------------------- */

void
gth_rest_adopt_details(struct gth_pr *pr, struct gth_pr *fresh, struct gth_review **reviews,
	size_t n_reviews, size_t cap_reviews, bool files_complete)
{
	gth_pr_clear_details(pr);
#define SWAP(a, b) do { __typeof__(a) t_ = (a); (a) = (b); (b) = t_; } while (0)
	if (pr->head_sha == NULL || strcmp(pr->head_sha, fresh->head_sha) != 0)
		SWAP(pr->head_sha, fresh->head_sha);
	if (pr->base_sha == NULL || fresh->base_sha == NULL ||
	    strcmp(pr->base_sha, fresh->base_sha) != 0)
		SWAP(pr->base_sha, fresh->base_sha);
	SWAP(pr->title, fresh->title);
	SWAP(pr->body, fresh->body);
	SWAP(pr->task, fresh->task);
	SWAP(pr->labels, fresh->labels);
	SWAP(pr->checks, fresh->checks);
	SWAP(pr->n_checks, fresh->n_checks);
	SWAP(pr->cap_checks, fresh->cap_checks);
	SWAP(pr->files, fresh->files);
	SWAP(pr->n_files, fresh->n_files);
	SWAP(pr->cap_files, fresh->cap_files);
	SWAP(pr->commit_messages, fresh->commit_messages);
	SWAP(pr->requested_users, fresh->requested_users);
	SWAP(pr->requested_teams, fresh->requested_teams);
#undef SWAP
	pr->draft = fresh->draft;
	gth_forge_reviews_free(pr->reviews, pr->n_reviews);
	pr->reviews = *reviews;
	pr->n_reviews = n_reviews;
	pr->cap_reviews = cap_reviews;
	*reviews = NULL;
	pr->files_complete = files_complete;
	pr->details_loaded = true;
}

void
gth_rest_apply_required(struct gth_pr *pr, const struct gth_strvec *required)
{
	size_t i, j;

	for (i = 0; i < required->n; i++) {
		bool seen = false;
		struct gth_check *c;

		for (j = 0; j < pr->n_checks; j++)
			if (pr->checks[j].name != NULL && strcmp(pr->checks[j].name, required->v[i]) == 0)
				seen = pr->checks[j].required = true;
		if (seen)
			continue;
		c = gth_pr_add_check(pr);
		c->kind = GTH_CHECK_STATUS;
		c->name = xstrdup(required->v[i]);
		c->state = GTH_GATE_MISSING;
		c->raw_state = xstrdup("required by branch protection, not reported");
		c->summary = xasprintf("%s: required by branch protection, never reported",
		    required->v[i]);
		c->required = true;
	}
}

/* ---- requests ------------------------------------------------------------------------------- */

char *
gth_rest_url(const struct gth_forge *f, const char *fmt, ...)
{
	va_list ap;
	char *tail, *url;

	va_start(ap, fmt);
	tail = xvasprintf(fmt, ap);
	va_end(ap);
	url = xasprintf("%s%s", f->cfg.api_url, tail);
	free(tail);
	return url;
}

int
gth_rest_call(struct gth_forge *f, enum gth_http_method m, const char *url, const char *body,
	volatile int *cancel, struct gth_http_resp *resp, struct gth_err *err)
{
	struct gth_http_req req;

	memset(&req, 0, sizeof(req));
	memset(resp, 0, sizeof(*resp));
	req.method = m;
	req.url = url;
	req.body = body;
	req.body_len = body != NULL ? strlen(body) : 0;
	req.conditional = m == GTH_HTTP_GET;
	req.cancel = cancel;
	return gth_http_request(f->http, &req, resp, err);
}

int
gth_rest_get_pages(struct gth_forge *f, char *url, gth_rest_page_fn fn, void *arg,
	int max_pages, bool *truncated, volatile int *cancel, struct gth_err *err)
{
	struct gth_http_resp resp;
	int rc = 0, pages = 0;

	if (truncated != NULL)
		*truncated = false;
	while (url != NULL && rc == 0) {
		rc = gth_rest_call(f, GTH_HTTP_GET, url, NULL, cancel, &resp, err);
		free(url);
		url = NULL;
		if (rc == 0)
			rc = fn(resp.body.data, resp.body.len, arg, err);
		if (rc == 0 && resp.next_url != NULL) {
			if (++pages < max_pages) {
				url = resp.next_url;
				resp.next_url = NULL;
			} else if (truncated != NULL) {
				*truncated = true;
			}
		}
		gth_http_resp_release(&resp);
	}
	free(url);
	return rc;
}

/* ---- construction ------------------------------------------------------------------------------- */

static char *
host_of(const char *url)
{
	const char *p = strstr(url, "://");

	p = p != NULL ? p + 3 : url;
	return xstrndup(p, strcspn(p, "/?#"));
}

/* https, or http to this machine (a test forge): a token never crosses a network in clear. */
static bool
loopback_or_https(const char *url)
{
	char *host;
	bool ok;

	if (gth_str_has_prefix(url, "https://"))
		return true;
	if (!gth_str_has_prefix(url, "http://"))
		return false;
	host = host_of(url);
	if (host[0] == '[') {
		ok = strncmp(host, "[::1]", 5) == 0;
	} else {
		host[strcspn(host, ":")] = '\0';
		ok = strcmp(host, "localhost") == 0 || gth_str_has_prefix(host, "127.");
	}
	free(host);
	return ok;
}

static void
chop_slashes(char *s)
{
	size_t n = strlen(s);

	while (n > 8 && s[n - 1] == '/')
		s[--n] = '\0';
}

int
gth_rest_forge_new(const struct gth_forge_config *cfg, const struct gth_rest_kind *kind,
	struct gth_forge **out, struct gth_err *err)
{
	struct gth_forge *f = xcalloc(1, sizeof(*f));
	struct gth_forge_config *c = &f->cfg;
	struct gth_auth_source src;
	struct gth_http_config hc;
	int rc;

	*out = NULL;
	gth_forge_config_copy(c, cfg);
	f->ops = kind->ops;
	if (c->name == NULL)
		c->name = xstrdup(kind->default_name);
	if (c->api_url == NULL && c->web_url != NULL)
		c->api_url = xasprintf("%s%s", c->web_url, kind->api_suffix);
	if (c->api_url == NULL) {
		rc = gth_err_set(err, -GTH_E_CONFIG, "forge %.100s: needs url = https://HOST%s",
		    c->name, kind->api_suffix);
		goto fail;
	}
	chop_slashes(c->api_url);
	if (c->web_url == NULL) {
		size_t n = strlen(c->api_url), m = strlen(kind->api_suffix);

		c->web_url = n > m && strcmp(c->api_url + n - m, kind->api_suffix) == 0 ?
		    xstrndup(c->api_url, n - m) : xstrdup(c->api_url);
	}
	chop_slashes(c->web_url);
	if (c->user_agent == NULL)
		c->user_agent = xstrdup("gatehouse/" PACKAGE_VERSION);
	if (c->max_body == 0)
		c->max_body = (size_t)32 << 20;
	if (c->page_size <= 0 || c->page_size > 50)
		c->page_size = 50;	/* Gitea's default MAX_RESPONSE_ITEMS; GitLab allows 100 */
	f->host = host_of(c->web_url);
	if (!loopback_or_https(c->api_url)) {
		rc = gth_err_set(err, -GTH_E_CONFIG, "forge %.100s: refusing to send the token over "
		    "plain http to %.200s (use https; plain http is for loopback test forges only)",
		    c->name, c->api_url);
		goto fail;
	}

	memset(&src, 0, sizeof(src));
	src.command = c->token_command;
	src.file = c->token_file;
	src.env = c->token_env;
	src.credential_helper = c->credential_helper;
	src.host = f->host;
	rc = gth_auth_resolve(&src, &f->token, err);
	if (rc != 0) {
		if (err != NULL) {
			char keep[sizeof(err->msg)];

			gth_strlcpy(keep, err->msg, sizeof(keep));
			snprintf(err->msg, sizeof(err->msg), "forge %.100s: %.900s", c->name, keep);
		}
		goto fail;
	}
	gth_log_add_secret(f->token);

	memset(&hc, 0, sizeof(hc));
	hc.user_agent = c->user_agent;
	hc.token = f->token;
	hc.auth_scheme = kind->auth_scheme;
	hc.ca_bundle = c->ca_bundle;
	hc.cache_dir = c->cache_dir;
	hc.accept = "application/json";
	hc.connect_timeout_ms = c->connect_timeout_ms;
	hc.timeout_ms = c->timeout_ms;
	hc.max_wait_ms = c->max_wait_s > 0 ? c->max_wait_s * 1000 : 0;
	hc.write_spacing_ms = c->write_spacing_ms;
	hc.max_body = c->max_body;
	f->http = gth_http_new(&hc);
	*out = f;
	return 0;
fail:
	gth_forge_free(f);
	return rc;
}

json_t *
gth_rjson_safe_string(const char *s)
{
	json_t *v = json_string(s);
	char *clean;

	if (v != NULL)
		return v;
	clean = gth_sanitize_str(s, strlen(s), GTH_SAN_KEEP_NEWLINES | GTH_SAN_KEEP_TABS |
	    GTH_SAN_NO_MIXED, NULL);
	v = json_string(clean);
	free(clean);
	return v != NULL ? v : json_string("");
}

char *
gth_rjson_dump(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT), *r;

	json_decref(o);
	if (s == NULL)
		abort();	/* only on allocation failure */
	r = xstrdup(s);
	free(s);
	return r;
}
