/*
 * HTTP client over libcurl (the only file that includes <curl/curl.h>).
 *
 * Every request, single or concurrent, goes through one loop: run the
 * pending transfers on a curl multi handle, classify each finished transfer
 * (done, retry after a wait, or final error), wait the longest requested
 * delay (cancellable) and run the retries.  Only reads are retried; writes
 * run alone, under a per-instance lock, at least write_spacing_ms after the
 * previous write finished.
 *
 * Limits: a body over max_body aborts the transfer (checked against
 * Content-Length first, then while receiving, after decompression) and ends
 * in -GTH_E_TOOBIG; a single wait longer than max_wait_ms is not slept but
 * returned as -GTH_E_RATELIMIT naming the reset time.
 *
 * The token lives in one Authorization header string that is zeroed on
 * free; trace lines carry method, URL path, status, bytes and milliseconds.
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gatehouse/base/sha256.h"
#include "gatehouse/base/log.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/forge/http.h"

#define N_RATES 8
#define CACHE_MAGIC "gatehouse-etag-cache 1\n"

/*
 * The rate-limit buckets the forge reported: a forge's budget belongs to its
 * token, so a client and its twins (gth_http_twin) keep one book.
 */
struct rate_book {
	pthread_mutex_t lock;
	int refs;
	struct gth_rate rates[N_RATES];
	int last_rate;
};

struct gth_http {
	char *user_agent;
	char *auth_header;	/* secret: "Authorization: Bearer ..." */
	char *token_id;		/* sha256 of the token: cache keys differ per identity */
	char *ca_bundle;
	char *cache_dir;
	char *api_version;
	char *accept;
	long connect_timeout_ms, timeout_ms, max_wait_ms, write_spacing_ms, backoff_ms;
	int max_tries;
	size_t max_body;
	CURLM *multi;		/* kept between calls: connection reuse */
	unsigned int seed;

	struct rate_book *book;	/* shared with the twins: one token, one budget */
	pthread_mutex_t lock;	/* stats, read from other threads */
	struct gth_forge_stats stats;

	pthread_mutex_t write_lock;
	struct timespec last_write;
	bool wrote;
};

struct xfer {
	const struct gth_http_req *req;
	struct gth_http_resp *resp;
	struct gth_err *err;
	struct gth_http *h;
	CURL *easy;
	struct curl_slist *hdrs;
	char errbuf[CURL_ERROR_SIZE];
	int rc;
	bool done;
	long wait_ms;		/* > 0: retry after this wait */
	bool toobig;
	bool cancelled;

	/* from the response headers of the current try */
	char *etag;
	char *link_next;
	struct gth_rate rate;
	bool rate_seen;
	long retry_after;

