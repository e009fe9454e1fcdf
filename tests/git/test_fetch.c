/*
 * Fetch over git smart HTTP with a token, against a real `git http-backend`
 * behind Basic auth (tests/git/githttp.py): success and progress, a refused
 * token, a forged head SHA, an incremental second fetch, cancel, the lock,
 * and two processes fetching into one mirror at once.
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "gatehouse/base/err.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/git/diff.h"
#include "gatehouse/git/mirror.h"
#include "tap.h"

#define TOKEN "ghs_test0123456789abcdef"

static char *fx, *url, *log_path;
static pid_t server = -1;
static struct gth_strvec specs = GTH_STRVEC_INIT;

struct progress {
	int calls;
	int cancel_at;		/* set *cancel at this call; 0 = never */
	volatile int *cancel;
	struct gth_fetch_progress last;
};

static int
on_progress(const struct gth_fetch_progress *p, void *arg)
{
	struct progress *pr = arg;

	pr->calls++;
	pr->last = *p;
	if (pr->cancel_at > 0 && pr->calls >= pr->cancel_at && pr->cancel != NULL)
		*pr->cancel = 1;
	return 0;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = xcalloc(1, 65536);

	if (f != NULL) {
		size_t n = fread(s, 1, 65535, f);

		s[n] = '\0';
		fclose(f);
	}
	return s;
}

/* Output of a shell command (fixture SHAs), trailing newline dropped. */
static char *
sh_out(const char *cmd)
{
	char *out = xasprintf("%s/sh.out", tap_tmpdir());
	char *full = xasprintf("%s > '%s'", cmd, out);
	const char *argv[] = { "sh", "-c", full, NULL };
	char *s;
	size_t n;

	fx_run(argv);
	s = slurp(out);
	n = strlen(s);
	while (n > 0 && s[n - 1] == '\n')
		s[--n] = '\0';
	free(full);
	free(out);
	return s;
}

static int
count_in_log(const char *needle)
{
	char *s = slurp(log_path), *p = s;
	int n = 0;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p++;
	}
	free(s);
	return n;
}

