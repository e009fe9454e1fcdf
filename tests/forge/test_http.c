/*
 * The HTTP client against a real local server with one route per fault
 * (tests/forge/httpfaults.py): retries for reads only, Retry-After and
 * rate-limit resets, malformed/truncated/oversized bodies, drops, timeouts,
 * ETag 304s, Link pagination, write spacing, headers sent, and the token kept
 * out of the trace log.
 */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gatehouse/base/log.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/forge/github.h"
#include "gatehouse/forge/http.h"
#include "tap.h"

#define TOKEN "ghp_TESTtoken0123456789abcdefSECRET"

static pid_t server_pid;
static char base[64];
static char hole[64];	/* a port where connections never complete */

static void
stop_server(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
		server_pid = 0;
	}
}

static int
start_server(void)
{
	const char *top = getenv("top_srcdir");
	const char *py = getenv("PYTHON3");
	char *script, line[32];
	int fd[2];
	ssize_t n;

	script = xasprintf("%s/tests/forge/httpfaults.py", top != NULL ? top : ".");
	if (py == NULL || *py == '\0' || strcmp(py, "no") == 0)
		py = "python3";
	if (pipe(fd) < 0)
		return -1;
	server_pid = fork();
	if (server_pid == 0) {
		int devnull = open(getenv("HTTPFAULTS_LOG") ? getenv("HTTPFAULTS_LOG") : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0600);

		prctl(PR_SET_PDEATHSIG, SIGTERM);	/* never outlive a crashed test */
		signal(SIGTERM, SIG_DFL);
		dup2(devnull, 2);
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execlp(py, py, script, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	free(script);
	/* read the whole first line: the port may arrive in more than one write */
	for (n = 0; n < (ssize_t)sizeof(line) - 1 && memchr(line, '\n', (size_t)n) == NULL;) {
		ssize_t r = read(fd[0], line + n, sizeof(line) - 1 - (size_t)n);

		if (r <= 0)
			break;
		n += r;
	}
	close(fd[0]);
	if (n <= 0)
		return -1;
	line[n] = '\0';
	line[strcspn(line, "\n")] = '\0';
	if (strchr(line, ' ') == NULL)
		return -1;
	snprintf(hole, sizeof(hole), "http://127.0.0.1:%s/", strchr(line, ' ') + 1);
	*strchr(line, ' ') = '\0';
	snprintf(base, sizeof(base), "http://127.0.0.1:%s", line);
	atexit(stop_server);
	return 0;
}

static long
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct gth_http *
client(long timeout_ms, int max_tries, const char *cache_dir)
{
	struct gth_http_config c;

	memset(&c, 0, sizeof(c));
	c.user_agent = "gatehouse-test/1";
	c.token = TOKEN;
	c.api_version = "2022-11-28";
	c.timeout_ms = timeout_ms;
	c.max_tries = max_tries;
	c.backoff_ms = 50;
	c.max_wait_ms = 5000;
	c.cache_dir = cache_dir;
	return gth_http_new(&c);
}

static int
get(struct gth_http *h, enum gth_http_method m, const char *path, struct gth_http_resp *resp,
	struct gth_err *err, volatile int *cancel)
{
	struct gth_http_req req;
	char *url = xasprintf("%s%s", base, path);
	int rc;

	memset(&req, 0, sizeof(req));
	memset(resp, 0, sizeof(*resp));
	req.method = m;
	req.url = url;
	req.conditional = true;
	req.cancel = cancel;
	if (m != GTH_HTTP_GET) {
		req.body = "{}";
		req.body_len = 2;
	}
	gth_err_clear(err);
	rc = gth_http_request(h, &req, resp, err);
	free(url);
	return rc;
}

/* The server's request log, as text. */
static char *
server_log(struct gth_http *h)
{
	struct gth_http_resp r;
	struct gth_err err;
	char *s;

	get(h, GTH_HTTP_GET, "/_log", &r, &err, NULL);
	s = xstrdup(r.body.data != NULL ? r.body.data : "");
	gth_http_resp_release(&r);
	return s;
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static void
reset(struct gth_http *h)
{
	struct gth_http_resp r;
	struct gth_err err;

	get(h, GTH_HTTP_GET, "/_reset", &r, &err, NULL);
	gth_http_resp_release(&r);
}

static volatile int cancel_flag;

static void *
canceller(void *arg)
{
	usleep(300 * 1000);
	cancel_flag = 1;
	return arg;
}

/* Server-side times (seconds, monotonic) of requests whose path is path. */
static int
times_of(const char *log, const char *path, double *t, int max)
{
	char *needle = xasprintf("\"path\": \"%s\"", path);
	const char *p = log;
	int n = 0;

	while (n < max && (p = strstr(p, needle)) != NULL) {
		const char *tt = strstr(p, "\"t\": ");

		if (tt == NULL)
			break;
		t[n++] = strtod(tt + 5, NULL);
		p += strlen(needle);
	}
	free(needle);
	return n;
}

int
main(void)
{
	struct gth_http *h, *fast;
	struct gth_http_resp r;
	struct gth_err err;
	struct gth_rate rate;
	char *log, trace[512], dir[512];
	long t0;
	int rc;

	if (start_server() < 0) {
		skip_all("cannot start tests/forge/httpfaults.py");
		return 0;
	}
	snprintf(trace, sizeof(trace), "%s/trace.log", tap_tmpdir());
	snprintf(dir, sizeof(dir), "%s/cache", tap_tmpdir());
	setenv("GATEHOUSE_TRACE", trace, 1);
	gth_log_open_from_env();
	gth_log_add_secret(TOKEN);
	gth_http_global_init(NULL);
	h = client(10000, 4, dir);

	/* headers every request carries */
	rc = get(h, GTH_HTTP_GET, "/ok", &r, &err, NULL);
	is_int(rc, 0, "GET /ok succeeds");
	is_str(r.body.data, "{\"ok\": true}", "body is delivered");
	gth_http_resp_release(&r);
	log = server_log(h);
	ok(strstr(log, "\"user-agent\": \"gatehouse-test/1\"") != NULL, "User-Agent sent");
	ok(strstr(log, "\"accept\": \"application/vnd.github+json\"") != NULL,
	    "Accept: application/vnd.github+json sent");
	ok(strstr(log, "\"x-github-api-version\": \"2022-11-28\"") != NULL,
	    "X-GitHub-Api-Version sent");
	ok(strstr(log, "\"authorization\": \"Bearer " TOKEN "\"") != NULL,
	    "token sent in the Authorization header");
	ok(count(log, TOKEN) == count(log, "\"authorization\": \"Bearer " TOKEN "\""),
	    "token appears nowhere but the Authorization header");
	free(log);
	ok(gth_http_rate(h, "core", &rate) == 0 && rate.remaining == 4990 && rate.limit == 5000,
	    "x-ratelimit-* read into the budget (4990 of 5000 left)");

	/* a twin: its own connections, the same identity and the same budget */
	{
		struct gth_http *t = gth_http_twin(h);

		reset(h);
		rc = get(t, GTH_HTTP_GET, "/gitlab-ok", &r, &err, NULL);
		is_int(rc, 0, "a twin's request succeeds");
		gth_http_resp_release(&r);
		rc = gth_http_rate(h, "core", &rate);
		ok(rc == 0 && rate.remaining == 1990,
		    "what the twin was told of the budget is the original's budget too (%ld left)",
		    rate.remaining);
		log = server_log(h);
		ok(strstr(log, "\"authorization\": \"Bearer " TOKEN "\"") != NULL &&
		    strstr(log, "\"user-agent\": \"gatehouse-test/1\"") != NULL &&
		    strstr(log, "\"x-github-api-version\": \"2022-11-28\"") != NULL,
		    "the twin sends the same token, User-Agent and API version");
		free(log);
		gth_http_free(t);
		rc = get(h, GTH_HTTP_GET, "/ok", &r, &err, NULL);
		ok(rc == 0 && gth_http_rate(h, "core", &rate) == 0 && rate.remaining == 4990,
		    "the original outlives its twin and keeps its budget up to date");
		gth_http_resp_release(&r);
	}

	/* 5xx: reads retried, writes not */
	reset(h);
	rc = get(h, GTH_HTTP_GET, "/flaky/a?fail=2", &r, &err, NULL);
	is_int(rc, 0, "a read that fails twice with 500 succeeds on the third try");
	is_int(r.tries, 3, "three tries were made");
	gth_http_resp_release(&r);
	rc = get(h, GTH_HTTP_GET, "/flaky/b?fail=99", &r, &err, NULL);
	is_int(rc, -GTH_E_AGAIN, "a read that keeps failing ends in AGAIN");
	is_int(r.tries, 4, "after 4 tries");
	ok(strstr(err.msg, "Server Error") != NULL && strstr(err.msg, "gave up after 4 tries") != NULL,
	    "message carries the forge's words and the tries: %s", err.msg);
	is_int(err.status, 500, "status 500 kept");
	gth_http_resp_release(&r);
	rc = get(h, GTH_HTTP_POST, "/write-fail", &r, &err, NULL);
	is_int(rc, -GTH_E_AGAIN, "a failing write reports AGAIN");
	is_int(r.tries, 1, "a write is never retried");
	gth_http_resp_release(&r);
	log = server_log(h);
	is_int(count(log, "\"path\": \"/write-fail\""), 1, "the server saw the write once");
	free(log);

	/* 429 with Retry-After */
	t0 = ms_now();
	rc = get(h, GTH_HTTP_GET, "/retry-after/a", &r, &err, NULL);
	is_int(rc, 0, "429 + Retry-After: 1 is waited out and retried");
	ok(ms_now() - t0 >= 950, "the retry came after the requested second (%ld ms)", ms_now() - t0);
	gth_http_resp_release(&r);

	/* primary limit exhausted */
	t0 = ms_now();
	rc = get(h, GTH_HTTP_GET, "/primary", &r, &err, NULL);
	is_int(rc, -GTH_E_RATELIMIT, "403 with x-ratelimit-remaining: 0 -> RATELIMIT");
	ok(ms_now() - t0 < 2000, "no hour-long sleep: returned at once");
	ok(strstr(err.msg, "API rate limit exceeded") != NULL && strstr(err.msg, "UTC") != NULL,
	    "message has the forge's words and the reset time: %s", err.msg);
	is_int(err.status, 403, "status 403 kept");
	ok(gth_http_rate(h, "core", &rate) == 0 && rate.remaining == 0 && rate.reset > time(NULL),
	    "budget shows 0 left and the reset time");
	gth_http_resp_release(&r);
	t0 = ms_now();
	rc = get(h, GTH_HTTP_GET, "/primary-soon/a", &r, &err, NULL);
	is_int(rc, 0, "a reset one second away is waited for, then the read succeeds");
	ok(ms_now() - t0 >= 900, "waited for the reset (%ld ms)", ms_now() - t0);
	gth_http_resp_release(&r);
	rc = get(h, GTH_HTTP_GET, "/secondary", &r, &err, NULL);
	is_int(rc, -GTH_E_RATELIMIT, "secondary limit with a long Retry-After -> RATELIMIT");
	ok(strstr(err.msg, "secondary rate limit") != NULL, "message names the secondary limit");
	gth_http_resp_release(&r);

	/* GitLab's headers have no X- and say Observed for used */
	rc = get(h, GTH_HTTP_GET, "/gitlab-ok", &r, &err, NULL);
	is_int(rc, 0, "a GitLab answer with RateLimit-* headers");
	memset(&rate, 0, sizeof(rate));
	rc = gth_http_rate(h, "core", &rate);
	ok(rc == 0 && rate.limit == 2000 && rate.remaining == 1990 && rate.used == 10,
	    "GitLab's budget is read: %ld of %ld left", rate.remaining, rate.limit);
	gth_http_resp_release(&r);
	t0 = ms_now();
	rc = get(h, GTH_HTTP_GET, "/gitlab-limited", &r, &err, NULL);
	is_int(rc, -GTH_E_RATELIMIT, "GitLab's 429 with RateLimit-Remaining: 0 -> RATELIMIT");
	ok(ms_now() - t0 < 2000, "at once, not after the hour it asks for");
	ok(strstr(err.msg, "UTC") != NULL, "the message names the reset time: %s", err.msg);
	ok(gth_http_rate(h, "core", &rate) == 0 && rate.remaining == 0,
	    "the budget shows nothing left");
	gth_http_resp_release(&r);

	/* GraphQL reports its limit with HTTP 200 */
	{
		struct gth_github_page page;
		struct gth_github_ctx ctx = { "github", "github.com", "https://github.com", NULL };

		rc = get(h, GTH_HTTP_GET, "/graphql-limited", &r, &err, NULL);
		is_int(rc, 0, "GraphQL rate limit arrives as HTTP 200");
		memset(&page, 0, sizeof(page));
		rc = gth_github_decode_graphql(r.body.data, r.body.len, &ctx, &page, &err);
		is_int(rc, -GTH_E_RATELIMIT, "... and is decoded as RATELIMIT");
		ok(strstr(err.msg, "API rate limit exceeded") != NULL, "with the forge's message");
		gth_github_page_release(&page);
		gth_http_resp_release(&r);
	}

	/* bad bodies */
	rc = get(h, GTH_HTTP_GET, "/malformed", &r, &err, NULL);
	is_int(rc, 0, "malformed JSON arrives");
	rc = gth_github_decode_check_runs(r.body.data, r.body.len, NULL, NULL, &err);
	is_int(rc, -GTH_E_PARSE, "malformed JSON -> PARSE");
	ok(strstr(err.msg, "malformed JSON") != NULL, "clear message: %s", err.msg);
	gth_http_resp_release(&r);
	rc = get(h, GTH_HTTP_GET, "/truncated", &r, &err, NULL);
	rc = gth_github_decode_check_runs(r.body.data, r.body.len, NULL, NULL, &err);
	is_int(rc, -GTH_E_PARSE, "truncated JSON -> PARSE");
	gth_http_resp_release(&r);
	rc = get(h, GTH_HTTP_GET, "/short-body/a", &r, &err, NULL);
	is_int(rc, -GTH_E_NET, "a body cut short by a closed connection -> NET");
	is_int(r.tries, 4, "after retries");
	gth_http_resp_release(&r);

	/* oversized bodies */
	t0 = ms_now();
	rc = get(h, GTH_HTTP_GET, "/big", &r, &err, NULL);
	is_int(rc, -GTH_E_TOOBIG, "a 50 MB body (Content-Length) -> TOOBIG");
	ok(r.body.len == 0, "refused before buffering any of it");
	ok(strstr(err.msg, "larger than the 32 MiB limit") != NULL, "clear message: %s", err.msg);
	gth_http_resp_release(&r);
	rc = get(h, GTH_HTTP_GET, "/big-chunked", &r, &err, NULL);
	is_int(rc, -GTH_E_TOOBIG, "a 50 MB chunked body -> TOOBIG");
	ok(r.body.len <= (size_t)32 << 20, "buffering stopped at the cap");
	is_int(r.tries, 1, "oversized bodies are not retried");
	gth_http_resp_release(&r);
	ok(ms_now() - t0 < 10000, "both aborted promptly (%ld ms)", ms_now() - t0);
	rc = get(h, GTH_HTTP_GET, "/huge-header", &r, &err, NULL);
	is_int(rc, -GTH_E_TOOBIG, "a header line of 1 MiB -> TOOBIG");
	ok(strstr(err.msg, "header line over 100 KB") != NULL, "says so: %s", err.msg);
	is_int(r.tries, 1, "and is not retried");
	gth_http_resp_release(&r);

	/* drops and timeouts */
	reset(h);
	rc = get(h, GTH_HTTP_GET, "/drop/a", &r, &err, NULL);
	is_int(rc, -GTH_E_NET, "connection dropped before the answer -> NET");
	gth_http_resp_release(&r);
	log = server_log(h);
	/* 4 tries; curl itself may retry once when a reused connection dies */
	ok(count(log, "\"path\": \"/drop/a\"") >= 4 && count(log, "\"path\": \"/drop/a\"") <= 5,
	    "a dropped read is tried 4 times (%d requests seen)", count(log, "\"path\": \"/drop/a\""));
	free(log);
	fast = client(1000, 1, NULL);
	{
		struct gth_http_config c;
		struct gth_http_req req;
		struct gth_http *hc;

		memset(&c, 0, sizeof(c));
		c.user_agent = "gatehouse-test/1";
		c.connect_timeout_ms = 500;
		c.max_tries = 2;
		c.backoff_ms = 50;
		hc = gth_http_new(&c);
		memset(&req, 0, sizeof(req));
		req.method = GTH_HTTP_GET;
		req.url = hole;
		t0 = ms_now();
		rc = gth_http_request(hc, &req, &r, &err);
		is_int(rc, -GTH_E_TIMEOUT, "a connection that never completes -> TIMEOUT");
		ok(ms_now() - t0 >= 900 && ms_now() - t0 < 3000,
		    "two tries of the 500 ms connect timeout (%ld ms)", ms_now() - t0);
		ok(strstr(err.msg, "could not connect within 500 ms") != NULL,
		    "message names the connect timeout: %s", err.msg);
		gth_http_resp_release(&r);
		gth_http_free(hc);
	}
	t0 = ms_now();
	rc = get(fast, GTH_HTTP_GET, "/slow", &r, &err, NULL);
	is_int(rc, -GTH_E_TIMEOUT, "no answer within the total timeout -> TIMEOUT");
	ok(strstr(err.msg, "no complete answer within 1000 ms") != NULL, "message: %s", err.msg);
	ok(ms_now() - t0 < 3000, "gave up after about 1 s (%ld ms)", ms_now() - t0);
	gth_http_resp_release(&r);
	{
		pthread_t th;

		cancel_flag = 0;
		pthread_create(&th, NULL, canceller, NULL);
		t0 = ms_now();
		rc = get(h, GTH_HTTP_GET, "/slow", &r, &err, &cancel_flag);
		pthread_join(th, NULL);
		is_int(rc, -GTH_E_CANCEL, "a cancelled read ends in CANCEL");
		ok(ms_now() - t0 < 1500, "promptly (%ld ms)", ms_now() - t0);
		gth_http_resp_release(&r);
	}

	/* ETag cache */
	{
		struct gth_forge_stats st;

		reset(h);
		rc = get(h, GTH_HTTP_GET, "/etag", &r, &err, NULL);
		ok(rc == 0 && !r.from_cache, "first GET /etag: 200 from the network");
		gth_http_resp_release(&r);
		rc = get(h, GTH_HTTP_GET, "/etag", &r, &err, NULL);
		ok(rc == 0 && r.from_cache, "second GET /etag: 304, served from the cache");
		is_str(r.body.data, "{\"version\": 1}", "cached body served");
		gth_http_resp_release(&r);
		log = server_log(h);
		ok(strstr(log, "\"if-none-match\": \"\\\"v1\\\"\"") != NULL, "If-None-Match sent");
		free(log);
		gth_http_stats(h, &st);
		is_int(st.not_modified, 1, "stats count one 304");
	}

	/* Link pagination */
	{
		char *url = xasprintf("%s/pages", base);
		struct gth_http_req req;
		int pages = 0;

		while (url != NULL && pages < 10) {
			memset(&req, 0, sizeof(req));
			req.method = GTH_HTTP_GET;
			req.url = url;
			rc = gth_http_request(h, &req, &r, &err);
			free(url);
			url = rc == 0 ? r.next_url : NULL;
			r.next_url = NULL;
			if (rc == 0)
				pages++;
			gth_http_resp_release(&r);
		}
		is_int(pages, 3, "Link rel=\"next\" followed to the last page");
	}

	/* writes: serialized and >= 1 s apart */
	{
		double t[3];
		int i, n;

		reset(h);
		for (i = 0; i < 3; i++) {
			rc = get(h, GTH_HTTP_POST, "/write", &r, &err, NULL);
			gth_http_resp_release(&r);
		}
		log = server_log(h);
		n = times_of(log, "/write", t, 3);
		is_int(n, 3, "three writes arrived");
		ok(n == 3 && t[1] - t[0] >= 0.99 && t[2] - t[1] >= 0.99,
		    "writes at least 1 s apart (%.3f s, %.3f s)", n == 3 ? t[1] - t[0] : 0,
		    n == 3 ? t[2] - t[1] : 0);
		free(log);
	}

	/* the forge's own error messages */
	rc = get(h, GTH_HTTP_POST, "/review-422", &r, &err, NULL);
	is_int(rc, -GTH_E_HTTP, "422 -> HTTP");
	ok(strstr(err.msg, "Can not approve your own pull request") != NULL && err.status == 422,
	    "errors as strings joined into the message: %s", err.msg);
	gth_http_resp_release(&r);
	rc = get(h, GTH_HTTP_POST, "/status-422", &r, &err, NULL);
	ok(strstr(err.msg, "description is too long (maximum is 140 characters)") != NULL,
	    "errors as objects joined into the message: %s", err.msg);
	gth_http_resp_release(&r);
	rc = get(h, GTH_HTTP_GET, "/unauth", &r, &err, NULL);
	is_int(rc, -GTH_E_AUTH, "401 -> AUTH");
	is_str(err.msg, "the forge refused the token (401 Bad credentials)", "401 message");
	gth_http_resp_release(&r);
	rc = get(h, GTH_HTTP_GET, "/nowhere", &r, &err, NULL);
	is_int(rc, -GTH_E_NOTFOUND, "404 -> NOTFOUND");
	gth_http_resp_release(&r);

	/* concurrent reads */
	{
		struct gth_http_req reqs[5];
		struct gth_http_resp resps[5];
		int rcs[5], i, good = 0;
		char *url = xasprintf("%s/ok", base);

		memset(reqs, 0, sizeof(reqs));
		for (i = 0; i < 5; i++) {
			reqs[i].method = GTH_HTTP_GET;
			reqs[i].url = url;
		}
		rc = gth_http_request_many(h, reqs, resps, rcs, NULL, 5);
		for (i = 0; i < 5; i++) {
			good += rcs[i] == 0 && resps[i].status == 200;
			gth_http_resp_release(&resps[i]);
		}
		is_int(good, 5, "five concurrent reads all succeed");
		free(url);
	}

	/* the trace log */
	{
		FILE *fp = fopen(trace, "r");
		char buf[1 << 16];
		size_t n = fp != NULL ? fread(buf, 1, sizeof(buf) - 1, fp) : 0;
		struct stat st;

		buf[n] = '\0';
		if (fp != NULL)
			fclose(fp);
		ok(strstr(buf, "GET /ok -> 200") != NULL, "trace log shows method, path and status");
		ok(strstr(buf, TOKEN) == NULL && strstr(buf, "TESTtoken") == NULL,
		    "the token never appears in the trace log");
		ok(stat(trace, &st) == 0 && (st.st_mode & 077) == 0, "trace file is private (0600)");
	}
	gth_http_free(fast);
	gth_http_free(h);
	stop_server();
	return done_testing();
}
