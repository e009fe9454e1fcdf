/*
 * Durable outbox with idempotent, step-recorded delivery (security.md §5.2,
 * §5.3).  Entry file format, one self-validating unit:
 *
 *	gatehouse-outbox 1\n
 *	id <ULID>\n
 *	record <N>\n <N bytes>\n
 *	signature <M>\n <M bytes>
 *	end <sha256 hex of everything above>\n
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


#include "gatehouse/base/sha256.h"
#include "gatehouse/base/buf.h"
#include "gatehouse/base/log.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/decide/body.h"
#include "gatehouse/decide/fsutil.h"
#include "gatehouse/decide/outbox.h"
#include "gatehouse/decide/record.h"
#include "gatehouse/sign/sshsig.h"

#define MAGIC "gatehouse-outbox 1\n"
#define TMP_STALE_SECONDS 3600

struct gth_outbox {
	char *dir;
	char *sub[5];		/* tmp new cur done dead */
	int lockfd;
	struct gth_audit *audit;
	long settle;		/* seconds; see gth_outbox_set_settle */
};

enum { D_TMP, D_NEW, D_CUR, D_DONE, D_DEAD };
static const char *const subdirs[5] = { "tmp", "new", "cur", "done", "dead" };

static void
hook(const char *step)
{
	if (gth_fs_step_hook != NULL)
		gth_fs_step_hook(step);
}

void
gth_outbox_reviews_free(struct gth_review *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].author);
		free(v[i].state);
		free(v[i].commit);
		free(v[i].body);
	}
	free(v);
}

char *
gth_outbox_entry_encode(const char *id, const char *record, size_t record_len,
	const char *armored, size_t *len)
{
	struct gth_buf b = GTH_BUF_INIT;
	char hex[65];

	gth_buf_adds(&b, MAGIC);
	gth_buf_addf(&b, "id %s\nrecord %zu\n", id, record_len);
	gth_buf_add(&b, record, record_len);
	gth_buf_addf(&b, "\nsignature %zu\n", strlen(armored));
	gth_buf_adds(&b, armored);
	gth_sha256_hex(b.data, b.len, hex);
	gth_buf_addf(&b, "end %s\n", hex);
	return gth_buf_take(&b, len);
}

void
gth_outbox_entry_release(struct gth_outbox_entry *e)
{
	free(e->record);
	free(e->armored);
	memset(e, 0, sizeof(*e));
}

/* "<word> <decimal>\n" at *p; advances. */
static int
take_len(const char **p, const char *end, const char *word, size_t *out)
{
	size_t wl = strlen(word);
	const char *nl;
	char num[16];
	long v;

	if ((size_t)(end - *p) < wl + 2 || memcmp(*p, word, wl) != 0 || (*p)[wl] != ' ')
		return -1;
	*p += wl + 1;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	if (nl == NULL || nl == *p || (size_t)(nl - *p) >= sizeof(num))
		return -1;
	memcpy(num, *p, (size_t)(nl - *p));
	num[nl - *p] = '\0';
	if (num[0] == '0' && num[1] != '\0')
		return -1;
	if (gth_parse_long(num, 0, GTH_OUTBOX_ENTRY_MAX, &v) != 0)
		return -1;
	*out = (size_t)v;
	*p = nl + 1;
	return 0;
}

int
gth_outbox_entry_parse(const char *data, size_t len, struct gth_outbox_entry *out,
	struct gth_err *err)
{
	const char *p = data, *end = data + len, *body_end;
	size_t rl, sl, ml = strlen(MAGIC);
	char hex[65];

