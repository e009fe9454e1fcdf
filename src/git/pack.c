/*
 * Blobs read straight from a mirror's packs, for building a whole diff.
 *
 * libgit2 rebuilds a deltified blob by walking its delta chain (up to 50
 * deep in packs from pack-objects) and caches only the intermediate bases,
 * never the blob it returns, in a 16 MB cache that it empties entirely once
 * full.  Reading a PR's blobs through it inflates each delta four to five
 * times and holds 16 MB, where git inflates each about once.  Here every
 * blob rebuilt, intermediate or asked for, goes into a small LRU cache, so
 * that a blob read just after its base (the order gth_packs_place gives)
 * costs one inflate and one delta.  Like git (and libgit2 as gth_git_init
 * sets it up), it does not hash what it rebuilds: zlib's checksums and the
 * sizes in the headers are what catch a damaged pack.  libgit2 reads the
 * blobs through it as through a backend of its own (gth_packs_attach).
 *
 * Formats: Documentation/gitformat-pack.txt (pack v2/v3, index v2).  The
 * pack bytes are untrusted: every size is capped, every copy is bounds
 * checked.  Anything this reader does not handle (loose objects, index v1,
 * a base in another pack, deltas over the cap, a corrupt entry) answers
 * "not here" and the caller reads it through libgit2 instead; a blob over
 * the cap answers with its size alone.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <zlib.h>

#include "gatehouse/base/sha1.h"
#include "gatehouse/base/xalloc.h"
#include "priv.h"

#define OBJ_BLOB 3
#define OBJ_OFS_DELTA 6
#define OBJ_REF_DELTA 7

/* git's own limit on chain length is 4095 (pack.depth); a longer one is corrupt or hostile. */
#define MAX_CHAIN 10000
#define N_BUCKETS 4096

struct pack {
	const unsigned char *idx;	/* the .idx file, mapped read-only */
	size_t idx_len;
	uint32_t n;			/* objects */
	int fd;				/* the .pack file, read with pread */
	uint64_t size;
	struct stat idx_st;		/* the index file, as mapped */
	char *name;			/* "pack-<checksum>.idx" */
};

struct gth_pack_blob {
	struct gth_pack_blob *hnext;	/* hash bucket */
	struct gth_pack_blob *prev, *next;	/* LRU list, most recent first */
	uint64_t key;			/* pack number << 48 | offset */
	size_t len;
	int refs;			/* the cache's own reference counts as one */
	char data[];			/* len bytes and a NUL */
};

struct gth_packs {
	struct pack *packs;
	size_t n_packs, cap_packs;
	size_t max_object;		/* larger blobs: their size only; deltas: libgit2 */
	char *unreadable;		/* the first index that could not be opened, if any */

	struct place *places;		/* gth_packs_place's memo, open addressing */
	size_t n_places, cap_places;

	pthread_mutex_t mu;		/* guards the cache: everything below */
	struct gth_pack_blob *buckets[N_BUCKETS];
	struct gth_pack_blob *lru_head, *lru_tail;
	size_t bytes, limit;
};

/* An object's place in its delta chain. */
struct place {
	uint64_t key;			/* 0: an empty slot (no object sits at offset 0) */
	uint64_t root;			/* the whole object the chain starts from */
	uint32_t depth;			/* deltas above the root */
};

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Map an index (v2 only; sizes must add up: header, fanout, ids, crcs, offsets, trailer). */
static int
idx_map(struct pack *pk, const char *path)
{
	struct stat st;
	void *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_size < 8 + 1024 + 40) {
		close(fd);
		return -1;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	pk->idx = map;
	pk->idx_len = (size_t)st.st_size;
	pk->idx_st = st;
	pk->n = be32(pk->idx + 8 + 255 * 4);
	if (memcmp(pk->idx, "\377tOc", 4) != 0 || be32(pk->idx + 4) != 2 ||
	    pk->idx_len < 8 + 1024 + (size_t)pk->n * 28 + 40) {
		munmap(map, pk->idx_len);
		return -1;
	}
	return 0;
}