static int
start_server(void)
{
	const char *py = getenv("PYTHON3");
	char *script = xasprintf("%s/tests/git/githttp.py", fx_srcdir());
	char *root = xasprintf("%s/served", fx);
	char *port_file = xasprintf("%s/port", tap_tmpdir());
	char *port = NULL;
	int i;

	log_path = xasprintf("%s/requests.log", tap_tmpdir());
	server = fork();
	if (server == 0) {
		setenv("GITHTTP_TOKEN", TOKEN, 1);
		execlp(py != NULL && py[0] != '\0' ? py : "python3", "python3", script, root,
		    port_file, log_path, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200 && access(port_file, F_OK) != 0; i++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	if (access(port_file, F_OK) == 0) {
		port = slurp(port_file);
		port[strcspn(port, "\n")] = '\0';
		url = xasprintf("http://127.0.0.1:%s/acme/widget.git", port);
	}
	free(port);
	free(script);
	free(root);
	free(port_file);
	return url != NULL ? 0 : -1;
}

static void
stop_server(void)
{
	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
	}
}

static struct gth_mirror *
open_mirror(const char *name)
{
	char *cache = xasprintf("%s/%s", tap_tmpdir(), name);
	struct gth_mirror *m = NULL;
	struct gth_err err;

	if (gth_mirror_open(cache, "127.0.0.1", "acme/widget", &m, &err) < 0)
		diag("mirror: %s", err.msg);
	free(cache);
	return m;
}

static int
fetch(struct gth_mirror *m, const char *token, struct progress *p, volatile int *cancel,
	int lock_timeout_ms, struct gth_err *err)
{
	struct gth_fetch_opts o;

	memset(&o, 0, sizeof(o));
	o.url = url;
	o.token = token;
	o.refspecs = (const char *const *)specs.v;
	o.n_refspecs = specs.n;
	o.progress = p != NULL ? on_progress : NULL;
	o.progress_arg = p;
	o.cancel = cancel;
	o.lock_timeout_ms = lock_timeout_ms;
	return gth_mirror_fetch(m, &o, err);
}

static void
test_refused(void)
{
	struct gth_mirror *m = open_mirror("refused");
	struct gth_err err;
	int rc;

	rc = fetch(m, "ghs_wrong_token_value", NULL, NULL, 0, &err);
	is_int(rc, -GTH_E_AUTH, "a refused token is an authentication error");
	ok(strstr(err.msg, "refused the token") != NULL, "the message says so: %s", err.msg);
	ok(strstr(err.msg, "ghs_wrong") == NULL, "the token is not in the message");
	is_int(count_in_log(" bad\n"), 1, "libgit2 tried the bad token once, not in a loop");
	is_int(fetch(m, NULL, NULL, NULL, 0, &err), -GTH_E_AUTH, "no token: refused too");
	gth_mirror_free(m);
}

static void
test_fetch_and_head(void)
{
	struct gth_mirror *m = open_mirror("cache");
	char *work = xasprintf("git -C '%s/work' rev-parse", fx);
	char *cmd = xasprintf("%s refs/pull/1/head", work);
	char *want_head = sh_out(cmd), *want_main, got[41];
	struct progress p = { 0, 0, NULL, { 0, 0, 0, 0, 0 } };
	struct gth_diff *d = NULL;
	struct gth_err err;
	int rc;

	free(cmd);
	cmd = xasprintf("%s main", work);
	want_main = sh_out(cmd);
	rc = fetch(m, TOKEN, &p, NULL, 0, &err);
	if (!is_int(rc, 0, "fetch with the token (a url.insteadOf rule in the user's git config "
	    "does not redirect it)"))
		diag("%s", err.msg);
	ok(p.calls > 0 && p.last.total_objects > 20 &&
	    p.last.received_objects == p.last.total_objects && p.last.received_bytes > 0,
	    "progress reported objects (%u/%u) and bytes (%zu)", p.last.received_objects,
	    p.last.total_objects, p.last.received_bytes);
	is_int(count_in_log(TOKEN), 0, "the token never appears in a URL");
	is_int(gth_mirror_resolve(m, "refs/heads/main", got, &err), 0, "base branch fetched");
	is_str(got, want_main, "base branch at the forge's commit");
	is_int(gth_mirror_check_head(m, 1, "refs/pull", want_head, got, &err), 0,
	    "PR head equals the forge's head SHA");
	is_str(got, want_head, "and says which commit it has");
	rc = gth_mirror_check_head(m, 1, "refs/pull", "0000000000000000000000000000000000000bad",
	    got, &err);
	is_int(rc, -GTH_E_STALE, "a forged head SHA marks the PR stale");
	ok(strstr(err.msg, "0000000000000000000000000000000000000bad") != NULL &&
	    strstr(err.msg, want_head) != NULL, "the message names both SHAs: %s", err.msg);
	is_int(gth_git_diff_open(m, want_main, want_head, NULL, &d, &err), 0,
	    "the fetched mirror yields the diff");
	is_int(d != NULL ? (long long)d->n_files : -1, 17, "with all seventeen files");
	gth_diff_free(d);

	/* The agent pushes again: the second fetch brings only the new objects. */
	free(cmd);
	cmd = xasprintf("cd '%s/work' && git checkout -q pr && echo more >> added.txt && "
	    "git add added.txt && GIT_AUTHOR_DATE='@1700009999 +0000' "
	    "GIT_COMMITTER_DATE='@1700009999 +0000' git -c user.name=A -c user.email=a@x "
	    "commit -q -m again && git -C '%s/served/acme/widget.git' fetch -q '%s/work' "
	    "+refs/heads/pr:refs/pull/1/head && git rev-parse HEAD", fx, fx, fx);
	free(want_head);
	want_head = sh_out(cmd);
	memset(&p, 0, sizeof(p));
	is_int(fetch(m, TOKEN, &p, NULL, 0, &err), 0, "second fetch");
	ok(p.last.total_objects > 0 && p.last.total_objects <= 4,
	    "incremental: %u objects, not the whole history", p.last.total_objects);
	is_int(gth_mirror_check_head(m, 1, "refs/pull", want_head, got, &err), 0,
	    "the new head arrived");
	free(want_head);
	free(want_main);
	free(work);
	free(cmd);
	gth_mirror_free(m);
}

static void
test_cancel(void)
{
	struct gth_mirror *m = open_mirror("cancel");
	volatile int cancel = 0;
	struct progress p = { 0, 1, &cancel, { 0, 0, 0, 0, 0 } };
	struct gth_err err;
	char got[41];

	is_int(fetch(m, TOKEN, &p, &cancel, 0, &err), -GTH_E_CANCEL,
	    "setting the cancel flag stops the fetch");
	ok(gth_mirror_resolve(m, "refs/pull/1/head", got, &err) == -GTH_E_NOTFOUND,
	    "no ref was updated by the cancelled fetch");
	cancel = 0;
	p.cancel_at = 0;
	is_int(fetch(m, TOKEN, &p, &cancel, 0, &err), 0, "a fetch after the cancel works");
	gth_mirror_free(m);
}

static void
test_lock(void)
{
	struct gth_mirror *m = open_mirror("locked");
	char *lock = xasprintf("%s.lock-gatehouse", gth_mirror_path(m));
	struct gth_err err;
	int fd = open(lock, O_RDWR | O_CREAT, 0600);

	ok(fd >= 0 && flock(fd, LOCK_EX) == 0, "another process holds the mirror's lock");
	is_int(fetch(m, TOKEN, NULL, NULL, 300, &err), -GTH_E_TIMEOUT,
	    "the fetch waits, then gives up");
	ok(strstr(err.msg, "still fetching") != NULL, "and says why: %s", err.msg);
	close(fd);
	is_int(fetch(m, TOKEN, NULL, NULL, 300, &err), 0, "once released the fetch runs");
	free(lock);
	gth_mirror_free(m);
}

static void
test_concurrent(void)
{
	char *dir = xasprintf("%s/shared/git/127.0.0.1/acme/widget.git", tap_tmpdir());
	const char *fsck[] = { "git", "-C", dir, "fsck", "--no-progress", NULL };
	pid_t kids[2];
	int i, good = 0, st;

	for (i = 0; i < 2; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			struct gth_mirror *m = open_mirror("shared");
			struct gth_err err;
			int rc = m != NULL ? fetch(m, TOKEN, NULL, NULL, 0, &err) : -1;

			_exit(rc == 0 ? 0 : 1);
		}
	}
	for (i = 0; i < 2; i++) {
		if (waitpid(kids[i], &st, 0) == kids[i] && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			good++;
	}
	is_int(good, 2, "two processes fetching into one mirror both succeed");
	is_int(fx_run(fsck), 0, "and the mirror is intact (git fsck)");
	free(dir);
}

/* GitLab names the head refs/merge-requests/N/head. */
static void
test_gitlab_refs(void)
{
	struct gth_mirror *m = open_mirror("gitlab");
	struct gth_strvec gl = GTH_STRVEC_INIT;
	struct gth_fetch_opts o;
	struct gth_err err;
	char *cmd = xasprintf("git -C '%s/work' rev-parse refs/merge-requests/1/head", fx);
	char *want = sh_out(cmd), got[41];

	gth_mirror_pr_refspecs("main", 1, "refs/merge-requests", &gl);
	memset(&o, 0, sizeof(o));
	o.url = url;
	o.token = TOKEN;
	o.refspecs = (const char *const *)gl.v;
	o.n_refspecs = gl.n;
	is_int(gth_mirror_fetch(m, &o, &err), 0, "fetch a merge request's refs");
	is_int(gth_mirror_check_head(m, 1, "refs/merge-requests", want, got, &err), 0,
	    "refs/merge-requests/1/head is the forge's head");
	gth_strvec_clear(&gl);
	free(cmd);
	free(want);
	gth_mirror_free(m);
}

static void
test_url(void)
{
	struct gth_mirror *m = open_mirror("url");
	struct gth_fetch_opts o;
	struct gth_err err;

	memset(&o, 0, sizeof(o));
	o.url = "http://forge.example.com/acme/widget.git";
	o.token = TOKEN;
	o.refspecs = (const char *const *)specs.v;
	o.n_refspecs = specs.n;
	is_int(gth_mirror_fetch(m, &o, &err), -GTH_E_INVAL,
	    "the token is never sent over plain HTTP to a remote host");
	gth_mirror_free(m);
}

int
main(void)
{
	char *home, *gitconfig;

	fx = xasprintf("%s/fx", tap_tmpdir());
	if (fx_make(fx) != 0)
		skip_all("cannot build the fixture repository");
	if (start_server() < 0) {
		stop_server();
		skip_all("cannot start the git HTTP server (python3?)");
	}
	/*
	 * A git config that would send every loopback URL to a dead port: each
	 * fetch below succeeding shows that the rewrite is not applied.
	 */
	home = xasprintf("%s/home", tap_tmpdir());
	gitconfig = xasprintf("mkdir -p '%s' && git config -f '%s/.gitconfig' "
	    "url.http://127.0.0.1:9/.insteadOf http://127.0.0.1:", home, home);
	free(sh_out(gitconfig));
	setenv("HOME", home, 1);
	gth_git_init(NULL, NULL, NULL);
	gth_mirror_pr_refspecs("main", 1, "refs/pull", &specs);
	is_str(specs.v[1], "+refs/pull/1/head:refs/pull/1/head", "PR head refspec");

	test_refused();
	test_fetch_and_head();
	test_cancel();
	test_lock();
	test_concurrent();
	test_gitlab_refs();
	test_url();

	stop_server();
	gth_strvec_clear(&specs);
	gth_git_shutdown();
	free(fx);
	free(url);
	free(log_path);
	free(home);
	free(gitconfig);
	return done_testing();
}
