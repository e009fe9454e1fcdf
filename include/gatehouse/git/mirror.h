/*
 * Mirror cache and fetch: the only place (with git/diff.h) that talks to
 * libgit2.
 *
 * One bare mirror per repository under
 *	<cache_root>/git/<host>/<owner>/<repo>.git
 * fetched over HTTPS with the forge token (given to libgit2 through its
 * credential callback as user "x-access-token": never in the URL, never
 * logged).  Certificate checks stay on; plain http:// is accepted only for a
 * loopback host (the test forge).  A fetch holds an exclusive flock(2) on a
 * lock file beside the mirror, so gatehouse processes on one host take turns
 * instead of corrupting refs; the kernel drops the lock when a process dies,
 * so there is no stale lock to clean up.
 *
 * Threads: a struct gth_mirror is used by one thread at a time (libgit2
 * repository handles are not shareable); a fetch may run on a worker thread
 * and be cancelled from another through the cancel flag.  gth_git_init()
 * must have been called once before anything else here.
 */
#ifndef GATEHOUSE_GIT_MIRROR_H
#define GATEHOUSE_GIT_MIRROR_H

#include <stddef.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/str.h"

struct gth_mirror;

/*
 * Initialise libgit2 (reference counted, like git_libgit2_init) and set the
 * user agent.  ca_bundle (a PEM file) and ca_dir (a hashed directory) may be
 * NULL: the system trust store is used then.  Returns 0 or -GTH_E_GIT.
 */
int gth_git_init(const char *ca_bundle, const char *ca_dir, struct gth_err *err);
void gth_git_shutdown(void);

/*
 * The default cache root: $XDG_CACHE_HOME/gatehouse, else $HOME/.cache/gatehouse.
 * Returns a malloc'ed string (caller frees) or NULL when neither is set.
 */
char *gth_git_default_cache_root(void);

/*
 * Check one untrusted path component from the forge (host, owner, repo
 * name): refuses empty, ".", "..", '/', '\\', control bytes, and a leading '-'.
 * Returns 0 or -GTH_E_INVAL.
 */
int gth_mirror_check_component(const char *s);

/*
 * Open (creating when missing) the bare mirror of host/repo under cache_root.
 * repo is "owner/name"; GitLab subgroups ("group/sub/name") are allowed, each
 * component checked by gth_mirror_check_component().  cache_root NULL means
 * gth_git_default_cache_root().  *out is set on success; free with
 * gth_mirror_free().  Returns 0, -GTH_E_INVAL (unsafe name), -GTH_E_IO,
 * -GTH_E_TIMEOUT (lock) or -GTH_E_GIT.
 */
int gth_mirror_open(const char *cache_root, const char *host, const char *repo,
	struct gth_mirror **out, struct gth_err *err);
/* NULL is fine. */
void gth_mirror_free(struct gth_mirror *m);
/* The mirror's directory (".../<repo>.git"); valid while m lives. */
const char *gth_mirror_path(const struct gth_mirror *m);

/* Progress of a running fetch, passed to the progress callback. */
struct gth_fetch_progress {
	unsigned received_objects;
	unsigned indexed_objects;
	unsigned total_objects;		/* 0 until the server said */
	unsigned local_objects;		/* objects taken from the mirror (thin pack) */
	size_t received_bytes;
};

struct gth_fetch_opts {
	const char *url;		/* HTTPS clone URL; http:// only for loopback */
	const char *token;		/* borrowed secret; NULL for anonymous fetch */
	const char *const *refspecs;	/* "+src:dst" each; see gth_mirror_pr_refspecs() */
	size_t n_refspecs;
	/*
	 * Called on the fetching thread, often; keep it cheap.  A non-zero
	 * return cancels the fetch, as the cancel flag does.
	 */
	int (*progress)(const struct gth_fetch_progress *p, void *arg);
	void *progress_arg;
	volatile int *cancel;		/* may be NULL; non-zero cancels (-GTH_E_CANCEL) */
	int lock_timeout_ms;		/* wait for another process's fetch; 0 = 120000 */
};

/*
 * The refspecs a PR review needs: the base branch and the PR head.
 * ref_prefix is "refs/pull" (GitHub, Gitea) or "refs/merge-requests"
 * (GitLab); the head lands in the mirror under the same name
 * (<ref_prefix>/<N>/head).  Appends two owned strings to out.
 */
void gth_mirror_pr_refspecs(const char *base_branch, long number, const char *ref_prefix,
	struct gth_strvec *out);

/*
 * Fetch into the mirror, holding the mirror's lock.  Incremental: the server
 * is told what the mirror has.  Returns 0, -GTH_E_AUTH (token refused; libgit2
 * is not allowed to ask twice), -GTH_E_CANCEL, -GTH_E_TIMEOUT (lock held
 * too long by another process), -GTH_E_INVAL (bad URL), -GTH_E_NET, -GTH_E_GIT.
 */
int gth_mirror_fetch(struct gth_mirror *m, const struct gth_fetch_opts *o, struct gth_err *err);

/*
 * Resolve a ref (or any revision libgit2 can parse) in the mirror to a
 * commit SHA (40 hex + NUL).  Returns 0, -GTH_E_NOTFOUND or -GTH_E_GIT.
 */
int gth_mirror_resolve(struct gth_mirror *m, const char *refname, char sha[41],
	struct gth_err *err);

/*
 * After a fetch: does <ref_prefix>/<number>/head equal the SHA the forge
 * reported?  got receives what the mirror has ("" when missing).  Returns 0,
 * -GTH_E_STALE (err names both SHAs), -GTH_E_NOTFOUND, -GTH_E_INVAL.
 */
int gth_mirror_check_head(struct gth_mirror *m, long number, const char *ref_prefix,
	const char *expected_sha, char got[41], struct gth_err *err);

/*
 * Read a blob by id; at most max bytes (-GTH_E_TOOBIG past it).  *data is
 * malloc'ed and NUL-terminated (caller frees), *len excludes the NUL.
 * Returns 0, -GTH_E_NOTFOUND, -GTH_E_TOOBIG, -GTH_E_INVAL (bad id).
 */
int gth_git_read_blob(struct gth_mirror *m, const char *oid_hex, size_t max, char **data,
	size_t *len, struct gth_err *err);

/*
 * Read path (e.g. ".gatehouse/policy", "CODEOWNERS") as of commit_sha.
 * Same ownership and caps as gth_git_read_blob(); -GTH_E_NOTFOUND when the
 * path is absent or not a regular file (a tree, a submodule, a symlink).
 */
int gth_git_read_file_at(struct gth_mirror *m, const char *commit_sha, const char *path,
	size_t max, char **data, size_t *len, struct gth_err *err);

#endif