	/* ETag cache */
	char *cache_path;
	char *cached_etag;
	long start_ms;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void
global_init_once(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int
gth_http_global_init(struct gth_err *err)
{
	pthread_once(&global_once, global_init_once);
	if (global_rc != CURLE_OK)
		return gth_err_set(err, -GTH_E_NET, "cannot initialise libcurl: %s",
		    curl_easy_strerror(global_rc));
	return 0;
}

void
gth_http_global_cleanup(void)
{
	curl_global_cleanup();
}

const char *
gth_http_method_name(enum gth_http_method m)
{
	switch (m) {
	case GTH_HTTP_GET: return "GET";
	case GTH_HTTP_POST: return "POST";
	case GTH_HTTP_PUT: return "PUT";
	case GTH_HTTP_PATCH: return "PATCH";
	case GTH_HTTP_DELETE: return "DELETE";
	}
	return "GET";
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* What every client has of its own: connections, the retry jitter, locks. */
static struct gth_http *
start(struct gth_http *h)
{
	h->multi = curl_multi_init();
	if (h->multi == NULL)
		abort();
	curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 6L);
	h->seed = (unsigned int)(now_ms() ^ (long)getpid() ^ (long)(size_t)h);
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->write_lock, NULL);
	return h;
}

struct gth_http *
gth_http_new(const struct gth_http_config *cfg)
{
	struct gth_http *h = xcalloc(1, sizeof(*h));
	char hex[65];
	int i;

	h->user_agent = xstrdup(cfg->user_agent != NULL ? cfg->user_agent : "gatehouse");
	if (cfg->token != NULL && *cfg->token != '\0') {
		h->auth_header = xasprintf("Authorization: %s %s",
		    cfg->auth_scheme != NULL ? cfg->auth_scheme : "Bearer", cfg->token);
		gth_sha256_hex(cfg->token, strlen(cfg->token), hex);
		h->token_id = xstrdup(hex);
	} else {
		h->token_id = xstrdup("anonymous");
	}
	h->ca_bundle = dup_or_null(cfg->ca_bundle);
	h->cache_dir = dup_or_null(cfg->cache_dir);
	h->api_version = dup_or_null(cfg->api_version);
	h->accept = xstrdup(cfg->accept != NULL ? cfg->accept : "application/vnd.github+json");
	h->connect_timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 10000;
	h->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 30000;
	h->max_wait_ms = cfg->max_wait_ms > 0 ? cfg->max_wait_ms : 60000;
	h->write_spacing_ms = cfg->write_spacing_ms == 0 ? 1000 :
	    cfg->write_spacing_ms < 0 ? 0 : cfg->write_spacing_ms;
	h->backoff_ms = cfg->backoff_ms > 0 ? cfg->backoff_ms : 500;
	h->max_tries = cfg->max_tries > 0 ? cfg->max_tries : 4;
	h->max_body = cfg->max_body > 0 ? cfg->max_body : (size_t)32 << 20;
	h->book = xcalloc(1, sizeof(*h->book));
	pthread_mutex_init(&h->book->lock, NULL);
	h->book->refs = 1;
	for (i = 0; i < N_RATES; i++)
		h->book->rates[i].limit = -1;
	h->book->last_rate = -1;
	return start(h);
}

struct gth_http *
gth_http_twin(struct gth_http *h)
{
	struct gth_http *t = xcalloc(1, sizeof(*t));

	t->user_agent = xstrdup(h->user_agent);
	t->auth_header = dup_or_null(h->auth_header);
	t->token_id = xstrdup(h->token_id);
	t->ca_bundle = dup_or_null(h->ca_bundle);
	t->cache_dir = dup_or_null(h->cache_dir);
	t->api_version = dup_or_null(h->api_version);
	t->accept = xstrdup(h->accept);
	t->connect_timeout_ms = h->connect_timeout_ms;
	t->timeout_ms = h->timeout_ms;
	t->max_wait_ms = h->max_wait_ms;
	t->write_spacing_ms = h->write_spacing_ms;
	t->backoff_ms = h->backoff_ms;
	t->max_tries = h->max_tries;
	t->max_body = h->max_body;
	pthread_mutex_lock(&h->book->lock);
	h->book->refs++;
	pthread_mutex_unlock(&h->book->lock);
	t->book = h->book;
	return start(t);
}

void
gth_http_free(struct gth_http *h)
{
	bool last;

	if (h == NULL)
		return;
	if (h->multi != NULL)
		curl_multi_cleanup(h->multi);
	free(h->user_agent);
	gth_free_secret(h->auth_header);
	free(h->token_id);
	free(h->ca_bundle);
	free(h->cache_dir);
	free(h->api_version);
	free(h->accept);
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->write_lock);
	pthread_mutex_lock(&h->book->lock);
	last = --h->book->refs == 0;
	pthread_mutex_unlock(&h->book->lock);
	if (last) {
		pthread_mutex_destroy(&h->book->lock);
		free(h->book);
	}
	free(h);
}

void
gth_http_resp_release(struct gth_http_resp *r)
{
	if (r == NULL)
		return;
	gth_buf_release(&r->body);
	free(r->next_url);
	r->next_url = NULL;
}

char *
gth_http_escape(const char *s)
{
	static const char hexd[] = "0123456789ABCDEF";
	struct gth_buf b = GTH_BUF_INIT;
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			gth_buf_addc(&b, (char)*p);
		} else {
			gth_buf_addc(&b, '%');
			gth_buf_addc(&b, hexd[*p >> 4]);
			gth_buf_addc(&b, hexd[*p & 15]);
		}
	}
	return gth_buf_take(&b, NULL);
}

/* ---- rate-limit bookkeeping ---------------------------------------------------------------- */

void
gth_http_rate_note(struct gth_http *h, const struct gth_rate *r)
{
	struct rate_book *b = h->book;
	int i, slot = -1;

	pthread_mutex_lock(&b->lock);
	for (i = 0; i < N_RATES; i++) {
		if (b->rates[i].limit >= 0 && strcmp(b->rates[i].resource, r->resource) == 0) {
			slot = i;
			break;
		}
		if (slot < 0 && b->rates[i].limit < 0)
			slot = i;
	}
	if (slot < 0)
		slot = N_RATES - 1;
	b->rates[slot] = *r;
	b->last_rate = slot;
	pthread_mutex_unlock(&b->lock);
}