/* Offset of a 20-byte id in this pack, or -1. */
static int64_t
idx_find(const struct pack *pk, const unsigned char *oid)
{
	const unsigned char *ids = pk->idx + 8 + 1024;
	uint32_t lo = oid[0] ? be32(pk->idx + 8 + (oid[0] - 1) * 4) : 0;
	uint32_t hi = be32(pk->idx + 8 + oid[0] * 4);
	const unsigned char *big;
	uint32_t off;

	if (hi > pk->n || lo > hi)
		return -1;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = memcmp(ids + (size_t)mid * 20, oid, 20);

		if (c < 0) {
			lo = mid + 1;
		} else if (c > 0) {
			hi = mid;
		} else {
			off = be32(ids + (size_t)pk->n * 24 + (size_t)mid * 4);
			if (!(off & 0x80000000))
				return off;
			/* Packs over 2 GiB: the low 31 bits index the 64-bit table. */
			big = ids + (size_t)pk->n * 28 + (size_t)(off & 0x7fffffff) * 8;
			if (big + 8 > pk->idx + pk->idx_len - 40)
				return -1;
			return (int64_t)((uint64_t)be32(big) << 32 | be32(big + 4));
		}
	}
	return -1;
}

struct gth_packs *
gth_packs_open(const char *gitdir, size_t cache_bytes, size_t max_object)
{
	struct gth_packs *ps = xcalloc(1, sizeof(*ps));
	char *dir = xasprintf("%s/objects/pack", gitdir);
	DIR *dh = opendir(dir);
	struct dirent *de;

	pthread_mutex_init(&ps->mu, NULL);
	ps->limit = cache_bytes;
	ps->max_object = max_object;
	while (dh != NULL && (de = readdir(dh)) != NULL) {
		size_t len = strlen(de->d_name);
		struct pack pk;
		struct stat st;
		char *path;

		if (len < 5 || strcmp(de->d_name + len - 4, ".idx") != 0 || ps->n_packs >= 0xffff)
			continue;
		memset(&pk, 0, sizeof(pk));
		path = xasprintf("%s/%.*s.pack", dir, (int)(len - 4), de->d_name);
		pk.fd = open(path, O_RDONLY | O_CLOEXEC);
		free(path);
		path = xasprintf("%s/%s", dir, de->d_name);
		if (pk.fd >= 0 && fstat(pk.fd, &st) == 0 && idx_map(&pk, path) == 0) {
			pk.size = (uint64_t)st.st_size;
			pk.name = xstrdup(de->d_name);
			GTH_PUSH(ps->packs, ps->n_packs, ps->cap_packs) = pk;
		} else if (pk.fd >= 0) {
			/*
			 * An index beside its pack that is not a v2 index is damaged
			 * (libgit2's indexer writes only v2).  One with no pack yet is
			 * skipped, as libgit2 skips it: a fetch may be moving it in.
			 */
			close(pk.fd);
			if (ps->unreadable == NULL)
				ps->unreadable = xstrdup(de->d_name);
		}
		free(path);
	}
	if (dh != NULL)
		closedir(dh);
	free(dir);
	return ps;
}

/* ---- checking the indexes ---- */

/*
 * A pack index ends with the SHA-1 of all before it, after the checksum its
 * pack ends with.  zlib's checksums guard the objects, not the index that
 * says where each one is: a damaged index could send a blob's id to another
 * blob's bytes, and neither libgit2 (gth_git_init) nor this reader hashes
 * what it reads, as git does not.  Each index is checked once per process,
 * and again when it changes.
 */
#define MAX_CHECKED 4096

static pthread_mutex_t checked_mu = PTHREAD_MUTEX_INITIALIZER;
static struct stat *checked;	/* indexes found whole */
static size_t n_checked, cap_checked;

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static bool
was_checked(const struct stat *st)
{
	bool found = false;
	size_t i;

	pthread_mutex_lock(&checked_mu);
	for (i = 0; i < n_checked && !found; i++)
		found = same_file(&checked[i], st);
	pthread_mutex_unlock(&checked_mu);
	return found;
}

static void
mark_checked(const struct stat *st)
{
	pthread_mutex_lock(&checked_mu);
	if (n_checked == MAX_CHECKED)
		n_checked = 0;		/* long-gone packs: start again */
	GTH_PUSH(checked, n_checked, cap_checked) = *st;
	pthread_mutex_unlock(&checked_mu);
}

