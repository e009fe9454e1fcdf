/*
 * GitHub backend (github.com and Enterprise Server).
 *
 * Reads: the queue comes from GraphQL search (src/forge/github_queue.graphql,
 * one request per page of up to 100 PRs with SHAs, labels, body and the
 * status-check rollup); PR details come from REST, fetched concurrently and
 * followed through Link pagination.  Writes are REST, one at a time.
 *
 * Warm refresh.  GraphQL POSTs cannot be conditional, so a refresh first
 * sends, per query, one conditional REST search
 * (GET /search/issues?q=...&sort=updated&order=desc&per_page=20).  Any change
 * to a PR in the set bumps its updated_at and moves it to the top; a PR that
 * joins or leaves changes total_count.  So when every one of those answers
 * is a 304 (free under GitHub's limits) and the bodies hash to what the
 * cached queue was built from, the cached GraphQL pages are decoded again and
 * no GraphQL request is sent.  The trade-off: check and status results do
 * not bump updated_at, so gate changes alone are seen only when the cached
 * queue is older than queue_max_age_s (default 5 minutes) or when the PR is
 * opened (get_details always reads the gates afresh).  Searches that report
 * incomplete_results are never trusted for this.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gatehouse/base/sha256.h"
#include "gatehouse/base/buf.h"
#include "gatehouse/base/log.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/forge/auth.h"
#include "gatehouse/forge/backend.h"
#include "gatehouse/forge/gitea.h"
#include "gatehouse/forge/github.h"

#define API_VERSION "2022-11-28"
#define QUEUE_MAGIC "gatehouse-queue 1\n"
#define MAX_PAGES 30		/* 3,000 files / 100 per page: GitHub's own cap */
#define MAX_ANNOTATED_RUNS 20
#define SEARCH_CAP 1000		/* search answers at most this many results per query */
#define MAX_QUERY_PAGES 300	/* pages per query: 30,000 PRs at 100 a page */

/*
 * Open PRs labelled needs-checkpoint, or asking for my review.  Search has no
 * OR across qualifiers, so these are two queries, kept disjoint (-label:) so
 * that no PR is fetched twice.
 */
static const char *const default_queries[] = {
	"is:pr is:open archived:false label:needs-checkpoint",
	"is:pr is:open archived:false review-requested:@me -label:needs-checkpoint",
};

/* ---- helpers ------------------------------------------------------------------------------------- */

static bool
valid_repo(const char *repo)
{
	const char *p;
	int slashes = 0;

	if (repo == NULL || *repo == '\0' || *repo == '/' || *repo == '.')
		return false;
	for (p = repo; *p != '\0'; p++) {
		if (*p == '/')
			slashes++;
		else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return false;
	}
	return slashes == 1 && p[-1] != '/' && strstr(repo, "/.") == NULL;
}

static int
check_repo(const char *repo, struct gth_err *err)
{
	if (!valid_repo(repo))
		return gth_err_set(err, -GTH_E_INVAL, "not a repository name: \"%s\" (want owner/name)",
		    repo != NULL ? repo : "");
	return 0;
}

