/*
 * libFuzzer target for the diff model built from git (gatehouse/git/diff.h)
 * over arbitrary trees.  The input is a small program that builds a base
 * tree and a head tree (paths with any bytes git stores, nested or long;
 * modes 100644, 100755, 120000, 160000; empty, unterminated, CRLF, invalid
 * UTF-8, binary, long-line and many-line contents; renames, copies, deletes,
 * mode and type changes), commits them in a bare mirror (head on base, or
 * both on a common ancestor), and reviews base..head as the console does:
 * file list, every file's hunks (all at once, or one by one in the
 * program's order), whole-file context, word highlights, both with and
 * without ignore-whitespace; the objects loose, or packed with deltas
 * between the two trees for gatehouse's own pack reader.
 *
 * Aborts when: the file list disagrees with the two trees (a changed path
 * missing, a path or id or mode that is not the tree's) or with libgit2's
 * own tree diff; a line record leaves the arena; a hunk's line numbers are
 * not consecutive from its header and within its counts, or go back; a
 * file's lines, or its +/- counts, differ from libgit2's patch of the same
 * delta (its numstat); the totals or directory stats are not the sum of the
 * files; a binary file or a submodule has text lines; whole-file context is
 * not one hunk covering both blobs; any path or line, sanitized as the UI
 * does, still holds a control byte or ESC.
 *
 * Program: byte 0 flags (FL_*), byte 1 the rename threshold (low 7 bits;
 * the high bit packs the objects), then operations (see run_op) until the
 * input ends.  Objects go to one bare
 * repository per process under $TMPDIR, made again every RESET_EVERY inputs
 * so that the disk does not fill.
 */
#include "config.h"

#include <dirent.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/sanitize.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/git/diff.h"
#include "gatehouse/git/mirror.h"
#include "gatehouse/model/diff.h"
#include "check_diff.h"
#include "check_sanitized.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ENTRIES	32		/* per tree */
#define MAX_OPS		48
#define MAX_BYTES	(64 * 1024)	/* of file content per input */
#define MAX_LINES	4000		/* in one generated file */
#define RESET_EVERY	1000

/* Byte 0 of the program. */
#define FL_DIVERGE	0x01	/* base and head both grow from an ancestor */
#define FL_NO_RENAMES	0x02
#define FL_SMALL_TEXT	0x04	/* max_text_size 200: larger blobs are binary */
#define FL_SMALL_CAP	0x08	/* max_diff_bytes 2,000: later files get a note */
#define FL_ONE_BY_ONE	0x10	/* load files one at a time in the program's order */
#define FL_WORKERS	0x20	/* load_all with a worker thread */
#define FL_CONTEXT(f)	((f) >> 6)	/* default, 0, 1, 10 lines */

#define FAIL(...) do { fprintf(stderr, "fuzz_difftree: " __VA_ARGS__); \
	fputc('\n', stderr); abort(); } while (0)

struct rd {
	const uint8_t *p;
	size_t n, i;
	size_t budget;		/* content bytes left */
};

static unsigned
u8(struct rd *r)
{
	return r->i < r->n ? r->p[r->i++] : 0;
}

static unsigned
u16(struct rd *r)
{
	unsigned lo = u8(r);

	return lo | u8(r) << 8;
}

struct bytes {
	char *p;
	size_t len, cap;
};

static void
b_splice(struct bytes *b, size_t start, size_t end, const void *data, size_t n)
{
	gth_grow(&b->p, &b->cap, b->len - (end - start) + n + 1, 1);
	memmove(b->p + start + n, b->p + end, b->len - end);
	if (n > 0)
		memcpy(b->p + start, data, n);
	b->len = b->len - (end - start) + n;
}

static void
b_add(struct rd *r, struct bytes *b, const void *data, size_t n)
{
	if (n > r->budget)
		n = r->budget;
	r->budget -= n;
	b_splice(b, b->len, b->len, data, n);
}

/* n bytes of the program as content (fewer when it ends). */
static void
b_take(struct rd *r, struct bytes *b, size_t n)
{
	if (n > r->n - r->i)
		n = r->n - r->i;
	b_add(r, b, r->p + r->i, n);
	r->i += n;
}

struct ent {
	char *path;
	uint32_t mode;
	struct bytes data;
};

struct side {
	struct ent e[MAX_ENTRIES];
	size_t n;
};

static void
ent_clear(struct ent *e)
{
	free(e->path);
	free(e->data.p);
	memset(e, 0, sizeof(*e));
}

static struct ent *
side_find(struct side *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->e[i].path, path) == 0)
			return &s->e[i];
	return NULL;
}

static void side_del(struct side *s, const char *path);

/* a is a directory above b ("a/..." is b). */
static bool
above(const char *a, const char *b)
{
	size_t n = strlen(a);

	return strncmp(a, b, n) == 0 && b[n] == '/';
}

/*
 * Put path (replacing what is there) with a copy of data.  A path cannot be
 * a file and a directory at once: files in its way go, as in git.  (An
 * in-memory index takes both, and libgit2 then leaks a tree entry.)
 */
static void
side_put(struct side *s, const char *path, uint32_t mode, const struct bytes *data)
{
	struct ent *e;
	size_t i;

	for (i = 0; i < s->n;) {
		if (above(s->e[i].path, path) || above(path, s->e[i].path))
			side_del(s, s->e[i].path);
		else
			i++;
	}
	e = side_find(s, path);

	if (e == NULL) {
		if (s->n == MAX_ENTRIES)
			return;
		e = &s->e[s->n++];
	} else {
		ent_clear(e);
	}
	e->path = xstrdup(path);
	e->mode = mode;
	e->data.len = 0;
	b_splice(&e->data, 0, 0, data->p, data->len);
}

static void
side_del(struct side *s, const char *path)
{
	struct ent *e = side_find(s, path);

	if (e == NULL)
		return;
	ent_clear(e);
	*e = s->e[--s->n];
	memset(&s->e[s->n], 0, sizeof(s->e[s->n]));
}

static void
side_clear(struct side *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		ent_clear(&s->e[i]);
	s->n = 0;
}

/* ---- generators ---- */

static const char *const odd_paths[] = {
	"a", "a/b", "src/main.c", "(root)/x", "dir with space/file name",
	"\xe2\x80\xae" "cod.exe", "new\nline", "tab\there", "esc\x1b[2Jclear", "cr\rover",
	"bad\xff\xfe" "utf8", "\xc2\x9b" "c1", "-rf", ".gitmodules", ".github/workflows/ci.yml",
	"docs/.hidden", "x/y/z/w/v/u", "\x7f" "del", "zero\xe2\x80\x8bwidth", "A", "a.c",
};