	memset(out, 0, sizeof(*out));
	if (len > GTH_OUTBOX_ENTRY_MAX)
		return gth_err_set(err, -GTH_E_TOOBIG, "outbox entry too large");
	/* "end " + 64 hex + "\n" closes every complete entry. */
	if (len < ml + 70 || memcmp(p, MAGIC, ml) != 0)
		return gth_err_set(err, -GTH_E_CORRUPT, "not an outbox entry (or torn)");
	body_end = end - 69;
	if (memcmp(body_end, "end ", 4) != 0 || end[-1] != '\n')
		return gth_err_set(err, -GTH_E_CORRUPT,
			"outbox entry has no end line (torn write)");
	gth_sha256_hex(data, (size_t)(body_end - data), hex);
	if (memcmp(body_end + 4, hex, 64) != 0)
		return gth_err_set(err, -GTH_E_CORRUPT, "outbox entry checksum mismatch");
	p += ml;
	if ((size_t)(body_end - p) < 3 + GTH_DECISION_ID_LEN + 1 || memcmp(p, "id ", 3) != 0 ||
	    p[3 + GTH_DECISION_ID_LEN] != '\n')
		return gth_err_set(err, -GTH_E_CORRUPT, "outbox entry: bad id line");
	memcpy(out->id, p + 3, GTH_DECISION_ID_LEN);
	out->id[GTH_DECISION_ID_LEN] = '\0';
	if (!gth_decision_id_valid(out->id))
		return gth_err_set(err, -GTH_E_CORRUPT, "outbox entry: bad id");
	p += 3 + GTH_DECISION_ID_LEN + 1;
	if (take_len(&p, body_end, "record", &rl) != 0 || (size_t)(body_end - p) < rl + 1 ||
	    p[rl] != '\n')
		return gth_err_set(err, -GTH_E_CORRUPT, "outbox entry: bad record");
	out->record = xstrndup(p, rl);
	out->record_len = rl;
	p += rl + 1;
	if (take_len(&p, body_end, "signature", &sl) != 0 || (size_t)(body_end - p) != sl) {
		gth_outbox_entry_release(out);
		return gth_err_set(err, -GTH_E_CORRUPT, "outbox entry: bad signature");
	}
	out->armored = xstrndup(p, sl);
	if (strlen(out->record) != rl || strlen(out->armored) != sl) {
		gth_outbox_entry_release(out);
		return gth_err_set(err, -GTH_E_CORRUPT, "outbox entry: NUL byte");
	}
	return 0;
}

int
gth_outbox_open(const char *dir, struct gth_audit *audit, struct gth_outbox **out,
	struct gth_err *err)
{
	struct gth_outbox *ob;
	int i, r;

	*out = NULL;
	if ((r = gth_fs_mkdirs(dir, err)) != 0)
		return r;
	ob = xcalloc(1, sizeof(*ob));
	ob->dir = xstrdup(dir);
	ob->audit = audit;
	ob->lockfd = -1;
	ob->settle = GTH_OUTBOX_SETTLE_DEFAULT;
	for (i = 0; i < 5; i++) {
		ob->sub[i] = xasprintf("%s/%s", dir, subdirs[i]);
		if (mkdir(ob->sub[i], 0700) != 0 && errno != EEXIST) {
			r = gth_err_set(err, -GTH_E_IO, "mkdir %s: %s", ob->sub[i],
				strerror(errno));
			gth_outbox_close(ob);
			return r;
		}
	}
	if ((r = gth_fs_fsync_dir(dir, err)) != 0) {
		gth_outbox_close(ob);
		return r;
	}
	ob->lockfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*out = ob;
	return 0;
}

void
gth_outbox_set_settle(struct gth_outbox *ob, long seconds)
{
	ob->settle = seconds < 0 ? 0 : seconds;
}

void
gth_outbox_close(struct gth_outbox *ob)
{
	int i;

	if (ob == NULL)
		return;
	if (ob->lockfd >= 0)
		close(ob->lockfd);
	for (i = 0; i < 5; i++)
		free(ob->sub[i]);
	free(ob->dir);
	free(ob);
}

static void
audit(struct gth_outbox *ob, const char *event, const struct gth_decision *d, const char *id,
	const char *detail)
{
	struct gth_err e = { 0 };

	/* The outbox is the source of truth; an audit failure is logged, not fatal. */
	if (ob->audit != NULL && gth_audit_append(ob->audit, event, d, id, detail, &e) != 0)
		gth_warn("audit: %s", gth_err_text(&e, e.code));
}