static char *
api(struct gth_forge *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *
api(struct gth_forge *f, const char *fmt, ...)
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

static struct gth_github_ctx
ctx_of(struct gth_forge *f)
{
	struct gth_github_ctx c = { f->cfg.name, f->host, f->cfg.web_url, &f->cfg.agents };

	return c;
}

/* One request whose body the caller decodes; resp released by the caller. */
static int
do_req(struct gth_forge *f, enum gth_http_method m, const char *url, const char *body,
	bool conditional, volatile int *cancel, struct gth_http_resp *resp, struct gth_err *err)
{
	struct gth_http_req req;

	memset(&req, 0, sizeof(req));
	memset(resp, 0, sizeof(*resp));
	req.method = m;
	req.url = url;
	req.body = body;
	req.body_len = body != NULL ? strlen(body) : 0;
	req.conditional = conditional;
	req.cancel = cancel;
	return gth_http_request(f->http, &req, resp, err);
}

/* ---- concurrent paginated reads ---------------------------------------------------------------------- */

typedef int (*page_fn)(const char *json, size_t len, void *arg, struct gth_err *err);

struct stream {
	char *url;		/* next page to fetch; NULL when done */
	page_fn decode;
	void *arg;
	int pages;
	int max_pages;
	int rc;
	bool truncated;		/* stopped at max_pages with more to come */
};

static void
stream_add(struct stream *s, char *url, page_fn fn, void *arg, int max_pages)
{
	memset(s, 0, sizeof(*s));
	s->url = url;
	s->decode = fn;
	s->arg = arg;
	s->max_pages = max_pages;
}

/*
 * Fetch every stream's pages: one concurrent round per page depth.  Returns
 * the first error (in stream order); err gets its detail.
 */
static int
fetch_streams(struct gth_forge *f, struct stream *ss, size_t n, volatile int *cancel,
	struct gth_err *err)
{
	struct gth_http_req *reqs = xcalloc(n, sizeof(*reqs));
	struct gth_http_resp *resps = xcalloc(n, sizeof(*resps));
	struct gth_err *errs = xcalloc(n, sizeof(*errs));
	size_t *idx = xcalloc(n, sizeof(*idx));
	int *rcs = xcalloc(n, sizeof(*rcs));
	size_t i, k, active;
	int rc = 0;

	for (;;) {
		active = 0;
		for (i = 0; i < n; i++) {
			if (ss[i].url == NULL || ss[i].rc != 0)
				continue;
			memset(&reqs[active], 0, sizeof(reqs[active]));
			reqs[active].method = GTH_HTTP_GET;
			reqs[active].url = ss[i].url;
			reqs[active].conditional = true;
			reqs[active].cancel = cancel;
			memset(&resps[active], 0, sizeof(resps[active]));
			idx[active++] = i;
		}
		if (active == 0)
			break;
		gth_http_request_many(f->http, reqs, resps, rcs, errs, active);
		for (k = 0; k < active; k++) {
			struct stream *s = &ss[idx[k]];

			free(s->url);
			s->url = NULL;
			s->rc = rcs[k];
			if (s->rc == 0)
				s->rc = s->decode(resps[k].body.data, resps[k].body.len, s->arg, &errs[k]);
			if (s->rc != 0) {
				if (rc == 0) {
					rc = s->rc;
					if (err != NULL)
						*err = errs[k];
				}
			} else if (resps[k].next_url != NULL) {
				if (++s->pages < s->max_pages) {
					s->url = resps[k].next_url;
					resps[k].next_url = NULL;
				} else {
					s->truncated = true;
				}
			}
			gth_http_resp_release(&resps[k]);
		}
		if (cancel != NULL && *cancel) {
			rc = gth_err_set(err, -GTH_E_CANCEL, "cancelled");
			break;
		}
	}
	for (i = 0; i < n; i++) {
		free(ss[i].url);
		ss[i].url = NULL;
	}
	free(reqs);
	free(resps);
	free(errs);
	free(idx);
	free(rcs);
	return rc;
}

/* ---- GraphQL ------------------------------------------------------------------------------------ */

static int
graphql(struct gth_forge *f, const char *op, const char *vars, volatile int *cancel,
	struct gth_http_resp *resp, struct gth_err *err)
{
	struct gth_http_req req;
	char *body = gth_github_graphql_json(gth_github_queue_graphql, op, vars);
	int rc;

	memset(&req, 0, sizeof(req));
	memset(resp, 0, sizeof(*resp));
	req.method = GTH_HTTP_POST;
	req.url = f->cfg.graphql_url;
	req.body = body;
	req.body_len = strlen(body);
	req.read_only = true;
	req.accept = "application/json";
	req.cancel = cancel;
	rc = gth_http_request(f->http, &req, resp, err);
	free(body);
	return rc;
}

static int
decode_graphql(struct gth_forge *f, const char *json, size_t len, struct gth_github_page *page,
	struct gth_err *err)
{
	struct gth_github_ctx ctx = ctx_of(f);
	int rc = gth_github_decode_graphql(json, len, &ctx, page, err);

	if (page->rate_seen)
		gth_http_rate_note(f->http, &page->rate);
	return rc;
}

/* ---- queue cache ------------------------------------------------------------------------------------- */

static char *
queue_cache_path(struct gth_forge *f, const struct gth_strvec *queries)
{
	struct gth_buf k = GTH_BUF_INIT;
	char hex[65], tok[65];
	size_t i;

	if (f->cfg.cache_dir == NULL)
		return NULL;
	gth_sha256_hex(f->token != NULL ? f->token : "", f->token != NULL ? strlen(f->token) : 0,
	    tok);
	gth_buf_addf(&k, "%s\n%s\n%ld\n%s\n", f->cfg.graphql_url, tok, f->cfg.page_size,
	    f->cfg.name);
	for (i = 0; i < queries->n; i++)
		gth_buf_addf(&k, "%s\n", queries->v[i]);
	gth_sha256_hex(k.data, k.len, hex);
	gth_buf_release(&k);
	return xasprintf("%s/queue/%s", f->cfg.cache_dir, hex);
}

static void
queue_cache_save(const char *path, const char *checks_hash, struct gth_strvec *pages)
{
	char *dir = xstrdup(path), *tmp;
	struct gth_buf b = GTH_BUF_INIT;
	size_t i;
	int fd;
	bool okw;

	*strrchr(dir, '/') = '\0';
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		free(dir);
		return;
	}
	free(dir);
	gth_buf_adds(&b, QUEUE_MAGIC);
	gth_buf_addf(&b, "checks %s\nfetched %lld\n", checks_hash, (long long)time(NULL));
	for (i = 0; i < pages->n; i++)
		gth_buf_addf(&b, "page %zu\n%s\n", strlen(pages->v[i]), pages->v[i]);
	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		okw = write(fd, b.data, b.len) == (ssize_t)b.len;
		okw = close(fd) == 0 && okw;
		if (!okw || rename(tmp, path) < 0)
			unlink(tmp);
	}
	free(tmp);
	gth_buf_release(&b);
}

