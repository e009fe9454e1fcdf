/*
 * Diff model from a mirror: see gatehouse/git/diff.h.
 *
 * Memory: opening the diff keeps only our file list (libgit2's delta list
 * is freed); a file's lines stream from libgit2's callbacks into the arena,
 * so peak memory is the model, two blobs per thread, and libgit2's pack
 * caches.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/git/diff.h"
#include "gatehouse/git/mirror.h"
#include "priv.h"

#define DEFAULT_CONTEXT 3
#define DEFAULT_THRESHOLD 50
#define DEFAULT_MAX_TEXT ((size_t)64 << 20)
#define DEFAULT_MAX_DIFF ((size_t)1 << 30)

/*
 * After the file list is built, hunks come from the two blobs of each file
 * (git_diff_blobs), read through a repository handle of the diff's own, so
 * that it can move between threads with the diff.
 */
struct diff_priv {
	char *path;		/* the mirror's directory */
	git_repository *repo;	/* opened when the first blob is read */
	git_diff_options dopts;
	size_t max_bytes;	/* cap on d->arena_len */
	struct gth_packs *packs;	/* during load_all: blobs read from the packs directly */
	struct gth_packs_backend *backend;	/* repo's way to packs (its object database owns it) */
};

static void
priv_free(void *p)
{
	struct diff_priv *dp = p;

	if (dp == NULL)
		return;
	git_repository_free(dp->repo);
	free(dp->path);
	free(dp);
}

static int
reader(struct diff_priv *dp, git_repository **out, struct gth_err *err)
{
	if (dp->repo == NULL && git_repository_open_bare(&dp->repo, dp->path) < 0)
		return gth_git_error(err, -GTH_E_GIT, "open mirror");
	if (dp->packs != NULL && dp->backend == NULL &&
	    gth_packs_attach(dp->repo, &dp->backend) < 0)
		return gth_git_error(err, -GTH_E_GIT, "pack reader");
	if (dp->backend != NULL)
		gth_packs_backend_use(dp->backend, dp->packs);
	*out = dp->repo;
	return 0;
}

static enum gth_diff_status
map_status(git_delta_t s)
{
	switch (s) {
	case GIT_DELTA_ADDED: return GTH_DIFF_ADDED;
	case GIT_DELTA_DELETED: return GTH_DIFF_DELETED;
	case GIT_DELTA_RENAMED: return GTH_DIFF_RENAMED;
	case GIT_DELTA_COPIED: return GTH_DIFF_COPIED;
	case GIT_DELTA_TYPECHANGE: return GTH_DIFF_TYPECHANGE;
	default: return GTH_DIFF_MODIFIED;
	}
}

static int
lookup_commit(git_repository *repo, const char *hex, git_commit **out, struct gth_err *err)
{
	git_oid oid;
	int rc;

	if ((rc = gth_git_parse_oid(&oid, hex, err)) < 0)
		return rc;
	rc = git_commit_lookup(out, repo, &oid);
	if (rc == GIT_ENOTFOUND)
		return gth_err_set(err, -GTH_E_NOTFOUND, "commit %.40s is not in the mirror", hex);
	if (rc < 0)
		return gth_git_error(err, -GTH_E_GIT, "commit");
	return 0;
}

static void
fill_file(struct gth_diff_file *f, const git_diff_delta *dl, git_tree *old_tree)
{
	int has_old = dl->status != GIT_DELTA_ADDED, has_new = dl->status != GIT_DELTA_DELETED;
	git_tree_entry *te = NULL;

	f->status = map_status(dl->status);
	f->old_path = xstrdup(dl->old_file.path);
	f->new_path = xstrdup(dl->new_file.path);
	f->old_mode = has_old ? dl->old_file.mode : 0;
	f->new_mode = has_new ? dl->new_file.mode : 0;
	f->similarity = (dl->status == GIT_DELTA_RENAMED || dl->status == GIT_DELTA_COPIED) ?
	    (int)dl->similarity : 0;
	f->submodule = f->old_mode == GIT_FILEMODE_COMMIT || f->new_mode == GIT_FILEMODE_COMMIT;
	if (has_old)
		git_oid_tostr(f->old_oid, sizeof(f->old_oid), &dl->old_file.id);
	if (has_new)
		git_oid_tostr(f->new_oid, sizeof(f->new_oid), &dl->new_file.id);
	/*
	 * libgit2 1.5 zeroes the old side of a copy or rename whose source also
	 * changed type (a file made a submodule while its text moved on): the
	 * source is its entry in the old tree, as `git diff -C` shows it.
	 */
	if ((dl->status == GIT_DELTA_RENAMED || dl->status == GIT_DELTA_COPIED) &&
	    git_oid_is_zero(&dl->old_file.id) &&
	    git_tree_entry_bypath(&te, old_tree, dl->old_file.path) == 0) {
		f->old_mode = git_tree_entry_filemode(te);
		git_oid_tostr(f->old_oid, sizeof(f->old_oid), git_tree_entry_id(te));
		f->submodule = f->old_mode == GIT_FILEMODE_COMMIT ||
		    f->new_mode == GIT_FILEMODE_COMMIT;
		git_tree_entry_free(te);
	}
}