static bool
pack_whole(const struct pack *pk)
{
	unsigned char md[20], tail[20];

	gth_sha1(pk->idx, pk->idx_len - 20, md);
	return memcmp(md, pk->idx + pk->idx_len - 20, 20) == 0 && pk->size >= 32 &&
	    pread(pk->fd, tail, 20, (off_t)(pk->size - 20)) == 20 &&
	    memcmp(tail, pk->idx + pk->idx_len - 40, 20) == 0;
}

int
gth_packs_check(const char *gitdir, char **name)
{
	struct gth_packs *ps = gth_packs_open(gitdir, 0, 0);
	size_t i;

	*name = NULL;
	/* One beside its pack that cannot be read as an index (a damaged header) is not whole. */
	if (ps->unreadable != NULL) {
		*name = ps->unreadable;
		ps->unreadable = NULL;
	}
	for (i = 0; i < ps->n_packs && *name == NULL; i++) {
		const struct pack *pk = &ps->packs[i];

		if (was_checked(&pk->idx_st))
			continue;
		if (pack_whole(pk))
			mark_checked(&pk->idx_st);
		else
			*name = xstrdup(pk->name);
	}
	gth_packs_free(ps);
	return *name != NULL ? -1 : 0;
}

static void
blob_unref(struct gth_pack_blob *b)
{
	if (b != NULL && --b->refs == 0)
		free(b);
}

void
gth_packs_free(struct gth_packs *ps)
{
	struct gth_pack_blob *b, *next;
	size_t i;

	if (ps == NULL)
		return;
	for (b = ps->lru_head; b != NULL; b = next) {
		next = b->next;
		blob_unref(b);
	}
	for (i = 0; i < ps->n_packs; i++) {
		munmap((void *)(uintptr_t)ps->packs[i].idx, ps->packs[i].idx_len);
		close(ps->packs[i].fd);
		free(ps->packs[i].name);
	}
	free(ps->packs);
	free(ps->unreadable);
	free(ps->places);
	pthread_mutex_destroy(&ps->mu);
	free(ps);
}

uint64_t
gth_packs_key(const struct gth_packs *ps, const unsigned char *oid)
{
	size_t p;
	int64_t off;

	for (p = 0; p < ps->n_packs; p++) {
		if ((off = idx_find(&ps->packs[p], oid)) >= 0)
			return (uint64_t)p << 48 | (uint64_t)off;
	}
	return UINT64_MAX;
}

/* ---- the cache (callers hold ps->mu) ---- */

static struct gth_pack_blob **
bucket(struct gth_packs *ps, uint64_t key)
{
	return &ps->buckets[(key ^ key >> 17) % N_BUCKETS];
}

static void
lru_unlink(struct gth_packs *ps, struct gth_pack_blob *b)
{
	*(b->prev != NULL ? &b->prev->next : &ps->lru_head) = b->next;
	*(b->next != NULL ? &b->next->prev : &ps->lru_tail) = b->prev;
	b->prev = b->next = NULL;
}

static void
lru_push(struct gth_packs *ps, struct gth_pack_blob *b)
{
	b->prev = NULL;
	b->next = ps->lru_head;
	*(ps->lru_head != NULL ? &ps->lru_head->prev : &ps->lru_tail) = b;
	ps->lru_head = b;
}

/* A reference to the cached object at key, or NULL. */
static struct gth_pack_blob *
cache_get(struct gth_packs *ps, uint64_t key)
{
	struct gth_pack_blob *b;

	for (b = *bucket(ps, key); b != NULL; b = b->hnext) {
		if (b->key == key) {
			lru_unlink(ps, b);
			lru_push(ps, b);
			b->refs++;
			return b;
		}
	}
	return NULL;
}

static void
evict(struct gth_packs *ps, struct gth_pack_blob *b)
{
	struct gth_pack_blob **pp = bucket(ps, b->key);

	while (*pp != b)
		pp = &(*pp)->hnext;
	*pp = b->hnext;
	lru_unlink(ps, b);
	ps->bytes -= b->len;
	blob_unref(b);
}

/* Offer b to the cache, evicting the least recently used past the limit. */
static void
cache_put(struct gth_packs *ps, struct gth_pack_blob *b)
{
	struct gth_pack_blob *o;

	/* Even a blob that fills the cache alone is worth it: the next in its chain needs it. */
	if (b->len > ps->limit)
		return;
	for (o = *bucket(ps, b->key); o != NULL; o = o->hnext) {
		if (o->key == b->key)
			return;		/* another thread rebuilt it too */
	}
	while (ps->lru_tail != NULL && ps->bytes + b->len > ps->limit)
		evict(ps, ps->lru_tail);
	b->hnext = *bucket(ps, b->key);
	*bucket(ps, b->key) = b;
	lru_push(ps, b);
	ps->bytes += b->len;
	b->refs++;
}