static int
check_signed_record(const struct gth_decision *d, const char *record, size_t record_len,
	const char *armored, struct gth_err *err)
{
	struct gth_decision *back = NULL;
	struct gth_sshsig *sig = NULL;
	int r;

	if ((r = gth_record_decode(record, record_len, &back, err)) != 0)
		return gth_err_set(err, -GTH_E_INVAL, "outbox: the record does not decode: %s",
			err != NULL ? err->msg : "");
	if (strcmp(back->id, d->id) != 0 || back->key == NULL) {
		r = gth_err_set(err, -GTH_E_INVAL, "outbox: the record is not this decision's");
		goto out;
	}
	if ((r = gth_sshsig_parse(armored, strlen(armored), &sig, err)) != 0 ||
	    (r = gth_sshsig_verify(sig, GTH_SSHSIG_NAMESPACE, record, record_len, NULL,
	    err)) != 0) {
		r = gth_err_set(err, -GTH_E_SIG, "outbox: the signature does not verify");
		goto out;
	}
	if (strcmp(sig->fp, back->key) != 0)
		r = gth_err_set(err, -GTH_E_SIG, "outbox: signed with %s but the record names %s",
			sig->fp, back->key);
out:
	gth_sshsig_free(sig);
	gth_decision_free(back);
	return r;
}

int
gth_outbox_record(struct gth_outbox *ob, const struct gth_decision *d,
	const char *record_json, size_t record_len, const char *armored, struct gth_err *err)
{
	char *data = NULL, *tmp = NULL, *dst = NULL;
	size_t len = 0;
	int fd = -1, r;

	if (!gth_decision_id_valid(d->id))
		return gth_err_set(err, -GTH_E_INVAL, "decision id is not a ULID");
	/*
	 * Only a record that delivery will later recognise on the forge may be
	 * queued: otherwise every retry would post it again.
	 */
	if ((r = check_signed_record(d, record_json, record_len, armored, err)) != 0)
		return r;
	data = gth_outbox_entry_encode(d->id, record_json, record_len, armored, &len);
	tmp = xasprintf("%s/%s", ob->sub[D_TMP], d->id);
	dst = xasprintf("%s/%s", ob->sub[D_NEW], d->id);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno == EEXIST) {
		/* A crashed earlier attempt for the same id: never reported as recorded. */
		unlink(tmp);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	}
	if (fd < 0) {
		r = gth_err_set(err, -GTH_E_IO, "outbox: create %s: %s", tmp, strerror(errno));
		goto out;
	}
	if ((r = gth_fs_write_all(fd, data, len, err)) != 0)
		goto out;
	hook("record:written");
	if (fsync(fd) != 0) {
		r = gth_err_set(err, -GTH_E_IO, "outbox: fsync failed (%s): decision NOT recorded",
			strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		r = gth_err_set(err, -GTH_E_IO, "outbox: close failed (%s): decision NOT recorded",
			strerror(errno));
		goto out;
	}
	fd = -1;
	/* link() refuses to replace: a second record of one id is an error, not an overwrite. */
	if (link(tmp, dst) != 0) {
		r = gth_err_set(err, errno == EEXIST ? -GTH_E_EXISTS : -GTH_E_IO,
			"outbox: %s: %s", d->id, strerror(errno));
		unlink(tmp);
		goto out;
	}
	hook("record:linked");
	if ((r = gth_fs_fsync_dir(ob->sub[D_NEW], err)) != 0) {
		/*
		 * After a failed fsync nothing about new/ can be trusted (the
		 * PostgreSQL lesson): take the entry back out so it is neither
		 * delivered nor in the way of recording the decision again.
		 */
		char why[256];

		gth_strlcpy(why, gth_err_text(err, r), sizeof(why));
		gth_err_set(err, r, "outbox: directory fsync failed (%s): decision NOT recorded", why);
		unlink(dst);
		unlink(tmp);
		goto out;
	}
	unlink(tmp);
	hook("record:durable");
	audit(ob, "recorded", d, NULL, NULL);
	r = 0;
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(data);
	free(tmp);
	free(dst);
	return r;
}

/*
 * Split "<id>:<steps>[,<time>]" (cur/) or "<id>" (others).  steps are
 * letters of "PRES", each at most once; names written before P existed
 * ("<id>:", "<id>:RE"...) read as they always did.  at (may be NULL) gets
 * the time of a P, 0 without one.
 */