/* A path; NULL when git could never store it (empty parts, ".", ".."). */
static char *
gen_path(struct rd *r, unsigned serial)
{
	struct bytes b = { NULL, 0, 0 };
	unsigned l = u8(r), n, i, c;
	const char *p, *q;

	if (l == 0xff) {
		/* One long name (git has no limit; file systems have 255). */
		n = u8(r) * 2 + 200;
		c = u8(r);
		gth_grow(&b.p, &b.cap, n + 1, 1);
		memset(b.p, c == 0 || c == '/' ? 'L' : (int)c, n);
		b.len = n;
	} else if (l == 0xfe) {
		n = u8(r) % 48 + 2;
		for (i = 0; i < n; i++)
			b_splice(&b, b.len, b.len, "d/", 2);
		b_splice(&b, b.len, b.len, "f", 1);
	} else if (l >= 0xe0) {
		p = odd_paths[(l - 0xe0) % (sizeof(odd_paths) / sizeof(odd_paths[0]))];
		b_splice(&b, 0, 0, p, strlen(p));
	} else {
		n = l % 40;
		if (n > r->n - r->i)
			n = (unsigned)(r->n - r->i);
		b_splice(&b, 0, 0, r->p + r->i, n);
		r->i += n;
		if (b.len == 0) {
			char name[16];

			snprintf(name, sizeof(name), "f%u", serial);
			b_splice(&b, 0, 0, name, strlen(name));
		}
	}
	b_splice(&b, b.len, b.len, "", 1);
	b.len--;
	/* A NUL cannot be in a path: it nests instead. */
	for (i = 0; i < b.len; i++)
		if (b.p[i] == '\0')
			b.p[i] = '/';
	for (p = b.p; ; p = q + 1) {
		q = strchr(p, '/');
		n = (unsigned)(q != NULL ? (size_t)(q - p) : strlen(p));
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
			free(b.p);
			return NULL;
		}
		if (q == NULL)
			break;
	}
	return b.p;
}

static uint32_t
gen_mode(struct rd *r)
{
	static const uint32_t modes[] = { 0100644, 0100644, 0100644, 0100755, 0120000, 0160000 };

	return modes[u8(r) % 6];
}

/* Put ins before every "\n" (that does not already have it, for "\r"), in one pass. */
static void
before_newlines(struct bytes *b, const char *ins)
{
	size_t n = strlen(ins), i, o = 0, extra = 0;
	char *p;

	for (i = 0; i < b->len; i++)
		extra += b->p[i] == '\n';
	p = xmalloc(b->len + extra * n + 1);
	for (i = 0; i < b->len; i++) {
		if (b->p[i] == '\n' && !(ins[0] == '\r' && i > 0 && b->p[i - 1] == '\r')) {
			memcpy(p + o, ins, n);
			o += n;
		}
		p[o++] = b->p[i];
	}
	free(b->p);
	b->p = p;
	b->cap = b->len + extra * n + 1;
	b->len = o;
}

/* Content: a generator (low 3 bits) and modifiers (high bits). */
static void
gen_content(struct rd *r, struct bytes *b)
{
	static const char hostile[] = "\x1b]52;c;QUFB\x07 \xc2\x9b" "31m\r\b\xe2\x80\xae\n";
	unsigned c = u8(r), n, i, t;
	char line[64], tpl[16];
	size_t tl;

	b->len = 0;
	switch (c & 7) {
	case 0:
		break;
	case 1:
		b_take(r, b, u8(r));
		break;
	case 2:
		b_take(r, b, u16(r) % 4096);
		break;
	case 3:
	case 4:
	case 7:
		n = (c & 7) == 4 ? u16(r) % MAX_LINES : u8(r) % 64 + 1;
		tl = u8(r) % sizeof(tpl);
		for (i = 0; i < tl; i++) {
			t = u8(r);
			tpl[i] = t == '\n' || t == 0 ? ' ' : (char)t;
		}
		for (i = 0; i < n && r->budget > 0; i++) {
			int k = snprintf(line, sizeof(line), "%.*s %u%s", (int)tl, tpl, i,
			    (c & 7) == 7 ? "\r\n" : "\n");

			b_add(r, b, line, (size_t)k);
		}
		break;
	case 5:
		/* One long line of one byte. */
		n = (u16(r) + 1) * 4;
		t = u8(r);
		if (n > r->budget)
			n = (unsigned)r->budget;
		gth_grow(&b->p, &b->cap, n + 1, 1);
		memset(b->p, t == '\n' ? 'x' : (int)t, n);
		b->len = n;
		r->budget -= n;
		break;
	case 6:
		b_take(r, b, u8(r));
		t = u8(r);
		b_splice(b, t % (b->len + 1), t % (b->len + 1), "\0", 1);
		break;
	}
	/* Trailing spaces and tabs on every line: only -w hides them. */
	if (c & 0x08)
		before_newlines(b, " \t");
	if (c & 0x10)
		before_newlines(b, "\r");
	if (c & 0x20)
		b_splice(b, 0, 0, "\xff\xfe\xc3(\n", 5);
	if (c & 0x40)
		b_splice(b, 0, 0, hostile, sizeof(hostile) - 1);
	if ((c & 0x80) && b->len > 0 && b->p[b->len - 1] == '\n')
		b->len--;
}

/* Byte span [*s, *e) of line k (with its newline); the end when past it. */
static void
line_span(const struct bytes *b, size_t k, size_t *s, size_t *e)
{
	size_t i = 0;
	const char *nl;

	while (k > 0 && i < b->len) {
		nl = memchr(b->p + i, '\n', b->len - i);
		i = nl != NULL ? (size_t)(nl - b->p) + 1 : b->len;
		k--;
	}
	*s = i;
	nl = i < b->len ? memchr(b->p + i, '\n', b->len - i) : NULL;
	*e = nl != NULL ? (size_t)(nl - b->p) + 1 : b->len;
}

