/*
 * Mirror cache and fetch over libgit2.  See gatehouse/git/mirror.h.
 *
 * Lock: flock(2) on "<repo>.git.lock-gatehouse" beside the mirror, taken
 * while creating the mirror and for a whole fetch.  git's own "*.lock" files
 * inside the repository still protect single refs; ours keeps two fetches
 * from interleaving ref updates and pack writes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/git/mirror.h"
#include "priv.h"

#define DEFAULT_LOCK_TIMEOUT_MS 120000

struct gth_mirror {
	char *path;		/* .../<repo>.git */
	char *lock_path;
	git_repository *repo;
};

int
gth_git_error(struct gth_err *err, int code, const char *what)
{
	const git_error *e = git_error_last();

	return gth_err_set(err, code, "%s: %s", what,
	    e != NULL && e->message != NULL ? e->message : "libgit2 error");
}

int
gth_git_init(const char *ca_bundle, const char *ca_dir, struct gth_err *err)
{
	if (git_libgit2_init() < 0)
		return gth_git_error(err, -GTH_E_GIT, "libgit2 init");
	git_libgit2_opts(GIT_OPT_SET_USER_AGENT, "gatehouse/" PACKAGE_VERSION);
	/*
	 * As git, objects are hashed once, when fetched (the indexer names each
	 * object by the hash of what it received), not again on every read:
	 * zlib's checksums catch a damaged pack.  Hashing every blob again on
	 * reading was nearly a third of the time of a whole PR's diff.
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	if ((ca_bundle != NULL || ca_dir != NULL) &&
	    git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, ca_bundle, ca_dir) < 0)
		return gth_git_error(err, -GTH_E_GIT, "CA bundle");
	return 0;
}

void
gth_git_shutdown(void)
{
	git_libgit2_shutdown();
}

char *
gth_git_default_cache_root(void)
{
	const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");

	/* The XDG spec says relative values are to be ignored. */
	if (x != NULL && x[0] == '/')
		return xasprintf("%s/gatehouse", x);
	if (h != NULL && h[0] == '/')
		return xasprintf("%s/.cache/gatehouse", h);
	return NULL;
}

int
gth_mirror_check_component(const char *s)
{
	const unsigned char *p;

	if (s == NULL || s[0] == '\0' || s[0] == '-' || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return -GTH_E_INVAL;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
			return -GTH_E_INVAL;
	}
	if (p - (const unsigned char *)s > 255)
		return -GTH_E_INVAL;
	return 0;
}

static int
mkdir_p(char *path, struct gth_err *err)
{
	char *p;

	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			int e = errno;

			gth_err_set(err, -GTH_E_IO, "mkdir %s: %s", path, strerror(e));
			*p = '/';
			return -GTH_E_IO;
		}
		*p = '/';
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return gth_err_set(err, -GTH_E_IO, "mkdir %s: %s", path, strerror(errno));
	return 0;
}