int
gth_http_rate(struct gth_http *h, const char *resource, struct gth_rate *out)
{
	struct rate_book *b = h->book;
	int i, rc = -GTH_E_NOTFOUND;

	pthread_mutex_lock(&b->lock);
	if (resource == NULL) {
		if (b->last_rate >= 0) {
			*out = b->rates[b->last_rate];
			rc = 0;
		}
	} else {
		for (i = 0; i < N_RATES; i++) {
			if (b->rates[i].limit >= 0 && strcmp(b->rates[i].resource, resource) == 0) {
				*out = b->rates[i];
				rc = 0;
				break;
			}
		}
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

void
gth_http_stats(struct gth_http *h, struct gth_forge_stats *out)
{
	pthread_mutex_lock(&h->lock);
	*out = h->stats;
	pthread_mutex_unlock(&h->lock);
}

/* ---- ETag cache ------------------------------------------------------------------------------ */

static char *
cache_path_for(struct gth_http *h, const struct gth_http_req *req)
{
	char *key, hex[65], *path;

	if (h->cache_dir == NULL || !req->conditional || req->method != GTH_HTTP_GET)
		return NULL;
	key = xasprintf("GET %s %s %s", req->url, req->accept != NULL ? req->accept : h->accept,
	    h->token_id);
	gth_sha256_hex(key, strlen(key), hex);
	free(key);
	path = xasprintf("%s/http/%.2s/%s", h->cache_dir, hex, hex + 2);
	return path;
}

static int
mkdir_p(const char *dir)
{
	char *tmp = xstrdup(dir), *p;
	int rc = 0;

	for (p = tmp + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			rc = -GTH_E_IO;
		*p = '/';
	}
	if (rc == 0 && mkdir(tmp, 0700) < 0 && errno != EEXIST)
		rc = -GTH_E_IO;
	free(tmp);
	return rc;
}

/*
 * Read a cache entry: header lines, a blank line, then the body.  url must
 * match (a guard against key collisions); on success *etag and (optionally)
 * the body and next link are returned.
 */
static int
cache_read(const char *path, const char *url, size_t max, char **etag, struct gth_buf *body,
	char **next)
{
	struct gth_buf raw;
	char chunk[65536], *p, *end, *line, *nl;
	ssize_t r;
	int fd, rc = -GTH_E_NOTFOUND;

	*etag = NULL;
	if (next != NULL)
		*next = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -GTH_E_NOTFOUND;
	gth_buf_init(&raw, max + 64 * 1024);
	while ((r = read(fd, chunk, sizeof(chunk))) > 0) {
		if (gth_buf_add(&raw, chunk, (size_t)r) < 0) {
			r = -1;
			break;
		}
	}
	close(fd);
	if (r < 0 || raw.len < sizeof(CACHE_MAGIC) - 1 ||
	    memcmp(raw.data, CACHE_MAGIC, sizeof(CACHE_MAGIC) - 1) != 0)
		goto out;
	p = raw.data + sizeof(CACHE_MAGIC) - 1;
	end = raw.data + raw.len;
	char *e = NULL, *u = NULL, *n = NULL;
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			goto bad;
		*nl = '\0';
		line = p;
		p = nl + 1;
		if (*line == '\0')
			break;
		if (strncmp(line, "url ", 4) == 0)
			u = line + 4;
		else if (strncmp(line, "etag ", 5) == 0)
			e = line + 5;
		else if (strncmp(line, "next ", 5) == 0)
			n = line + 5;
	}
	if (u == NULL || e == NULL || strcmp(u, url) != 0)
		goto bad;
	if (body != NULL && gth_buf_add(body, p, (size_t)(end - p)) < 0)
		goto bad;
	*etag = xstrdup(e);
	if (next != NULL && n != NULL)
		*next = xstrdup(n);
	rc = 0;
	goto out;
bad:
	rc = -GTH_E_CORRUPT;
out:
	gth_buf_release(&raw);
	return rc;
}

static void
cache_write(struct gth_http *h, const char *path, const char *url, const char *etag,
	const char *next, const struct gth_buf *body)
{
	struct gth_buf hdr = GTH_BUF_INIT;
	char *dir, *slash, *tmp;
	int fd;
	bool okw;

	if (strchr(etag, '\n') != NULL || strchr(url, '\n') != NULL ||
	    (next != NULL && strchr(next, '\n') != NULL))
		return;
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	if (mkdir_p(dir) < 0) {
		gth_warn("http: cannot create cache directory %s: %s", dir, strerror(errno));
		free(dir);
		return;
	}
	free(dir);
	/* A name of its own: another lane (or process) may be writing the same entry. */
	tmp = xasprintf("%s.tmp.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		free(tmp);
		return;
	}
	gth_buf_adds(&hdr, CACHE_MAGIC);
	gth_buf_addf(&hdr, "url %s\netag %s\n", url, etag);
	if (next != NULL)
		gth_buf_addf(&hdr, "next %s\n", next);
	gth_buf_addc(&hdr, '\n');
	okw = write(fd, hdr.data, hdr.len) == (ssize_t)hdr.len &&
	    (body->len == 0 || write(fd, body->data, body->len) == (ssize_t)body->len);
	okw = close(fd) == 0 && okw;
	if (!okw || rename(tmp, path) < 0)
		unlink(tmp);
	gth_buf_release(&hdr);
	free(tmp);
	(void)h;
}

/* ---- per-transfer callbacks ----------------------------------------------------------------- */

static size_t
on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;

	if (gth_buf_add(&x->resp->body, ptr, n) < 0) {
		x->toobig = true;
		return 0;	/* aborts the transfer: no unbounded buffering */
	}
	return n;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* The URL of rel="next" in a Link header, verbatim, or NULL. */
static char *
link_next(const char *v)
{
	const char *p = v, *lt, *gt, *semi;

	while ((lt = strchr(p, '<')) != NULL) {
		gt = strchr(lt, '>');
		if (gt == NULL)
			return NULL;
		semi = strchr(gt, ',');
		if (semi == NULL)
			semi = gt + strlen(gt);
		{
			char *params = xstrndup(gt + 1, (size_t)(semi - gt - 1));
			bool is_next = strstr(params, "rel=\"next\"") != NULL ||
			    strstr(params, "rel=next") != NULL;

			free(params);
			if (is_next)
				return xstrndup(lt + 1, (size_t)(gt - lt - 1));
		}
		p = *semi != '\0' ? semi + 1 : semi;
	}
	return NULL;
}

/* Drop what the headers of a previous answer said. */
static void
forget_headers(struct xfer *x)
{
	free(x->etag);
	free(x->link_next);
	x->etag = x->link_next = NULL;
	x->retry_after = -1;
	x->rate_seen = false;
	memset(&x->rate, 0, sizeof(x->rate));
	x->rate.limit = -1;
}

static size_t
on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	char *line, *colon, *name, *val;
	long l;

	if (n > 16384)
		return n;
	line = xstrndup(ptr, n);
	if (strncmp(line, "HTTP/", 5) == 0) {
		/* a new response (redirect, 100-continue): forget the previous headers */
		forget_headers(x);
		free(line);
		return n;
	}
	colon = strchr(line, ':');
	if (colon == NULL) {
		free(line);
		return n;
	}
	*colon = '\0';
	name = trim(line);
	val = trim(colon + 1);
	if (strcasecmp(name, "etag") == 0) {
		free(x->etag);
		x->etag = xstrdup(val);
	} else if (strcasecmp(name, "link") == 0) {
		free(x->link_next);
		x->link_next = link_next(val);
	} else if (strcasecmp(name, "retry-after") == 0) {
		if (gth_parse_long(val, 0, 86400 * 7, &l) == 0) {
			x->retry_after = l;
		} else {
			time_t t = curl_getdate(val, NULL);

			if (t > 0)
				x->retry_after = t > time(NULL) ? (long)(t - time(NULL)) : 0;
		}
	} else if (strcasecmp(name, "content-length") == 0) {
		if (gth_parse_long(val, 0, LONG_MAX, &l) == 0 && x->resp->body.max > 0 &&
		    (unsigned long)l > x->resp->body.max) {
			x->toobig = true;
			free(line);
			return 0;	/* refuse before reading a byte of it */
		}
	} else if (strncasecmp(name, "x-ratelimit-", 12) == 0 ||
		   strncasecmp(name, "ratelimit-", 10) == 0) {
		/* GitHub and Gitea say X-RateLimit-*; GitLab says RateLimit-*, with
		 * Observed for used and ResetTime (an HTTP date, left to Reset). */
		const char *k = name + (name[0] == 'x' || name[0] == 'X' ? 12 : 10);

		x->rate_seen = true;
		if (strcasecmp(k, "resource") == 0)
			gth_strlcpy(x->rate.resource, val, sizeof(x->rate.resource));
		else if (gth_parse_long(val, 0, LONG_MAX, &l) == 0) {
			if (strcasecmp(k, "limit") == 0)
				x->rate.limit = l;
			else if (strcasecmp(k, "remaining") == 0)
				x->rate.remaining = l;
			else if (strcasecmp(k, "used") == 0 || strcasecmp(k, "observed") == 0)
				x->rate.used = l;
			else if (strcasecmp(k, "reset") == 0)
				x->rate.reset = (time_t)l;
		}
	}
	free(line);
	return n;
}