/* ---- reading objects ---- */

static struct gth_pack_blob *
blob_new(uint64_t key, size_t len)
{
	struct gth_pack_blob *b = xmalloc(sizeof(*b) + len + 1);

	memset(b, 0, sizeof(*b));
	b->key = key;
	b->len = len;
	b->refs = 1;
	b->data[len] = '\0';
	return b;
}

/* An object's header: type, inflated size, and where its data (or its base's reference) starts. */
struct entry {
	uint64_t off;		/* of the header */
	uint64_t data;		/* of the zlib stream */
	uint64_t base;		/* OFS_DELTA/REF_DELTA: the base's offset */
	size_t size;
	int type;
};

static int
read_entry(struct gth_packs *ps, size_t p, uint64_t off, struct entry *e)
{
	const struct pack *pk = &ps->packs[p];
	unsigned char h[64];
	uint64_t size, rel;
	ssize_t got;
	size_t i = 0;
	int shift = 4;
	int64_t base;

	memset(e, 0, sizeof(*e));
	e->off = off;
	if (off < 12 || off >= pk->size || (got = pread(pk->fd, h, sizeof(h), (off_t)off)) < 8)
		return -1;
	e->type = (h[0] >> 4) & 7;
	size = h[0] & 15;
	while (h[i++] & 0x80) {
		if (i >= (size_t)got || shift > 56)
			return -1;
		size |= (uint64_t)(h[i] & 0x7f) << shift;
		shift += 7;
	}
	if (size > ps->max_object) {
		/* A whole blob over the cap: its size is all anyone will be shown. */
		if (e->type != OBJ_BLOB || size > SIZE_MAX)
			return 1;
		e->size = (size_t)size;
		return 2;
	}
	e->size = (size_t)size;
	if (i >= (size_t)got)
		return -1;
	if (e->type == OBJ_OFS_DELTA) {
		/* Big-endian base-128 with an implicit +1 per continuation byte. */
		rel = h[i] & 0x7f;
		while (h[i++] & 0x80) {
			if (i >= (size_t)got || rel > (UINT64_MAX >> 8))
				return -1;
			rel = ((rel + 1) << 7) | (h[i] & 0x7f);
		}
		if (rel == 0 || rel >= off)
			return -1;
		e->base = off - rel;
	} else if (e->type == OBJ_REF_DELTA) {
		if (i + 20 > (size_t)got)
			return -1;
		/* A thin pack's base lives elsewhere: let libgit2 find it. */
		if ((base = idx_find(pk, h + i)) < 0)
			return 1;
		e->base = (uint64_t)base;
		i += 20;
	} else if (e->type < 1 || e->type > 4) {
		return -1;
	}
	e->data = off + i;
	return 0;
}

/* Inflate e's zlib stream into out (exactly e->size bytes). */
static int
inflate_entry(const struct pack *pk, const struct entry *e, unsigned char *out)
{
	unsigned char in[16384];
	uint64_t pos = e->data;
	z_stream z;
	ssize_t got;
	int rc = Z_OK;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return -1;
	z.next_out = out;
	z.avail_out = (uInt)e->size;
	while (rc == Z_OK) {
		/* Deflate rarely grows data: size + a little is usually the whole stream. */
		size_t want = e->size + 64 < sizeof(in) ? e->size + 64 : sizeof(in);

		if (pos >= pk->size || (got = pread(pk->fd, in, want, (off_t)pos)) <= 0)
			break;
		z.next_in = in;
		z.avail_in = (uInt)got;
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc == Z_BUF_ERROR && z.avail_out == 0)
			break;	/* more data than the header said */
		pos += (uint64_t)got - z.avail_in;
	}
	inflateEnd(&z);
	return rc == Z_STREAM_END && z.total_out == e->size ? 0 : -1;
}

static size_t
delta_varint(const unsigned char **p, const unsigned char *end, int *bad)
{
	size_t v = 0;
	int shift = 0;

	do {
		if (*p >= end || shift > 56) {
			*bad = 1;
			return 0;
		}
		v |= (size_t)(**p & 0x7f) << shift;
		shift += 7;
	} while (*(*p)++ & 0x80);
	return v;
}