static int
path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The paths diff changes, "-old" and "+new", sorted (a copy leaves its source as it is). */
static void
changed_paths(git_diff *diff, struct gth_strvec *out)
{
	size_t i, n = git_diff_num_deltas(diff);

	for (i = 0; i < n; i++) {
		const git_diff_delta *dl = git_diff_get_delta(diff, i);

		if (dl->status != GIT_DELTA_ADDED && dl->status != GIT_DELTA_COPIED)
			gth_strvec_push_take(out, xasprintf("-%s", dl->old_file.path));
		if (dl->status != GIT_DELTA_DELETED)
			gth_strvec_push_take(out, xasprintf("+%s", dl->new_file.path));
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), path_cmp);
}

/*
 * No rename or copy pairs a submodule with a file (git never does), and only
 * a rename or a copy has two paths: libgit2 1.5 can leave a type change
 * paired with another path, and the reviewer would then never see that the
 * other path's file went away.
 */
static bool
pairs_sound(git_diff *diff)
{
	size_t i, n = git_diff_num_deltas(diff);

	for (i = 0; i < n; i++) {
		const git_diff_delta *dl = git_diff_get_delta(diff, i);
		bool paired = dl->status == GIT_DELTA_RENAMED || dl->status == GIT_DELTA_COPIED;

		if (paired && (dl->old_file.mode == GIT_FILEMODE_COMMIT) !=
		    (dl->new_file.mode == GIT_FILEMODE_COMMIT))
			return false;
		if (!paired && strcmp(dl->old_file.path, dl->new_file.path) != 0)
			return false;
	}
	return true;
}