static int
on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = ud;

	if (x->req->cancel != NULL && *x->req->cancel) {
		x->cancelled = true;
		return 1;
	}
	return 0;
}

/* "/repos/o/r/pulls" from an absolute URL: what the trace log shows. */
static const char *
url_path(const char *url, char *buf, size_t size)
{
	const char *p = strstr(url, "://");
	size_t n;

	p = p != NULL ? strchr(p + 3, '/') : NULL;
	if (p == NULL)
		p = "/";
	n = strcspn(p, "?#");
	if (n >= size)
		n = size - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

static void
xfer_reset(struct xfer *x)
{
	forget_headers(x);
	x->toobig = x->cancelled = false;
	x->wait_ms = 0;
	x->errbuf[0] = '\0';
	if (x->hdrs != NULL) {
		struct curl_slist *s;

		/* one of these lines carries the token */
		for (s = x->hdrs; s != NULL; s = s->next)
			gth_explicit_bzero(s->data, strlen(s->data));
		curl_slist_free_all(x->hdrs);
		x->hdrs = NULL;
	}
	if (x->easy != NULL) {
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
	}
}

static void
xfer_setup(struct gth_http *h, struct xfer *x)
{
	const struct gth_http_req *req = x->req;
	struct curl_slist *hl = NULL;
	char *line;
	CURL *c;

	xfer_reset(x);
	gth_buf_release(&x->resp->body);
	gth_buf_init(&x->resp->body, h->max_body);
	c = curl_easy_init();
	if (c == NULL)
		abort();
	x->easy = c;
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PRIVATE, x);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_bundle != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_bundle);
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(c, CURLOPT_USERAGENT, h->user_agent);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->max_body);

	line = xasprintf("Accept: %s", req->accept != NULL ? req->accept : h->accept);
	hl = curl_slist_append(hl, line);
	free(line);
	if (h->api_version != NULL) {
		line = xasprintf("X-GitHub-Api-Version: %s", h->api_version);
		hl = curl_slist_append(hl, line);
		free(line);
	}
	if (h->auth_header != NULL)
		hl = curl_slist_append(hl, h->auth_header);
	hl = curl_slist_append(hl, "Expect:");
	if (x->cached_etag != NULL) {
		line = xasprintf("If-None-Match: %s", x->cached_etag);
		hl = curl_slist_append(hl, line);
		free(line);
	}
	switch (req->method) {
	case GTH_HTTP_GET:
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		break;
	case GTH_HTTP_POST:
	case GTH_HTTP_PUT:
	case GTH_HTTP_PATCH:
	case GTH_HTTP_DELETE:
		/*
		 * libcurl silently re-sends a request whose reused connection dies
		 * before an answer.  For a write that the forge may already have
		 * committed, that is a second review: writes always open a fresh
		 * connection, so a dropped answer comes back as an error and the
		 * outbox decides, after looking, whether to post again.
		 */
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
		if (req->method != GTH_HTTP_POST)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, gth_http_method_name(req->method));
		if (req->body != NULL || req->method != GTH_HTTP_DELETE) {
			curl_easy_setopt(c, CURLOPT_POST, 1L);
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)(req->body != NULL ? req->body_len : 0));
			hl = curl_slist_append(hl, "Content-Type: application/json; charset=utf-8");
		}
		break;
	}
	if (hl == NULL)
		abort();
	x->hdrs = hl;
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	x->start_ms = now_ms();
	x->resp->tries++;
	pthread_mutex_lock(&h->lock);
	h->stats.requests++;
	if (x->resp->tries > 1)
		h->stats.retries++;
	pthread_mutex_unlock(&h->lock);
}