/*
 * Apply a git delta to base; NULL when the delta does not fit base or is
 * malformed, or when its result would be over max bytes (*over says how many).
 */
static struct gth_pack_blob *
apply_delta(const struct gth_pack_blob *base, const unsigned char *d, size_t dlen,
	uint64_t key, size_t max, size_t *over)
{
	const unsigned char *end = d + dlen;
	struct gth_pack_blob *r;
	size_t src, dst, o = 0;
	int bad = 0;

	src = delta_varint(&d, end, &bad);
	dst = delta_varint(&d, end, &bad);
	if (!bad && src == base->len && dst > max)
		*over = dst;
	if (bad || src != base->len || dst > max)
		return NULL;
	r = blob_new(key, dst);
	while (d < end) {
		unsigned c = *d++;

		if (c & 0x80) {
			/* Copy from the base: offset and size bytes present per bit. */
			size_t off = 0, n = 0;
			int k;

			for (k = 0; k < 4; k++) {
				if (c & (1u << k)) {
					if (d >= end)
						goto bad;
					off |= (size_t)*d++ << (8 * k);
				}
			}
			for (k = 0; k < 3; k++) {
				if (c & (0x10u << k)) {
					if (d >= end)
						goto bad;
					n |= (size_t)*d++ << (8 * k);
				}
			}
			if (n == 0)
				n = 0x10000;
			if (off > base->len || n > base->len - off || n > dst - o)
				goto bad;
			memcpy(r->data + o, base->data + off, n);
			o += n;
		} else if (c != 0) {
			/* Insert c literal bytes. */
			if (c > (size_t)(end - d) || c > dst - o)
				goto bad;
			memcpy(r->data + o, d, c);
			d += c;
			o += c;
		} else {
			goto bad;
		}
	}
	if (o == dst)
		return r;
bad:
	blob_unref(r);
	return NULL;
}

/*
 * A delta whose base is over the size cap: 2 and the size of what it makes
 * when that is over the cap too (read from the delta alone), else 1 (libgit2
 * reads it then).
 */
static int
delta_over_cap(struct gth_packs *ps, size_t p, const struct entry *e, uint64_t *big)
{
	unsigned char *d = xmalloc(e->size + 1);
	const unsigned char *q = d;
	size_t dst;
	int bad = 0, rc = 1;

	if (inflate_entry(&ps->packs[p], e, d) == 0) {
		(void)delta_varint(&q, d + e->size, &bad);
		dst = delta_varint(&q, d + e->size, &bad);
		if (!bad && dst > ps->max_object) {
			*big = dst;
			rc = 2;
		}
	}
	free(d);
	return rc;
}

/*
 * Rebuild the object at key: walk down its delta chain to a cached object or
 * a whole one, then apply the deltas back up, caching each result.  Returns
 * 2 with *big when the object is a blob over the size cap.
 */