static int
parse_name(const char *name, char id[GTH_DECISION_ID_LEN + 1],
	char steps[GTH_OUTBOX_STEPS_MAX], time_t *at)
{
	const char *s;
	size_t k, i;
	long t;

	steps[0] = '\0';
	if (at != NULL)
		*at = 0;
	if (strlen(name) < GTH_DECISION_ID_LEN)
		return -1;
	memcpy(id, name, GTH_DECISION_ID_LEN);
	id[GTH_DECISION_ID_LEN] = '\0';
	if (!gth_decision_id_valid(id))
		return -1;
	if (name[GTH_DECISION_ID_LEN] == '\0')
		return 0;
	s = name + GTH_DECISION_ID_LEN + 1;
	if (name[GTH_DECISION_ID_LEN] != ':' || (k = strspn(s, "PRES")) >= GTH_OUTBOX_STEPS_MAX)
		return -1;
	memcpy(steps, s, k);
	steps[k] = '\0';
	for (i = 0; i < k; i++)
		if (strchr(steps + i + 1, steps[i]) != NULL)
			return -1;
	if (s[k] == '\0')
		return 0;
	if (s[k] != ',' || strchr(steps, 'P') == NULL ||
	    gth_parse_long(s + k + 1, 0, LONG_MAX, &t) != 0)
		return -1;
	if (at != NULL)
		*at = (time_t)t;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Entry names in a subdirectory, sorted (ULIDs sort by time). */
static int
scan(struct gth_outbox *ob, int which, struct gth_strvec *names, struct gth_err *err)
{
	DIR *dir = opendir(ob->sub[which]);
	struct dirent *de;
	char id[GTH_DECISION_ID_LEN + 1], steps[GTH_OUTBOX_STEPS_MAX];

	if (dir == NULL)
		return gth_err_set(err, -GTH_E_IO, "outbox: %s: %s", ob->sub[which],
			strerror(errno));
	while ((de = readdir(dir)) != NULL)
		if (parse_name(de->d_name, id, steps, NULL) == 0)
			gth_strvec_push(names, de->d_name);
	closedir(dir);
	if (names->n > 1)
		qsort(names->v, names->n, sizeof(char *), cmp_str);
	return 0;
}

static int
load_entry(const char *path, struct gth_outbox_entry *e, struct gth_decision **d,
	struct gth_err *err)
{
	char *data = NULL;
	size_t len = 0;
	int r;

	*d = NULL;
	if ((r = gth_fs_read_file(path, GTH_OUTBOX_ENTRY_MAX, &data, &len, err)) != 0)
		return r;
	r = gth_outbox_entry_parse(data, len, e, err);
	free(data);
	if (r != 0)
		return r;
	if ((r = gth_record_decode(e->record, e->record_len, d, err)) != 0) {
		gth_outbox_entry_release(e);
		return -GTH_E_CORRUPT;
	}
	if (strcmp((*d)->id, e->id) != 0) {
		gth_decision_free(*d);
		*d = NULL;
		gth_outbox_entry_release(e);
		return gth_err_set(err, -GTH_E_CORRUPT, "outbox entry id differs from its record");
	}
	return 0;
}

void
gth_outbox_items_free(struct gth_outbox_item *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		gth_decision_free(items[i].d);
		free(items[i].error);
	}
	free(items);
}

int
gth_outbox_list(struct gth_outbox *ob, enum gth_outbox_state state,
	struct gth_outbox_item **items, size_t *n, struct gth_err *err)
{
	static const int map[] = { D_NEW, D_CUR, D_DONE, D_DEAD };
	struct gth_strvec names = GTH_STRVEC_INIT;
	struct gth_outbox_item *v = NULL;
	size_t cap = 0, i;
	int r;

	*items = NULL;
	*n = 0;
	if ((r = scan(ob, map[state], &names, err)) != 0)
		return r;
	for (i = 0; i < names.n; i++) {
		struct gth_outbox_item *it = &GTH_PUSH(v, *n, cap);
		struct gth_outbox_entry e;
		char *path = xasprintf("%s/%s", ob->sub[map[state]], names.v[i]);
		size_t elen;

		memset(it, 0, sizeof(*it));
		parse_name(names.v[i], it->id, it->steps, &it->post_at);
		it->state = state;
		if (load_entry(path, &e, &it->d, NULL) == 0)
			gth_outbox_entry_release(&e);
		free(path);
		if (state == GTH_OUTBOX_DEAD) {
			path = xasprintf("%s/%s.err", ob->sub[D_DEAD], it->id);
			if (gth_fs_read_file(path, 4096, &it->error, &elen, NULL) != 0)
				it->error = xstrdup("(no reason saved)");
			free(path);
		}
	}
	gth_strvec_clear(&names);
	*items = v;
	return 0;
}