/* Load cached pages if they were built from checks_hash and are younger than max_age. */
static bool
queue_cache_load(const char *path, const char *checks_hash, long max_age, size_t cap,
	struct gth_strvec *pages)
{
	struct gth_buf raw;
	char chunk[65536], *p, *end;
	long long fetched;
	ssize_t r;
	int fd;
	bool ok = false;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	gth_buf_init(&raw, cap);
	while ((r = read(fd, chunk, sizeof(chunk))) > 0)
		if (gth_buf_add(&raw, chunk, (size_t)r) < 0)
			break;
	close(fd);
	if (r != 0 || raw.len < sizeof(QUEUE_MAGIC) ||
	    memcmp(raw.data, QUEUE_MAGIC, sizeof(QUEUE_MAGIC) - 1) != 0)
		goto out;
	p = raw.data + sizeof(QUEUE_MAGIC) - 1;
	end = raw.data + raw.len;
	if (strncmp(p, "checks ", 7) != 0 || strncmp(p + 7, checks_hash, 64) != 0)
		goto out;
	p += 7 + 64 + 1;
	if (sscanf(p, "fetched %lld\n", &fetched) != 1 || time(NULL) - fetched > max_age ||
	    time(NULL) < fetched)
		goto out;
	p = strchr(p, '\n') + 1;
	while (p < end) {
		size_t len;
		char *nl;

		if (sscanf(p, "page %zu", &len) != 1 || (nl = strchr(p, '\n')) == NULL ||
		    len > (size_t)(end - nl - 1))
			goto out;
		gth_strvec_push_take(pages, xstrndup(nl + 1, len));
		p = nl + 1 + len + 1;
	}
	ok = true;
out:
	if (!ok)
		gth_strvec_clear(pages);
	gth_buf_release(&raw);
	return ok;
}

/* ---- list_queue ---------------------------------------------------------------------------------- */

static void
merge_page(struct gth_github_page *page, struct gth_pr ***prs, size_t *n, size_t *cap)
{
	size_t i, j;

	for (i = 0; i < page->n; i++) {
		struct gth_pr *pr = page->prs[i];
		bool dup = false;

		for (j = 0; j < *n && !dup; j++)
			dup = (*prs)[j]->number == pr->number && strcmp((*prs)[j]->repo, pr->repo) == 0;
		if (dup) {
			gth_pr_free(pr);
		} else {
			GTH_PUSH(*prs, *n, *cap) = pr;
		}
		page->prs[i] = NULL;
	}
	page->n = 0;
}

/*
 * Search answers at most 1,000 results per query, however many match
 * (issueCount says how many do).  A query that matches more is walked in
 * windows of creation time, newest first: the query plus sort:created-desc,
 * then, once a window's 1,000 are read, plus created:*..T with T the oldest
 * creation time read so far.  The PRs of that boundary second come twice and
 * merge_page drops the copies.  A query that names its own sort: cannot be
 * windowed: it keeps its first 1,000, and the log says so.
 */
struct query_walk {
	char *cursor;		/* owned; the page after this one in the window */
	char *window;		/* owned; the query text of the window; NULL: the query as given */
	int pages;		/* pages read in the window */
	time_t bound;		/* the window's created:*..bound; 0 for the first window */
	time_t oldest;		/* oldest createdAt read in the window */
	bool more;
};