/* Take the mirror's lock, waiting up to timeout_ms.  Returns an fd or a negative GTH_E_*. */
static int
lock_take(const char *path, int timeout_ms, volatile int *cancel, struct gth_err *err)
{
	struct timespec start, now, nap = { 0, 20 * 1000 * 1000 };
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return gth_err_set(err, -GTH_E_IO, "lock %s: %s", path, strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		long ms;

		if (errno != EWOULDBLOCK && errno != EINTR) {
			gth_err_set(err, -GTH_E_IO, "lock %s: %s", path, strerror(errno));
			close(fd);
			return -GTH_E_IO;
		}
		if (cancel != NULL && *cancel) {
			close(fd);
			return gth_err_set(err, -GTH_E_CANCEL, "fetch cancelled");
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (ms >= timeout_ms) {
			close(fd);
			return gth_err_set(err, -GTH_E_TIMEOUT,
			    "another gatehouse process is still fetching into %s", path);
		}
		nanosleep(&nap, NULL);
	}
	return fd;
}

static void
lock_drop(int fd)
{
	if (fd >= 0)
		close(fd);	/* closing releases the flock */
}

int
gth_mirror_open(const char *cache_root, const char *host, const char *repo,
	struct gth_mirror **out, struct gth_err *err)
{
	struct gth_mirror *m = NULL;
	char *root = NULL, *dir = NULL, *comp = NULL, *p, *save;
	int rc, fd = -1, ncomp = 0;

	*out = NULL;
	if (gth_mirror_check_component(host) < 0)
		return gth_err_set(err, -GTH_E_INVAL, "unsafe host name for the mirror cache");
	if (repo == NULL || repo[0] == '\0' || strlen(repo) > 1024)
		return gth_err_set(err, -GTH_E_INVAL, "empty repository name");
	comp = xstrdup(repo);
	for (p = comp; p != NULL; p = save) {
		save = strchr(p, '/');
		if (save != NULL)
			*save++ = '\0';
		if (gth_mirror_check_component(p) < 0) {
			rc = gth_err_set(err, -GTH_E_INVAL,
			    "unsafe repository name for the mirror cache");
			goto out;
		}
		ncomp++;
	}
	if (ncomp < 2) {
		rc = gth_err_set(err, -GTH_E_INVAL, "repository name is not owner/name");
		goto out;
	}
	root = cache_root != NULL ? xstrdup(cache_root) : gth_git_default_cache_root();
	if (root == NULL || root[0] != '/') {
		rc = gth_err_set(err, -GTH_E_CONFIG, "no cache directory (XDG_CACHE_HOME, HOME)");
		goto out;
	}
	m = xcalloc(1, sizeof(*m));
	m->path = xasprintf("%s/git/%s/%s.git", root, host, repo);
	m->lock_path = xasprintf("%s.lock-gatehouse", m->path);
	dir = xstrdup(m->path);
	*strrchr(dir, '/') = '\0';
	if ((rc = mkdir_p(dir, err)) < 0)
		goto out;
	if ((fd = lock_take(m->lock_path, DEFAULT_LOCK_TIMEOUT_MS, NULL, err)) < 0) {
		rc = fd;
		goto out;
	}
	if (git_repository_open_bare(&m->repo, m->path) < 0) {
		git_repository_init_options io;

		git_repository_init_options_init(&io, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
		io.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH |
		    GIT_REPOSITORY_INIT_NO_REINIT;
		io.mode = GIT_REPOSITORY_INIT_SHARED_UMASK;
		if (git_repository_init_ext(&m->repo, m->path, &io) < 0) {
			rc = gth_git_error(err, -GTH_E_GIT, "create mirror");
			goto out;
		}
	}
	*out = m;
	m = NULL;
	rc = 0;
out:
	lock_drop(fd);
	gth_mirror_free(m);
	free(root);
	free(dir);
	free(comp);
	return rc;
}

void
gth_mirror_free(struct gth_mirror *m)
{
	if (m == NULL)
		return;
	git_repository_free(m->repo);
	free(m->path);
	free(m->lock_path);
	free(m);
}

const char *
gth_mirror_path(const struct gth_mirror *m)
{
	return m->path;
}

void
gth_mirror_pr_refspecs(const char *base_branch, long number, const char *ref_prefix,
	struct gth_strvec *out)
{
	gth_strvec_push_take(out, xasprintf("+refs/heads/%s:refs/heads/%s", base_branch,
	    base_branch));
	gth_strvec_push_take(out, xasprintf("+%s/%ld/head:%s/%ld/head", ref_prefix, number,
	    ref_prefix, number));
}

/* ---- fetch ---- */

struct fetch_state {
	const struct gth_fetch_opts *o;
	int cred_calls;
	int cancelled;
};

static int
cb_credentials(git_credential **out, const char *url, const char *user_from_url,
	unsigned int allowed, void *payload)
{
	struct fetch_state *st = payload;

	(void)url;
	(void)user_from_url;
	/*
	 * libgit2 asks again after every 401; a second call means the token
	 * was refused.  Stop here rather than loop.
	 */
	if (st->cred_calls++ > 0 || st->o->token == NULL ||
	    !(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT)) {
		git_error_set_str(GIT_ERROR_HTTP, "authentication refused");
		return GIT_EUSER;
	}
	return git_credential_userpass_plaintext_new(out, "x-access-token", st->o->token);
}

static int
cb_transfer(const git_indexer_progress *s, void *payload)
{
	struct fetch_state *st = payload;
	struct gth_fetch_progress p;

	if (st->o->cancel != NULL && *st->o->cancel) {
		st->cancelled = 1;
		return -1;
	}
	if (st->o->progress != NULL) {
		p.received_objects = s->received_objects;
		p.indexed_objects = s->indexed_objects;
		p.total_objects = s->total_objects;
		p.local_objects = s->local_objects;
		p.received_bytes = s->received_bytes;
		if (st->o->progress(&p, st->o->progress_arg) != 0) {
			st->cancelled = 1;
			return -1;
		}
	}
	return 0;
}

/* Negotiation and the server's sideband also give a chance to cancel. */
static int
cb_sideband(const char *str, int len, void *payload)
{
	struct fetch_state *st = payload;

	(void)str;
	(void)len;
	if (st->o->cancel != NULL && *st->o->cancel) {
		st->cancelled = 1;
		return -1;
	}
	return 0;
}

/* Plain HTTP would put the token on the wire: only for the loopback test forge. */
static int
url_allowed(const char *url)
{
	static const char *const loop[] = {
		"http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:",
		"http://localhost/", "http://[::1]:", "http://[::1]/",
	};
	size_t i;

	if (strncmp(url, "https://", 8) == 0)
		return 1;
	for (i = 0; i < sizeof(loop) / sizeof(loop[0]); i++) {
		if (strncmp(url, loop[i], strlen(loop[i])) == 0)
			return 1;
	}
	return 0;
}

static int
fetch_error(const struct fetch_state *st, struct gth_err *err)
{
	const git_error *e = git_error_last();
	const char *msg = e != NULL && e->message != NULL ? e->message : "fetch failed";

	if (st->cancelled || (st->o->cancel != NULL && *st->o->cancel))
		return gth_err_set(err, -GTH_E_CANCEL, "fetch cancelled");
	if (st->cred_calls > 1 || strstr(msg, "authentication") != NULL ||
	    strstr(msg, "401") != NULL)
		return gth_err_set(err, -GTH_E_AUTH,
		    "the git server refused the token (does it have read access to the "
		    "repository contents?)");
	if (strstr(msg, "403") != NULL)
		return gth_err_set(err, -GTH_E_AUTH, "the git server refused access: %s", msg);
	if (e != NULL && (e->klass == GIT_ERROR_NET || e->klass == GIT_ERROR_SSL ||
	    e->klass == GIT_ERROR_HTTP))
		return gth_err_set(err, -GTH_E_NET, "fetch: %s", msg);
	return gth_err_set(err, -GTH_E_GIT, "fetch: %s", msg);
}

int
gth_mirror_fetch(struct gth_mirror *m, const struct gth_fetch_opts *o, struct gth_err *err)
{
	git_remote_create_options ro;
	git_fetch_options fo;
	git_remote *remote = NULL;
	git_strarray specs;
	struct fetch_state st;
	int rc, fd;

	if (o == NULL || o->url == NULL || o->n_refspecs == 0)
		return gth_err_set(err, -GTH_E_INVAL, "fetch needs a URL and refspecs");
	if (!url_allowed(o->url))
		return gth_err_set(err, -GTH_E_INVAL,
		    "refusing to send the token to a non-HTTPS URL");
	memset(&st, 0, sizeof(st));
	st.o = o;
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fd = lock_take(m->lock_path, o->lock_timeout_ms > 0 ? o->lock_timeout_ms :
	    DEFAULT_LOCK_TIMEOUT_MS, o->cancel, err);
	if (fd < 0)
		return fd;

	fo.callbacks.credentials = cb_credentials;
	fo.callbacks.transfer_progress = cb_transfer;
	fo.callbacks.sideband_progress = cb_sideband;
	fo.callbacks.payload = &st;
	fo.proxy_opts.type = GIT_PROXY_AUTO;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	fo.update_fetchhead = 0;
	fo.follow_redirects = GIT_REMOTE_REDIRECT_INITIAL;
	specs.strings = (char **)(uintptr_t)o->refspecs;
	specs.count = o->n_refspecs;

	/*
	 * No url.<base>.insteadOf rewriting: a rule in someone's git config
	 * must not send the forge token to another host.
	 */
	git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	ro.repository = m->repo;
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	if (git_remote_create_with_opts(&remote, o->url, &ro) < 0) {
		rc = gth_git_error(err, -GTH_E_INVAL, "remote URL");
		goto out;
	}
	git_error_clear();
	if (git_remote_fetch(remote, &specs, &fo, NULL) < 0) {
		rc = fetch_error(&st, err);
		goto out;
	}
	rc = 0;
out:
	git_remote_free(remote);
	lock_drop(fd);
	return rc;
}

/* ---- refs and objects ---- */

int
gth_git_parse_oid(git_oid *oid, const char *hex, struct gth_err *err)
{
	if (hex == NULL || strlen(hex) != GIT_OID_HEXSZ || git_oid_fromstr(oid, hex) < 0)
		return gth_err_set(err, -GTH_E_INVAL, "not a commit id: %.64s",
		    hex != NULL ? hex : "(none)");
	return 0;
}

int
gth_mirror_resolve(struct gth_mirror *m, const char *refname, char sha[41], struct gth_err *err)
{
	git_object *obj = NULL;
	int rc;

	sha[0] = '\0';
	rc = git_revparse_single(&obj, m->repo, refname);
	if (rc == GIT_ENOTFOUND)
		return gth_err_set(err, -GTH_E_NOTFOUND, "%s is not in the mirror", refname);
	if (rc < 0)
		return gth_git_error(err, -GTH_E_GIT, refname);
	git_oid_tostr(sha, 41, git_object_id(obj));
	git_object_free(obj);
	return 0;
}

int
gth_mirror_check_head(struct gth_mirror *m, long number, const char *ref_prefix,
	const char *expected_sha, char got[41], struct gth_err *err)
{
	char *ref;
	int rc;

	got[0] = '\0';
	if (expected_sha == NULL || strlen(expected_sha) != 40)
		return gth_err_set(err, -GTH_E_INVAL, "the forge gave no head commit id");
	ref = xasprintf("%s/%ld/head", ref_prefix, number);
	rc = gth_mirror_resolve(m, ref, got, err);
	free(ref);
	if (rc < 0)
		return rc;
	if (strcasecmp(got, expected_sha) != 0)
		return gth_err_set(err, -GTH_E_STALE,
		    "the forge says the head is %.40s but git has %.40s", expected_sha, got);
	return 0;
}

int
gth_git_blob_copy(git_repository *repo, const git_oid *oid, size_t max, char **data,
	size_t *len, struct gth_err *err)
{
	git_blob *blob = NULL;
	git_object_size_t sz;
	int rc;

	rc = git_blob_lookup(&blob, repo, oid);
	if (rc == GIT_ENOTFOUND)
		return gth_err_set(err, -GTH_E_NOTFOUND, "blob not in the mirror");
	if (rc < 0)
		return gth_git_error(err, -GTH_E_GIT, "blob");
	sz = git_blob_rawsize(blob);
	if (sz > max) {
		git_blob_free(blob);
		return gth_err_set(err, -GTH_E_TOOBIG, "file of %llu bytes is over the %zu limit",
		    (unsigned long long)sz, max);
	}
	*data = xmalloc((size_t)sz + 1);
	memcpy(*data, git_blob_rawcontent(blob), (size_t)sz);
	(*data)[sz] = '\0';
	*len = (size_t)sz;
	git_blob_free(blob);
	return 0;
}

int
gth_git_read_blob(struct gth_mirror *m, const char *oid_hex, size_t max, char **data, size_t *len,
	struct gth_err *err)
{
	git_oid oid;
	int rc;

	*data = NULL;
	*len = 0;
	if ((rc = gth_git_parse_oid(&oid, oid_hex, err)) < 0)
		return rc;
	return gth_git_blob_copy(m->repo, &oid, max, data, len, err);
}

int
gth_git_read_file_at(struct gth_mirror *m, const char *commit_sha, const char *path, size_t max,
	char **data, size_t *len, struct gth_err *err)
{
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *ent = NULL;
	git_oid oid;
	int rc;

	*data = NULL;
	*len = 0;
	if ((rc = gth_git_parse_oid(&oid, commit_sha, err)) < 0)
		return rc;
	if (git_commit_lookup(&commit, m->repo, &oid) < 0) {
		rc = gth_err_set(err, -GTH_E_NOTFOUND, "commit %.40s is not in the mirror",
		    commit_sha);
		goto out;
	}
	if (git_commit_tree(&tree, commit) < 0) {
		rc = gth_git_error(err, -GTH_E_GIT, "tree");
		goto out;
	}
	if (git_tree_entry_bypath(&ent, tree, path) < 0 ||
	    (git_tree_entry_filemode(ent) != GIT_FILEMODE_BLOB &&
	    git_tree_entry_filemode(ent) != GIT_FILEMODE_BLOB_EXECUTABLE)) {
		rc = gth_err_set(err, -GTH_E_NOTFOUND, "no file %s at %.12s", path, commit_sha);
		goto out;
	}
	rc = gth_git_blob_copy(m->repo, git_tree_entry_id(ent), max, data, len, err);
out:
	git_tree_entry_free(ent);
	git_tree_free(tree);
	git_commit_free(commit);
	return rc;
}