void
gth_outbox_report_release(struct gth_outbox_report *rep)
{
	free(rep->v);
	memset(rep, 0, sizeof(*rep));
}

bool
gth_outbox_review_is_ours(const struct gth_review *rv, const char *self_login,
	const struct gth_decision *d, const char *record, size_t record_len)
{
	char *rec = NULL, *arm = NULL, *id = NULL;
	struct gth_sshsig *sig = NULL;
	bool ours = false;

	if (rv->author == NULL || rv->body == NULL || self_login == NULL ||
	    strcmp(rv->author, self_login) != 0)
		return false;
	if (gth_review_body_parse(rv->body, strlen(rv->body), &rec, &arm, &id, NULL) != 0)
		return false;
	if (strcmp(id, d->id) != 0 || strlen(rec) != record_len ||
	    memcmp(rec, record, record_len) != 0)
		goto out;
	if (gth_sshsig_parse(arm, strlen(arm), &sig, NULL) != 0 ||
	    d->key == NULL || strcmp(sig->fp, d->key) != 0)
		goto out;
	ours = gth_sshsig_verify(sig, GTH_SSHSIG_NAMESPACE, rec, strlen(rec), NULL, NULL) == 0;
out:
	gth_sshsig_free(sig);
	free(rec);
	free(arm);
	free(id);
	return ours;
}

static bool
permanent(const struct gth_delivery_sink_ops *ops, int code, const struct gth_err *err)
{
	if (ops->is_permanent != NULL)
		return ops->is_permanent(code, err);
	/*
	 * A refused token (401) or a rate limit (403, 429) is fixed without
	 * touching the decision: retry.  Other 4xx (422: head gone, 404: PR
	 * gone) will not change by retrying.
	 */
	if (code == -GTH_E_RATELIMIT || code == -GTH_E_AUTH)
		return false;
	return err->status >= 400 && err->status < 500 && err->status != 401 &&
	       err->status != 403 && err->status != 408 && err->status != 429;
}

/* An entry in cur/ being delivered: the steps done and its current path. */
struct progress {
	const char *id;
	char steps[GTH_OUTBOX_STEPS_MAX];
	time_t at;		/* P without R: when that post was sent */
	char *path;
};

/*
 * The cur/ name for steps: "<id>:<steps>", plus ",<unix time>" while a
 * post's outcome is unknown (P without R).  The time of the post lives in
 * the name, not in the file's ctime: the one durable rename that records P
 * records its time too, so it survives a crash, a restart, a copy or a
 * restore of the directory (which reset ctime), and it does not depend on
 * rename() touching ctime, which POSIX leaves open.
 */
static char *
cur_path(const struct gth_outbox *ob, const char *id, const char *steps, time_t at)
{
	if (strchr(steps, 'P') != NULL && strchr(steps, 'R') == NULL)
		return xasprintf("%s/%s:%s,%lld", ob->sub[D_CUR], id, steps, (long long)at);
	return xasprintf("%s/%s:%s", ob->sub[D_CUR], id, steps);
}

/* Record progress with a durable rename to the name for (steps, at). */
static int
set_steps(struct gth_outbox *ob, struct progress *pg, const char *steps, time_t at,
	struct gth_err *err)
{
	char next[GTH_OUTBOX_STEPS_MAX], *to;
	int r;

	gth_strlcpy(next, steps, sizeof(next));
	to = cur_path(ob, pg->id, next, at);
	if ((r = gth_fs_rename_durable(pg->path, to, err)) == 0) {
		free(pg->path);
		pg->path = to;
		memcpy(pg->steps, next, sizeof(next));
		pg->at = at;
	} else {
		free(to);
	}
	hook("deliver:step");
	return r;
}

/* Add step to what is done (P: a post sent at time at; P again restamps it). */
static int
set_step(struct gth_outbox *ob, struct progress *pg, char step, time_t at, struct gth_err *err)
{
	char next[GTH_OUTBOX_STEPS_MAX];
	size_t n = strlen(pg->steps);

	memcpy(next, pg->steps, n + 1);
	if (strchr(next, step) == NULL && n + 1 < sizeof(next)) {
		next[n] = step;
		next[n + 1] = '\0';
	}
	return set_steps(ob, pg, next, step == 'P' ? at : 0, err);
}