/* Account for one page of walk w; afterwards w->more says whether to ask again. */
static void
walk_page(struct gth_forge *f, const char *query, struct query_walk *w,
	const struct gth_github_page *page)
{
	long cap_pages = SEARCH_CAP / f->cfg.page_size;
	bool sorted = strstr(query, "sort:") != NULL;
	char when[32];
	struct tm tm;
	size_t i;

	w->pages++;
	for (i = 0; i < page->n; i++)
		if (page->prs[i]->created_at > 0 &&
		    (w->oldest == 0 || page->prs[i]->created_at < w->oldest))
			w->oldest = page->prs[i]->created_at;
	free(w->cursor);
	w->cursor = NULL;
	w->more = false;
	if (w->window == NULL && page->issue_count > SEARCH_CAP && !sorted) {
		/* More than search shows: start again, newest first, to read it in windows. */
		w->window = xasprintf("%s sort:created-desc", query);
		w->pages = 0;
		w->oldest = 0;
		w->more = true;
		return;
	}
	if (page->has_next && page->end_cursor != NULL && w->pages < cap_pages) {
		w->cursor = xstrdup(page->end_cursor);
		w->more = true;
		return;
	}
	if (page->issue_count <= (long)w->pages * f->cfg.page_size)
		return;		/* the window is read whole */
	if (w->window == NULL) {
		gth_warn("forge %s: \"%s\" matches %ld PRs; search shows %d, and a query with its "
		    "own sort: cannot be read in windows", f->cfg.name, query, page->issue_count,
		    SEARCH_CAP);
		return;
	}
	if (w->oldest == 0 || (w->bound != 0 && w->oldest >= w->bound)) {
		gth_warn("forge %s: \"%s\": more than %d PRs created in one second; some are "
		    "not listed", f->cfg.name, query, SEARCH_CAP);
		return;
	}
	w->bound = w->oldest;
	gmtime_r(&w->bound, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	free(w->window);
	w->window = xasprintf("%s sort:created-desc created:*..%s", query, when);
	w->pages = 0;
	w->oldest = 0;
	w->more = true;
}

/*
 * The conditional searches of the warm-refresh check: one per query, newest
 * update first, 20 items (enough to see any change move to the top).
 */
static void
search_reqs(struct gth_forge *f, const struct gth_strvec *queries, volatile int *cancel,
	struct gth_http_req *reqs)
{
	size_t i;

	for (i = 0; i < queries->n; i++) {
		char *q = gth_http_escape(queries->v[i]);

		memset(&reqs[i], 0, sizeof(reqs[i]));
		reqs[i].method = GTH_HTTP_GET;
		reqs[i].url = api(f, "/search/issues?q=%s&sort=updated&order=desc&per_page=20", q);
		reqs[i].conditional = true;
		reqs[i].cancel = cancel;
		free(q);
	}
}

/*
 * Digest the answers: hash gets the sha256 of the bodies, *all_cached is set
 * when every one was a 304.  Failures are not fatal (search has its own,
 * tighter limit): the refresh then simply goes to GraphQL.  Frees the URLs
 * and releases the responses.
 */
static int
search_digest(struct gth_http_req *reqs, struct gth_http_resp *resps, const int *rcs,
	struct gth_err *errs, size_t n, char hash[65], bool *all_cached, struct gth_err *err)
{
	struct gth_buf all = GTH_BUF_INIT;
	size_t i;
	int rc = 0;

	*all_cached = true;
	for (i = 0; i < n; i++) {
		long total;
		bool incomplete = false;

		if (rcs[i] == 0 && gth_github_decode_search(resps[i].body.data, resps[i].body.len,
		    &total, &incomplete, &errs[i]) == 0 && !incomplete) {
			if (!resps[i].from_cache)
				*all_cached = false;
			gth_buf_add(&all, resps[i].body.data, resps[i].body.len);
			gth_buf_addc(&all, 0);
		} else {
			*all_cached = false;
			if (rc == 0) {
				rc = rcs[i] != 0 ? rcs[i] : -GTH_E_PARSE;
				if (err != NULL)
					*err = errs[i];
			}
		}
		free((char *)reqs[i].url);
		reqs[i].url = NULL;
		gth_http_resp_release(&resps[i]);
	}
	gth_sha256_hex(all.data != NULL ? all.data : "", all.len, hash);
	gth_buf_release(&all);
	return rc;
}

static int
search_checks(struct gth_forge *f, const struct gth_strvec *queries, volatile int *cancel,
	char hash[65], bool *all_cached, struct gth_err *err)
{
	size_t n = queries->n;
	struct gth_http_req *reqs = xcalloc(n, sizeof(*reqs));
	struct gth_http_resp *resps = xcalloc(n, sizeof(*resps));
	int *rcs = xcalloc(n, sizeof(*rcs));
	struct gth_err *errs = xcalloc(n, sizeof(*errs));
	int rc;

	search_reqs(f, queries, cancel, reqs);
	gth_http_request_many(f->http, reqs, resps, rcs, errs, n);
	rc = search_digest(reqs, resps, rcs, errs, n, hash, all_cached, err);
	free(reqs);
	free(resps);
	free(rcs);
	free(errs);
	return rc;
}

/* A cached queue young enough to be served if the searches say nothing changed. */
static bool
queue_cache_young(const char *path, long max_age)
{
	struct stat st;

	return stat(path, &st) == 0 && time(NULL) - st.st_mtime <= max_age &&
	    st.st_mtime <= time(NULL);
}

static int
gh_list_queue(struct gth_forge *f, struct gth_pr ***prs, size_t *n, volatile int *cancel,
	struct gth_err *err)
{
	struct gth_strvec queries = GTH_STRVEC_INIT, pages = GTH_STRVEC_INIT;
	struct query_walk *walk = NULL;
	bool all_cached = false;
	char hash[65] = "", *cpath = NULL;
	size_t cap = 0, i, nq;
	int rc = 0, round;
	struct gth_err serr;
	bool precheck = false;	/* searches still to send, with the first GraphQL round */

	memset(&serr, 0, sizeof(serr));
	if (f->cfg.queries.n > 0)
		gth_strvec_extend(&queries, &f->cfg.queries);
	else
		for (i = 0; i < sizeof(default_queries) / sizeof(default_queries[0]); i++)
			gth_strvec_push(&queries, default_queries[i]);
	nq = queries.n;
	cpath = queue_cache_path(f, &queries);

	/*
	 * Without a young cached queue the searches cannot save anything now: they
	 * only record ETags for next time, so they ride along with the first
	 * GraphQL round instead of costing a round trip of their own.
	 */
	if (cpath != NULL && f->cfg.queue_max_age_s >= 0 &&
	    !queue_cache_young(cpath, f->cfg.queue_max_age_s))
		precheck = true;
	else if (cpath != NULL && f->cfg.queue_max_age_s >= 0) {
		if (search_checks(f, &queries, cancel, hash, &all_cached, &serr) != 0) {
			if (serr.code == -GTH_E_CANCEL) {
				rc = gth_err_set(err, -GTH_E_CANCEL, "cancelled");
				goto out;
			}
			gth_info("forge %s: search pre-check failed (%s); full refresh", f->cfg.name,
			    gth_err_text(&serr, serr.code));
		}
		if (all_cached && queue_cache_load(cpath, hash, f->cfg.queue_max_age_s,
		    f->cfg.max_body * 4, &pages)) {
			struct gth_github_page page;
			struct gth_github_ctx ctx = ctx_of(f);

			for (i = 0; i < pages.n && rc == 0; i++) {
				memset(&page, 0, sizeof(page));
				rc = gth_github_decode_graphql(pages.v[i], strlen(pages.v[i]), &ctx, &page, err);
				merge_page(&page, prs, n, &cap);
				gth_github_page_release(&page);
			}
			if (rc == 0) {
				gth_debug("forge %s: queue unchanged (all 304), %zu PRs from cache",
				    f->cfg.name, *n);
				goto out;
			}
			gth_forge_prs_free(*prs, *n);
			*prs = NULL;
			*n = 0;
			cap = 0;
			gth_strvec_clear(&pages);
			rc = 0;
		}
	}

	/* full refresh: the queries' pages run side by side, one round per page depth */
	walk = xcalloc(nq, sizeof(*walk));
	for (i = 0; i < nq; i++)
		walk[i].more = true;
	for (round = 0; round < MAX_QUERY_PAGES && rc == 0; round++) {
		struct gth_http_req *reqs = xcalloc(2 * nq, sizeof(*reqs));
		struct gth_http_resp *resps = xcalloc(2 * nq, sizeof(*resps));
		struct gth_err *errs = xcalloc(2 * nq, sizeof(*errs));
		int *rcs = xcalloc(2 * nq, sizeof(*rcs));
		size_t *idx = xcalloc(nq, sizeof(*idx)), k, active = 0, extra = 0;

		for (i = 0; i < nq; i++) {
			char *vars, *body;

			if (!walk[i].more)
				continue;
			vars = gth_github_queue_vars(walk[i].window != NULL ? walk[i].window :
			    queries.v[i], f->cfg.page_size, walk[i].cursor);
			body = gth_github_graphql_json(gth_github_queue_graphql, "GatehouseQueue", vars);
			free(vars);
			reqs[active].method = GTH_HTTP_POST;
			reqs[active].url = f->cfg.graphql_url;
			reqs[active].body = body;
			reqs[active].body_len = strlen(body);
			reqs[active].read_only = true;
			reqs[active].accept = "application/json";
			reqs[active].cancel = cancel;
			idx[active++] = i;
		}
		if (active > 0 && precheck) {
			search_reqs(f, &queries, cancel, reqs + active);
			extra = nq;
		}
		if (active > 0)
			gth_http_request_many(f->http, reqs, resps, rcs, errs, active + extra);
		if (extra > 0) {
			precheck = false;
			if (search_digest(reqs + active, resps + active, rcs + active, errs + active, nq,
			    hash, &all_cached, &serr) != 0)
				gth_info("forge %s: search for the warm-refresh check failed (%s)",
				    f->cfg.name, gth_err_text(&serr, serr.code));
		}
		for (k = 0; k < active; k++) {
			size_t q = idx[k];
			struct gth_github_page page;
			int r = rcs[k];

			memset(&page, 0, sizeof(page));
			if (r == 0)
				r = decode_graphql(f, resps[k].body.data, resps[k].body.len, &page, &errs[k]);
			if (r != 0) {
				if (rc == 0) {
					rc = r;
					if (err != NULL)
						*err = errs[k];
				}
				walk[q].more = false;
			} else {
				gth_strvec_push(&pages, resps[k].body.data);
				walk_page(f, queries.v[q], &walk[q], &page);
				merge_page(&page, prs, n, &cap);
			}
			gth_github_page_release(&page);
			gth_http_resp_release(&resps[k]);
			free((char *)reqs[k].body);
		}
		free(reqs);
		free(resps);
		free(errs);
		free(rcs);
		free(idx);
		if (active == 0)
			break;
	}
	for (i = 0; rc == 0 && i < nq; i++)
		if (walk[i].more)
			gth_warn("forge %s: \"%s\": stopped after %d pages; older PRs are not listed",
			    f->cfg.name, queries.v[i], MAX_QUERY_PAGES);
	if (rc == 0 && cpath != NULL && f->cfg.queue_max_age_s >= 0) {
		/*
		 * The searches ran before or with the first GraphQL page, so their ETags are
		 * (nearly) no newer than the pages: a change after them shows up as a 200 next
		 * time.  A change landing inside the first round's few milliseconds could be
		 * missed until the cached queue ages out (queue_max_age_s).
		 */
		queue_cache_save(cpath, hash, &pages);
	}
out:
	if (rc != 0) {
		gth_forge_prs_free(*prs, *n);
		*prs = NULL;
		*n = 0;
	}
	for (i = 0; walk != NULL && i < nq; i++) {
		free(walk[i].cursor);
		free(walk[i].window);
	}
	free(walk);
	free(cpath);
	gth_strvec_clear(&pages);
	gth_strvec_clear(&queries);
	return rc;
}

/* ---- one PR ------------------------------------------------------------------------------------------ */

static int
gh_get_pr(struct gth_forge *f, const char *repo, long number, struct gth_pr **out,
	volatile int *cancel, struct gth_err *err)
{
	struct gth_http_resp resp;
	struct gth_github_page page;
	char *owner, *name, *vars;
	int rc;

	if ((rc = check_repo(repo, err)) < 0)
		return rc;
	owner = xstrdup(repo);
	name = strchr(owner, '/');
	*name++ = '\0';
	vars = gth_github_pull_vars(owner, name, number);
	free(owner);
	rc = graphql(f, "GatehousePull", vars, cancel, &resp, err);
	free(vars);
	memset(&page, 0, sizeof(page));
	if (rc == 0)
		rc = decode_graphql(f, resp.body.data, resp.body.len, &page, err);
	if (rc == -GTH_E_NOTFOUND)
		gth_err_set(err, rc, "%s#%ld: no such pull request (or no access)", repo, number);
	if (rc == 0 && page.n == 1) {
		*out = page.prs[0];
		page.prs[0] = NULL;
		page.n = 0;
	} else if (rc == 0) {
		rc = gth_err_set(err, -GTH_E_NOTFOUND, "%s#%ld: no such pull request", repo, number);
	}
	gth_github_page_release(&page);
	gth_http_resp_release(&resp);
	return rc;
}

/* ---- details ------------------------------------------------------------------------------------------ */

static int
page_checks(const char *j, size_t l, void *arg, struct gth_err *e)
{
	return gth_github_decode_check_runs(j, l, arg, NULL, e);
}

static int
page_status(const char *j, size_t l, void *arg, struct gth_err *e)
{
	return gth_github_decode_combined_status(j, l, arg, e);
}

static int
page_requested(const char *j, size_t l, void *arg, struct gth_err *e)
{
	return gth_github_decode_requested(j, l, arg, e);
}

static int
page_files(const char *j, size_t l, void *arg, struct gth_err *e)
{
	return gth_github_decode_files(j, l, arg, e);
}

static int
page_commits(const char *j, size_t l, void *arg, struct gth_err *e)
{
	return gth_github_decode_commits(j, l, arg, e);
}

static int
page_branch(const char *j, size_t l, void *arg, struct gth_err *e)
{
	return gth_github_decode_branch_required(j, l, arg, e);
}

static int
page_annotations(const char *j, size_t l, void *arg, struct gth_err *e)
{
	return gth_github_decode_annotations(j, l, arg, e);
}

struct review_list {
	struct gth_review *v;
	size_t n, cap;
};

static int
page_reviews(const char *j, size_t l, void *arg, struct gth_err *e)
{
	struct review_list *rl = arg;

	return gth_github_decode_reviews(j, l, &rl->v, &rl->n, &rl->cap, e);
}

static int
gh_get_details(struct gth_forge *f, struct gth_pr *pr, volatile int *cancel, struct gth_err *err)
{
	struct gth_pr *tmp = gth_pr_new();
	struct review_list rl = { NULL, 0, 0 };
	struct gth_http_resp resp;
	struct gth_strvec required = GTH_STRVEC_INIT;
	struct stream ss[7], *as = NULL;
	char *base_ref = NULL;
	size_t i, na = 0;
	bool open = true;
	char *url;
	int rc;

	if ((rc = check_repo(pr->repo, err)) < 0)
		goto out;
	/* the head first: everything else is read for the head the forge has now */
	url = api(f, "/repos/%s/pulls/%ld", pr->repo, pr->number);
	rc = do_req(f, GTH_HTTP_GET, url, NULL, true, cancel, &resp, err);
	free(url);
	if (rc == 0)
		rc = gth_github_decode_pull(resp.body.data, resp.body.len, pr, &open, err);
	gth_http_resp_release(&resp);
	if (rc != 0)
		goto out;
	if (!open)
		gth_info("forge %s: %s#%ld is no longer open", f->cfg.name, pr->repo, pr->number);

	stream_add(&ss[0], api(f, "/repos/%s/commits/%s/check-runs?per_page=100", pr->repo,
	    pr->head_sha), page_checks, tmp, 10);
	stream_add(&ss[1], api(f, "/repos/%s/commits/%s/status?per_page=100", pr->repo, pr->head_sha),
	    page_status, tmp, 10);
	stream_add(&ss[2], api(f, "/repos/%s/pulls/%ld/reviews?per_page=100", pr->repo, pr->number),
	    page_reviews, &rl, 10);
	stream_add(&ss[3], api(f, "/repos/%s/pulls/%ld/requested_reviewers", pr->repo, pr->number),
	    page_requested, tmp, 1);
	stream_add(&ss[4], api(f, "/repos/%s/pulls/%ld/files?per_page=100", pr->repo, pr->number),
	    page_files, tmp, MAX_PAGES);
	stream_add(&ss[5], api(f, "/repos/%s/pulls/%ld/commits?per_page=100", pr->repo, pr->number),
	    page_commits, tmp, 3);
	base_ref = gth_http_escape(pr->base_ref != NULL ? pr->base_ref : "");
	stream_add(&ss[6], api(f, "/repos/%s/branches/%s", pr->repo, base_ref), page_branch,
	    &required, 1);
	rc = fetch_streams(f, ss, 7, cancel, err);
	if (rc != 0)
		goto out;
	gth_rest_apply_required(tmp, &required);
	tmp->files_complete = !ss[4].truncated;

	/* annotations for the runs that have them and did not pass, one page each */
	as = xcalloc(MAX_ANNOTATED_RUNS, sizeof(*as));
	for (i = 0; i < tmp->n_checks && na < MAX_ANNOTATED_RUNS; i++) {
		struct gth_check *c = &tmp->checks[i];

		if (c->kind != GTH_CHECK_RUN || c->annotations_count <= 0 || c->id <= 0 ||
		    c->state == GTH_GATE_PASS)
			continue;
		stream_add(&as[na++], api(f, "/repos/%s/check-runs/%lld/annotations?per_page=100",
		    pr->repo, c->id), page_annotations, c, 1);
	}
	rc = fetch_streams(f, as, na, cancel, err);
	if (rc != 0)
		goto out;

	/* swap the fresh lists in; tmp takes the old ones to its grave */
	gth_pr_clear_details(pr);
#define SWAP(a, b) do { __typeof__(a) t_ = (a); (a) = (b); (b) = t_; } while (0)
	SWAP(pr->checks, tmp->checks);
	SWAP(pr->n_checks, tmp->n_checks);
	SWAP(pr->cap_checks, tmp->cap_checks);
	SWAP(pr->files, tmp->files);
	SWAP(pr->n_files, tmp->n_files);
	SWAP(pr->cap_files, tmp->cap_files);
	SWAP(pr->commit_messages, tmp->commit_messages);
	SWAP(pr->requested_users, tmp->requested_users);
	SWAP(pr->requested_teams, tmp->requested_teams);
#undef SWAP
	gth_forge_reviews_free(pr->reviews, pr->n_reviews);
	pr->reviews = rl.v;
	pr->n_reviews = rl.n;
	pr->cap_reviews = rl.cap;
	rl.v = NULL;
	rl.n = 0;
	pr->files_complete = tmp->files_complete;
	pr->details_loaded = true;
	gth_task_template_free(pr->task);
	pr->task = pr->body != NULL ? gth_github_task_from_body(pr->body) : NULL;
out:
	gth_forge_reviews_free(rl.v, rl.n);
	gth_strvec_clear(&required);
	free(base_ref);
	free(as);
	gth_pr_free(tmp);
	return rc;
}

/* ---- writes ------------------------------------------------------------------------------------------ */

static int
write_json(struct gth_forge *f, const char *url, char *body, volatile int *cancel,
	long long *id, struct gth_err *err)
{
	struct gth_http_resp resp;
	int rc;

	rc = do_req(f, GTH_HTTP_POST, url, body, false, cancel, &resp, err);
	if (rc == 0 && id != NULL)
		rc = gth_github_decode_id_login(resp.body.data, resp.body.len, id, NULL, err);
	gth_http_resp_release(&resp);
	free(body);
	return rc;
}

static int
gh_post_review(struct gth_forge *f, const char *repo, long number,
	const struct gth_review_post *rv, long long *review_id, volatile int *cancel,
	struct gth_err *err)
{
	long long id = 0;
	char *url;
	int rc;
	size_t i;

	if ((rc = check_repo(repo, err)) < 0)
		return rc;
	if (rv->commit_id == NULL || *rv->commit_id == '\0')
		return gth_err_set(err, -GTH_E_INVAL, "a review must be pinned to a commit");
	if (rv->event != GTH_REVIEW_APPROVE && (rv->body == NULL || *rv->body == '\0'))
		return gth_err_set(err, -GTH_E_INVAL, "%s needs a body", gth_review_event_name(rv->event));
	for (i = 0; i < rv->n_comments; i++)
		if (rv->comments[i].path == NULL || rv->comments[i].line <= 0)
			return gth_err_set(err, -GTH_E_INVAL, "inline comment %zu has no path or line", i);
	url = api(f, "/repos/%s/pulls/%ld/reviews", repo, number);
	rc = write_json(f, url, gth_github_review_json(rv), cancel, &id, err);
	free(url);
	if (rc == 0 && review_id != NULL)
		*review_id = id;
	return rc;
}

static int
gh_post_status(struct gth_forge *f, const char *repo, const struct gth_status_post *st,
	volatile int *cancel, struct gth_err *err)
{
	const char *p;
	char *url;
	int rc;

	if ((rc = check_repo(repo, err)) < 0)
		return rc;
	for (p = st->sha; p != NULL && *p != '\0'; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			break;
	if (st->sha == NULL || *p != '\0' || (p - st->sha != 40 && p - st->sha != 64))
		return gth_err_set(err, -GTH_E_INVAL, "not a commit id: %s", st->sha ? st->sha : "");
	url = api(f, "/repos/%s/statuses/%s", repo, st->sha);
	rc = write_json(f, url, gth_github_status_json(st), cancel, NULL, err);
	free(url);
	return rc;
}

static int
gh_add_labels(struct gth_forge *f, const char *repo, long number, const struct gth_strvec *labels,
	volatile int *cancel, struct gth_err *err)
{
	char *url;
	int rc;

	if ((rc = check_repo(repo, err)) < 0)
		return rc;
	if (labels == NULL || labels->n == 0)
		return 0;
	url = api(f, "/repos/%s/issues/%ld/labels", repo, number);
	rc = write_json(f, url, gth_github_strings_json("labels", labels, NULL, NULL), cancel, NULL,
	    err);
	free(url);
	return rc;
}

static int
gh_request_reviewers(struct gth_forge *f, const char *repo, long number,
	const struct gth_strvec *users, const struct gth_strvec *teams, volatile int *cancel,
	struct gth_err *err)
{
	char *url;
	int rc;

	if ((rc = check_repo(repo, err)) < 0)
		return rc;
	url = api(f, "/repos/%s/pulls/%ld/requested_reviewers", repo, number);
	rc = write_json(f, url, gth_github_strings_json("reviewers", users, "team_reviewers", teams),
	    cancel, NULL, err);
	free(url);
	return rc;
}

static int
gh_post_comment(struct gth_forge *f, const char *repo, long number, const char *body,
	volatile int *cancel, struct gth_err *err)
{
	char *url;
	int rc;

	if ((rc = check_repo(repo, err)) < 0)
		return rc;
	if (body == NULL || *body == '\0')
		return gth_err_set(err, -GTH_E_INVAL, "empty comment");
	url = api(f, "/repos/%s/issues/%ld/comments", repo, number);
	rc = write_json(f, url, gth_github_comment_json(body), cancel, NULL, err);
	free(url);
	return rc;
}

static int
gh_list_reviews(struct gth_forge *f, const char *repo, long number, struct gth_review **reviews,
	size_t *n, volatile int *cancel, struct gth_err *err)
{
	struct review_list rl = { NULL, 0, 0 };
	struct stream s;
	int rc;

	if ((rc = check_repo(repo, err)) < 0)
		return rc;
	stream_add(&s, api(f, "/repos/%s/pulls/%ld/reviews?per_page=100", repo, number),
	    page_reviews, &rl, 30);
	rc = fetch_streams(f, &s, 1, cancel, err);
	if (rc != 0) {
		gth_forge_reviews_free(rl.v, rl.n);
		return rc;
	}
	*reviews = rl.v;
	*n = rl.n;
	return 0;
}

static int
gh_whoami(struct gth_forge *f, char **login, volatile int *cancel, struct gth_err *err)
{
	struct gth_http_resp resp;
	char *url = api(f, "/user");
	int rc;

	rc = do_req(f, GTH_HTTP_GET, url, NULL, true, cancel, &resp, err);
	free(url);
	if (rc == 0)
		rc = gth_github_decode_id_login(resp.body.data, resp.body.len, NULL, login, err);
	gth_http_resp_release(&resp);
	return rc;
}

static const struct gth_forge_ops github_ops = {
	.list_queue = gh_list_queue,
	.get_pr = gh_get_pr,
	.get_details = gh_get_details,
	.post_review = gh_post_review,
	.post_status = gh_post_status,
	.add_labels = gh_add_labels,
	.request_reviewers = gh_request_reviewers,
	.post_comment = gh_post_comment,
	.list_reviews = gh_list_reviews,
	.whoami = gh_whoami,
	.free = NULL,
};

/* ---- construction ------------------------------------------------------------------------------- */

static char *
strip_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0 ? xstrndup(s, n - m) : NULL;
}

static char *
host_of(const char *url)
{
	const char *p = strstr(url, "://");

	p = p != NULL ? p + 3 : url;
	return xstrndup(p, strcspn(p, "/?#"));
}

/* https, or http to this machine (the test forge): a token never crosses a network in clear. */
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
	host[strcspn(host, ":")] = '\0';
	if (host[0] == '[')	/* [::1]:port */
		ok = strncmp(url + 7, "[::1]", 5) == 0;
	else
		ok = strcmp(host, "localhost") == 0 || gth_str_has_prefix(host, "127.");
	free(host);
	return ok;
}