static bool
is_read(const struct gth_http_req *req)
{
	return req->method == GTH_HTTP_GET || req->read_only;
}

static long
backoff(struct gth_http *h, int tries)
{
	long b = h->backoff_ms << (tries > 6 ? 6 : tries - 1);

	/* full jitter in [b/2, b]: clients that failed together do not retry together */
	return b / 2 + (long)(rand_r(&h->seed) % (unsigned)(b / 2 + 1));
}

static void
fmt_reset(time_t reset, char *buf, size_t size)
{
	struct tm tm;
	time_t now = time(NULL);

	if (reset <= 0) {
		snprintf(buf, size, "at an unknown time");
		return;
	}
	gmtime_r(&reset, &tm);
	snprintf(buf, size, "at %02d:%02d:%02d UTC (in %ld s)", tm.tm_hour, tm.tm_min, tm.tm_sec,
	    reset > now ? (long)(reset - now) : 0L);
}

/*
 * Classify a finished try.  Sets x->rc and x->err and either x->done, or
 * x->wait_ms > 0 for a retry (reads only, within max_tries and max_wait).
 */
static void
xfer_finish(struct gth_http *h, struct xfer *x, CURLcode cc)
{
	const struct gth_http_req *req = x->req;
	struct gth_http_resp *resp = x->resp;
	char path[256], msg[768], when[64];
	long status = 0, wait = -1, ms;
	curl_off_t dl = 0;
	long hsize = 0;
	bool retry = false, rate_wait = false;
	int rc = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->easy, CURLINFO_SIZE_DOWNLOAD_T, &dl);
	curl_easy_getinfo(x->easy, CURLINFO_HEADER_SIZE, &hsize);
	ms = now_ms() - x->start_ms;
	url_path(req->url, path, sizeof(path));
	resp->status = status;
	resp->retry_after_s = x->retry_after;
	free(resp->next_url);
	resp->next_url = NULL;
	resp->from_cache = false;
	pthread_mutex_lock(&h->lock);
	h->stats.bytes += (unsigned long long)dl + (unsigned long long)hsize;
	pthread_mutex_unlock(&h->lock);
	if (x->rate_seen && x->rate.limit >= 0) {
		if (x->rate.resource[0] == '\0')
			gth_strlcpy(x->rate.resource, "core", sizeof(x->rate.resource));
		gth_http_rate_note(h, &x->rate);
	}
	gth_debug("http %s %s -> %ld, %lld B, %ld ms%s", gth_http_method_name(req->method), path,
	    status, (long long)dl, ms, cc != CURLE_OK ? " (transfer failed)" : "");

	gth_err_clear(x->err);
	if (x->cancelled || (req->cancel != NULL && *req->cancel)) {
		rc = gth_err_set(x->err, -GTH_E_CANCEL, "cancelled: %s %s",
		    gth_http_method_name(req->method), path);
		goto done;
	}
	if (x->toobig || cc == CURLE_FILESIZE_EXCEEDED) {
		rc = gth_err_set(x->err, -GTH_E_TOOBIG,
		    "the forge's answer to %s %s is larger than the %zu MiB limit; transfer aborted",
		    gth_http_method_name(req->method), path, h->max_body >> 20);
		goto done;
	}
	if (cc != CURLE_OK) {
		switch (cc) {
		case CURLE_OPERATION_TIMEDOUT: {
			curl_off_t connected = 0;

			curl_easy_getinfo(x->easy, CURLINFO_CONNECT_TIME_T, &connected);
			if (connected == 0)
				rc = gth_err_set(x->err, -GTH_E_TIMEOUT,
				    "%s %s: could not connect within %ld ms (%s)",
				    gth_http_method_name(req->method), path, h->connect_timeout_ms,
				    x->errbuf);
			else
				rc = gth_err_set(x->err, -GTH_E_TIMEOUT,
				    "%s %s: no complete answer within %ld ms (%s)",
				    gth_http_method_name(req->method), path, h->timeout_ms, x->errbuf);
			retry = true;
			break;
		}
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CACERT_BADFILE:
		case CURLE_SSL_CONNECT_ERROR:
		case CURLE_SSL_CERTPROBLEM:
		case CURLE_UNSUPPORTED_PROTOCOL:
			rc = gth_err_set(x->err, -GTH_E_NET, "TLS/connection setup failed for %s: %s",
			    path, x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc));
			break;
		case CURLE_OUT_OF_MEMORY:
#if LIBCURL_VERSION_NUM >= 0x080600
		case CURLE_TOO_LARGE:
#endif
			/*
			 * libcurl answers a header line over its 100 KB cap this way (7.x: out
			 * of memory, 8.6+: too large); the same answer comes again on a retry,
			 * so say what it is and do not retry.
			 */
			rc = gth_err_set(x->err, -GTH_E_TOOBIG,
			    "%s %s: the forge's answer has a header line over 100 KB; refused",
			    gth_http_method_name(req->method), path);
			break;
		default:
			rc = gth_err_set(x->err, -GTH_E_NET, "%s %s: %s",
			    gth_http_method_name(req->method), path,
			    x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc));
			retry = true;
			break;
		}
		goto decide;
	}
	if (x->err != NULL)
		x->err->status = status;

	if (status == 304 && x->cache_path != NULL) {
		char *etag = NULL, *next = NULL;

		gth_buf_reset(&resp->body);
		if (cache_read(x->cache_path, req->url, h->max_body, &etag, &resp->body, &next) == 0) {
			free(etag);
			resp->next_url = next;
			resp->from_cache = true;
			resp->status = 200;
			if (x->err != NULL)
				x->err->status = 0;
			pthread_mutex_lock(&h->lock);
			h->stats.not_modified++;
			pthread_mutex_unlock(&h->lock);
			goto done;
		}
		/* the entry vanished between the request and now: ask again, unconditionally */
		free(x->cached_etag);
		x->cached_etag = NULL;
		rc = gth_err_set(x->err, -GTH_E_AGAIN, "cache entry for %s vanished", path);
		wait = 1;
		retry = true;
		goto decide;
	}
	if (status >= 200 && status < 300) {
		resp->next_url = x->link_next;
		x->link_next = NULL;
		if (x->cache_path != NULL && x->etag != NULL)
			cache_write(h, x->cache_path, req->url, x->etag, resp->next_url, &resp->body);
		else if (x->cache_path != NULL && x->cached_etag != NULL)
			unlink(x->cache_path);	/* no ETag any more: never revalidate the old body */
		goto done;
	}

	msg[0] = '\0';
	if (!gth_forge_error_message(resp->body.data, resp->body.len, msg, sizeof(msg)))
		snprintf(msg, sizeof(msg), "HTTP %ld with no message", status);

	if ((status == 403 || status == 429) &&
	    ((x->rate_seen && x->rate.remaining == 0 && x->rate.limit > 0) || x->retry_after >= 0 ||
	     status == 429 || strcasestr(msg, "rate limit") != NULL)) {
		time_t reset;

		if (x->retry_after >= 0) {
			wait = x->retry_after * 1000;
			reset = time(NULL) + x->retry_after;
		} else if (x->rate_seen && x->rate.remaining == 0 && x->rate.reset > 0) {
			reset = x->rate.reset;
			wait = (long)(reset - time(NULL)) * 1000 + 1000;
			if (wait < 1000)
				wait = 1000;
		} else {
			/* secondary limit without a hint: GitHub asks for at least a minute */
			wait = 60000;
			reset = time(NULL) + 60;
		}
		fmt_reset(reset, when, sizeof(when));
		rc = gth_err_set(x->err, -GTH_E_RATELIMIT, "%s (%s limit; retry %s)", msg,
		    x->rate.resource[0] ? x->rate.resource : "rate", when);
		if (x->err != NULL)
			x->err->status = status;
		retry = true;
		rate_wait = true;
		goto decide;
	}
	switch (status) {
	case 401:
		rc = gth_err_set(x->err, -GTH_E_AUTH, "the forge refused the token (401 %s)", msg);
		break;
	case 403:
		rc = gth_err_set(x->err, -GTH_E_PERM, "%s (403)", msg);
		break;
	case 404:
	case 410:
		rc = gth_err_set(x->err, -GTH_E_NOTFOUND, "%s (%ld on %s)", msg, status, path);
		break;
	case 409:
		rc = gth_err_set(x->err, -GTH_E_CONFLICT, "%s (409)", msg);
		break;
	default:
		if (status >= 500) {
			rc = gth_err_set(x->err, -GTH_E_AGAIN, "the forge failed: %s (%ld on %s)", msg,
			    status, path);
			retry = true;
			if (x->retry_after >= 0)
				wait = x->retry_after * 1000;
		} else {
			rc = gth_err_set(x->err, -GTH_E_HTTP, "%s (%ld)", msg, status);
		}
		break;
	}
	if (x->err != NULL)
		x->err->status = status;