/* Edit content as an agent's change would: lines in, out, changed, re-ended. */
static void
mutate(struct rd *r, struct bytes *b)
{
	unsigned edits = u8(r) % 4 + 1, k;
	struct bytes raw = { NULL, 0, 0 };
	size_t s, e;

	while (edits-- > 0) {
		k = u8(r) % 8;
		line_span(b, u8(r), &s, &e);
		raw.len = 0;
		switch (k) {
		case 0:
			b_take(r, &raw, u8(r) % 32);
			b_splice(&raw, raw.len, raw.len, "\n", 1);
			b_splice(b, s, s, raw.p, raw.len);
			break;
		case 1:
			b_splice(b, s, e, "", 0);
			break;
		case 2:
			b_take(r, &raw, u8(r) % 32);
			b_splice(b, s, e > s && b->p[e - 1] == '\n' ? e - 1 : e, raw.p, raw.len);
			break;
		case 3:
			b_take(r, &raw, u8(r) % 64);
			b_splice(b, b->len, b->len, raw.p, raw.len);
			break;
		case 4:
			if (b->len > 0 && b->p[b->len - 1] == '\n')
				b->len--;
			else
				b_splice(b, b->len, b->len, "\n", 1);
			break;
		case 5:
			/* Whitespace only. */
			if (u8(r) & 1)
				b_splice(b, s, s, "\t", 1);
			else
				b_splice(b, s, s, "  ", 2);
			break;
		case 6:
			if (e > s && b->p[e - 1] == '\n') {
				if (e - s >= 2 && b->p[e - 2] == '\r')
					b_splice(b, e - 2, e - 1, "", 0);
				else
					b_splice(b, e - 1, e - 1, "\r", 1);
			}
			break;
		case 7:
			gen_content(r, b);
			break;
		}
	}
	free(raw.p);
}

/*
 * One operation of the program.  k picks an entry of the base tree: the
 * operations that change or move a file read it from there.
 */
static void
run_op(struct rd *r, struct side *base, struct side *head, unsigned serial)
{
	unsigned op = u8(r) % 8;
	struct bytes b = { NULL, 0, 0 };
	struct ent *src = NULL;
	char *path = NULL;
	uint32_t mode;

	if (op >= 3) {
		if (base->n == 0)
			return;
		src = &base->e[u8(r) % base->n];
	}
	switch (op) {
	case 0:		/* the same file in both */
	case 1:		/* only in base: deleted */
	case 2:		/* only in head: added */
		/* All read first, so that a refused path does not shift what follows. */
		path = gen_path(r, serial);
		mode = gen_mode(r);
		gen_content(r, &b);
		if (path == NULL)
			break;
		if (op != 2)
			side_put(base, path, mode, &b);
		if (op != 1)
			side_put(head, path, mode, &b);
		break;
	case 3:		/* modified */
		b_splice(&b, 0, 0, src->data.p, src->data.len);
		mutate(r, &b);
		side_put(head, src->path, src->mode, &b);
		break;
	case 4:		/* renamed, maybe changed */
	case 5:		/* copied, maybe changed */
		path = gen_path(r, serial);
		b_splice(&b, 0, 0, src->data.p, src->data.len);
		if (u8(r) & 1)
			mutate(r, &b);
		if (path == NULL)
			break;
		if (op == 4)
			side_del(head, src->path);
		side_put(head, path, src->mode, &b);
		break;
	case 6:
		side_del(head, src->path);
		break;
	case 7:		/* mode or type change, same bytes */
		side_put(head, src->path, gen_mode(r), &src->data);
		break;
	}
	free(path);
	free(b.p);
}

/* ---- the repository ---- */

static struct {
	char *root;
	struct gth_mirror *m;
	git_repository *repo;
	git_signature *sig;
	unsigned long runs;
	unsigned long lost;	/* copy sources libgit2 lost (see lost_source) */
	unsigned long unpaired;	/* reviews shown without renames (see check_file_list) */
	unsigned gen;
	struct gth_sanitized san;
} G;

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void
rm_tree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
teardown(void)
{
	if (G.lost > 0 || G.unpaired > 0)
		fprintf(stderr, "fuzz_difftree: %lu reviews; libgit2 lost %lu copy sources and "
		    "paired %lu type changes wrongly\n", 2 * G.runs, G.lost, G.unpaired);
	git_repository_free(G.repo);
	gth_mirror_free(G.m);
	G.repo = NULL;
	G.m = NULL;
	if (G.root != NULL) {
		rm_tree(G.root);
		free(G.root);
		G.root = NULL;
	}
	git_signature_free(G.sig);
	G.sig = NULL;
	gth_sanitized_release(&G.san);
}

/* A fresh mirror every RESET_EVERY inputs: loose objects pile up otherwise. */
static void
setup(void)
{
	struct gth_err err;
	char repo[32], *git_dir;
	int level;
	const char *tmp = getenv("TMPDIR");

	/* Loose objects by the thousand: a RAM disk when there is one. */
	if (tmp == NULL || tmp[0] != '/')
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	if (G.root == NULL) {
		if (gth_git_init(NULL, NULL, NULL) < 0)
			FAIL("libgit2 init");
		G.root = xasprintf("%s/gth-fuzz-difftree.XXXXXX", tmp);
		if (mkdtemp(G.root) == NULL)
			FAIL("mkdtemp %s", G.root);
		if (git_signature_new(&G.sig, "Fuzz", "fuzz@example.invalid", 1700000000, 0) < 0)
			FAIL("signature");
		/*
		 * No system or user git config: inputs replay the same anywhere,
		 * and each repository open looks for fewer files.
		 */
		for (level = GIT_CONFIG_LEVEL_PROGRAMDATA; level <= GIT_CONFIG_LEVEL_GLOBAL; level++)
			if (git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, G.root) < 0)
				FAIL("config search path");
		atexit(teardown);
	}
	if (G.m != NULL && G.runs % RESET_EVERY != 0)
		return;
	git_repository_free(G.repo);
	gth_mirror_free(G.m);
	git_dir = xasprintf("%s/git", G.root);
	rm_tree(git_dir);
	free(git_dir);
	gth_err_clear(&err);
	snprintf(repo, sizeof(repo), "fuzz/r%u", G.gen++);
	if (gth_mirror_open(G.root, "fuzz.invalid", repo, &G.m, &err) < 0)
		FAIL("mirror: %s", gth_err_text(&err, -GTH_E_GIT));
	if (git_repository_open_bare(&G.repo, gth_mirror_path(G.m)) < 0)
		FAIL("open %s", gth_mirror_path(G.m));
}