static bool
same_paths(const struct gth_strvec *a, const struct gth_strvec *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

int
gth_git_diff_open(struct gth_mirror *m, const char *base_sha, const char *head_sha,
	const struct gth_diff_opts *o, struct gth_diff **out, struct gth_err *err)
{
	static const struct gth_diff_opts defaults = GTH_DIFF_OPTS_INIT;
	git_diff_find_options fopts;
	struct gth_strvec before = GTH_STRVEC_INIT, after = GTH_STRVEC_INIT;
	git_commit *base = NULL, *head = NULL, *mb = NULL;
	git_tree *old_tree = NULL, *new_tree = NULL;
	struct gth_diff *d = NULL;
	struct diff_priv *dp = NULL;
	git_repository *repo = NULL;
	git_diff *diff = NULL;
	git_oid mb_oid;
	char *pack;
	size_t i, n, max_text;
	int rc;

	*out = NULL;
	if (o == NULL)
		o = &defaults;
	dp = xcalloc(1, sizeof(*dp));
	dp->path = xstrdup(gth_mirror_path(m));
	if (git_repository_open_bare(&repo, dp->path) < 0) {
		rc = gth_git_error(err, -GTH_E_GIT, "open mirror");
		goto out;
	}
	if (gth_packs_check(dp->path, &pack) < 0) {
		rc = gth_err_set(err, -GTH_E_GIT, "the mirror's pack index %s is damaged (it does "
		    "not match its checksums or is not an index): remove %s to fetch it again", pack,
		    dp->path);
		free(pack);
		goto out;
	}
	if ((rc = lookup_commit(repo, base_sha, &base, err)) < 0 ||
	    (rc = lookup_commit(repo, head_sha, &head, err)) < 0)
		goto out;
	rc = git_merge_base(&mb_oid, repo, git_commit_id(base), git_commit_id(head));
	if (rc == GIT_ENOTFOUND) {
		rc = gth_err_set(err, -GTH_E_NOTFOUND,
		    "the base and head commits share no history");
		goto out;
	}
	if (rc < 0 || git_commit_lookup(&mb, repo, &mb_oid) < 0 ||
	    git_commit_tree(&old_tree, mb) < 0 || git_commit_tree(&new_tree, head) < 0) {
		rc = gth_git_error(err, -GTH_E_GIT, "merge base");
		goto out;
	}

	git_diff_options_init(&dp->dopts, GIT_DIFF_OPTIONS_VERSION);
	/* git's defaults since 2.14: the indent heuristic places hunks where a reader expects. */
	dp->dopts.flags = GIT_DIFF_INCLUDE_TYPECHANGE | GIT_DIFF_INDENT_HEURISTIC;
	if (o->ignore_whitespace)
		dp->dopts.flags |= GIT_DIFF_IGNORE_WHITESPACE;
	dp->dopts.context_lines = o->context_lines < 0 ? DEFAULT_CONTEXT :
	    (uint32_t)o->context_lines;
	dp->max_bytes = o->max_diff_bytes > 0 ? o->max_diff_bytes : DEFAULT_MAX_DIFF;
	if (dp->max_bytes > GTH_DIFF_ARENA_MAX)
		dp->max_bytes = GTH_DIFF_ARENA_MAX;
	/* A text file's lines must fit a line record: larger blobs are shown as binary. */
	max_text = o->max_text_size > 0 ? o->max_text_size : DEFAULT_MAX_TEXT;
	dp->dopts.max_size = (git_off_t)(max_text < GTH_DIFF_LINE_MAX ? max_text :
	    GTH_DIFF_LINE_MAX);
	if (git_diff_tree_to_tree(&diff, repo, old_tree, new_tree, &dp->dopts) < 0) {
		rc = gth_git_error(err, -GTH_E_GIT, "diff");
		goto out;
	}
	if (!o->no_renames) {
		/* Copies come from files the PR also modifies, as `git diff -C` finds them. */
		git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION);
		fopts.flags = GIT_DIFF_FIND_RENAMES | GIT_DIFF_FIND_COPIES;
		fopts.rename_threshold = fopts.copy_threshold = (uint16_t)(o->rename_threshold > 0 ?
		    o->rename_threshold : DEFAULT_THRESHOLD);
		changed_paths(diff, &before);
		if (git_diff_find_similar(diff, &fopts) < 0) {
			rc = gth_git_error(err, -GTH_E_GIT, "rename detection");
			goto out;
		}
		changed_paths(diff, &after);
		/*
		 * libgit2 1.5 can pair the halves of a type change wrongly: a
		 * source renamed twice, an old entry gone from the list, a
		 * submodule "renamed" to a file whose text is then never shown.
		 * A review must show every change: the diff without renames then.
		 */
		if (!same_paths(&before, &after) || !pairs_sound(diff)) {
			git_diff_free(diff);
			diff = NULL;
			if (git_diff_tree_to_tree(&diff, repo, old_tree, new_tree, &dp->dopts) < 0) {
				rc = gth_git_error(err, -GTH_E_GIT, "diff");
				goto out;
			}
		}
	}

	d = gth_diff_new();
	snprintf(d->base_sha, sizeof(d->base_sha), "%s", base_sha);
	snprintf(d->head_sha, sizeof(d->head_sha), "%s", head_sha);
	git_oid_tostr(d->merge_base, sizeof(d->merge_base), &mb_oid);
	d->ignore_whitespace = o->ignore_whitespace;
	n = git_diff_num_deltas(diff);
	gth_grow(&d->files, &d->cap_files, n, sizeof(*d->files));
	for (i = 0; i < n; i++)
		fill_file(gth_diff_add_file(d), git_diff_get_delta(diff, i), old_tree);
	gth_diff_compute_stats(d);
	d->priv = dp;
	d->priv_free = priv_free;
	dp = NULL;
	*out = d;
	d = NULL;
	rc = 0;
out:
	git_tree_free(old_tree);
	git_tree_free(new_tree);
	git_commit_free(mb);
	git_commit_free(base);
	git_commit_free(head);
	git_diff_free(diff);
	git_repository_free(repo);
	priv_free(dp);
	gth_diff_free(d);
	gth_strvec_clear(&before);
	gth_strvec_clear(&after);
	/* libgit2's trees and tree diff are gone: their pages go before the model grows. */
	gth_xalloc_trim();
	return rc;
}