decide:
	if (retry && is_read(req) && resp->tries < h->max_tries) {
		if (wait < 0)
			wait = backoff(h, resp->tries);
		if (wait <= h->max_wait_ms) {
			x->rc = rc;
			x->wait_ms = wait > 0 ? wait : 1;
			gth_info("http %s %s: %s; retry %d in %ld ms", gth_http_method_name(req->method),
			    path, gth_err_text(x->err, rc), resp->tries + 1, x->wait_ms);
			return;
		}
	}
	if (retry && !rate_wait && rc == -GTH_E_AGAIN && x->err != NULL && resp->tries > 1) {
		char keep[sizeof(x->err->msg)];

		gth_strlcpy(keep, x->err->msg, sizeof(keep));
		snprintf(x->err->msg, sizeof(x->err->msg), "%.900s; gave up after %d tries", keep,
		    resp->tries);
	}
	(void)rate_wait;
done:
	x->rc = rc;
	x->done = true;
	if (rc != 0)
		gth_info("http %s %s: %s", gth_http_method_name(req->method), path,
		    gth_err_text(x->err, rc));
}

/* Sleep ms, waking early when *cancel is set.  Returns -GTH_E_CANCEL then. */
static int
wait_cancellable(long ms, volatile int *cancel)
{
	long end = now_ms() + ms, left;
	struct timespec ts;

	while ((left = end - now_ms()) > 0) {
		if (cancel != NULL && *cancel)
			return -GTH_E_CANCEL;
		if (left > 50)
			left = 50;
		ts.tv_sec = 0;
		ts.tv_nsec = left * 1000000;
		nanosleep(&ts, NULL);
	}
	return cancel != NULL && *cancel ? -GTH_E_CANCEL : 0;
}