/*
 * Write s as a tree.  Entries git refuses (".git", a path under a file,
 * ...) are left out, as git would never have them.  Returns 0 or -1.
 */
static int
write_tree(struct side *s, const char *extra, git_oid *out)
{
	git_index *ix = NULL;
	size_t i;
	int rc;

	if (git_index_new(&ix) < 0)
		FAIL("index");
	for (i = 0; i < s->n + (extra != NULL); i++) {
		git_index_entry ie;
		const struct ent *e = i < s->n ? &s->e[i] : NULL;

		memset(&ie, 0, sizeof(ie));
		ie.mode = e != NULL ? e->mode : 0100644;
		ie.path = e != NULL ? e->path : extra;
		if (e == NULL)
			rc = git_blob_create_from_buffer(&ie.id, G.repo, "only on base\n", 13);
		else if (e->mode == 0160000)
			rc = git_odb_hash(&ie.id, e->data.p, e->data.len, GIT_OBJECT_COMMIT);
		else
			rc = git_blob_create_from_buffer(&ie.id, G.repo, e->data.p, e->data.len);
		if (rc < 0)
			FAIL("blob");
		git_index_add(ix, &ie);
	}
	rc = git_index_write_tree_to(out, ix, G.repo);
	if (rc < 0 && getenv("FUZZ_DIFFTREE_VERBOSE") != NULL)
		fprintf(stderr, "# tree refused: %s\n",
		    git_error_last() != NULL ? git_error_last()->message : "?");
	git_index_free(ix);
	return rc < 0 ? -1 : 0;
}

static void
commit(const git_oid *tree_id, const git_oid *parent_id, git_oid *out)
{
	git_tree *tree = NULL;
	git_commit *parent = NULL;
	const git_commit *parents[1];

	if (git_tree_lookup(&tree, G.repo, tree_id) < 0 ||
	    (parent_id != NULL && git_commit_lookup(&parent, G.repo, parent_id) < 0))
		FAIL("lookup for commit");
	parents[0] = parent;
	if (git_commit_create(out, G.repo, NULL, G.sig, G.sig, NULL, "fuzz\n", tree,
	    parent != NULL, parents) < 0)
		FAIL("commit: %s", git_error_last() ? git_error_last()->message : "?");
	git_commit_free(parent);
	git_tree_free(tree);
}

/*
 * Pack the objects of the commits, in the only pack of the mirror (the loose
 * copies stay): load_all then reads blobs through gatehouse's own pack
 * reader, over the delta chains libgit2 built between the two trees.
 */