/* "12,345" */
static void
fmt_size(char *buf, size_t n, int64_t v)
{
	char tmp[32];
	size_t len, i, o = 0;

	snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
	len = strlen(tmp);
	for (i = 0; i < len && o + 2 < n; i++) {
		if (i > 0 && tmp[0] != '-' && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
}

static const char *
kind_name(uint32_t mode)
{
	switch (mode) {
	case GIT_FILEMODE_LINK: return "symlink";
	case GIT_FILEMODE_COMMIT: return "submodule";
	case GIT_FILEMODE_TREE: return "directory";
	default: return "file";
	}
}

static void
add_notes(struct gth_diff *d, struct gth_diff_file *f)
{
	char a[32], b[32];

	if (f->status == GTH_DIFF_RENAMED)
		gth_diff_add_meta(d, "Renamed from %s (%d%% similar)", f->old_path, f->similarity);
	else if (f->status == GTH_DIFF_COPIED)
		gth_diff_add_meta(d, "Copied from %s (%d%% similar)", f->old_path, f->similarity);
	if (f->status == GTH_DIFF_TYPECHANGE)
		gth_diff_add_meta(d, "Type change: %s -> %s", kind_name(f->old_mode),
		    kind_name(f->new_mode));
	if (f->old_mode != 0 && f->new_mode != 0 && f->old_mode != f->new_mode)
		gth_diff_add_meta(d, "mode %06o -> %06o", f->old_mode, f->new_mode);
	if (f->submodule) {
		if (f->status == GTH_DIFF_ADDED)
			gth_diff_add_meta(d, "Submodule added at commit %.7s", f->new_oid);
		else if (f->status == GTH_DIFF_DELETED)
			gth_diff_add_meta(d, "Submodule removed (was at commit %.7s)", f->old_oid);
		else
			gth_diff_add_meta(d, "Submodule commit %.7s -> %.7s", f->old_oid,
			    f->new_oid);
	} else if (f->binary) {
		fmt_size(a, sizeof(a), f->old_size);
		fmt_size(b, sizeof(b), f->new_size);
		if (f->status == GTH_DIFF_ADDED)
			gth_diff_add_meta(d, "Binary file added, %s bytes", b);
		else if (f->status == GTH_DIFF_DELETED)
			gth_diff_add_meta(d, "Binary file deleted, %s bytes", a);
		else
			gth_diff_add_meta(d, "Binary file, %s -> %s bytes", a, b);
	}
}

static uint32_t
lineno(int n)
{
	return n > 0 ? (uint32_t)n : 0;
}

/*
 * Lines stream from libgit2's callbacks straight into the arena: no patch
 * object holding a file's lines is built, then copied.
 */
struct emit {
	struct gth_diff *out;
	struct gth_diff_file *f;
	int noted;
	uint32_t old_no, new_no;	/* the next line of each side in this hunk */
};

static int
cb_file(const git_diff_delta *dl, float progress, void *payload)
{
	struct emit *e = payload;

	(void)progress;
	/* libgit2 has loaded both sides by now and knows whether they are text. */
	e->f->binary = (dl->flags & GIT_DIFF_FLAG_BINARY) != 0;
	add_notes(e->out, e->f);
	e->noted = 1;
	return 0;
}

static int
cb_hunk(const git_diff_delta *dl, const git_diff_hunk *h, void *payload)
{
	struct emit *e = payload;

	(void)dl;
	gth_diff_add_text_line(e->out, GTH_DIFF_HUNK, h->header, h->header_len,
	    lineno(h->old_start), lineno(h->new_start));
	e->old_no = lineno(h->old_start);
	e->new_no = lineno(h->new_start);
	return 0;
}

static int
cb_line(const git_diff_delta *dl, const git_diff_hunk *h, const git_diff_line *l, void *payload)
{
	static const char no_eol[] = "\\ No newline at end of file";
	struct emit *e = payload;

	(void)dl;
	(void)h;
	/*
	 * Numbered from the hunk header, not by libgit2: with -w, a context
	 * line without a newline inside a hunk makes libgit2 1.5 skip an old
	 * line number for every line after it.
	 */
	switch (l->origin) {
	case GIT_DIFF_LINE_CONTEXT:
		gth_diff_add_text_line(e->out, GTH_DIFF_CONTEXT, l->content, l->content_len,
		    e->old_no++, e->new_no++);
		break;
	case GIT_DIFF_LINE_ADDITION:
		gth_diff_add_text_line(e->out, GTH_DIFF_ADD, l->content, l->content_len, 0,
		    e->new_no++);
		e->f->additions++;
		break;
	case GIT_DIFF_LINE_DELETION:
		gth_diff_add_text_line(e->out, GTH_DIFF_DEL, l->content, l->content_len,
		    e->old_no++, 0);
		e->f->deletions++;
		break;
	case GIT_DIFF_LINE_CONTEXT_EOFNL:
	case GIT_DIFF_LINE_ADD_EOFNL:
	case GIT_DIFF_LINE_DEL_EOFNL:
		gth_diff_add_line(e->out, GTH_DIFF_NO_EOL, no_eol, sizeof(no_eol) - 1, 0, 0);
		break;
	default:
		break;
	}
	return 0;
}

/* A blob past the size cap: its size (0 when it is not one or that is not known). */
static uint64_t
size_over_cap(struct diff_priv *dp, git_repository *repo, const git_oid *oid)
{
	git_odb *odb = NULL;
	git_object_t type;
	size_t len = 0;

	if (dp->dopts.max_size <= 0)
		return 0;
	/* The pack reader has its own cap, and says so when a blob it holds is over it. */
	if (dp->packs != NULL && gth_packs_key(dp->packs, oid->id) != UINT64_MAX)
		return 0;
	if (git_repository_odb(&odb, repo) < 0 || git_odb_read_header(&len, &type, odb, oid) < 0)
		len = 0;
	git_odb_free(odb);
	return len > (uint64_t)dp->dopts.max_size ? len : 0;
}

/*
 * A side of a file: *out, or NULL when it does not exist (*size -1) or is a
 * blob past the size cap, left unread (*size is its size: shown as binary).
 */
static int
side_read(struct diff_priv *dp, const char *hex, git_blob **out, int64_t *size,
	struct gth_err *err)
{
	git_repository *repo = NULL;
	git_oid oid;
	uint64_t big;
	int rc;

	*out = NULL;
	*size = -1;
	if (hex[0] == '\0')
		return 0;
	if (git_oid_fromstr(&oid, hex) < 0)
		return gth_git_error(err, -GTH_E_GIT, "blob");
	if ((rc = reader(dp, &repo, err)) < 0)
		return rc;
	if ((big = size_over_cap(dp, repo, &oid)) > 0) {
		*size = (int64_t)big;
		return 0;
	}
	if (git_blob_lookup(out, repo, &oid) < 0) {
		if (dp->backend != NULL && gth_packs_backend_big(dp->backend, &oid, &big)) {
			*size = (int64_t)big;
			return 0;
		}
		return gth_git_error(err, -GTH_E_GIT, "blob");
	}
	*size = (int64_t)git_blob_rawsize(*out);
	return 0;
}

/*
 * Diff f's two blobs into out (whole-file context when full), after the
 * file's notes.  Sets the blob sizes and the binary flag.
 */
static int
diff_blobs(struct diff_priv *dp, struct gth_diff *out, struct gth_diff_file *f, int full,
	struct gth_err *err)
{
	git_diff_options opts = dp->dopts;
	git_blob *a = NULL, *b = NULL;
	struct emit e = { out, f, 0, 0, 0 };
	int64_t big;
	int rc;

	if ((rc = side_read(dp, f->old_oid, &a, &f->old_size, err)) < 0 ||
	    (rc = side_read(dp, f->new_oid, &b, &f->new_size, err)) < 0)
		goto out;
	/*
	 * A side past the size cap was not read: binary, by size, as libgit2
	 * would say; the same blob on both sides (a pure rename) has no content
	 * change to show at all, as for any size.
	 */
	if ((a == NULL && f->old_size >= 0) || (b == NULL && f->new_size >= 0)) {
		f->binary = strcmp(f->old_oid, f->new_oid) != 0;
		add_notes(out, f);
		goto out;
	}
	if (full) {
		/* As many lines of context as either side can have. */
		big = (f->old_size > 0 ? f->old_size : 0) + (f->new_size > 0 ? f->new_size : 0) + 1;
		opts.context_lines = big > INT32_MAX ? INT32_MAX : (uint32_t)big;
	}
	/*
	 * Blobs, not their bytes: libgit2 hashes bytes before diffing them.
	 * No paths: libgit2 then tells text from binary by content, as it did
	 * for bytes, and looks up no attributes for each file.
	 */
	if (git_diff_blobs(a, "", b, "", &opts, cb_file, NULL, cb_hunk, cb_line, &e) < 0)
		rc = gth_git_error(err, -GTH_E_GIT, "diff");
	/* Identical blobs (a pure rename or mode change) get no callback at all. */
	if (rc == 0 && !e.noted) {
		f->binary = false;
		add_notes(out, f);
	}
out:
	git_blob_free(a);
	git_blob_free(b);
	return rc;
}

/* Build f's lines into out: the diff itself, or a worker's scratch diff. */
static int
build_into(struct diff_priv *dp, struct gth_diff *out, struct gth_diff_file *f, int full,
	struct gth_err *err)
{
	size_t arena_len = out->arena_len;
	int rc = 0;

	f->first_line = out->n_lines;
	f->additions = 0;
	f->deletions = 0;
	/* Submodules have no blob to diff: the two commits are the whole story. */
	if (f->submodule)
		add_notes(out, f);
	else
		rc = diff_blobs(dp, out, f, full, err);
	if (rc < 0) {
		/* Nothing half-built stays: the file is not loaded, and asking again tries again. */
		out->n_lines = f->first_line;
		out->arena_len = arena_len;
		f->additions = f->deletions = 0;
	}
	f->n_lines = out->n_lines - f->first_line;
	f->loaded = rc == 0;
	return rc;
}

/* Past the diff's size cap, f gets a note instead of its lines.  Returns 1 then. */
static int
over_cap(struct gth_diff *d, struct gth_diff_file *f)
{
	const struct diff_priv *dp = d->priv;

	if (d->arena_len < dp->max_bytes)
		return 0;
	f->first_line = d->n_lines;
	gth_diff_add_meta(d, "Not shown: this diff passed its %zu MiB limit", dp->max_bytes >> 20);
	f->n_lines = d->n_lines - f->first_line;
	f->patch_missing = true;
	f->loaded = true;
	d->partial = true;
	return 1;
}

static int
build_file(struct gth_diff *d, size_t i, int full, struct gth_err *err)
{
	struct gth_diff_file *f;

	if (d->priv == NULL || i >= d->n_files)
		return gth_err_set(err, -GTH_E_INVAL, "no file %zu in this diff", i);
	f = &d->files[i];
	if (f->loaded && (!full || f->binary || f->submodule))
		return 0;
	/* An expansion past the cap keeps the hunks the reader already has. */
	if (f->loaded && d->arena_len >= ((const struct diff_priv *)d->priv)->max_bytes)
		return gth_err_set(err, -GTH_E_TOOBIG, "the diff is at its size limit");
	if (over_cap(d, f))
		return 0;
	return build_into(d->priv, d, f, full, err);
}

int
gth_git_diff_load_file(struct gth_diff *d, size_t file_index, struct gth_err *err)
{
	return build_file(d, file_index, 0, err);
}

int
gth_git_diff_load_file_full(struct gth_diff *d, size_t file_index, struct gth_err *err)
{
	int rc;

	if ((rc = build_file(d, file_index, 0, err)) < 0)
		return rc;
	return build_file(d, file_index, 1, err);
}

/* ---- pack order ---- */

/*
 * Files are built in the order of their blobs' delta chains: by chain, then
 * up each chain, so that each blob is usually one delta away from a blob read
 * just before it, still in the pack reader's cache (pack.c).  Pack offsets
 * alone are not that order: pack-objects writes objects by recency, and a
 * chain's deltas lie scattered among other chains'.
 */
struct order_key {
	uint64_t root;
	uint32_t depth;
	size_t file;
};

static int
order_cmp(const void *a, const void *b)
{
	const struct order_key *x = a, *y = b;

	if (x->root != y->root)
		return x->root < y->root ? -1 : 1;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->file < y->file ? -1 : x->file > y->file;
}

static int
blob_place(struct gth_packs *packs, const char *hex, struct order_key *k)
{
	git_oid oid;

	if (hex[0] == '\0' || git_oid_fromstr(&oid, hex) < 0)
		return 1;
	return gth_packs_place(packs, oid.id, &k->root, &k->depth);	/* 1: loose, a submodule */
}

/* The order in which to load the files; those whose blobs are not packed go last. */
static struct order_key *
pack_order(struct gth_diff *d, struct gth_packs *packs)
{
	struct order_key *keys = xcalloc(d->n_files ? d->n_files : 1, sizeof(*keys));
	size_t i;

	for (i = 0; i < d->n_files; i++) {
		const struct gth_diff_file *f = &d->files[i];

		/* The old side: measured the better of the two on packs from pack-objects. */
		if (blob_place(packs, f->old_oid, &keys[i]) != 0 &&
		    blob_place(packs, f->new_oid, &keys[i]) != 0) {
			keys[i].root = UINT64_MAX;
			keys[i].depth = 0;
		}
		keys[i].file = i;
	}
	qsort(keys, d->n_files, sizeof(*keys), order_cmp);
	gth_packs_forget_places(packs);
	return keys;
}

/*
 * load_all runs on the calling thread plus one worker per CPU beyond two (at
 * most MAX_WORKERS).  Workers claim files in chain order, build each into a
 * scratch diff with their own repository handle, and queue it; only the calling
 * thread writes to the diff, appending each file's lines in one piece, so a
 * file's lines stay contiguous.  At most MAX_PENDING files wait in the queue.
 */
#define MAX_WORKERS 3
/*
 * The pack reader's cache.  In chain order a blob's base is usually a blob
 * read just before, by this thread or another, so a small cache serves: it
 * holds the blobs of a few files at a time, and every byte of it is resident
 * beside the model (1 MiB was 3.5% of the bench PR's peak).
 */
#define PACK_CACHE ((size_t)512 << 10)
#define MAX_PENDING 16

struct packet {
	struct packet *next;
	size_t file;
	struct gth_diff_file f;		/* the worker's copy, with the results */
	struct gth_diff *out;		/* that file's lines */
	int rc;
	struct gth_err err;
};

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct gth_diff *d;		/* workers read d->files[i] of files they claimed */
	const struct order_key *order;
	size_t n, next;
	struct packet *ready;
	size_t pending;			/* claimed by workers and not merged yet */
	int stop;
	volatile int *cancel;
};

static void *
worker(void *arg)
{
	struct pool *pl = arg;
	struct diff_priv *main_dp = pl->d->priv, dp;
	struct packet *pk;
	size_t idx;

	memset(&dp, 0, sizeof(dp));
	dp.path = main_dp->path;	/* borrowed */
	dp.dopts = main_dp->dopts;
	dp.packs = main_dp->packs;	/* shared: one cache serves every thread */
	pthread_mutex_lock(&pl->mu);
	for (;;) {
		while (!pl->stop && pl->next < pl->n && pl->pending >= MAX_PENDING)
			pthread_cond_wait(&pl->cv, &pl->mu);
		if (pl->stop || pl->next >= pl->n || (pl->cancel != NULL && *pl->cancel))
			break;
		idx = pl->order[pl->next++].file;
		if (pl->d->files[idx].loaded)
			continue;
		pl->pending++;
		pk = xcalloc(1, sizeof(*pk));
		pk->file = idx;
		pk->f = pl->d->files[idx];
		pthread_mutex_unlock(&pl->mu);

		pk->out = gth_diff_new();
		pk->rc = build_into(&dp, pk->out, &pk->f, 0, &pk->err);

		pthread_mutex_lock(&pl->mu);
		pk->next = pl->ready;
		pl->ready = pk;
		pthread_cond_broadcast(&pl->cv);
	}
	pthread_mutex_unlock(&pl->mu);
	git_repository_free(dp.repo);
	return NULL;
}

/* Append a worker's file to the diff (calling thread only). */
static int
merge(struct gth_diff *d, struct packet *pk, struct gth_err *err)
{
	struct gth_diff_file *f = &d->files[pk->file];
	size_t first = d->n_lines;

	if (pk->rc < 0) {
		if (err != NULL)
			*err = pk->err;
		return pk->rc;
	}
	if (over_cap(d, f))
		return 0;
	gth_diff_append(d, pk->out);
	f->binary = pk->f.binary;
	f->old_size = pk->f.old_size;
	f->new_size = pk->f.new_size;
	f->additions = pk->f.additions;
	f->deletions = pk->f.deletions;
	f->first_line = first;
	f->n_lines = d->n_lines - first;
	f->loaded = true;
	return 0;
}

static size_t
n_workers(size_t n_files)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN), forced;
	const char *env = getenv("GATEHOUSE_DIFF_WORKERS");

	/* For tests and measurements: a fixed number of workers, 0 for none. */
	if (env != NULL && gth_parse_long(env, 0, MAX_WORKERS, &forced) == 0)
		return (size_t)forced;

	/*
	 * Threads are not worth starting for a handful of files.  One CPU is
	 * left to the console's own thread, which draws while the diff loads:
	 * on two CPUs a worker also cost 15% more CPU in hand-offs and 1.5 MB,
	 * and was no faster once other processes kept both CPUs busy.
	 */
	if (cpus <= 2 || n_files < 64)
		return 0;
	return cpus - 2 > MAX_WORKERS ? MAX_WORKERS : (size_t)(cpus - 2);
}

