/* Helpers shared by git/'s modules; libgit2 types stay inside src/git/. */
#ifndef GATEHOUSE_GIT_PRIV_H
#define GATEHOUSE_GIT_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "gatehouse/base/err.h"

/* Set err from libgit2's last error, prefixed by what; returns code. */
int gth_git_error(struct gth_err *err, int code, const char *what);
/* Parse a full 40-hex id; -GTH_E_INVAL otherwise. */
int gth_git_parse_oid(git_oid *oid, const char *hex, struct gth_err *err);
/* Copy a blob (at most max bytes) into a malloc'ed NUL-terminated buffer. */
int gth_git_blob_copy(git_repository *repo, const git_oid *oid, size_t max, char **data,
	size_t *len, struct gth_err *err);

/*
 * Blobs read from a mirror's packs with a delta-base cache of cache_bytes
 * (pack.c).  One reader may be shared by threads.  Objects over max_object
 * bytes are left to libgit2.
 */
struct gth_packs;
struct gth_pack_blob;
/* Never NULL: a mirror without readable packs gives a reader that finds nothing. */
struct gth_packs *gth_packs_open(const char *gitdir, size_t cache_bytes, size_t max_object);
/*
 * Whether every pack index of gitdir is whole (a v2 index whose checksums
 * match its pack's): 0, or -1 with the first that is not in *name (free
 * it); one with no pack beside it is not used, and not checked.  Reads
 * are not hashed (gth_git_init): this is what stands between a damaged index
 * and a blob shown with another's bytes.  Each index is checked once per
 * process, and again when it changes.
 */
int gth_packs_check(const char *gitdir, char **name);
/* Frees the reader; blobs still held must have been released. NULL is fine. */
void gth_packs_free(struct gth_packs *ps);
/* Pack order of a 20-byte id: pack number << 48 | offset; UINT64_MAX when in no pack. */
uint64_t gth_packs_key(const struct gth_packs *ps, const unsigned char *oid);
/*
 * Where blob oid sits in its pack's delta chains: *root is the key of the
 * whole object its chain starts from, *depth the deltas above it.  Files read
 * by (root, depth) walk each chain upwards, each blob one delta away from one
 * read just before.  Returns 0, or 1 when oid is in no pack or unreadable.
 * Not thread-safe (a memo of the chains seen).
 */
int gth_packs_place(struct gth_packs *ps, const unsigned char *oid, uint64_t *root,
	uint32_t *depth);
/* Free gth_packs_place's memo, once the order is known. */
void gth_packs_forget_places(struct gth_packs *ps);
/*
 * Read blob oid: 0 and *out (release it with gth_pack_blob_release); 2 and
 * its size in *big when it is a blob over the reader's max_object; or 1
 * when this reader cannot (not packed, not a blob, corrupt): read it
 * through libgit2 then.
 */
int gth_packs_read(struct gth_packs *ps, const unsigned char *oid, struct gth_pack_blob **out,
	uint64_t *big);
/* The blob's bytes (NUL-terminated after *len bytes), valid until released. */
const char *gth_pack_blob_data(const struct gth_pack_blob *b, size_t *len);
void gth_pack_blob_release(struct gth_packs *ps, struct gth_pack_blob *b);

/*
 * A backend of repo's object database that reads blobs through a pack
 * reader, asked before libgit2's own (which answer whatever it cannot).  The
 * database owns it: it lives as long as repo.  -1 with libgit2's error set.
 */
struct gth_packs_backend;
int gth_packs_attach(git_repository *repo, struct gth_packs_backend **out);
/* The reader it reads through from now on; NULL: none, it finds nothing. */
void gth_packs_backend_use(struct gth_packs_backend *be, struct gth_packs *ps);
/*
 * A blob over the reader's cap fails to read (GIT_EBUFS) rather than being
 * read whole: 1 and its size when oid is the last one refused so, else 0.
 */
int gth_packs_backend_big(const struct gth_packs_backend *be, const git_oid *oid,
	uint64_t *size);

#endif