static void
pack(const git_oid *ids, size_t n)
{
	char *dir = xasprintf("%s/objects/pack", gth_mirror_path(G.m)), *path;
	git_packbuilder *pb = NULL;
	struct dirent *de;
	DIR *dh;
	size_t i;

	if ((dh = opendir(dir)) != NULL) {
		while ((de = readdir(dh)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			path = xasprintf("%s/%s", dir, de->d_name);
			unlink(path);
			free(path);
		}
		closedir(dh);
	}
	if (git_packbuilder_new(&pb, G.repo) < 0)
		FAIL("packbuilder");
	for (i = 0; i < n; i++)
		if (git_packbuilder_insert_commit(pb, &ids[i]) < 0)
			FAIL("pack commit");
	if (git_packbuilder_write(pb, NULL, 0, NULL, NULL) < 0)
		FAIL("pack: %s", git_error_last() ? git_error_last()->message : "?");
	git_packbuilder_free(pb);
	free(dir);
}

/* ---- checks ---- */

static void
check_text(const char *what, const char *p, size_t len, unsigned flags)
{
	const char *bad;

	gth_sanitize(p, len, flags, &G.san);
	if ((bad = check_sanitized(&G.san, flags)) != NULL)
		FAIL("%s sanitized: %s", what, bad);
}

/* The number of lines git counts in a blob (a last line without newline too). */
static size_t
count_lines(const git_blob *b)
{
	const char *p = b != NULL ? git_blob_rawcontent(b) : NULL;
	size_t len = b != NULL ? (size_t)git_blob_rawsize(b) : 0, n = 0, i;

	for (i = 0; i < len; i++)
		n += p[i] == '\n';
	return n + (len > 0 && p[len - 1] != '\n');
}

static unsigned long
num(const char **p)
{
	unsigned long v = 0;

	if (**p < '0' || **p > '9')
		FAIL("hunk header without a number");
	while (**p >= '0' && **p <= '9')
		v = v * 10 + (unsigned long)(*(*p)++ - '0');
	return v;
}

/* "@@ -a[,b] +c[,d] @@" */
static void
parse_hunk(const char *t, size_t len, unsigned long v[4])
{
	char h[64];
	const char *p = h + 4;
	int i;

	/* Past the ranges comes the function context: any bytes, even NUL. */
	snprintf(h, sizeof(h), "%.*s", (int)(len < sizeof(h) - 1 ? len : sizeof(h) - 1), t);
	if (memcmp(h, "@@ -", 4) != 0)
		FAIL("hunk header %.*s", (int)len, t);
	for (i = 0; i < 2; i++) {
		v[2 * i] = num(&p);
		v[2 * i + 1] = 1;
		if (*p == ',') {
			p++;
			v[2 * i + 1] = num(&p);
		}
		if (strncmp(p, i == 0 ? " +" : " @@", i == 0 ? 2 : 3) != 0)
			FAIL("hunk header %.*s", (int)len, t);
		p += 2;
	}
}

/*
 * Within f: notes first, then hunks; each hunk's numbered lines run on from
 * its header, both sides, and add up to its counts; numbers only go forward
 * from hunk to hunk; a "no newline" note follows a numbered line.  Returns
 * the number of hunks; sets *old_n, *new_n to the first hunk's counts.
 */
static size_t
check_hunks(const struct gth_diff *d, const struct gth_diff_file *f, unsigned long *old_n,
	unsigned long *new_n)
{
	const struct gth_diff_line *l;
	unsigned long v[4] = { 0, 0, 0, 0 }, o = 0, n = 0, last_o = 0, last_n = 0;
	size_t i, hunks = 0, nl = 0;
	int numbered = 0;

	l = gth_diff_file_lines(d, f, &nl);
	for (i = 0; i <= nl; i++) {
		if (i == nl || l[i].kind == GTH_DIFF_HUNK) {
			if (hunks > 0 && (o - v[0] != (v[1] ? v[1] : 0) ||
			    n - v[2] != (v[3] ? v[3] : 0)))
				FAIL("%s: hunk %zu counts %lu,%lu but holds %lu,%lu", f->new_path,
				    hunks, v[1], v[3], o - v[0], n - v[2]);
			if (i == nl)
				break;
			parse_hunk(gth_diff_line_text(d, &l[i]), l[i].len, v);
			if (l[i].old_no != v[0] || l[i].new_no != v[2])
				FAIL("%s: hunk record %u,%u, header %lu,%lu", f->new_path,
				    l[i].old_no, l[i].new_no, v[0], v[2]);
			if (hunks == 0) {
				*old_n = v[1];
				*new_n = v[3];
			}
			/* With no old lines, a is the line before the hunk. */
			if ((v[1] > 0 && v[0] <= last_o) || (v[3] > 0 && v[2] <= last_n))
				FAIL("%s: hunk %zu goes back", f->new_path, hunks + 1);
			o = v[0];
			n = v[2];
			hunks++;
			numbered = 0;
			continue;
		}
		switch (l[i].kind) {
		case GTH_DIFF_META:
			if (hunks > 0)
				FAIL("%s: a note after the hunks", f->new_path);
			break;
		case GTH_DIFF_NO_EOL:
			if (!numbered)
				FAIL("%s: a no-newline note on nothing", f->new_path);
			break;
		default:
			if (hunks == 0)
				FAIL("%s: a diff line before any hunk", f->new_path);
			if (l[i].kind != GTH_DIFF_ADD && l[i].old_no != o++)
				FAIL("%s: old line %u, expected %lu", f->new_path, l[i].old_no,
				    o - 1);
			if (l[i].kind != GTH_DIFF_DEL && l[i].new_no != n++)
				FAIL("%s: new line %u, expected %lu", f->new_path, l[i].new_no,
				    n - 1);
			if (l[i].kind != GTH_DIFF_ADD)
				last_o = l[i].old_no;
			if (l[i].kind != GTH_DIFF_DEL)
				last_n = l[i].new_no;
			numbered = 1;
			break;
		}
	}
	return hunks;
}

static enum gth_diff_line_kind
kind_of(char origin)
{
	switch (origin) {
	case GIT_DIFF_LINE_CONTEXT: return GTH_DIFF_CONTEXT;
	case GIT_DIFF_LINE_ADDITION: return GTH_DIFF_ADD;
	case GIT_DIFF_LINE_DELETION: return GTH_DIFF_DEL;
	default: return GTH_DIFF_NO_EOL;
	}
}

/* A model line holds text as git gave it, less "\n" and the "\r" before it. */
static void
same_text(const struct gth_diff *d, const struct gth_diff_line *l, const char *t, size_t len,
	const char *path)
{
	int crlf = 0;

	if (len > 0 && t[len - 1] == '\n') {
		len--;
		if (len > 0 && t[len - 1] == '\r') {
			len--;
			crlf = 1;
		}
	}
	if (l->len != len || memcmp(gth_diff_line_text(d, l), t, len) != 0 ||
	    !!(l->flags & GTH_DIFF_LINE_CRLF) != crlf)
		FAIL("%s: line text differs from git's", path);
}

/* f's lines after its notes are git's patch p line for line; its counts are p's numstat. */
static void
same_as_patch(const struct gth_diff *d, const struct gth_diff_file *f, git_patch *p)
{
	const struct gth_diff_line *l;
	size_t nl = 0, j = 0, h, k, nh, hl, adds, dels;

	l = gth_diff_file_lines(d, f, &nl);
	while (j < nl && l[j].kind == GTH_DIFF_META)
		j++;
	nh = git_patch_num_hunks(p);
	for (h = 0; h < nh; h++) {
		const git_diff_hunk *hk;

		if (git_patch_get_hunk(&hk, &hl, p, h) < 0)
			FAIL("hunk");
		if (j >= nl || l[j].kind != GTH_DIFF_HUNK)
			FAIL("%s: hunk %zu of %zu missing", f->new_path, h + 1, nh);
		same_text(d, &l[j], hk->header, hk->header_len, f->new_path);
		j++;
		for (k = 0; k < hl; k++, j++) {
			const git_diff_line *gl;
			enum gth_diff_line_kind kind;

			if (git_patch_get_line_in_hunk(&gl, p, h, k) < 0)
				FAIL("line");
			kind = kind_of(gl->origin);
			if (j >= nl || l[j].kind != kind)
				FAIL("%s: line %zu is not git's '%c'", f->new_path, j, gl->origin);
			if (kind == GTH_DIFF_NO_EOL)
				continue;
			/*
			 * Numbers are check_hunks' business (from the header, which
			 * matches git's): libgit2's own skip one after a "no newline"
			 * context line inside a -w hunk.
			 */
			same_text(d, &l[j], gl->content, gl->content_len, f->new_path);
		}
	}
	if (j != nl)
		FAIL("%s: %zu lines past git's patch", f->new_path, nl - j);
	if (git_patch_line_stats(NULL, &adds, &dels, p) < 0 ||
	    (long)adds != f->additions || (long)dels != f->deletions)
		FAIL("%s: +%ld -%ld, git's numstat +%zu -%zu", f->new_path, f->additions,
		    f->deletions, adds, dels);
}

/* Binary files and submodules: notes only. */
static void
notes_only(const struct gth_diff *d, const struct gth_diff_file *f)
{
	const struct gth_diff_line *l;
	size_t nl = 0, i;

	l = gth_diff_file_lines(d, f, &nl);
	for (i = 0; i < nl; i++)
		if (l[i].kind != GTH_DIFF_META)
			FAIL("%s: text line in a binary file or submodule", f->new_path);
	if (f->additions != 0 || f->deletions != 0)
		FAIL("%s: counted lines in a binary file or submodule", f->new_path);
}

static void
oid_hex(const git_oid *id, char hex[41])
{
	git_oid_tostr(hex, 41, id);
}

/* The entry at path in tree is the file's side: same id and mode. */
static void
in_tree(git_tree *tree, const char *path, const char *hex, uint32_t mode, const char *side)
{
	git_tree_entry *te = NULL;
	char h[41];

	if (git_tree_entry_bypath(&te, tree, path) < 0)
		FAIL("%s side %s: not in the tree", side, path);
	oid_hex(git_tree_entry_id(te), h);
	if (strcmp(h, hex) != 0 || (uint32_t)git_tree_entry_filemode(te) != mode)
		FAIL("%s side %s: %s %06o, the tree has %s %06o", side, path, hex, mode, h,
		    (unsigned)git_tree_entry_filemode(te));
	git_tree_entry_free(te);
}

struct walk {
	const struct gth_diff *d;
	git_tree *other;
	int new_side;		/* walking head: each changed path must be some file's new path */
};

/* Every path whose entry differs between the trees is in the file list. */
static int
walk_cb(const char *root, const git_tree_entry *te, void *payload)
{
	struct walk *w = payload;
	git_tree_entry *oe = NULL;
	char *path;
	size_t i;
	int changed;

	if (git_tree_entry_type(te) == GIT_OBJECT_TREE)
		return 0;
	path = xasprintf("%s%s", root, git_tree_entry_name(te));
	changed = git_tree_entry_bypath(&oe, w->other, path) < 0 ||
	    git_tree_entry_filemode(oe) != git_tree_entry_filemode(te) ||
	    !git_oid_equal(git_tree_entry_id(oe), git_tree_entry_id(te));
	git_tree_entry_free(oe);
	for (i = 0; changed && i < w->d->n_files; i++) {
		const struct gth_diff_file *f = &w->d->files[i];

		if (w->new_side ? f->status != GTH_DIFF_DELETED && strcmp(f->new_path, path) == 0
		    : f->status != GTH_DIFF_ADDED && f->status != GTH_DIFF_COPIED &&
		    strcmp(f->old_path, path) == 0)
			changed = 0;
	}
	if (changed)
		FAIL("changed path %s is not in the file list (%s side)", path,
		    w->new_side ? "head" : "base");
	free(path);
	return 0;
}

/*
 * libgit2 1.5 loses the source of a copy or rename from a path whose type
 * changed (file to submodule, say, while its text moved elsewhere): the
 * delta's old side is zero, where `git diff -C` names the old blob.  The
 * model takes it from the old tree; its patch then comes from the blobs.
 */
static bool
lost_source(const git_diff_delta *dl)
{
	return (dl->status == GIT_DELTA_COPIED || dl->status == GIT_DELTA_RENAMED) &&
	    git_oid_is_zero(&dl->old_file.id);
}

static void
set_git_opts(git_diff_options *o, const struct gth_diff_opts *g)
{
	git_diff_options_init(o, GIT_DIFF_OPTIONS_VERSION);
	o->flags = GIT_DIFF_INCLUDE_TYPECHANGE | GIT_DIFF_INDENT_HEURISTIC;
	if (g->ignore_whitespace)
		o->flags |= GIT_DIFF_IGNORE_WHITESPACE;
	o->context_lines = g->context_lines < 0 ? 3 : (uint32_t)g->context_lines;
	o->max_size = (git_off_t)(g->max_text_size > 0 ? g->max_text_size : (size_t)64 << 20);
}

static bool
same_list(const struct gth_diff *d, git_diff *gd)
{
	size_t i;

	if (git_diff_num_deltas(gd) != d->n_files)
		return false;
	for (i = 0; i < d->n_files; i++) {
		const git_diff_delta *dl = git_diff_get_delta(gd, i);

		if (strcmp(d->files[i].old_path, dl->old_file.path) != 0 ||
		    strcmp(d->files[i].new_path, dl->new_file.path) != 0)
			return false;
	}
	return true;
}

/* The file list: the two trees' differences, and libgit2's tree diff. */
static git_diff *
check_file_list(const struct gth_diff *d, const struct gth_diff_opts *g, git_tree *old,
	git_tree *new)
{
	git_diff_options o;
	git_diff_find_options fo;
	git_diff *gd = NULL;
	struct walk w = { d, new, 0 };
	size_t i;

	set_git_opts(&o, g);
	if (git_diff_tree_to_tree(&gd, G.repo, old, new, &o) < 0)
		FAIL("tree diff");
	if (!g->no_renames) {
		git_diff_find_options_init(&fo, GIT_DIFF_FIND_OPTIONS_VERSION);
		fo.flags = GIT_DIFF_FIND_RENAMES | GIT_DIFF_FIND_COPIES;
		fo.rename_threshold = fo.copy_threshold =
		    (uint16_t)(g->rename_threshold > 0 ? g->rename_threshold : 50);
		if (git_diff_find_similar(gd, &fo) < 0)
			FAIL("find similar");
		/*
		 * Where libgit2's pairing lost a change, the model shows the
		 * diff without renames; the tree walk below proves that it
		 * holds every change either way.
		 */
		if (!same_list(d, gd)) {
			G.unpaired++;
			git_diff_free(gd);
			if (git_diff_tree_to_tree(&gd, G.repo, old, new, &o) < 0)
				FAIL("tree diff");
		}
	}
	if (git_diff_num_deltas(gd) != d->n_files)
		FAIL("%zu files, git has %zu", d->n_files, git_diff_num_deltas(gd));
	for (i = 0; i < d->n_files; i++) {
		const struct gth_diff_file *f = &d->files[i];
		const git_diff_delta *dl = git_diff_get_delta(gd, i);

		check_text("path", f->new_path, strlen(f->new_path), 0);
		check_text("old path", f->old_path, strlen(f->old_path), 0);
		if (strcmp(f->old_path, dl->old_file.path) != 0 ||
		    strcmp(f->new_path, dl->new_file.path) != 0)
			FAIL("file %zu is %s -> %s, git has %s -> %s", i, f->old_path,
			    f->new_path, dl->old_file.path, dl->new_file.path);
		G.lost += lost_source(dl);
		if (f->status != GTH_DIFF_ADDED)
			in_tree(old, f->old_path, f->old_oid, f->old_mode, "old");
		else if (f->old_mode != 0 || f->old_oid[0] != '\0')
			FAIL("%s: added with an old side", f->new_path);
		if (f->status != GTH_DIFF_DELETED)
			in_tree(new, f->new_path, f->new_oid, f->new_mode, "new");
		else if (f->new_mode != 0 || f->new_oid[0] != '\0')
			FAIL("%s: deleted with a new side", f->old_path);
		if ((f->status == GTH_DIFF_RENAMED || f->status == GTH_DIFF_COPIED) !=
		    (strcmp(f->old_path, f->new_path) != 0))
			FAIL("%s: %s with paths %s", f->new_path, gth_diff_status_name(f->status),
			    f->old_path);
		if (f->submodule != (f->old_mode == 0160000 || f->new_mode == 0160000))
			FAIL("%s: submodule flag", f->new_path);
	}
	if (git_tree_walk(old, GIT_TREEWALK_PRE, walk_cb, &w) < 0)
		FAIL("walk");
	w.other = old;
	w.new_side = 1;
	if (git_tree_walk(new, GIT_TREEWALK_PRE, walk_cb, &w) < 0)
		FAIL("walk");
	return gd;
}

static git_blob *
blob_of(const char *hex, uint32_t mode)
{
	git_blob *b = NULL;
	git_oid id;

	if (hex[0] == '\0' || mode == 0160000)
		return NULL;
	if (git_oid_fromstr(&id, hex) < 0 || git_blob_lookup(&b, G.repo, &id) < 0)
		FAIL("blob %s", hex);
	return b;
}

/* A loaded file, against git's patch of it (whole-file context when full). */
static void
check_loaded(const struct gth_diff *d, const struct gth_diff_file *f, git_diff *gd, size_t i,
	const struct gth_diff_opts *g, int full)
{
	git_blob *a = NULL, *b = NULL;
	git_patch *p = NULL;
	git_diff_options o;
	unsigned long on = 0, nn = 0;
	const struct gth_diff_line *l;
	size_t hunks, nl = 0, k;
	const git_diff_delta *dl;
	int64_t big;
	bool sanitize;

	check_file(d, f, true);
	l = gth_diff_file_lines(d, f, &nl);
	/* Once: whole-file context holds the text of the hunks, unless it is never built. */
	sanitize = full || f->binary || f->submodule || f->patch_missing || g->max_diff_bytes > 0;
	for (k = 0; sanitize && k < nl; k++)
		check_text("line", gth_diff_line_text(d, &l[k]), l[k].len, GTH_SAN_KEEP_TABS);
	if (getenv("FUZZ_DIFFTREE_VERBOSE") != NULL && getenv("FUZZ_DIFFTREE_VERBOSE")[0] == '2')
		for (k = 0; k < nl; k++)
			fprintf(stderr, "#     %u %5u %5u %.*s\n", l[k].kind, l[k].old_no, l[k].new_no,
			    (int)(l[k].len < 60 ? l[k].len : 60), gth_diff_line_text(d, &l[k]));
	hunks = check_hunks(d, f, &on, &nn);
	if (f->patch_missing) {
		/* Over the size cap: a note, nothing counted. */
		if (!d->partial)
			FAIL("%s: withheld in a diff that is not partial", f->new_path);
		notes_only(d, f);
		return;
	}
	if (f->submodule || f->binary) {
		notes_only(d, f);
		if (f->submodule)
			return;
	}
	a = blob_of(f->old_oid, f->old_mode);
	b = blob_of(f->new_oid, f->new_mode);
	if ((a != NULL ? (int64_t)git_blob_rawsize(a) : -1) != f->old_size ||
	    (b != NULL ? (int64_t)git_blob_rawsize(b) : -1) != f->new_size)
		FAIL("%s: sizes %lld %lld", f->new_path, (long long)f->old_size,
		    (long long)f->new_size);
	/* libgit2 makes no hunks for a type change in a tree diff: the blobs then. */
	dl = git_diff_get_delta(gd, i);
	if (!full && !lost_source(dl) && dl->status != GIT_DELTA_TYPECHANGE) {
		if (git_patch_from_diff(&p, gd, i) < 0)
			FAIL("patch");
	} else {
		set_git_opts(&o, g);
		big = (f->old_size > 0 ? f->old_size : 0) + (f->new_size > 0 ? f->new_size : 0) + 1;
		if (full)
			o.context_lines = (uint32_t)big;
		if (git_patch_from_blobs(&p, a, f->old_path, b, f->new_path, &o) < 0)
			FAIL("patch from blobs");
	}
	if (full) {
		/* The whole of both sides in one hunk. */
		if (!f->binary && (hunks > 1 || (hunks == 1 &&
		    (on != count_lines(a) || nn != count_lines(b)))))
			FAIL("%s: whole-file context is %zu hunks, %lu,%lu lines of %zu,%zu",
			    f->new_path, hunks, on, nn, count_lines(a), count_lines(b));
	}
	if (p != NULL && strcmp(f->old_oid, f->new_oid) != 0 &&
	    f->binary != ((git_patch_get_delta(p)->flags & GIT_DIFF_FLAG_BINARY) != 0))
		FAIL("%s: binary %d, git says otherwise", f->new_path, f->binary);
	same_as_patch(d, f, p);
	git_patch_free(p);
	git_blob_free(a);
	git_blob_free(b);
}

static void
check_totals(struct gth_diff *d)
{
	long adds = 0, dels = 0, files = 0;
	size_t i;

	for (i = 0; i < d->n_files; i++) {
		adds += d->files[i].additions;
		dels += d->files[i].deletions;
	}
	if (d->additions != adds || d->deletions != dels)
		FAIL("totals +%ld -%ld, files add up to +%ld -%ld", d->additions, d->deletions,
		    adds, dels);
	adds = dels = 0;
	for (i = 0; i < d->n_dirs; i++) {
		files += d->dirs[i].files;
		adds += d->dirs[i].additions;
		dels += d->dirs[i].deletions;
		check_text("directory", d->dirs[i].dir, strlen(d->dirs[i].dir), 0);
	}
	if ((size_t)files != d->n_files || adds != d->additions || dels != d->deletions)
		FAIL("directory stats do not add up");
}

struct run {
	const char *base, *head, *mb;	/* commit ids */
	git_tree *old, *new;		/* the merge base's tree, the head's */
	unsigned flags, threshold;
	const uint8_t *order;		/* the program: the order of one-by-one loads */
	size_t n_order;
};

/* With FUZZ_DIFFTREE_VERBOSE set: what an input builds, to read a failing one. */
static void
show(const struct gth_diff *d)
{
	size_t i;

	if (getenv("FUZZ_DIFFTREE_VERBOSE") == NULL)
		return;
	fprintf(stderr, "# %zu files, +%ld -%ld%s%s\n", d->n_files, d->additions, d->deletions,
	    d->ignore_whitespace ? " (-w)" : "", d->partial ? " (partial)" : "");
	for (i = 0; i < d->n_files; i++) {
		const struct gth_diff_file *f = &d->files[i];
		char *o = gth_sanitize_str(f->old_path, strlen(f->old_path), 0, NULL);
		char *n = gth_sanitize_str(f->new_path, strlen(f->new_path), 0, NULL);

		fprintf(stderr, "#   %-10s %06o %06o %.7s %.7s %s -> %s +%ld -%ld%s%s (%zu lines)\n",
		    gth_diff_status_name(f->status), f->old_mode, f->new_mode, f->old_oid,
		    f->new_oid, o, n,
		    f->additions, f->deletions, f->binary ? " binary" : "",
		    f->patch_missing ? " withheld" : "", f->n_lines);
		free(o);
		free(n);
	}
}

static void
review(const struct run *rn, bool ignore_ws)
{
	struct gth_diff_opts g = GTH_DIFF_OPTS_INIT;
	static const int contexts[] = { -1, 0, 1, 10 };
	struct gth_diff *d = NULL;
	struct gth_err err;
	git_diff *gd;
	size_t i, k, n;
	long adds, dels;
	int rc;

	g.ignore_whitespace = ignore_ws;
	g.context_lines = contexts[FL_CONTEXT(rn->flags)];
	g.rename_threshold = (int)(rn->threshold % 101);
	g.no_renames = (rn->flags & FL_NO_RENAMES) != 0;
	g.max_text_size = rn->flags & FL_SMALL_TEXT ? 200 : 0;
	g.max_diff_bytes = rn->flags & FL_SMALL_CAP ? 2000 : 0;
	gth_err_clear(&err);
	if ((rc = gth_git_diff_open(G.m, rn->base, rn->head, &g, &d, &err)) != 0)
		FAIL("open: %s", gth_err_text(&err, rc));
	if (strcmp(d->merge_base, rn->mb) != 0 || d->ignore_whitespace != ignore_ws)
		FAIL("merge base %s, expected %s", d->merge_base, rn->mb);
	show(d);
	gd = check_file_list(d, &g, rn->old, rn->new);

	n = d->n_files;

	/* Hunks on demand, in the reader's order; or all at once, as the console does. */
	if (rn->flags & FL_ONE_BY_ONE) {
		for (k = 0; n > 0 && k < n + rn->n_order; k++) {
			i = k < rn->n_order ? rn->order[k] % n : k - rn->n_order;
			if ((rc = gth_git_diff_load_file(d, i, &err)) != 0)
				FAIL("load %zu: %s", i, gth_err_text(&err, rc));
		}
		gth_diff_compute_stats(d);
	} else {
		setenv("GATEHOUSE_DIFF_WORKERS", rn->flags & FL_WORKERS ? "1" : "0", 1);
		if ((rc = gth_git_diff_load_all(d, NULL, NULL, NULL, &err)) != 0)
			FAIL("load all: %s", gth_err_text(&err, rc));
	}
	if (gth_git_diff_load_file(d, n, &err) != -GTH_E_INVAL)
		FAIL("loaded a file past the end");
	check_lines(d);
	for (i = 0; i < n; i++)
		check_loaded(d, &d->files[i], gd, i, &g, 0);
	check_totals(d);

	/* Whole-file context for every file; the counts stay what they were. */
	for (i = 0; i < n; i++) {
		struct gth_diff_file *f = &d->files[i];

		adds = f->additions;
		dels = f->deletions;
		rc = gth_git_diff_load_file_full(d, i, &err);
		if (rc == -GTH_E_TOOBIG && (rn->flags & FL_SMALL_CAP))
			continue;
		if (rc != 0)
			FAIL("full %zu: %s", i, gth_err_text(&err, rc));
		if (f->additions != adds || f->deletions != dels)
			FAIL("%s: +%ld -%ld with whole-file context, +%ld -%ld without",
			    f->new_path, f->additions, f->deletions, adds, dels);
		check_loaded(d, f, gd, i, &g, 1);
	}
	check_lines(d);
	check_totals(d);
	git_diff_free(gd);
	gth_diff_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct side base, head;
	struct rd r = { data, size, 2, MAX_BYTES };
	git_oid base_tree, head_tree, anc, b, h, ids[3];
	git_commit *mbc = NULL, *hc = NULL;
	char bhex[41], hhex[41], mbhex[41];
	struct run rn;
	unsigned ops = 0, flags = size > 0 ? data[0] : 0;

	setup();
	G.runs++;
	side_clear(&base);
	side_clear(&head);
	while (r.i < r.n && ops < MAX_OPS) {
		if (getenv("FUZZ_DIFFTREE_VERBOSE") != NULL)
			fprintf(stderr, "# op %u at byte %zu: %u\n", ops, r.i, r.p[r.i] % 8);
		run_op(&r, &base, &head, ops++);
	}
	if (write_tree(&base, NULL, &base_tree) < 0 || write_tree(&head, NULL, &head_tree) < 0)
		return 0;
	if (flags & FL_DIVERGE) {
		/* The base branch moved on: its own file must not show in the review. */
		git_oid moved;

		if (write_tree(&base, "zz-only-on-base/file", &moved) < 0)
			return 0;
		commit(&base_tree, NULL, &anc);
		commit(&moved, &anc, &b);
		commit(&head_tree, &anc, &h);
	} else {
		commit(&base_tree, NULL, &b);
		anc = b;
		commit(&head_tree, &b, &h);
	}
	/* Byte 1: the rename threshold, and whether the objects go in a pack. */
	if (size > 1 && (data[1] & 0x80)) {
		ids[0] = anc;
		ids[1] = b;
		ids[2] = h;
		pack(ids, 3);
	}
	oid_hex(&b, bhex);
	oid_hex(&h, hhex);
	oid_hex(&anc, mbhex);
	memset(&rn, 0, sizeof(rn));
	rn.base = bhex;
	rn.head = hhex;
	rn.mb = mbhex;
	rn.flags = flags;
	rn.threshold = size > 1 ? data[1] & 0x7f : 0;
	rn.order = size > 2 ? data + 2 : NULL;
	rn.n_order = size > 2 ? (size - 2) % 8 : 0;
	if (git_commit_lookup(&mbc, G.repo, &anc) < 0 || git_commit_tree(&rn.old, mbc) < 0 ||
	    git_commit_lookup(&hc, G.repo, &h) < 0 || git_commit_tree(&rn.new, hc) < 0)
		FAIL("trees");
	review(&rn, false);
	review(&rn, true);
	git_tree_free(rn.old);
	git_tree_free(rn.new);
	git_commit_free(mbc);
	git_commit_free(hc);
	return 0;
}