int
gth_git_diff_load_all(struct gth_diff *d, void (*progress)(size_t done, size_t total, void *arg),
	void *arg, volatile int *cancel, struct gth_err *err)
{
	pthread_t threads[MAX_WORKERS];
	struct diff_priv *dp = d->priv;
	struct order_key *order;
	struct packet *pk;
	struct pool pl;
	size_t nw, started = 0, done = 0, idx, i;
	int rc = 0;

	if (d->priv == NULL)
		return gth_err_set(err, -GTH_E_INVAL, "this diff was not built from git");
	dp->packs = gth_packs_open(dp->path, PACK_CACHE, (size_t)dp->dopts.max_size);
	order = pack_order(d, dp->packs);
	memset(&pl, 0, sizeof(pl));
	pthread_mutex_init(&pl.mu, NULL);
	pthread_cond_init(&pl.cv, NULL);
	pl.d = d;
	pl.order = order;
	pl.n = d->n_files;
	pl.cancel = cancel;
	nw = n_workers(d->n_files);
	for (i = 0; i < nw; i++) {
		if (pthread_create(&threads[started], NULL, worker, &pl) == 0)
			started++;
	}

	pthread_mutex_lock(&pl.mu);
	for (;;) {
		if ((pk = pl.ready) != NULL) {
			pl.ready = pk->next;
			pthread_mutex_unlock(&pl.mu);
			if (rc == 0)
				rc = merge(d, pk, err);
			gth_diff_free(pk->out);
			free(pk);
			if (rc == 0 && progress != NULL)
				progress(++done, d->n_files, arg);
			pthread_mutex_lock(&pl.mu);
			pl.pending--;
			if (rc < 0)
				pl.stop = 1;
			pthread_cond_broadcast(&pl.cv);
			continue;
		}
		if (rc == 0 && cancel != NULL && *cancel) {
			rc = gth_err_set(err, -GTH_E_CANCEL, "diff cancelled");
			pl.stop = 1;
			pthread_cond_broadcast(&pl.cv);
		}
		if (!pl.stop && pl.next < pl.n) {
			/* The calling thread takes its share directly into the diff. */
			idx = order[pl.next++].file;
			pthread_mutex_unlock(&pl.mu);
			if (!d->files[idx].loaded) {
				rc = build_file(d, idx, 0, err);
				if (rc == 0 && progress != NULL)
					progress(++done, d->n_files, arg);
			}
			pthread_mutex_lock(&pl.mu);
			if (rc < 0) {
				pl.stop = 1;
				pthread_cond_broadcast(&pl.cv);
			}
			continue;
		}
		if (pl.pending == 0)
			break;
		pthread_cond_wait(&pl.cv, &pl.mu);
	}
	pl.stop = 1;
	pthread_cond_broadcast(&pl.cv);
	pthread_mutex_unlock(&pl.mu);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	/* Anything a worker queued after the loop ended. */
	while ((pk = pl.ready) != NULL) {
		pl.ready = pk->next;
		gth_diff_free(pk->out);
		free(pk);
	}
	pthread_cond_destroy(&pl.cv);
	pthread_mutex_destroy(&pl.mu);
	free(order);
	/* Its cache is memory the finished diff no longer needs. */
	if (dp->backend != NULL)
		gth_packs_backend_use(dp->backend, NULL);
	gth_packs_free(dp->packs);
	dp->packs = NULL;
	if (rc == 0)
		gth_diff_compute_stats(d);
	return rc;
}