/* Take P back: the forge answered the post with a refusal, so nothing landed. */
static int
clear_post(struct gth_outbox *ob, struct progress *pg, struct gth_err *err)
{
	char next[GTH_OUTBOX_STEPS_MAX], *w = next;
	const char *c;

	for (c = pg->steps; *c != '\0'; c++)
		if (*c != 'P')
			*w++ = *c;
	*w = '\0';
	return set_steps(ob, pg, next, 0, err);
}

/*
 * A post of this review was sent earlier and its answer lost, and the
 * forge's list does not show it.  Lists lag writes (GitHub's by up to
 * seconds), so posting again at once could make a second review: post
 * again only once the attempt is ob->settle seconds old.  1: post again;
 * 0: not yet (res says until when); < 0: local error.
 */
static int
settled(struct gth_outbox *ob, struct progress *pg, struct gth_outbox_result *res,
	struct gth_err *err)
{
	time_t now = time(NULL), when;
	struct tm tm;
	char hms[16] = "?";
	int r;

	/* A clock set back would stretch the wait by as much: count it from now. */
	if (pg->at > now && (r = set_step(ob, pg, 'P', now, err)) != 0)
		return r;
	if (now - pg->at >= ob->settle)
		return 1;
	when = pg->at + ob->settle;
	if (localtime_r(&when, &tm) != NULL)
		strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	res->code = -GTH_E_AGAIN;
	snprintf(res->msg, sizeof(res->msg), "review: the last post's outcome is unknown; "
		"checking the forge again after %s (in %lld s)", hms, (long long)(when - now));
	return 0;
}

static int
to_dead(struct gth_outbox *ob, const char *from, const char *id, const char *why,
	struct gth_err *err)
{
	char *errpath = xasprintf("%s/%s.err", ob->sub[D_DEAD], id);
	char *to = xasprintf("%s/%s", ob->sub[D_DEAD], id);
	char *text = xasprintf("%s\n", why);
	int r;

	/* The reason first: an entry in dead/ is never without one. */
	if ((r = gth_fs_write_atomic(errpath, text, strlen(text), err)) == 0)
		r = gth_fs_rename_durable(from, to, err);
	free(errpath);
	free(to);
	free(text);
	return r;
}

/* Is the review already on the forge?  1 yes, 0 no, < 0 could not tell. */
static int
find_posted(const struct gth_delivery_sink_ops *ops, void *ctx, const struct gth_decision *d,
	const struct gth_outbox_entry *e, struct gth_err *err)
{
	struct gth_review *v = NULL;
	size_t n = 0, i;
	const char *self = ops->self_login(ctx, d);
	int r, found = 0;

	/* Without our login nothing can be recognised: posting now could duplicate. */
	if (self == NULL || *self == '\0')
		return gth_err_set(err, -GTH_E_AGAIN, "our forge login is not known yet");
	if ((r = ops->list_reviews(ctx, d, &v, &n, err)) != 0)
		return r;
	for (i = 0; i < n && !found; i++)
		found = gth_outbox_review_is_ours(&v[i], self, d, e->record, e->record_len);
	gth_outbox_reviews_free(v, n);
	return found;
}

static void
result_msg(struct gth_outbox_result *res, const char *step, const struct gth_err *err, int r)
{
	snprintf(res->msg, sizeof(res->msg), "%s: %s", step, gth_err_text(err, r));
}