static int
rebuild(struct gth_packs *ps, uint64_t key, struct gth_pack_blob **out, uint64_t *big)
{
	size_t p = (size_t)(key >> 48), n = 0, cap = 0, i, over;
	uint64_t off = key & ((UINT64_C(1) << 48) - 1);
	struct entry *chain = NULL, e;
	struct gth_pack_blob *obj = NULL, *next;
	unsigned char *delta;
	int rc = 0;

	for (;;) {
		pthread_mutex_lock(&ps->mu);
		obj = cache_get(ps, (uint64_t)p << 48 | off);
		pthread_mutex_unlock(&ps->mu);
		if (obj != NULL)
			break;
		if (n >= MAX_CHAIN || (rc = read_entry(ps, p, off, &e)) != 0) {
			if (rc == 2 && n == 0)
				*big = e.size;
			else if (rc == 2)
				rc = delta_over_cap(ps, p, &chain[0], big);
			rc = rc == 0 ? -1 : rc;
			goto out;
		}
		if (e.type != OBJ_OFS_DELTA && e.type != OBJ_REF_DELTA) {
			/* The chain ends in a whole object: only blobs are asked for. */
			if (e.type != OBJ_BLOB) {
				rc = 1;
				goto out;
			}
			obj = blob_new((uint64_t)p << 48 | off, e.size);
			if (inflate_entry(&ps->packs[p], &e, (unsigned char *)obj->data) < 0) {
				rc = -1;
				goto out;
			}
			pthread_mutex_lock(&ps->mu);
			cache_put(ps, obj);
			pthread_mutex_unlock(&ps->mu);
			break;
		}
		GTH_PUSH(chain, n, cap) = e;
		off = e.base;
	}
	for (i = n; i-- > 0;) {
		delta = xmalloc(chain[i].size + 1);
		if (inflate_entry(&ps->packs[p], &chain[i], delta) < 0) {
			free(delta);
			rc = -1;
			goto out;
		}
		over = 0;
		next = apply_delta(obj, delta, chain[i].size, (uint64_t)p << 48 | chain[i].off,
		    ps->max_object, &over);
		free(delta);
		pthread_mutex_lock(&ps->mu);
		blob_unref(obj);
		obj = next;
		if (obj != NULL)
			cache_put(ps, obj);
		pthread_mutex_unlock(&ps->mu);
		if (obj == NULL) {
			/* Over the cap: the object asked for is a blob too big to show. */
			if (over > 0 && i == 0) {
				*big = over;
				rc = 2;
			} else {
				rc = over > 0 ? 1 : -1;
			}
			goto out;
		}
	}
	*out = obj;
	obj = NULL;
out:
	pthread_mutex_lock(&ps->mu);
	blob_unref(obj);
	pthread_mutex_unlock(&ps->mu);
	free(chain);
	return rc;
}

/* ---- chain places ---- */

static struct place *
place_slot(struct place *t, size_t cap, uint64_t key)
{
	size_t i = (size_t)((key ^ key >> 29) * UINT64_C(0x9e3779b97f4a7c15) >> 7) & (cap - 1);

	while (t[i].key != 0 && t[i].key != key)
		i = (i + 1) & (cap - 1);
	return &t[i];
}

static void
place_add(struct gth_packs *ps, uint64_t key, uint64_t root, uint32_t depth)
{
	struct place *old = ps->places, *s;
	size_t i, old_cap = ps->cap_places;

	if (2 * (ps->n_places + 1) > ps->cap_places) {
		ps->cap_places = old_cap ? 2 * old_cap : 1024;
		ps->places = xcalloc(ps->cap_places, sizeof(*ps->places));
		for (i = 0; i < old_cap; i++) {
			if (old[i].key != 0)
				*place_slot(ps->places, ps->cap_places, old[i].key) = old[i];
		}
		free(old);
	}
	s = place_slot(ps->places, ps->cap_places, key);
	if (s->key == 0)
		ps->n_places++;
	s->key = key;
	s->root = root;
	s->depth = depth;
}

int
gth_packs_place(struct gth_packs *ps, const unsigned char *oid, uint64_t *root, uint32_t *depth)
{
	uint64_t key = gth_packs_key(ps, oid), off, *walk = NULL;
	size_t p = (size_t)(key >> 48), n = 0, cap = 0;
	const struct place *known = NULL;
	struct entry e;
	int rc = 0;

	*root = UINT64_MAX;
	*depth = 0;
	if (key == UINT64_MAX)
		return 1;
	/* Only headers are read, each once: chains share their lower part. */
	for (off = key & ((UINT64_C(1) << 48) - 1);; off = e.base) {
		uint64_t k = (uint64_t)p << 48 | off;

		if (ps->cap_places > 0 && (known = place_slot(ps->places, ps->cap_places, k))->key == k)
			break;
		known = NULL;
		if (n >= MAX_CHAIN || read_entry(ps, p, off, &e) != 0) {
			rc = 1;
			goto out;
		}
		GTH_PUSH(walk, n, cap) = k;
		if (e.type != OBJ_OFS_DELTA && e.type != OBJ_REF_DELTA)
			break;
	}
	if (known != NULL) {
		*root = known->root;
		*depth = known->depth + (uint32_t)n;
	} else {
		*root = walk[n - 1];
		*depth = (uint32_t)n - 1;
	}
	for (off = 0; off < n; off++)
		place_add(ps, walk[off], *root, *depth - (uint32_t)off);
out:
	free(walk);
	return rc;
}

void
gth_packs_forget_places(struct gth_packs *ps)
{
	free(ps->places);
	ps->places = NULL;
	ps->n_places = ps->cap_places = 0;
}