static bool
any_cancel(struct xfer *xs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!xs[i].done && xs[i].req->cancel != NULL && *xs[i].req->cancel)
			return true;
	return false;
}

static void
run(struct gth_http *h, struct xfer *xs, size_t n)
{
	size_t i, pending;
	long wait;

	for (;;) {
		pending = 0;
		for (i = 0; i < n; i++) {
			if (xs[i].done)
				continue;
			xfer_setup(h, &xs[i]);
			curl_multi_add_handle(h->multi, xs[i].easy);
			pending++;
		}
		if (pending == 0)
			break;
		for (;;) {
			int running = 0, nmsg;
			CURLMsg *m;

			curl_multi_perform(h->multi, &running);
			while ((m = curl_multi_info_read(h->multi, &nmsg)) != NULL) {
				struct xfer *x = NULL;

				if (m->msg != CURLMSG_DONE)
					continue;
				curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
				curl_multi_remove_handle(h->multi, m->easy_handle);
				xfer_finish(h, x, m->data.result);
				pending--;
			}
			if (pending == 0)
				break;
			curl_multi_poll(h->multi, NULL, 0, 100, NULL);
		}
		wait = 0;
		for (i = 0; i < n; i++)
			if (!xs[i].done && xs[i].wait_ms > wait)
				wait = xs[i].wait_ms;
		if (wait == 0)
			break;
		if (wait_cancellable(wait, xs[0].req->cancel) < 0 || any_cancel(xs, n)) {
			for (i = 0; i < n; i++) {
				if (xs[i].done)
					continue;
				xs[i].rc = gth_err_set(xs[i].err, -GTH_E_CANCEL, "cancelled while waiting to retry");
				xs[i].done = true;
			}
			break;
		}
	}
	for (i = 0; i < n; i++) {
		xfer_reset(&xs[i]);
		free(xs[i].cache_path);
		free(xs[i].cached_etag);
		xs[i].cache_path = xs[i].cached_etag = NULL;
	}
}