static int
deliver_one(struct gth_outbox *ob, const struct gth_delivery_sink_ops *ops, void *ctx,
	const char *name, struct gth_outbox_result *res, struct gth_err *err)
{
	struct gth_outbox_entry e;
	struct gth_decision *d = NULL;
	struct gth_err serr = { 0 };
	struct progress pg = { .id = res->id };
	char *body = NULL, *done = NULL;
	const char *step = "review";
	int r, lr;

	parse_name(name, res->id, pg.steps, &pg.at);
	res->state = GTH_OUTBOX_CUR;
	pg.path = xasprintf("%s/%s", ob->sub[D_CUR], name);
	if ((lr = load_entry(pg.path, &e, &d, &serr)) != 0) {
		if (lr == -GTH_E_IO || lr == -GTH_E_NOTFOUND) {
			r = lr;
			result_msg(res, "read", &serr, lr);
			goto out;
		}
		result_msg(res, "unreadable outbox entry", &serr, lr);
		goto dead;
	}
	if (strchr(pg.steps, 'R') == NULL) {
		r = find_posted(ops, ctx, d, &e, &serr);
		if (r < 0)
			goto failed;
		res->found_posted = r == 1;
		if (!res->found_posted) {
			/* r < 0: a local error; 0: the lost post is still settling. */
			if (strchr(pg.steps, 'P') != NULL && (r = settled(ob, &pg, res, err)) <= 0)
				goto out;
			r = gth_review_body_compose(d, e.record, e.armored, &body, &serr);
			if (r != 0)
				goto failed;
			/*
			 * Recorded before the request leaves: if its answer is
			 * lost (a dropped connection, a timeout, kill -9), the
			 * next delivery knows a review may be on the forge.
			 */
			if ((r = set_step(ob, &pg, 'P', time(NULL), err)) != 0)
				goto out;
			hook("deliver:before-post");
			gth_err_clear(&serr);
			if ((r = ops->post_review(ctx, d, body, &serr)) != 0) {
				int cr;

				/* A 4xx answer is a refusal: nothing landed. 5xx may have. */
				if (serr.status >= 400 && serr.status < 500 &&
				    (cr = clear_post(ob, &pg, err)) != 0) {
					r = cr;
					goto out;
				}
				goto failed;
			}
			hook("deliver:after-post");
		}
		if ((r = set_step(ob, &pg, 'R', 0, err)) != 0)
			goto out;
	}
	if (d->verdict == GTH_VERDICT_ESCALATE && strchr(pg.steps, 'E') == NULL) {
		step = "escalation";
		gth_err_clear(&serr);
		if ((r = ops->escalate(ctx, d, &serr)) != 0)
			goto failed;
		if ((r = set_step(ob, &pg, 'E', 0, err)) != 0)
			goto out;
	}
	if (strchr(pg.steps, 'S') == NULL) {
		step = "status";
		gth_err_clear(&serr);
		if ((r = ops->post_status(ctx, d, &serr)) != 0)
			goto failed;
		if ((r = set_step(ob, &pg, 'S', 0, err)) != 0)
			goto out;
	}
	done = xasprintf("%s/%s", ob->sub[D_DONE], res->id);
	if ((r = gth_fs_rename_durable(pg.path, done, err)) != 0)
		goto out;
	hook("deliver:done");
	res->state = GTH_OUTBOX_DONE;
	snprintf(res->msg, sizeof(res->msg), res->found_posted ? "posted (found on the forge)" :
		"posted");
	audit(ob, "posted", d, NULL, res->found_posted ? "already on the forge" : NULL);
	goto out;
failed:
	res->code = r;
	result_msg(res, step, &serr, r);
	if (!permanent(ops, r, &serr)) {
		audit(ob, "retry", d, NULL, res->msg);
		r = 0;
		goto out;
	}
dead:
	/* pg.path follows the renames of set_steps(). */
	if ((r = to_dead(ob, pg.path, res->id, res->msg, err)) != 0)
		goto out;
	res->state = GTH_OUTBOX_DEAD;
	audit(ob, "dead", d, res->id, res->msg);
out:
	if (lr == 0)
		gth_outbox_entry_release(&e);
	gth_decision_free(d);
	free(body);
	free(done);
	free(pg.path);
	return r;
}

/* Move new/<id> to cur/<id>: (the claim). */
static int
claim(struct gth_outbox *ob, const char *id, char **curname, struct gth_err *err)
{
	char *from = xasprintf("%s/%s", ob->sub[D_NEW], id);
	char *to = xasprintf("%s/%s:", ob->sub[D_CUR], id);
	int r = gth_fs_rename_durable(from, to, err);

	if (r == 0)
		*curname = xasprintf("%s:", id);
	free(from);
	free(to);
	hook("deliver:claimed");
	return r;
}