int
gth_packs_read(struct gth_packs *ps, const unsigned char *oid, struct gth_pack_blob **out,
	uint64_t *big)
{
	uint64_t key = gth_packs_key(ps, oid);
	int rc;

	*out = NULL;
	*big = 0;
	if (key == UINT64_MAX)
		return 1;
	rc = rebuild(ps, key, out, big);
	/* A corrupt object too: libgit2 then reads it, or says what is wrong with it. */
	return rc == 0 || rc == 2 ? rc : 1;
}

const char *
gth_pack_blob_data(const struct gth_pack_blob *b, size_t *len)
{
	*len = b->len;
	return b->data;
}

void
gth_pack_blob_release(struct gth_packs *ps, struct gth_pack_blob *b)
{
	if (b == NULL)
		return;
	pthread_mutex_lock(&ps->mu);
	blob_unref(b);
	pthread_mutex_unlock(&ps->mu);
}

/* ---- as an object database backend ---- */

/*
 * git_diff_blobs is given blobs, whose ids libgit2 already knows; given
 * bytes (git_diff_buffers), it hashes both sides of every file first, a
 * third of the time a whole PR's diff took.  The blobs come from the pack
 * reader through this backend, consulted before libgit2's own.
 */
struct packs_backend {
	git_odb_backend parent;		/* first: libgit2 hands it back to us */
	struct gth_packs *packs;	/* NULL: finds nothing */
	git_oid big_oid;		/* the last blob refused for its size, */
	uint64_t big;			/* and that size (0: none) */
};

static int
backend_read(void **data, size_t *len, git_object_t *type, git_odb_backend *be,
	const git_oid *oid)
{
	struct packs_backend *pb = (struct packs_backend *)be;
	struct gth_pack_blob *b;
	const char *p;
	size_t n;
	char *copy;
	uint64_t big;
	int rc;

	/* GIT_PASSTHROUGH: libgit2 asks its own backends, which read or explain anything. */
	if (pb->packs == NULL || (rc = gth_packs_read(pb->packs, oid->id, &b, &big)) == 1)
		return GIT_PASSTHROUGH;
	if (rc == 2) {
		/* Not read at all, rather than whole into memory only for its size. */
		git_oid_cpy(&pb->big_oid, oid);
		pb->big = big;
		git_error_set_str(GIT_ERROR_ODB, "blob over the size cap");
		return GIT_EBUFS;
	}
	p = gth_pack_blob_data(b, &n);
	copy = git_odb_backend_data_alloc(be, n + 1);
	if (copy == NULL) {
		gth_pack_blob_release(pb->packs, b);
		git_error_set_oom();
		return -1;
	}
	memcpy(copy, p, n + 1);		/* with its NUL, as libgit2's own reads */
	gth_pack_blob_release(pb->packs, b);
	*data = copy;
	*len = n;
	*type = GIT_OBJECT_BLOB;
	return 0;
}

static void
backend_free(git_odb_backend *be)
{
	free(be);
}

int
gth_packs_attach(git_repository *repo, struct gth_packs_backend **out)
{
	struct packs_backend *pb = xcalloc(1, sizeof(*pb));
	git_odb *odb = NULL;

	*out = NULL;
	if (git_odb_init_backend(&pb->parent, GIT_ODB_BACKEND_VERSION) < 0 ||
	    git_repository_odb(&odb, repo) < 0)
		goto fail;
	pb->parent.read = backend_read;
	pb->parent.free = backend_free;
	/* libgit2's packs are priority 2 and loose objects 1: this one is asked first. */
	if (git_odb_add_backend(odb, &pb->parent, 10) < 0)
		goto fail;
	git_odb_free(odb);
	*out = (struct gth_packs_backend *)pb;
	return 0;
fail:
	git_odb_free(odb);
	free(pb);
	return -1;
}

void
gth_packs_backend_use(struct gth_packs_backend *be, struct gth_packs *ps)
{
	((struct packs_backend *)be)->packs = ps;
}

int
gth_packs_backend_big(const struct gth_packs_backend *be, const git_oid *oid, uint64_t *size)
{
	const struct packs_backend *pb = (const struct packs_backend *)be;

	if (pb->big == 0 || !git_oid_equal(&pb->big_oid, oid))
		return 0;
	*size = pb->big;
	return 1;
}