static void
xfer_init(struct gth_http *h, struct xfer *x, const struct gth_http_req *req,
	struct gth_http_resp *resp, struct gth_err *err)
{
	memset(x, 0, sizeof(*x));
	memset(resp, 0, sizeof(*resp));
	x->h = h;
	x->req = req;
	x->resp = resp;
	x->err = err;
	x->retry_after = -1;
	resp->retry_after_s = -1;
	x->cache_path = cache_path_for(h, req);
	if (x->cache_path != NULL)
		cache_read(x->cache_path, req->url, h->max_body, &x->cached_etag, NULL, NULL);
}

int
gth_http_request_many(struct gth_http *h, const struct gth_http_req *reqs,
	struct gth_http_resp *resps, int *rcs, struct gth_err *errs, size_t n)
{
	struct xfer *xs;
	size_t i;
	int rc = 0;

	if (n == 0)
		return 0;
	xs = xcalloc(n, sizeof(*xs));
	for (i = 0; i < n; i++)
		xfer_init(h, &xs[i], &reqs[i], &resps[i], errs != NULL ? &errs[i] : NULL);
	run(h, xs, n);
	for (i = 0; i < n; i++) {
		rcs[i] = xs[i].rc;
		if (rc == 0 && xs[i].rc != 0)
			rc = xs[i].rc;
	}
	free(xs);
	return rc;
}

int
gth_http_request(struct gth_http *h, const struct gth_http_req *req, struct gth_http_resp *resp,
	struct gth_err *err)
{
	struct xfer x;
	struct timespec now;
	int rc;

	if (is_read(req)) {
		xfer_init(h, &x, req, resp, err);
		run(h, &x, 1);
		return x.rc;
	}
	/* writes: one at a time, write_spacing_ms after the previous one finished */
	pthread_mutex_lock(&h->write_lock);
	if (h->wrote && h->write_spacing_ms > 0) {
		long since;

		clock_gettime(CLOCK_MONOTONIC, &now);
		since = (now.tv_sec - h->last_write.tv_sec) * 1000 +
		    (now.tv_nsec - h->last_write.tv_nsec) / 1000000;
		if (since < h->write_spacing_ms &&
		    wait_cancellable(h->write_spacing_ms - since, req->cancel) < 0) {
			pthread_mutex_unlock(&h->write_lock);
			return gth_err_set(err, -GTH_E_CANCEL, "cancelled before sending");
		}
	}
	xfer_init(h, &x, req, resp, err);
	run(h, &x, 1);
	rc = x.rc;
	clock_gettime(CLOCK_MONOTONIC, &h->last_write);
	h->wrote = true;
	pthread_mutex_unlock(&h->write_lock);
	return rc;
}