int
gth_outbox_deliver(struct gth_outbox *ob, const struct gth_delivery_sink_ops *ops,
	void *ctx, const char *id, struct gth_outbox_report *rep, struct gth_err *err)
{
	struct gth_strvec cur = GTH_STRVEC_INIT, neu = GTH_STRVEC_INIT, todo = GTH_STRVEC_INIT;
	size_t i;
	int r;

	if (flock(ob->lockfd, LOCK_EX | LOCK_NB) != 0)
		return gth_err_set(err, -GTH_E_AGAIN,
			"another gatehouse is delivering this outbox");
	if ((r = scan(ob, D_CUR, &cur, err)) != 0 || (r = scan(ob, D_NEW, &neu, err)) != 0)
		goto out;
	for (i = 0; i < cur.n; i++)
		if (id == NULL || strncmp(cur.v[i], id, GTH_DECISION_ID_LEN) == 0)
			gth_strvec_push(&todo, cur.v[i]);
	for (i = 0; i < neu.n; i++) {
		char *name = NULL;

		if (id != NULL && strcmp(neu.v[i], id) != 0)
			continue;
		if ((r = claim(ob, neu.v[i], &name, err)) != 0)
			goto out;
		gth_strvec_push_take(&todo, name);
	}
	for (i = 0; i < todo.n; i++) {
		struct gth_outbox_result *res = &GTH_PUSH(rep->v, rep->n, rep->cap);

		memset(res, 0, sizeof(*res));
		if ((r = deliver_one(ob, ops, ctx, todo.v[i], res, err)) != 0)
			goto out;
		if (res->state == GTH_OUTBOX_DONE)
			rep->delivered++;
		else if (res->state == GTH_OUTBOX_DEAD)
			rep->dead++;
		else
			rep->retry++;
	}
	r = 0;
out:
	flock(ob->lockfd, LOCK_UN);
	gth_strvec_clear(&cur);
	gth_strvec_clear(&neu);
	gth_strvec_clear(&todo);
	return r;
}

int
gth_outbox_recover(struct gth_outbox *ob, size_t *pending, struct gth_err *err)
{
	struct gth_strvec names = GTH_STRVEC_INIT;
	DIR *dir;
	struct dirent *de;
	time_t now = time(NULL);
	size_t i, count = 0;
	int which, r = 0;

	if ((dir = opendir(ob->sub[D_TMP])) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			struct stat st;
			char *p;

			if (de->d_name[0] == '.')
				continue;
			p = xasprintf("%s/%s", ob->sub[D_TMP], de->d_name);
			/* Never reported "recorded"; a live writer's file is seconds old. */
			if (lstat(p, &st) == 0 && now - st.st_mtime > TMP_STALE_SECONDS)
				unlink(p);
			free(p);
		}
		closedir(dir);
	}
	for (which = D_NEW; which <= D_CUR; which++) {
		gth_strvec_clear(&names);
		if ((r = scan(ob, which, &names, err)) != 0)
			goto out;
		for (i = 0; i < names.n; i++) {
			struct gth_outbox_entry e;
			struct gth_decision *d = NULL;
			struct gth_err lerr = { 0 };
			char id[GTH_DECISION_ID_LEN + 1], steps[GTH_OUTBOX_STEPS_MAX], why[400];
			char *path = xasprintf("%s/%s", ob->sub[which], names.v[i]);
			int lr = load_entry(path, &e, &d, &lerr);

			if (lr == 0) {
				gth_outbox_entry_release(&e);
				gth_decision_free(d);
				count++;
			} else if (lr != -GTH_E_IO && lr != -GTH_E_NOTFOUND) {
				parse_name(names.v[i], id, steps, NULL);
				snprintf(why, sizeof(why), "unreadable outbox entry: %s",
					gth_err_text(&lerr, lr));
				if ((r = to_dead(ob, path, id, why, err)) != 0) {
					free(path);
					goto out;
				}
				audit(ob, "dead", NULL, id, why);
			}
			free(path);
		}
	}
out:
	gth_strvec_clear(&names);
	if (pending != NULL)
		*pending = count;
	return r;
}

int
gth_outbox_retry_dead(struct gth_outbox *ob, const char *id, struct gth_err *err)
{
	char *from, *to, *errpath;
	int r;

	if (!gth_decision_id_valid(id))
		return gth_err_set(err, -GTH_E_INVAL, "not a decision id");
	from = xasprintf("%s/%s", ob->sub[D_DEAD], id);
	to = xasprintf("%s/%s", ob->sub[D_NEW], id);
	errpath = xasprintf("%s/%s.err", ob->sub[D_DEAD], id);
	if ((r = gth_fs_rename_durable(from, to, err)) == 0) {
		unlink(errpath);
		audit(ob, "retry", NULL, id, "moved back from dead/");
	}
	free(from);
	free(to);
	free(errpath);
	return r;
}