int
gth_github_new(const struct gth_forge_config *cfg, struct gth_forge **out, struct gth_err *err)
{
	struct gth_forge *f = xcalloc(1, sizeof(*f));
	struct gth_forge_config *c = &f->cfg;
	struct gth_auth_source src;
	struct gth_http_config hc;
	char *t;
	int rc;

	*out = NULL;
	gth_forge_config_copy(c, cfg);
	if (c->name == NULL)
		c->name = xstrdup("github");
	if (c->api_url == NULL)
		c->api_url = xstrdup("https://api.github.com");
	while (gth_str_has_suffix(c->api_url, "/") && strlen(c->api_url) > 8)
		c->api_url[strlen(c->api_url) - 1] = '\0';
	if (c->graphql_url == NULL) {
		t = strip_suffix(c->api_url, "/api/v3");
		c->graphql_url = t != NULL ? xasprintf("%s/api/graphql", t) :
		    xasprintf("%s/graphql", c->api_url);
		free(t);
	}
	if (c->web_url == NULL) {
		t = strip_suffix(c->api_url, "/api/v3");
		if (t != NULL)
			c->web_url = t;
		else if (strcmp(c->api_url, "https://api.github.com") == 0)
			c->web_url = xstrdup("https://github.com");
		else
			c->web_url = xstrdup(c->api_url);
	}
	while (gth_str_has_suffix(c->web_url, "/") && strlen(c->web_url) > 8)
		c->web_url[strlen(c->web_url) - 1] = '\0';
	if (c->user_agent == NULL)
		c->user_agent = xstrdup("gatehouse/" PACKAGE_VERSION);
	if (c->page_size <= 0)
		c->page_size = 100;
	if (c->page_size < 50)
		c->page_size = 50;
	if (c->page_size > 100)
		c->page_size = 100;
	if (c->queue_max_age_s == 0)
		c->queue_max_age_s = 300;
	if (c->max_body == 0)
		c->max_body = (size_t)32 << 20;
	f->host = host_of(c->web_url);
	f->ops = &github_ops;
	if (!loopback_or_https(c->api_url) || !loopback_or_https(c->graphql_url)) {
		rc = gth_err_set(err, -GTH_E_CONFIG, "forge %.100s: refusing to send the token over "
		    "plain http to %.200s (use https; plain http is for loopback test forges only)",
		    c->name, c->api_url);
		gth_forge_free(f);
		return rc;
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
		gth_forge_free(f);
		return rc;
	}
	gth_log_add_secret(f->token);

	memset(&hc, 0, sizeof(hc));
	hc.user_agent = c->user_agent;
	hc.token = f->token;
	hc.ca_bundle = c->ca_bundle;
	hc.cache_dir = c->cache_dir;
	hc.api_version = API_VERSION;
	hc.connect_timeout_ms = c->connect_timeout_ms;
	hc.timeout_ms = c->timeout_ms;
	hc.max_wait_ms = c->max_wait_s > 0 ? c->max_wait_s * 1000 : 0;
	hc.write_spacing_ms = c->write_spacing_ms;
	hc.max_body = c->max_body;
	f->http = gth_http_new(&hc);
	*out = f;
	return 0;
}
